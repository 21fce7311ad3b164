"""Inputs whose scan grows faster than their size: one story in hundreds of copies, two very long texts, and one
very long text among articles it holds.

    python -m benchmarks.large_inputs --out /tmp/large-inputs
    python -m benchmarks.large_inputs --out /tmp/large-inputs --copies 200 400 --long 5000 --within 8000

Families: seed 001 in N copies, each with one word in 40 replaced by one of four words (`random.Random(k)` for
copy k); every copy is a near-duplicate of every other. Long pair: the first M Reuters-21578 bodies of
../shared/data joined into one text, and a copy with one word in 50 replaced. Long text among its articles: the
first W bodies joined into one text, beside 50 of those bodies (every W/50th) as files of their own. Each input
is written to its own folder under --out, then scanned in this process (`dedupe.scan`, the report written as
`dedupe scan --json` writes it); one JSON line per input: its stages, pairs, clusters, the first-ranked member
and the report's size. The dedupe timed is the one first on the path: another checkout's, run from outside this
one with PYTHONPATH naming it, then this one's folder (for `benchmarks`).
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import orjson

import dedupe
from benchmarks.sources import read_reuters
from dedupe import report

HERE = Path(__file__).resolve().parent

SEEDS = HERE.parent / "seeds"
DATA = HERE.parent.parent / "shared" / "data"


def edited_copy(text: str, rng: random.Random) -> str:
    """`text` with one word in 40 (split at spaces) replaced by one of four words."""
    words = text.split(" ")
    for _ in range(len(words) // 40):
        words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "gamma", "delta"])
    return " ".join(words)


def write_family(folder: Path, copies: int) -> None:
    text = next(SEEDS.glob("001_*")).read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(copies):
        (folder / f"copy{k:04d}.txt").write_text(edited_copy(text, random.Random(k)), encoding="utf-8")


def write_long_pair(folder: Path, bodies: int) -> None:
    text = "\n\n".join(article.text for article in read_reuters(DATA / "reuters-21578")[:bodies])
    rng = random.Random(1)
    words = text.split(" ")
    for _ in range(len(words) // 50):
        words[rng.randrange(len(words))] = "zzz"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(" ".join(words), encoding="utf-8")


def write_long_among_parts(folder: Path, bodies: int, parts: int = 50) -> None:
    texts = [article.text for article in read_reuters(DATA / "reuters-21578")[:bodies]]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "long.txt").write_text("\n\n".join(texts), encoding="utf-8")
    for k in range(parts):
        (folder / f"part{k:02d}.txt").write_text(texts[k * (bodies // parts)], encoding="utf-8")


def measure(folder: Path) -> dict[str, object]:
    started = time.perf_counter()
    result = dedupe.scan([folder])
    scanned = time.perf_counter() - started
    with open(folder.with_suffix(".json"), "wb") as out:
        report.write_json(result, out)
    return {
        "input": folder.name,
        "bytes": sum(path.stat().st_size for path in folder.iterdir()),
        "seconds_scan": round(scanned, 2),
        "seconds_report": round(time.perf_counter() - started - scanned, 2),
        "stages": {k: round(v, 2) for k, v in result.stats.items() if k.startswith("seconds")},
        "pairs": len(result.pairs),
        "clusters": len(result.clusters),
        "first": result.clusters[0].members[0].id if result.clusters else None,
        "report_mb": round(folder.with_suffix(".json").stat().st_size / 1e6, 1),
        "dedupe": str(Path(dedupe.__file__).parent),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--copies", type=int, nargs="*", default=[200, 400])
    parser.add_argument("--long", type=int, default=5000, help="Reuters bodies joined into each long text")
    parser.add_argument("--within", type=int, default=0, help="Reuters bodies joined into the text among its parts")
    args = parser.parse_args()
    folders = []
    for copies in args.copies:
        folders.append(args.out / f"family-{copies}")
        write_family(folders[-1], copies)
    if args.long:
        folders.append(args.out / f"long-{args.long}")
        write_long_pair(folders[-1], args.long)
    if args.within:
        folders.append(args.out / f"within-{args.within}")
        write_long_among_parts(folders[-1], args.within)
    for folder in folders:
        print(orjson.dumps(measure(folder)).decode(), flush=True)


if __name__ == "__main__":
    main()
