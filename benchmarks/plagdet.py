"""PAN's character-level detection measures, implemented from their published definition.

Potthast, Stein, Barron-Cedeno and Rosso, "An Evaluation Framework for Plagiarism Detection", COLING 2010:

- a case `s` and a detection `r` are sets of characters in the suspicious and the source document; `r` detects
  `s` when they overlap in both documents;
- precision = mean over detections r of |union over cases s detected by r of (s ∩ r)| / |r|;
- recall    = mean over cases s of |union over detections r detecting s of (s ∩ r)| / |s|;
- granularity = mean over detected cases of the number of detections detecting each;
- plagdet = F1(precision, recall) / log2(1 + granularity).

With no cases and no detections, precision and recall are 1 (nothing to find, nothing claimed); with only one of
the two, both are 0 (the convention of PAN's own evaluation script).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# (this_offset, this_length, source_offset, source_length): one case or one detection of a document pair.
Annotation = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int


def detects(r: Annotation, s: Annotation) -> bool:
    """True when `r` and `s` overlap in the suspicious AND in the source document."""
    return r[0] < s[0] + s[1] and s[0] < r[0] + r[1] and r[2] < s[2] + s[3] and s[2] < r[2] + r[3]


def _covered(target: tuple[int, int], others: Iterable[tuple[int, int]]) -> int:
    """Characters of the interval `target` (offset, length) covered by the union of `others`."""
    start, end = target[0], target[0] + target[1]
    pieces = sorted((max(start, o), min(end, o + n)) for o, n in others)
    total, reach = 0, start
    for lo, hi in pieces:
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def _share(target: Annotation, others: Sequence[Annotation]) -> float:
    """|union of (target ∩ o)| / |target|, counting characters in both documents."""
    hits = [o for o in others if detects(o, target)]
    if not hits:
        return 0.0
    covered = _covered((target[0], target[1]), [(o[0], o[1]) for o in hits])
    covered += _covered((target[2], target[3]), [(o[2], o[3]) for o in hits])
    return covered / (target[1] + target[3])


def evaluate(pairs: Iterable[tuple[Sequence[Annotation], Sequence[Annotation]]]) -> Scores:
    """Macro precision, recall, granularity and plagdet over document pairs given as (cases, detections)."""
    recall_sum = precision_sum = 0.0
    n_cases = n_detections = detected_cases = detections_per_detected_case = 0
    for cases, detections in pairs:
        n_cases += len(cases)
        n_detections += len(detections)
        for s in cases:
            recall_sum += _share(s, detections)
            hits = sum(detects(r, s) for r in detections)
            if hits:
                detected_cases += 1
                detections_per_detected_case += hits
        for r in detections:
            precision_sum += _share(r, cases)
    if n_cases == 0 and n_detections == 0:
        precision = recall = 1.0
    elif n_cases == 0 or n_detections == 0:
        precision = recall = 0.0
    else:
        precision, recall = precision_sum / n_detections, recall_sum / n_cases
    granularity = detections_per_detected_case / detected_cases if detected_cases else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, granularity, f1 / math.log2(1 + granularity), n_cases, n_detections)
