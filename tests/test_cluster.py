from __future__ import annotations

from dedupe.cluster import star_clusters
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
