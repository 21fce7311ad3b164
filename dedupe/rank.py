"""Which copy in a cluster is the original: members ranked by faithfulness, each with plain-language reasons.

Signals, from the aligned passages of every pair of members:
- corruption: passages where this copy carries machine-garbling markers the other copy lacks;
- completeness: how much of the other copies' text this copy accounts for (a truncated or excerpted copy
  accounts for less);
- date: the earliest dated copy, when dates are known (never required).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dedupe.models import Article, Member, Pair

# Weights of the signals in the score; corruption dominates because a garbled copy is never the original.
_CORRUPTION_WEIGHT = 0.6
_COMPLETENESS_WEIGHT = 0.3
_DATE_WEIGHT = 0.1


@dataclass(frozen=True, slots=True)
class _Evidence:
    corrupted_passages: int
    marker_counts: Counter[str]
    matched_passages: int
    completeness: float


def rank_members(members: Sequence[Article], pairs: Mapping[tuple[str, str], Pair]) -> tuple[Member, ...]:
    """Rank the members of one cluster from most to least faithful.

    Args:
        members: the cluster's articles.
        pairs: verified pairs between members, keyed by `(a, b)` as in the pair.
    """
    evidence = {article.id: _gather(article.id, members, pairs) for article in members}
    dates = sorted(a.date for a in members if a.date)
    earliest = dates[0] if dates else None
    scored: list[tuple[float, int, Member]] = []
    for position, article in enumerate(members):
        found = evidence[article.id]
        corruption = found.corrupted_passages / found.matched_passages if found.matched_passages else 0.0
        is_earliest = earliest is not None and article.date == earliest and dates.count(earliest) < len(members)
        score = (
            _CORRUPTION_WEIGHT * (1.0 - corruption)
            + _COMPLETENESS_WEIGHT * found.completeness
            + _DATE_WEIGHT * (1.0 if is_earliest else 0.0)
        )
        reasons = _reasons(found, is_earliest)
        scored.append((round(score, 4), position, Member(article.id, 0, round(score, 4), reasons)))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return tuple(
        Member(member.id, rank, member.score, member.reasons) for rank, (_, _, member) in enumerate(scored, start=1)
    )


def _gather(member: str, members: Sequence[Article], pairs: Mapping[tuple[str, str], Pair]) -> _Evidence:
    corrupted = 0
    matched = 0
    markers: Counter[str] = Counter()
    completeness: list[float] = []
    for other in members:
        if other.id == member:
            continue
        pair = pairs.get((member, other.id)) or pairs.get((other.id, member))
        if pair is None:
            continue
        side = "a" if pair.a == member else "b"
        for passage in pair.passages:
            if passage.a_span is None or passage.b_span is None:
                continue
            matched += 1
            if passage.corrupted_side == side:
                corrupted += 1
                markers.update(passage.markers)
        # How much of the other copy this member accounts for.
        completeness.append(pair.coverage_b if side == "a" else pair.coverage_a)
    if pair_count := len(completeness):
        return _Evidence(corrupted, markers, matched, sum(completeness) / pair_count)
    return _Evidence(0, markers, 0, 0.0)


def _reasons(found: _Evidence, is_earliest: bool) -> tuple[str, ...]:
    reasons: list[str] = []
    if found.corrupted_passages:
        detail = ", ".join(f"{name}: {count}" for name, count in found.marker_counts.most_common())
        plural = "s" if found.corrupted_passages != 1 else ""
        reasons.append(f"{found.corrupted_passages} corrupted passage{plural} ({detail})")
    elif found.matched_passages:
        reasons.append("no corrupted passages")
    reasons.append(f"accounts for {found.completeness:.0%} of the other copies' text")
    if is_earliest:
        reasons.append("earliest date")
    return tuple(reasons)
