"""`scan` on a large family: verified through its hub, with nothing the clusters and ranking read left out."""

from __future__ import annotations

import importlib
import io

import pytest
from rich.console import Console

import dedupe
from dedupe import report
from dedupe.rank import PARTNERS, compared_pairs
from tests.test_rank import ORIGINAL, edited_copies

scan_module = importlib.import_module("dedupe.scan")  # `dedupe.scan` is the function


def clusters_in_full(result: dedupe.ScanResult) -> list[tuple[str, list[tuple[str, int, float, tuple[str, ...]]]]]:
    return [
        (cluster.representative, [(m.id, m.rank, m.score, m.reasons) for m in cluster.members])
        for cluster in result.clusters
    ]


def every_pair_verified(monkeypatch: pytest.MonkeyPatch, articles: list[dedupe.Article]) -> dedupe.ScanResult:
    """The scan as it was before hubs: no hub found, so every candidate pair is verified."""
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "candidate_hubs", lambda *_: [])
        return dedupe.scan(articles)


@pytest.fixture
def small_hubs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Families verified through their hub from PARTNERS + 1 satellites on, so a test's family is small."""
    monkeypatch.setattr(scan_module, "HUB_SATELLITES", PARTNERS + 1)


def test_a_family_of_the_default_size_is_verified_through_its_hub():
    members = edited_copies(scan_module.HUB_SATELLITES + 2)
    result = dedupe.scan(members)
    assert [len(cluster.members) for cluster in result.clusters] == [len(members)]
    implied = result.stats["pairs_implied"]
    assert implied > 0
    out = io.StringIO()
    report.render(result, Console(file=out, width=200), passages=False)
    assert f"{implied} more in large families shown through their hub" in out.getvalue()


@pytest.mark.usefixtures("small_hubs")
def test_a_large_family_is_verified_through_its_hub(monkeypatch: pytest.MonkeyPatch):
    members = edited_copies(PARTNERS + 8)
    ids = [a.id for a in members]
    result = dedupe.scan(members)
    [cluster] = result.clusters
    hub = cluster.representative
    spokes = {frozenset((hub, m)) for m in ids if m != hub}
    reported = {frozenset((p.a, p.b)) for p in result.pairs}
    # Every copy is reported beside the hub and beside the copies the ranking compares it with, and no other.
    assert reported == spokes | {frozenset(pair) for pair in compared_pairs(ids)}
    assert result.stats["pairs_implied"] == len(ids) * (len(ids) - 1) // 2 - len(reported) > 0
    full = every_pair_verified(monkeypatch, members)
    assert len(full.pairs) == len(ids) * (len(ids) - 1) // 2
    assert clusters_in_full(result) == clusters_in_full(full)


def test_a_hub_that_only_reuses_its_satellites_passages_implies_nothing(monkeypatch: pytest.MonkeyPatch):
    # Made the hub of the copies (document-level candidates would not make it one): no copy is its duplicate, so
    # every pair among the copies is still verified, as without hubs.
    sentences = ORIGINAL.split(". ")
    reuser = dedupe.Article(
        "reuser",
        ". ".join(sentences[:2])
        + ". Fishermen at the harbour said the winter catch had been the poorest in a decade. Prices of cod at the "
        "morning market rose by a third, and two boats were sold for scrap. The harbour master blamed warmer water "
        "and said more boats would stay in port next year. A study of the fish stocks is due in the spring. The "
        "fishermen's union will meet the regional minister next month to ask for help with fuel costs. Several "
        "families have left the trade since the summer, the union said, and younger crews are hard to find. The "
        "fish market itself may move to a new hall beside the ferry terminal, a plan first put forward in 2019.",
    )
    members = [reuser, *edited_copies(PARTNERS + 8)]
    with monkeypatch.context() as patched:
        patched.setattr(scan_module, "candidate_hubs", lambda *_: [(0, list(range(1, len(members))))])
        result = dedupe.scan(members)
    assert result.stats["pairs_implied"] == 0
    assert all(p.relation == "partial-reuse" for p in result.pairs if "reuser" in (p.a, p.b))
    full = every_pair_verified(monkeypatch, members)
    assert result.pairs == full.pairs  # each once (the hub's pairs are not verified again with the rest)
    assert clusters_in_full(result) == clusters_in_full(full)
