"""Stage timings and peak memory of our two jobs on a quick Reuters-derived corpus.

    python benchmarks/profile_scan.py 20000 40000 200000 [--job near|scan|both] [--workers N]

The corpus: Reuters-21578 bodies (../shared/data/reuters-21578, research use only, never committed). Documents past
the ~19k real bodies are the same bodies with their words relabelled within frequency bands of 64 (a different
"replica" vocabulary per pass), so a large corpus keeps the word-frequency shape of news without repeating text.
One document in five is an edited copy of an earlier one (words dropped and swapped, sentences shuffled,
truncated), so duplicates grow linearly with N. Everything is deterministic from `--seed`.

Each run is one process per job and size (fresh peak RSS); the load average is printed beside each figure because
the machine's two cores are shared.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reuters-21578"
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOKEN = re.compile(r"\w+|\W+")
_BAND = 64


def load_bodies(data: Path = DATA) -> list[str]:
    """The non-empty `<BODY>` texts of every reut2-*.sgm file (read as latin-1, entities unescaped)."""
    bodies: list[str] = []
    for path in sorted(data.glob("reut2-*.sgm")):
        for body in _BODY.findall(path.read_text(encoding="latin-1")):
            text = _CONTROL.sub("", html.unescape(body)).replace(" Reuter\n", "").strip()
            # Reflow the 65-column wire lines: a line break only where a paragraph starts (an indented line).
            text = re.sub(r"\n(?! )", " ", text).replace("\n    ", "\n")
            if len(text.split()) >= 20:
                bodies.append(text)
    return bodies


def _relabel(ranked: list[str], replica: int) -> dict[str, str]:
    """A word mapping that permutes words among neighbours in frequency rank (bands of 64), per replica."""
    rng = np.random.default_rng(1000 + replica)
    mapping: dict[str, str] = {}
    for start in range(0, len(ranked), _BAND):
        band = ranked[start : start + _BAND]
        for word, other in zip(band, rng.permutation(band), strict=True):
            mapping[word] = str(other)
    return mapping


def _apply(text: str, mapping: dict[str, str]) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group()
        new = mapping.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[:1].isupper() else new

    return re.sub(r"[A-Za-z]+", swap, text)


def edit(text: str, rng: np.random.Generator) -> str:
    """An edited copy: one or two of word drops, adjacent swaps, sentence shuffle, truncation."""
    kinds = rng.choice(["drop", "swap", "shuffle", "truncate"], size=int(rng.integers(1, 3)), replace=False)
    for kind in kinds:
        if kind == "shuffle":
            sentences = re.split(r"(?<=[.!?])\s+", text)
            rng.shuffle(sentences)
            text = " ".join(sentences)
            continue
        words = text.split(" ")
        if kind == "drop":
            keep = rng.random(len(words)) > 0.05
            words = [w for w, k in zip(words, keep, strict=True) if k]
        elif kind == "swap":
            for i in rng.integers(0, max(1, len(words) - 1), size=max(1, len(words) // 30)):
                words[i], words[i + 1 : i + 2] = (words[i + 1], [words[i]]) if i + 1 < len(words) else (words[i], [])
        else:
            words = words[: max(20, int(len(words) * rng.uniform(0.6, 0.9)))]
        text = " ".join(words)
    return text


def build_corpus(n: int, seed: int = 1) -> tuple[list[str], list[tuple[int, int]]]:
    """`n` texts and the (original, copy) index pairs of the edited copies."""
    bodies = load_bodies()
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    truth: list[tuple[int, int]] = []
    counts = Counter(w.lower() for body in bodies for w in re.findall(r"[A-Za-z]+", body))
    ranked = [w for w, _ in counts.most_common()]
    replica, cursor, mapping = 0, 0, None
    while len(texts) < n:
        if texts and rng.random() < 0.2:
            original = int(rng.integers(len(texts)))
            truth.append((original, len(texts)))
            texts.append(edit(texts[original], rng))
            continue
        if cursor == len(bodies):
            replica, cursor = replica + 1, 0
            mapping = _relabel(ranked, replica)
        body = bodies[cursor]
        cursor += 1
        texts.append(body if mapping is None else _apply(body, mapping))
    return texts, truth


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_near(texts: list[str], threshold: float) -> dict:
    import dedupe

    stats: dict[str, float] = {}
    start = time.perf_counter()
    pairs = dedupe.find_near_duplicates(texts, threshold=threshold, stats=stats)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "pairs": len(pairs), "stats": stats}


def run_scan(texts: list[str], workers: int | None) -> dict:
    import dedupe

    articles = [dedupe.Article(f"d{i:07d}", t) for i, t in enumerate(texts)]
    start = time.perf_counter()
    config = dedupe.ScanConfig() if workers is None else dedupe.ScanConfig(workers=workers)
    result = dedupe.scan(articles, config)
    seconds = time.perf_counter() - start
    relations = Counter(p.relation for p in result.pairs)
    return {"seconds": seconds, "pairs": len(result.pairs), "relations": dict(relations), "stats": result.stats}


def child(args: argparse.Namespace) -> None:
    clock = time.perf_counter()
    texts, _ = build_corpus(args.n, args.seed)
    build = time.perf_counter() - clock
    base_rss = peak_rss_mb()
    row = run_near(texts, args.threshold) if args.job == "near" else run_scan(texts, args.workers)
    row.update(
        job=args.job,
        n=args.n,
        mb=round(sum(map(len, texts)) / 1e6, 1),
        docs_per_s=round(args.n / row["seconds"]),
        corpus_seconds=round(build, 1),
        corpus_rss_mb=round(base_rss),
        peak_rss_mb=round(peak_rss_mb()),
        load=load(),
    )
    print(json.dumps(row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[20000, 40000, 200000])
    parser.add_argument("--job", choices=["near", "scan", "both"], default="both")
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    jobs = ["near", "scan"] if args.job == "both" else [args.job]
    for n in args.sizes:
        for job in jobs:
            command = [sys.executable, __file__, "--child", "--n", str(n), "--job", job]
            command += ["--threshold", str(args.threshold), "--seed", str(args.seed)]
            if args.workers is not None:
                command += ["--workers", str(args.workers)]
            print(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
