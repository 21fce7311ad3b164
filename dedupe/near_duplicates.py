"""The document-level job every MinHash tool does: near-duplicate pairs of a list of texts above a threshold.

This is what `benchmarks/compare.py` measures against the peers; `scan` does this and much more.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from dedupe.candidates import document_candidates
from dedupe.fingerprint import MinHasher, shingle_sets


def find_near_duplicates(
    texts: Sequence[str],
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    seed: int = 1,
    *,
    stats: dict[str, float] | None = None,
) -> list[tuple[int, int, float]]:
    """Pairs `(i, j, jaccard)` of texts whose exact word-`ngram` Jaccard is at least `threshold`.

    LSH (banding tuned for `threshold`) proposes candidates; each is verified with the exact Jaccard of the shingle
    sets, so no pair below the threshold is returned. `stats`, when given, receives seconds per stage.
    """
    stats = {} if stats is None else stats
    clock = time.perf_counter()
    signatures, _ = MinHasher(num_perm, seed).text_signatures(texts, ngram)
    stats["seconds_signatures"] = time.perf_counter() - clock
    clock = time.perf_counter()
    candidates = document_candidates(signatures, threshold, max_bucket=64, false_positive_weight=0.1).pairs
    stats["seconds_candidates"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # Exact shingle sets only for the documents in some candidate pair.
    members = np.unique(candidates)
    sets = shingle_sets([texts[i] for i in members.tolist()], ngram)
    jaccard = sets.jaccard(np.searchsorted(members, candidates))
    keep = jaccard >= threshold
    found = [
        (i, j, round(value, 4)) for (i, j), value in zip(candidates[keep].tolist(), jaccard[keep].tolist(), strict=True)
    ]
    stats["seconds_verify"] = time.perf_counter() - clock
    return found
