"""End to end on a small hand-written family: an agency story, a wire copy under a new headline, a machine-garbled
rewrite, a feature quoting two of its sentences, and an unrelated story (tests/fixtures/family)."""

from __future__ import annotations

from pathlib import Path

import pytest

import dedupe

FAMILY = Path(__file__).resolve().parent / "fixtures" / "family"


@pytest.fixture(scope="module")
def family() -> dedupe.ScanResult:
    return dedupe.scan([FAMILY])


def relation(result: dedupe.ScanResult, a: str, b: str) -> str | None:
    key = tuple(sorted((a, b)))
    return next((p.relation for p in result.pairs if (p.a, p.b) == key), None)


def test_copies_cluster_and_the_original_ranks_first(family):
    (cluster,) = family.clusters
    ids = [m.id for m in cluster.members]
    assert set(ids) == {"original.txt", "wire_copy.txt", "garbled.txt"}
    assert ids[-1] == "garbled.txt"
    assert ids[0] == "original.txt"


def test_relations(family):
    assert relation(family, "original.txt", "wire_copy.txt") == "near-duplicate"
    assert relation(family, "original.txt", "garbled.txt") == "near-duplicate"
    assert relation(family, "original.txt", "partial_quote.txt") == "partial-reuse"
    assert not [p for p in family.pairs if "unrelated.txt" in (p.a, p.b)]


def test_garbled_copy_passages_are_flagged_with_markers(family):
    key = ("garbled.txt", "original.txt")
    pair = next(p for p in family.pairs if (p.a, p.b) == key)
    corrupted = [p for p in pair.passages if p.label == "corrupted"]
    assert corrupted and all(p.corrupted_side == "a" for p in corrupted)
    markers = {m for p in corrupted for m in p.markers}
    assert {"broken-join", "nonsense-join"} <= markers


def test_quoted_passage_spans_are_the_quoted_sentences(family):
    key = ("original.txt", "partial_quote.txt")
    pair = next(p for p in family.pairs if (p.a, p.b) == key)
    original = (FAMILY / "original.txt").read_text(encoding="utf-8")
    quote = (FAMILY / "partial_quote.txt").read_text(encoding="utf-8")
    (verbatim,) = [p for p in pair.passages if p.label == "verbatim"]
    assert original[verbatim.a_span[0] : verbatim.a_span[1]] == quote[verbatim.b_span[0] : verbatim.b_span[1]]
    assert original[verbatim.a_span[0] : verbatim.a_span[1]].startswith("Fishing cooperatives had argued")
