"""A `corpus.py` corpus set as news on the web is set: curly quotes and apostrophes, and dashes.

    python benchmarks/typography.py benchmarks/out/corpus-40k-s6-first20000   # -> ...-first20000-typeset/

Reuters-21578 and most of BBC News are plain ASCII, so the benchmark corpora never showed what typographic
punctuation costs, though most news published today has it (4 of the 5 seeds). This rewrites every document's
straight double quotes as opening and closing curly ones, apostrophes inside words and quotes after a word as
right single quotes, single quotes opening a word as left ones, `--` as an em dash and a hyphen between spaces as
an en dash. No word changes, so the truth (Jaccard over lower-cased word runs, truth.py) is the same and is copied.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

_OPENING_DOUBLE = re.compile(r'(^|[\s(\[])"')
_OPENING_SINGLE = re.compile(r"(^|[\s(\[])'(?=\w)")
_RULES = (
    (_OPENING_DOUBLE, "\\1\u201c"),
    (re.compile('"'), "\u201d"),
    (_OPENING_SINGLE, "\\1\u2018"),
    (re.compile("'"), "\u2019"),
    (re.compile("--"), "\u2014"),
    (re.compile(r"(?<= )-(?= )"), "\u2013"),
)


def typeset(text: str) -> str:
    """`text` with curly quotes and apostrophes, and dashes (see the module docstring)."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a corpus.py (or subset.py) output directory")
    args = parser.parse_args()
    out = args.corpus.with_name(f"{args.corpus.name}-typeset")
    out.mkdir(exist_ok=True)
    changed = 0
    source, target = args.corpus / "corpus.jsonl", out / "corpus.jsonl"
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as written:
        for line in lines:
            row = json.loads(line)
            text = typeset(row["text"])
            changed += text != row["text"]
            row["text"] = text
            written.write(json.dumps(row, ensure_ascii=False) + "\n")
    size = (out / "corpus.jsonl").stat().st_size
    (out / "truth.jsonl").write_bytes((args.corpus / "truth.jsonl").read_bytes())
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(
        size_label=f"{manifest['size_label']}-typeset",
        corpus_bytes=size,
        typeset={"of": str(args.corpus), "documents_changed": changed},
    )
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    print(f"{out}: {changed} of {manifest['size']} documents changed")


if __name__ == "__main__":
    main()
