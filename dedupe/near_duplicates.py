"""The document-level job every MinHash tool does: near-duplicate pairs of a list of texts above a threshold.

This is what `benchmarks/compare.py` measures against the peers; `scan` does this and much more.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dedupe.candidates import document_candidates
from dedupe.fingerprint import MinHasher, shingle_hashes, word_hashes
from dedupe.normalize import words


def find_near_duplicates(
    texts: Sequence[str], threshold: float = 0.8, num_perm: int = 128, ngram: int = 5, seed: int = 1
) -> list[tuple[int, int, float]]:
    """Pairs `(i, j, jaccard)` of texts whose exact word-`ngram` Jaccard is at least `threshold`.

    LSH (banding tuned for `threshold`) proposes candidates; each is verified with the exact Jaccard of the shingle
    sets, so no pair below the threshold is returned.
    """
    shingles = [shingle_hashes(word_hashes(words(text)), ngram) for text in texts]
    signatures = MinHasher(num_perm, seed).signatures(shingles)
    candidates = document_candidates(signatures, threshold, max_bucket=64, false_positive_weight=0.1).pairs
    found: list[tuple[int, int, float]] = []
    for i, j in candidates.tolist():
        a, b = shingles[i], shingles[j]
        if len(a) == 0 or len(b) == 0:
            continue
        shared = len(np.intersect1d(a, b, assume_unique=True))
        jaccard = shared / (len(a) + len(b) - shared)
        if jaccard >= threshold:
            found.append((i, j, round(jaccard, 4)))
    return found
