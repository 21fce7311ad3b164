"""MinHash LSH banding, vectorised: signatures in, candidate pairs out.

A candidate is only a hint: it becomes a pair after verification (verify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dedupe.config import PassageEvidence

_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, false_positive_weight: float = 0.5) -> tuple[int, int]:
    """The (bands, rows) split of `num_perm` that minimises the weighted false positive and false negative areas.

    The probability that two sets of Jaccard s share a band is 1 - (1 - s**r)**b (Leskovec, Rajaraman and Ullman,
    *Mining of Massive Datasets*, ch. 3.4); the areas are integrated numerically below and above `threshold`.
    """
    false_negative_weight = 1.0 - false_positive_weight
    best: tuple[float, int, int] = (float("inf"), 1, num_perm)
    below = np.linspace(0.0, threshold, 200)
    above = np.linspace(threshold, 1.0, 200)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_positive = np.trapezoid(1 - (1 - below**rows) ** bands, below)
            false_negative = np.trapezoid((1 - above**rows) ** bands, above)
            error = false_positive_weight * false_positive + false_negative_weight * false_negative
            if error < best[0]:
                best = (error, bands, rows)
    return best[1], best[2]


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (item, band): equal keys mean the items agree on every row of that band."""
    n = signatures.shape[0]
    sliced = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in range(rows):
            keys = (keys ^ sliced[:, :, row]) * _BAND_MULTIPLIER
    return keys


@dataclass(frozen=True, slots=True)
class Buckets:
    """Candidate pairs of one LSH run, as an `(m, 2)` array of item indexes with `i < j`, plus what was capped."""

    pairs: np.ndarray
    # Buckets larger than the cap: their members were linked to the bucket's first item only (`star`) or not at
    # all (`drop`), so the number of pairs stays linear.
    oversized: int


def bucket_pairs(
    keys: np.ndarray, groups: np.ndarray | None = None, max_bucket: int = 0, oversized: str = "star"
) -> Buckets:
    """Pairs of items that share a key in some band.

    Args:
        keys: `(n, bands)` band keys.
        groups: optional group of each item (its document, for passages): items of one group are never paired,
            and a bucket's size is counted in distinct groups.
        max_bucket: buckets with more members than this are capped (0: no cap).
        oversized: `star` links a capped bucket's members to its first member; `drop` ignores the bucket
            (boilerplate passages shared by many documents are no evidence of reuse).
    """
    n, bands = keys.shape
    group_of = np.arange(n) if groups is None else groups
    found: list[np.ndarray] = []
    capped = 0
    for band in range(bands):
        column = keys[:, band]
        order = np.argsort(column, kind="stable")
        ordered = column[order]
        edges = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
        starts = np.concatenate(([0], edges))
        sizes = np.diff(np.concatenate((starts, [n])))
        shared = sizes > 1
        for start, size in zip(starts[shared], sizes[shared], strict=True):
            members = order[start : start + size]
            member_groups = group_of[members]
            distinct = np.unique(member_groups)
            if len(distinct) < 2:
                continue
            if max_bucket and len(distinct) > max_bucket:
                capped += 1
                if oversized == "drop":
                    continue
                first = members[0]
                others = members[member_groups != group_of[first]]
                found.append(np.stack([np.full(len(others), first), others], axis=1))
                continue
            left, right = np.triu_indices(len(members), k=1)
            keep = member_groups[left] != member_groups[right]
            found.append(np.stack([members[left[keep]], members[right[keep]]], axis=1))
    if not found:
        return Buckets(np.zeros((0, 2), dtype=np.int64), capped)
    pairs = np.sort(np.concatenate(found).astype(np.int64), axis=1)
    return Buckets(np.unique(pairs, axis=0), capped)


def document_candidates(
    signatures: np.ndarray, threshold: float, max_bucket: int, false_positive_weight: float = 0.1
) -> Buckets:
    """Document pairs whose signatures collide in some band tuned for `threshold`."""
    bands, rows = optimal_bands(threshold, signatures.shape[1], false_positive_weight)
    return bucket_pairs(band_keys(signatures, bands, rows), max_bucket=max_bucket, oversized="star")


def passage_candidates(
    signatures: np.ndarray,
    owners: np.ndarray,
    word_sets: list[np.ndarray],
    config: PassageEvidence,
    threshold: float,
    max_bucket: int,
    false_positive_weight: float = 0.5,
) -> tuple[np.ndarray, int]:
    """Document pairs with enough passage-level evidence of copying, and how many buckets were boilerplate.

    Passages whose signatures collide are compared exactly (Jaccard of their word sets); a document pair is a
    candidate when `config` says their exact passage matches are enough. Without this check, sentences that
    share only common words ("the", "said") make most same-topic documents candidates.

    Args:
        signatures: one row per passage.
        owners: the document index of each passage.
        word_sets: each passage's unique word hashes (sorted), as signed by `signatures`.
    """
    bands, rows = optimal_bands(threshold, signatures.shape[1], false_positive_weight)
    buckets = bucket_pairs(band_keys(signatures, bands, rows), groups=owners, max_bucket=max_bucket, oversized="drop")
    evidence: dict[tuple[int, int], list[float]] = {}
    for i, j in buckets.pairs.tolist():
        first, second = word_sets[i], word_sets[j]
        shared = len(np.intersect1d(first, second, assume_unique=True))
        jaccard = shared / (len(first) + len(second) - shared)
        if jaccard >= config.min_jaccard:
            key = (int(owners[i]), int(owners[j])) if owners[i] < owners[j] else (int(owners[j]), int(owners[i]))
            evidence.setdefault(key, []).append(jaccard)
    kept = [key for key, found in evidence.items() if config.enough(found)]
    documents = np.array(sorted(kept), dtype=np.int64).reshape(-1, 2)
    return documents, buckets.oversized
