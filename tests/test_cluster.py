from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.cluster import candidate_hubs, star_clusters
from dedupe.models import Pair


def near(a: str, b: str, relation: str = "near-duplicate") -> Pair:
    return Pair(a, b, relation, 0.6, 0.6, 0.6)  # type: ignore[arg-type]


def test_a_chain_is_not_merged_by_transitivity():
    ids = ["a", "b", "c", "d", "e"]
    clusters = star_clusters(ids, [near("a", "b"), near("b", "c"), near("c", "d"), near("d", "e")])
    members = [set(m) for _, m in clusters]
    # Every member is a verified duplicate of its star; the ends of the chain never share a cluster.
    assert not any({"a", "e"} <= m or {"a", "d"} <= m or {"b", "e"} <= m for m in members)
    pairs = {frozenset(p) for p in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e")]}
    for star, cluster in clusters:
        assert all(frozenset((star, m)) in pairs for m in cluster if m != star)


def test_partial_reuse_never_links_a_cluster():
    assert star_clusters(["a", "b"], [near("a", "b", "partial-reuse")]) == []


def test_the_best_connected_document_is_the_star():
    clusters = star_clusters(["x", "y", "z", "w"], [near("x", "w"), near("y", "w"), near("z", "w")])
    assert clusters == [("w", ["w", "x", "y", "z"])]


def _scanning_star_clusters(ids: list[str], pairs: list[Pair]) -> list[tuple[str, list[str]]]:
    """The definition, one scan of the unassigned documents per star (what the heap in `star_clusters` replaces)."""
    order = {doc_id: position for position, doc_id in enumerate(ids)}
    neighbours: dict[str, set[str]] = {}
    for pair in pairs:
        if pair.relation != "partial-reuse":
            neighbours.setdefault(pair.a, set()).add(pair.b)
            neighbours.setdefault(pair.b, set()).add(pair.a)
    unassigned = set(neighbours)
    clusters = []
    while unassigned:
        star = min(unassigned, key=lambda d: (-len(neighbours[d] & unassigned), order[d]))
        satellites = sorted(neighbours[star] & unassigned, key=order.__getitem__)
        unassigned.discard(star)
        unassigned.difference_update(satellites)
        if satellites:
            clusters.append((star, [star, *satellites]))
    return sorted(clusters, key=lambda cluster: order[cluster[0]])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 14), st.integers(0, 14), st.sampled_from(["near-duplicate", "partial-reuse"])),
        max_size=40,
    ),
    st.permutations(range(15)),
)
def test_stars_are_those_of_the_scanning_definition(edges, permutation):
    ids = [f"d{i}" for i in permutation]
    pairs = [near(f"d{a}", f"d{b}", relation) for a, b, relation in edges if a != b]
    assert star_clusters(ids, pairs) == _scanning_star_clusters(ids, pairs)


def test_candidate_hubs_are_the_best_connected_documents_of_large_families():
    clique = [(i, j) for i in range(3, 23) for j in range(i + 1, 23)]  # 20 copies, each a candidate of 19
    spokes = [(30, k) for k in range(31, 49)]  # a hub with 18 satellites that share nothing else
    small = [(0, 1), (1, 2), (0, 2)]
    rows = np.asarray(clique + spokes + small, dtype=np.int64)
    assert candidate_hubs(rows, 50, 18) == [(3, list(range(4, 23))), (30, list(range(31, 49)))]
    assert candidate_hubs(rows, 50, 19) == [(3, list(range(4, 23)))]
    assert candidate_hubs(rows, 50, 20) == []
    assert candidate_hubs(np.zeros((0, 2), dtype=np.int64), 5, 1) == []


def test_a_document_is_in_one_candidate_hub_at_most():
    # Two stars sharing a satellite: the better connected takes it, and the other keeps the rest.
    rows = np.asarray([(0, k) for k in range(2, 12)] + [(1, k) for k in range(11, 20)], dtype=np.int64)
    assert candidate_hubs(rows, 20, 8) == [(0, list(range(2, 12))), (1, list(range(12, 20)))]
