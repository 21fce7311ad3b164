"""The contract between compare.py and a peer runner (standard library only: runners live in other venvs).

A runner is called as `python peers/<tool>.py CORPUS --threshold T --num-perm 128 --ngram 5 --pairs OUT`,
reads the corpus JSONL (line number = document id), finds document-level near-duplicate pairs, writes them to
OUT as `i<TAB>j` lines (i < j) and prints exactly one JSON line on stdout:
`{"tool", "version", "pairs", "n_pairs", "wall_s", "stages_s", "params"}`. Progress and logs go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared shingle definition

from shingles import shingle_strings

__all__ = [
    "Stages",
    "lsh_params",
    "pairs_from_clusters",
    "parse_args",
    "read_texts",
    "report",
    "shingle_strings",
]


def parse_args(description: str) -> argparse.Namespace:
    """The runner's command line (the same for every peer)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("corpus", type=Path, help="corpus.jsonl ({'id', 'text'} per line)")
    parser.add_argument("--threshold", type=float, default=0.8, help="Jaccard threshold of the LSH and the check")
    parser.add_argument("--num-perm", type=int, default=128, help="MinHash permutations")
    parser.add_argument("--ngram", type=int, default=5, help="word n-gram size")
    parser.add_argument("--workers", type=int, default=2, help="processes or threads where the tool has them")
    parser.add_argument("--pairs", type=Path, required=True, help="where to write the found pairs (TSV)")
    parser.add_argument("--variant", default="", help="tool-specific variant (see the runner's docstring)")
    return parser.parse_args()


def read_texts(path: Path) -> list[str]:
    """The texts of the corpus, in line order (line number = document id)."""
    texts: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
    return texts


def _false_positive(threshold: float, b: int, r: int, steps: int = 1000) -> float:
    width = threshold / steps
    return sum(1 - (1 - ((k + 0.5) * width) ** r) ** b for k in range(steps)) * width


def _false_negative(threshold: float, b: int, r: int, steps: int = 1000) -> float:
    width = (1 - threshold) / steps
    return sum((1 - (1 - (threshold + (k + 0.5) * width) ** r) ** b) for k in range(steps)) * width


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands b and rows r (b * r <= num_perm) minimising the sum of the false-positive and false-negative
    areas.

    The banding S-curve 1 - (1 - s^r)^b is from *Mining of Massive Datasets* (Leskovec, Rajaraman, Ullman),
    ch. 3; equal weights 0.5/0.5 as datasketch's `MinHashLSH` default, so every peer bands like datasketch
    does: 128 permutations give (9, 13) at 0.8 and (25, 5) at 0.5.
    """
    best = (1, 1)
    best_error = float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            false_negative = (1 - threshold) - _false_negative(threshold, b, r)
            error = 0.5 * _false_positive(threshold, b, r) + 0.5 * false_negative
            if error < best_error:
                best_error, best = error, (b, r)
    return best


def pairs_from_clusters(labels: dict[int, int]) -> Iterator[tuple[int, int]]:
    """All pairs inside each cluster, for tools that report clusters (document -> cluster label)."""
    clusters: dict[int, list[int]] = {}
    for doc, label in labels.items():
        clusters.setdefault(label, []).append(doc)
    for members in clusters.values():
        members.sort()
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                yield a, b


class Stages:
    """Wall-clock time per named stage."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - began, 4)


def report(
    args: argparse.Namespace,
    tool: str,
    version: str,
    pairs: Iterable[tuple[int, int]],
    stages: Stages,
    params: dict[str, object],
) -> None:
    """Write the pairs file and print the one JSON result line."""
    n_pairs = 0
    with stages("write_pairs"), args.pairs.open("w", encoding="utf-8") as out:
        for a, b in pairs:
            out.write(f"{a}\t{b}\n" if a < b else f"{b}\t{a}\n")
            n_pairs += 1
    result = {
        "tool": tool,
        "version": version,
        "pairs": str(args.pairs),
        "n_pairs": n_pairs,
        "wall_s": round(time.perf_counter() - stages.start, 4),
        "stages_s": stages.seconds,
        "params": {"threshold": args.threshold, "num_perm": args.num_perm, "ngram": args.ngram, **params},
    }
    print(json.dumps(result), flush=True)
