"""The first N documents of a `corpus.py` corpus, with the truth pairs among them, as a corpus of its own.

    python benchmarks/subset.py benchmarks/out/corpus-40k-s6 5000    # -> benchmarks/out/corpus-40k-s6-first5000/

For timing the slower jobs (the full scan) side by side with the peers on a smaller slice of the same corpus:
`compare.py --corpus` takes the result like any corpus. Documents keep their ids (line numbers), so the truth
pairs with both ids below N are exactly the truth of the slice.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a corpus.py output directory")
    parser.add_argument("size", type=int, help="how many documents to keep (the first ones)")
    args = parser.parse_args()
    out = args.corpus.with_name(f"{args.corpus.name}-first{args.size}")
    out.mkdir(exist_ok=True)
    kept_bytes = 0
    with (args.corpus / "corpus.jsonl").open("rb") as source, (out / "corpus.jsonl").open("wb") as target:
        for number, line in enumerate(source):
            if number >= args.size:
                break
            target.write(line)
            kept_bytes += len(line)
    truth = 0
    with (args.corpus / "truth.jsonl").open() as source, (out / "truth.jsonl").open("w") as target:
        for line in source:
            row = json.loads(line)
            if row["a"] < args.size and row["b"] < args.size:
                target.write(line)
                truth += 1
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(
        size=args.size,
        size_label=f"{manifest['size_label']}-first{args.size}",
        corpus_bytes=kept_bytes,
        subset={"of": str(args.corpus), "documents": args.size, "truth_pairs": truth},
    )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    print(f"{out}: {args.size} documents, {truth} truth pairs")


if __name__ == "__main__":
    main()
