"""Precision, recall and F1 of found pairs against truth.jsonl at one threshold.

Positives at threshold t are the truth pairs whose exact word-5-gram Jaccard is >= t (the truth lists every
pair down to its floor, 0.3 by default, so pairs just under t are known negatives). A found pair that the
truth does not list at all is scored with exact Jaccard from the corpus text: it counts as a true positive if
it reaches t (and is reported as `outside_truth_positive`, which would mean the truth missed it), otherwise as
a false positive. Recall is over the truth's positives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shingles import jaccard, shingle_set


@dataclass(frozen=True, slots=True)
class Score:
    """Pair-level quality of one run."""

    found: int
    true_positives: int
    positives: int
    outside_truth_positive: int
    precision: float
    recall: float
    f1: float


class Truth:
    """truth.jsonl in memory: pair -> exact Jaccard, with the corpus texts loaded only when needed."""

    def __init__(self, truth_path: Path, corpus_path: Path) -> None:
        self.jaccard: dict[tuple[int, int], float] = {}
        with truth_path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                self.jaccard[(row["a"], row["b"])] = row["jaccard"]
        self.corpus_path = corpus_path
        self._texts: list[str] | None = None

    def exact(self, a: int, b: int) -> float:
        """Exact Jaccard of two corpus documents."""
        if self._texts is None:
            with self.corpus_path.open(encoding="utf-8") as handle:
                self._texts = [json.loads(line)["text"] for line in handle]
        return jaccard(shingle_set(self._texts[a]), shingle_set(self._texts[b]))

    def score(self, pairs_path: Path, threshold: float) -> Score:
        """Score the `i<TAB>j` pairs file of one run."""
        positives = sum(1 for s in self.jaccard.values() if s >= threshold)
        found: set[tuple[int, int]] = set()
        with pairs_path.open(encoding="utf-8") as handle:
            for line in handle:
                a, b = map(int, line.split())
                found.add((a, b) if a < b else (b, a))
        hits = outside = 0
        for pair in found:
            known = self.jaccard.get(pair)
            if known is not None:
                hits += known >= threshold
            elif self.exact(*pair) >= threshold:
                outside += 1
        precision = (hits + outside) / len(found) if found else 1.0
        recall = hits / positives if positives else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Score(len(found), hits + outside, positives, outside, precision, recall, f1)
