"""MinHash LSH banding, vectorised: signatures in, candidate pairs out.

A candidate is only a hint: it becomes a pair after verification (verify.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from dedupe import kernels
from dedupe.config import PassageEvidence

_BAND_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
# A 128-permutation MinHash estimate of a Jaccard of 0.35 has a standard deviation of 0.042 (sqrt(J(1 - J) / 128)):
# passages are judged on their estimate with this margin (2.4 deviations), and exactly later (verify.screen).
ESTIMATE_MARGIN = 0.1
# Passage bands whose collisions are gathered at once (`passage_candidates`): the bucketing kernel runs its bands
# in parallel, so two keep both cores busy. At 1,000,000 documents two took the candidate stage from 146.8 to
# 107.8 s and its peak from 8.2 to 8.3 GB; four took the peak to 9.6 GB (benchmarks/README.md, twelfth and
# twenty-second rounds).
_BANDS_AT_ONCE = 2


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


def band_keys(signatures: np.ndarray, bands: int, rows: int, first: int = 0) -> np.ndarray:
    """One 64-bit key per (item, band): equal keys mean the items agree on every row of that band. Bands
    `first` to `first + bands - 1` of the signatures (a band's key does not depend on its number).

    Compiled: numpy needed a 64-bit copy of every signature (141 MB for the 138,000 passages of 20,000 documents)
    and a temporary per row; allocating them took 0.3-0.6 s of the 0.4-0.7 s of a first call on this machine."""
    if (first + bands) * rows > signatures.shape[1]:
        raise ValueError(
            f"{first + bands} bands of {rows} rows need {(first + bands) * rows} values, "
            f"signatures have {signatures.shape[1]}"
        )
    return kernels.band_keys(np.ascontiguousarray(signatures), first, bands, rows, _BAND_MULTIPLIER)


@dataclass(frozen=True, slots=True)
class Buckets:
    """Candidate pairs of one LSH run, as an `(m, 2)` array of item indexes with `i < j`, plus what was capped."""

    pairs: np.ndarray
    # Buckets larger than the cap: their members were linked to the bucket's first item only (`star`) or not at
    # all (`drop`), so the number of pairs stays linear.
    oversized: int


def bucket_pairs(
    keys: np.ndarray,
    groups: np.ndarray | None = None,
    max_bucket: int = 0,
    oversized: str = "star",
    distinct: bool = True,
) -> Buckets:
    """Pairs of items that share a key in some band.

    Args:
        keys: `(n, bands)` band keys.
        groups: optional group of each item (its document, for passages): items of one group are never paired,
            and a bucket's size is counted in distinct groups.
        max_bucket: buckets with more members than this are capped (0: no cap).
        oversized: `star` links a capped bucket's members to its first member; `drop` ignores the bucket
            (boilerplate passages shared by many documents are no evidence of reuse).
        distinct: False leaves a pair that collides in several bands repeated (saves a sort of every pair when
            the caller reduces them anyway), in 32-bit rows where the items fit: at 1,000,000 documents two
            passage bands collide 30 to 42 million passage pairs, 0.5 to 0.7 GB in 64 bits at the candidate
            stage's peak.
    """
    n = keys.shape[0]
    if groups is None:
        group_of, order = np.arange(n), np.arange(n)
    else:
        group_of = np.asarray(groups, dtype=np.int64)
        order = np.argsort(group_of, kind="stable")  # by group, then index
    small = not distinct and n <= np.iinfo(np.int32).max
    nothing = np.zeros((0, 2), dtype=np.int32 if small else np.int64)
    pairs, capped = kernels.bucket_pairs(
        np.ascontiguousarray(keys), group_of, order, max_bucket, oversized == "star", nothing
    )
    return Buckets(unique_pairs(pairs, n) if distinct else pairs, int(capped))


def unique_pairs(pairs: np.ndarray, n: int) -> np.ndarray:
    """Distinct pairs of items `0..n-1` as sorted `(i, j)` rows with `i < j` (as `np.unique(axis=0)` of the
    ordered rows gives them, which compares rows as structured values: 0.5 s for the 700,000 candidates of 20,000
    documents, against 0.1 s for sorting their codes)."""
    return code_pairs(pair_codes(pairs, n), n)


def document_candidates(
    signatures: np.ndarray, threshold: float, max_bucket: int, false_positive_weight: float = 0.1
) -> Buckets:
    """Document pairs whose signatures collide in some band tuned for `threshold`."""
    bands, rows = optimal_bands(threshold, signatures.shape[1], false_positive_weight)
    return bucket_pairs(band_keys(signatures, bands, rows), max_bucket=max_bucket, oversized="star")


def passage_candidates(
    signatures: np.ndarray,
    owners: np.ndarray,
    threshold: float,
    max_bucket: int,
    false_positive_weight: float = 0.5,
    evidence: PassageEvidence | None = None,
) -> tuple[np.ndarray, int]:
    """Document pairs that share colliding passages, and how many buckets were boilerplate.

    Args:
        signatures: one row per passage.
        owners: the document index of each passage.
        evidence: when given, the colliding passages of a document pair must give that evidence by their estimated
            Jaccard (from their signatures), within `ESTIMATE_MARGIN`: `min_matches` passage pairs of
            `min_jaccard`, or one of `strong_jaccard`. Sentences that collide for sharing a few common words do
            not make their documents a candidate, nor does one such sentence pair of two long stories.
    """
    size = int(owners.max()) + 1 if len(owners) else 1
    codes, oversized = passage_pair_codes(
        signatures, owners, size, threshold, max_bucket, false_positive_weight, evidence
    )
    return code_pairs(codes, size), oversized


def passage_pair_codes(
    signatures: np.ndarray,
    owners: np.ndarray,
    size: int,
    threshold: float,
    max_bucket: int,
    false_positive_weight: float = 0.5,
    evidence: PassageEvidence | None = None,
) -> tuple[np.ndarray, int]:
    """`passage_candidates` as sorted distinct pair codes `i * size + j` (`i < j`), the form candidates are
    gathered in.

    The colliding passage pairs are gathered as distinct pairs of passages, not of documents: a document pair's
    evidence is counted in passage pairs, each once however many bands it collides in. At 200,000 documents, 11%
    of the document pairs with one colliding passage pair of the estimate had two or a strong one; the screen
    related 816 of the other 11.9 million, most of them one-line texts called near-duplicates of a longer one
    (benchmarks/README.md, twenty-ninth round)."""
    bands, rows = optimal_bands(threshold, signatures.shape[1], false_positive_weight)
    least, strong, min_matches = estimated_evidence(evidence)
    # `_BANDS_AT_ONCE` bands at a time, their keys computed for them and their agreeing passage pairs merged into
    # those found before: holding every band's keys, then every group's pairs, until the end was the 1,000,000-
    # document scan's peak (19.6 GB).
    codes = np.zeros(0, dtype=np.int64)
    oversized = 0
    owners = owners.astype(np.int64, copy=False)
    # Passage pairs are coded by the passages' places in document order (the regex path's passages come last), so
    # that sorted codes come in runs of one first document (`kernels.evidenced_owner_codes`).
    order = np.argsort(owners, kind="stable")
    places = np.empty_like(order)
    places[order] = np.arange(len(order))
    for first in range(0, bands, _BANDS_AT_ONCE):
        keys = band_keys(signatures, min(_BANDS_AT_ONCE, bands - first), rows, first)
        buckets = bucket_pairs(keys, groups=owners, max_bucket=max_bucket, oversized="drop", distinct=False)
        del keys
        oversized += buckets.oversized
        found = kernels.agreeing_passage_codes(signatures, buckets.pairs, places, least, strong)
        del buckets
        codes = merged_distinct(codes, sorted_distinct(found))
        del found
    codes.resize(kernels.evidenced_owner_codes(codes, owners[order], size, min_matches), refcheck=False)
    return codes, oversized


def estimated_evidence(evidence: PassageEvidence | None) -> tuple[float, float, int]:
    """The passage-candidate rule of `evidence` on MinHash estimates, as `(least, strong, min_matches)`: a document
    pair is a candidate when `min_matches` of its colliding passage pairs are estimated at `least` or more, or one
    at `strong` (the evidence's Jaccards less `ESTIMATE_MARGIN`). No evidence: every colliding pair, each strong."""
    if evidence is None:
        return 0.0, 0.0, 1
    return evidence.min_jaccard - ESTIMATE_MARGIN, evidence.strong_jaccard - ESTIMATE_MARGIN, evidence.min_matches


def merged_distinct(codes: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The sorted distinct `codes` and `new` merged, each value once, in `codes`'s own memory, grown (`codes` is
    used up: no other view of it may be in use). Concatenating and sorting held the codes found so far beside
    their merged copy and the sort's buffer: 3 GB at the end of the candidate stage of 1,000,000 documents, its
    peak."""
    if not codes.flags.owndata:
        codes = codes.copy()
    count = len(codes)
    # Grown by `realloc`, which for an allocation this large remaps its pages rather than copying them.
    codes.resize(count + len(new), refcheck=False)
    codes.resize(kernels.merge_distinct(codes, count, np.ascontiguousarray(new, dtype=codes.dtype)), refcheck=False)
    return codes


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """`values` sorted, with each value once, in place (no other view of `values` may be in use). (numpy 2.4's
    `np.unique` finds distinct integers with a hash table, then sorts them: 2.4 s against 0.2 s for sorting
    3,000,000 pair codes, a third repeated.)"""
    values.sort()
    count = kernels.compact_sorted(values)
    if not values.flags.owndata:  # an array a kernel returned: numba owns its memory
        return values[:count]
    values.resize(count, refcheck=False)  # shrinking gives the tail back without a copy
    return values


def pair_codes(pairs: np.ndarray, n: int) -> np.ndarray:
    """Sorted distinct codes `i * n + j` (`i < j`) of pairs of items `0..n-1` given either way round."""
    if len(pairs) == 0:
        return np.zeros(0, dtype=np.int64)
    return sorted_distinct(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))


def code_pairs(codes: np.ndarray, n: int, dtype: type = np.int64) -> np.ndarray:
    """The `(i, j)` rows of pair codes `i * n + j`, written in place (no temporary the size of the rows), as
    `dtype` (which must hold `n - 1`)."""
    pairs = np.empty((len(codes), 2), dtype=dtype)
    np.floor_divide(codes, n, out=pairs[:, 0], casting="unsafe")
    np.remainder(codes, n, out=pairs[:, 1], casting="unsafe")
    return pairs
