"""Does the ranking's usage evidence point at the original on real derived text? PAN 2013 text-alignment pairs
(`../shared/data/pan13-train`): the source document is the original, the suspicious document holds passages
derived from it (03: random word operations, 04: machine-translation round trips, 05: human summaries). For each
pair, the usage evidence (`dedupe.rank._usage`) summed over the aligned passages that are not verbatim; counts of
pairs where it favours the source, the suspicious document, or neither (|sum| <= 0.05).

    python benchmarks/pan_usage.py ../shared/data/pan13-train --pairs 200
    python benchmarks/pan_usage.py ../shared/data/pan13-train --pairs 200 --any-stretch   # without the
        # alternatives rule: every differing stretch of up to four tokens counts
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

import dedupe.rank as rank
from dedupe.align import align_texts
from dedupe.fluency import tokens

FOLDERS = ("03-random-obfuscation", "04-translation-obfuscation", "05-summary-obfuscation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--pairs", type=int, default=200, help="pairs per folder, a seeded random sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--any-stretch", action="store_true")
    args = parser.parse_args()
    if args.any_stretch:
        rank._alternatives = lambda *_: True  # type: ignore[attr-defined]
    for folder in FOLDERS:
        pairs = [line.split() for line in (args.root / folder / "pairs").read_text().splitlines() if line.strip()]
        random.Random(args.seed).shuffle(pairs)
        signs: Counter[str] = Counter()
        for susp, src in pairs[: args.pairs]:
            source = (args.root / "src" / src).read_text(errors="replace")
            derived = (args.root / "susp" / susp).read_text(errors="replace")
            doc_a, doc_b = rank.Occurrences(tokens(source)), rank.Occurrences(tokens(derived))
            total = sum(
                rank._usage(
                    tokens(source[p.a_span[0] : p.a_span[1]]), tokens(derived[p.b_span[0] : p.b_span[1]]), doc_a, doc_b
                )
                for p in align_texts(source, derived).passages
                if p.a_span and p.b_span and p.score < 1.0
            )
            signs["source" if total > 0.05 else "derived" if total < -0.05 else "neither"] += 1
        print(
            f"{folder}: favours the source {signs['source']}, the derived text {signs['derived']}, "
            f"neither {signs['neither']}"
        )


if __name__ == "__main__":
    main()
