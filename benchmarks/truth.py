"""Ground truth for a built corpus: every pair whose exact word-5-gram Jaccard reaches a floor.

Real corpora hold natural duplicates (Reuters-21578: ~279 groups of identical bodies plus near-identical
market reports; BBC: 100 exact groups and edited re-publications), so the truth is not only "copy vs its
base":

1. `similar_pairs` finds, exactly, every pair of real base articles and copies of them with Jaccard >= floor.
   It counts shared shingles for all pairs at once with a sparse product (documents x shingles) @ (shingles x
   documents): every pair that shares a shingle is scored, so nothing is missed and there is no LSH in the
   truth.
2. `families` joins base articles linked by those pairs (union-find) and puts each copy in its base's family.
3. `family_pairs` scores all pairs inside each family by brute force and keeps those >= floor.

Synthesised bases are built not to resemble anything (see synth.py); `similar_pairs` over a whole corpus
(`corpus.py --verify-truth`) checks that no pair above the floor lies outside the families.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy import sparse

from shingles import Shingle, jaccard


@dataclass(frozen=True, slots=True, order=True)
class TruthPair:
    """Two documents (a < b, corpus line numbers), their exact Jaccard and how they are related."""

    a: int
    b: int
    jaccard: float
    kind: str


def similar_pairs(shingle_sets: Sequence[frozenset[Shingle]], floor: float) -> list[tuple[int, int, float]]:
    """All pairs (i < j) of `shingle_sets` with exact Jaccard >= `floor`, found with a sparse product.

    Args:
        shingle_sets: one shingle set per document.
        floor: the smallest Jaccard to keep (> 0).

    Returns:
        (i, j, jaccard) triples, sorted.
    """
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    # 64-bit hashes of the shingles stand in for the shingles: a collision needs two distinct 5-grams with the
    # same hash, negligible at these sizes (and it could only raise a score, never lose a pair).
    hashes = np.fromiter(map(hash, chain.from_iterable(shingle_sets)), dtype=np.int64, count=int(sizes.sum()))
    vocabulary, columns = np.unique(hashes, return_inverse=True)
    indptr = np.concatenate(([0], np.cumsum(sizes)))
    n_docs = len(shingle_sets)
    matrix = sparse.csr_matrix(
        (np.ones(len(columns), dtype=np.int32), columns.ravel(), indptr),
        shape=(n_docs, max(len(vocabulary), 1)),
    )
    shared = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    union = sizes[shared.row] + sizes[shared.col] - shared.data
    scores = shared.data / union
    keep = scores >= floor
    rows, cols = shared.row[keep].tolist(), shared.col[keep].tolist()
    found = sorted(zip(rows, cols, scores[keep].tolist(), strict=True))
    return [(int(i), int(j), float(s)) for i, j, s in found]


def families(n_docs: int, links: Iterable[tuple[int, int]]) -> list[int]:
    """Union-find over `links`: the family root of each of `n_docs` documents."""
    parent = list(range(n_docs))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [root(x) for x in range(n_docs)]


def family_pairs(
    members: Sequence[Sequence[int]],
    shingles_of: Callable[[int], frozenset[Shingle]],
    relation: Callable[[int, int], str],
    floor: float,
) -> list[TruthPair]:
    """Brute-force exact Jaccard of every pair inside each family.

    Args:
        members: the documents of each family (families of one are skipped).
        shingles_of: the shingle set of a document.
        relation: the kind label of a pair (a < b).
        floor: the smallest Jaccard to keep.

    Returns:
        The pairs with Jaccard >= floor, sorted by (a, b).
    """
    pairs: list[TruthPair] = []
    for family in members:
        if len(family) < 2:
            continue
        ordered = sorted(family)
        sets = [shingles_of(d) for d in ordered]
        for x, a in enumerate(ordered):
            for y in range(x + 1, len(ordered)):
                score = jaccard(sets[x], sets[y])
                if score >= floor:
                    b = ordered[y]
                    pairs.append(TruthPair(a, b, score, relation(a, b)))
    pairs.sort(key=lambda p: (p.a, p.b))
    return pairs
