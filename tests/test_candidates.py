"""LSH candidates against a brute-force oracle, and the banding maths."""

from __future__ import annotations

import gc
import itertools

import numpy as np
import pytest

from dedupe import candidates
from dedupe.candidates import (
    _BAND_MULTIPLIER,
    band_keys,
    bucket_pairs,
    code_pairs,
    document_candidates,
    merged_distinct,
    optimal_bands,
    pair_codes,
    sorted_distinct,
    unique_pairs,
)
from dedupe.config import PassageEvidence
from dedupe.fingerprint import MinHasher, shingle_hashes, word_hashes
from dedupe.near_duplicates import find_near_duplicates
from dedupe.normalize import words


def corpus(seed: int = 7) -> list[str]:
    """Random base texts plus edited copies of some of them (words dropped or replaced)."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    texts = [" ".join(rng.choice(vocabulary, 120)) for _ in range(60)]
    for base in range(0, 60, 2):
        tokens = texts[base].split()
        for _ in range(int(rng.integers(1, 6))):
            tokens[int(rng.integers(len(tokens)))] = str(rng.choice(vocabulary))
        texts.append(" ".join(tokens))
    return texts


def brute_force(texts: list[str]) -> dict[tuple[int, int], float]:
    """Exact Jaccard of every pair that shares a shingle."""
    sets = [set(shingle_hashes(word_hashes(words(t)), 5).tolist()) for t in texts]
    return {
        (i, j): len(sets[i] & sets[j]) / len(sets[i] | sets[j])
        for i, j in itertools.combinations(range(len(texts)), 2)
        if sets[i] & sets[j]
    }


@pytest.mark.parametrize("threshold", [0.5, 0.8])
def test_near_duplicates_match_the_brute_force_oracle(threshold):
    texts = corpus()
    found = {(i, j): jaccard for i, j, jaccard in find_near_duplicates(texts, threshold=threshold)}
    truth = {pair: jaccard for pair, jaccard in brute_force(texts).items() if jaccard >= threshold}
    assert len(truth) >= 10, "the corpus must hold pairs above the threshold"
    # Verification is exact: nothing below the threshold, and the reported Jaccard is the true one.
    assert all(abs(truth[pair] - jaccard) < 1e-3 for pair, jaccard in found.items())
    # LSH is probabilistic near the threshold; well above it nothing may be missed.
    assert all(pair in found for pair, jaccard in truth.items() if jaccard >= threshold + 0.1)
    assert len(found) >= 0.85 * len(truth)


def test_the_collector_rests_during_the_job_and_is_restored_after():
    texts = corpus()
    enabled_while_running: list[bool] = []
    found = find_near_duplicates(texts, 0.8, progress=lambda *_: enabled_while_running.append(gc.isenabled()))
    assert found and enabled_while_running
    assert not any(enabled_while_running)
    assert gc.isenabled()
    gc.disable()
    try:
        find_near_duplicates(texts[:2], 0.8)
        assert not gc.isenabled(), "a collector the caller turned off stays off"
    finally:
        gc.enable()


def test_exact_copies_are_always_candidates():
    texts = corpus()
    texts += texts[:10]
    signatures = MinHasher(128).signatures([shingle_hashes(word_hashes(words(t)), 5) for t in texts])
    pairs = {tuple(p) for p in document_candidates(signatures, 0.8, max_bucket=64).pairs.tolist()}
    offset = len(texts) - 10
    assert all((i, offset + i) in pairs for i in range(10))


def test_oversized_buckets_are_linked_as_a_star_or_dropped():
    keys = np.zeros((10, 1), dtype=np.uint64)
    star = bucket_pairs(keys, max_bucket=4, oversized="star")
    assert star.oversized == 1 and {tuple(p) for p in star.pairs.tolist()} == {(0, j) for j in range(1, 10)}
    dropped = bucket_pairs(keys, max_bucket=4, oversized="drop")
    assert len(dropped.pairs) == 0


def test_items_of_one_group_are_never_paired():
    keys = np.zeros((4, 1), dtype=np.uint64)
    pairs = bucket_pairs(keys, groups=np.array([0, 0, 1, 1])).pairs
    assert {tuple(p) for p in pairs.tolist()} == {(0, 2), (0, 3), (1, 2), (1, 3)}


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.3, 64), (0.5, 128), (0.8, 128)])
def test_bands_put_the_s_curve_steepest_near_the_threshold(threshold, num_perm):
    bands, rows = optimal_bands(threshold, num_perm)
    assert bands * rows <= num_perm
    inflection = (1 / bands) ** (1 / rows)
    assert abs(inflection - threshold) < 0.12


def bucket_oracle(keys: np.ndarray, groups: np.ndarray, cap: int, oversized: str) -> tuple[list[tuple[int, int]], int]:
    """Every band's pairs, bucket by bucket (with repeats, as `(i, j)` with i < j), and the buckets capped: a
    bucket's size is its number of groups; a capped bucket's hub is its member of the lowest group, then index."""
    pairs: list[tuple[int, int]] = []
    capped = 0
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = {}
        for item, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(item)
        for members in buckets.values():
            distinct = {int(groups[m]) for m in members}
            if len(distinct) < 2:
                continue
            if len(distinct) > cap:
                capped += 1
                if oversized == "star":
                    hub = min(members, key=lambda m: (groups[m], m))
                    pairs.extend((min(hub, m), max(hub, m)) for m in members if groups[m] != groups[hub])
                continue
            pairs.extend((i, j) for i, j in itertools.combinations(members, 2) if groups[i] != groups[j])
    return pairs, capped


# Groups: none (each item its own), sorted (passages by document), and in no order (the scan appends the passages
# of texts that are not plain after the others).
@pytest.mark.parametrize("grouping", ["none", "sorted", "unsorted"])
@pytest.mark.parametrize("oversized", ["star", "drop"])
@pytest.mark.parametrize("seed", range(3))
def test_bucket_pairs_match_a_bucket_by_bucket_oracle(grouping, oversized, seed):
    rng = np.random.default_rng(seed)
    n = 400
    # Few distinct keys, so that buckets of every size meet the cap of 6; full 64-bit keys, high bits set.
    keys = (rng.integers(0, 40, size=(n, 4)).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1 << 63)
    groups = {"none": None, "sorted": np.sort(rng.integers(0, 150, n)), "unsorted": rng.integers(0, 150, n)}[grouping]
    expected, capped = bucket_oracle(keys, np.arange(n) if groups is None else groups, 6, oversized)
    found = bucket_pairs(keys, groups=groups, max_bucket=6, oversized=oversized)
    assert list(map(tuple, found.pairs.tolist())) == sorted(set(expected))
    assert found.oversized == capped
    repeated = bucket_pairs(keys, groups=groups, max_bucket=6, oversized=oversized, distinct=False).pairs
    assert sorted(zip(repeated.min(axis=1).tolist(), repeated.max(axis=1).tolist(), strict=True)) == sorted(expected)
    assert found.pairs.dtype == np.int64 and repeated.dtype == np.int32  # distinct rows are coded in 64 bits


@pytest.mark.parametrize("evidence", [None, PassageEvidence(), PassageEvidence(min_matches=3, strong_jaccard=0.8)])
@pytest.mark.parametrize("in_order", [True, False])
def test_passage_candidates_match_a_passage_by_passage_oracle(evidence, in_order: bool, monkeypatch):
    monkeypatch.setattr(candidates, "_BANDS_AT_ONCE", 3)  # groups of bands, the last one short
    rng = np.random.default_rng(3)
    # Few words, so that document pairs share several agreeing passages and the evidence rule has work.
    vocabulary = np.arange(25, dtype=np.uint32)
    sets = [np.unique(rng.choice(vocabulary, int(rng.integers(4, 12)))) for _ in range(400)]
    signatures = MinHasher(128, 1).signatures(sets).reshape(len(sets), 128)
    owners = rng.integers(0, 150, len(sets))
    if in_order:  # as the compiled path gives them; the regex path's passages come after
        owners.sort()
    bands, rows = optimal_bands(0.4, 128, 0.5)
    keys = band_keys(signatures, bands, rows)
    least = -1.0 if evidence is None else evidence.min_jaccard - candidates.ESTIMATE_MARGIN
    # The distinct passage pairs agreeing enough that share a bucket that is not capped, by document pair.
    agreeing: dict[tuple[int, int], set[tuple[int, int]]] = {}
    capped = 0
    for band in range(bands):
        buckets: dict[int, list[int]] = {}
        for item, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(item)
        for members in buckets.values():
            distinct = {int(owners[m]) for m in members}
            if len(distinct) > 8:
                capped += 1
                continue
            for i, j in itertools.combinations(members, 2):
                if owners[i] != owners[j] and (signatures[i] == signatures[j]).mean() >= least:
                    documents = (int(min(owners[i], owners[j])), int(max(owners[i], owners[j])))
                    agreeing.setdefault(documents, set()).add((i, j))
    if evidence is None:
        expected = set(agreeing)
    else:
        strong = evidence.strong_jaccard - candidates.ESTIMATE_MARGIN
        expected = {
            documents
            for documents, passages in agreeing.items()
            if len(passages) >= evidence.min_matches
            or any((signatures[i] == signatures[j]).mean() >= strong for i, j in passages)
        }
        # The rule leaves out document pairs, by both of its parts.
        assert any(len(passages) < evidence.min_matches for passages in agreeing.values())
        assert len(expected) < len(agreeing)
    found, oversized = candidates.passage_candidates(signatures, owners, 0.4, 8, 0.5, evidence)
    assert len(expected) > 100 and capped > 0
    assert {tuple(p) for p in found.tolist()} == expected
    assert oversized == capped


@pytest.mark.parametrize("size", [0, 1, 2, 1000])
def test_distinct_codes_are_numpys_unique(size: int):
    codes = np.random.default_rng(size).integers(0, 50, size).astype(np.int64)
    assert sorted_distinct(codes.copy()).tolist() == np.unique(codes).tolist()


@pytest.mark.parametrize("size", [0, 1, 2, 1000])
def test_unique_pairs_are_numpys_unique_rows(size: int):
    rng = np.random.default_rng(size)
    low = rng.integers(0, 30, size)
    pairs = np.stack([low, low + rng.integers(1, 10, size)], axis=1).astype(np.int64)
    expected = np.unique(pairs, axis=0) if size else np.zeros((0, 2), dtype=np.int64)
    assert np.array_equal(unique_pairs(pairs[rng.permutation(size)], 40), expected)


@pytest.mark.parametrize(("bands", "rows"), [(32, 4), (9, 13), (1, 1)])
def test_band_keys_fold_each_bands_rows_as_defined(bands: int, rows: int):
    signatures = np.random.default_rng(bands).integers(0, 2**32, size=(50, 128), dtype=np.uint64).astype(np.uint32)
    expected = np.zeros((50, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row in range(rows):
            expected = (expected ^ signatures[:, row : bands * rows : rows].astype(np.uint64)) * _BAND_MULTIPLIER
    assert (band_keys(signatures, bands, rows) == expected).all()
    # Bands from a later one: the same keys as those bands of every band.
    first = bands // 2
    assert (band_keys(signatures, bands - first, rows, first) == expected[:, first:]).all()
    with pytest.raises(ValueError, match="need"):
        band_keys(signatures, 64, 3)
    with pytest.raises(ValueError, match="need"):
        band_keys(signatures, bands, rows, 128 // rows - bands + 1)


@pytest.mark.parametrize(
    ("left", "right", "span"), [(0, 0, 9), (0, 5, 9), (5, 0, 9), (1, 1, 2), (300, 1000, 800), (500, 500, 600)]
)
def test_sorted_codes_merged_in_place_are_numpys_union(left: int, right: int, span: int):
    rng = np.random.default_rng(left + right)
    a, b = (np.unique(rng.integers(0, span, size)).astype(np.int64) for size in (left, right))
    expected = np.union1d(a, b).tolist()
    merged = merged_distinct(a, b)
    assert merged.tolist() == expected
    assert merged.base is None and merged.flags.owndata, "merged in the first array's own memory, grown"
    # A view (an array a kernel returned) is copied first, never grown in place.
    view = np.arange(10, dtype=np.int64)[2:6]
    assert merged_distinct(view, np.array([0, 3, 20])).tolist() == [0, 2, 3, 4, 5, 20]
    unsorted = rng.integers(0, 50, left + right).astype(np.int64)
    assert sorted_distinct(unsorted.copy()).tolist() == np.unique(unsorted).tolist()


def test_pair_codes_read_back_as_the_sorted_distinct_pairs():
    pairs = np.array([[3, 1], [1, 3], [0, 9], [2, 4], [4, 2], [7, 8]], dtype=np.int64)
    assert pair_codes(pairs, 10).tolist() == [9, 13, 24, 78]
    assert code_pairs(pair_codes(pairs, 10), 10).tolist() == [[0, 9], [1, 3], [2, 4], [7, 8]]
    assert code_pairs(pair_codes(pairs[:0], 10), 10).shape == (0, 2)
