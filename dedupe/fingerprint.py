"""Shingles and MinHash signatures, vectorised with numpy: no per-shingle Python loop.

Signatures are bit-for-bit those of `datasketch.MinHash` (its default `affine32` scheme) for the same 32-bit
shingle hashes: the same permutation parameters (taken from datasketch itself), the same MurmurHash3 premix,
the same `a * h + b mod 2**32`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xxhash
from datasketch import MinHash

EMPTY_HASH = np.uint32(0xFFFFFFFF)
# An odd 64-bit multiplier (from splitmix64) folds word hashes into an order-sensitive shingle hash.
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
# Rows of the (permutations x shingles) product computed at once: bounds memory to about 32 MB.
_CHUNK = 1 << 16


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """64-bit xxh3 hash of every word, in order."""
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """Unique 32-bit hashes of the word k-grams of a document, sorted.

    `hashes` are the document's word hashes in order. A document shorter than k words is one shingle of all its
    words, so short articles still have a signature; an empty one has no shingles.
    """
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    k = min(k, n)
    with np.errstate(over="ignore"):
        combined = hashes[: n - k + 1].copy()
        for offset in range(1, k):
            combined = combined * _SHINGLE_MULTIPLIER + hashes[offset : n - k + 1 + offset]
    return np.unique((combined >> np.uint64(32)).astype(np.uint32))


def word_set_hashes(hashes: np.ndarray) -> np.ndarray:
    """Unique 32-bit hashes of a passage's words as a set (order-free: reordered rewrites still match)."""
    return np.unique((hashes >> np.uint64(32)).astype(np.uint32))


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


class MinHasher:
    """Computes MinHash signatures of 32-bit hash sets, many at once.

    Args:
        num_perm: number of permutations (signature length).
        seed: permutation seed; signatures are comparable only between hashers of equal num_perm and seed.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        self.num_perm = num_perm
        self.seed = seed
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        self._a = np.asarray(a, dtype=np.uint32)[:, None]
        self._b = np.asarray(b, dtype=np.uint32)[:, None]

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The signature (num_perm uint32 values) of one set of 32-bit hashes."""
        return self.signatures([hashes])[0]

    def signatures(self, hash_sets: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures of many hash sets as one `(len(hash_sets), num_perm)` uint32 array.

        An empty set gets the all-ones signature datasketch gives an empty MinHash.
        """
        out = np.full((len(hash_sets), self.num_perm), EMPTY_HASH, dtype=np.uint32)
        lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
        filled = np.flatnonzero(lengths)
        if len(filled) == 0:
            return out
        flat = np.concatenate([hash_sets[i] for i in filled]).astype(np.uint32, copy=False)
        bounds = np.concatenate(([0], np.cumsum(lengths[filled])))
        premixed = _fmix32(flat)
        # Process whole documents in chunks of about _CHUNK shingles.
        first = 0
        while first < len(filled):
            last = int(np.searchsorted(bounds, bounds[first] + _CHUNK, side="right")) - 1
            last = max(last, first + 1)
            lo, hi = int(bounds[first]), int(bounds[last])
            permuted = self._a * premixed[lo:hi] + self._b
            out[filled[first:last]] = np.minimum.reduceat(permuted, bounds[first:last] - lo, axis=1).T
            first = last
        return out
