"""Duplicate pairs into clusters, without transitive chaining.

Union-find would merge A~B~C~D into one cluster even when A and D share nothing. Here every member of a cluster
is a verified duplicate of the cluster's representative: star clustering (Aslam et al., "The star clustering
algorithm", JGAA 2004), taking as each next star the unassigned document with the most unassigned duplicates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from dedupe.models import Pair

DUPLICATE_RELATIONS = frozenset({"exact-duplicate", "near-duplicate"})


def star_clusters(ids: Sequence[str], pairs: Iterable[Pair]) -> list[tuple[str, list[str]]]:
    """Clusters as `(representative, members)` with the representative first among the members.

    Only exact and near duplicates link documents; partial reuse never does. Documents without a duplicate are
    in no cluster. The result is deterministic: ties go to the document that comes first in `ids`.
    """
    order = {doc_id: position for position, doc_id in enumerate(ids)}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for pair in pairs:
        if pair.relation in DUPLICATE_RELATIONS:
            neighbours[pair.a].add(pair.b)
            neighbours[pair.b].add(pair.a)
    unassigned = set(neighbours)
    clusters: list[tuple[str, list[str]]] = []
    while unassigned:
        star = min(unassigned, key=lambda d: (-len(neighbours[d] & unassigned), order[d]))
        satellites = sorted(neighbours[star] & unassigned, key=order.__getitem__)
        unassigned.discard(star)
        if not satellites:
            continue
        unassigned.difference_update(satellites)
        clusters.append((star, [star, *satellites]))
    clusters.sort(key=lambda cluster: order[cluster[0]])
    return clusters
