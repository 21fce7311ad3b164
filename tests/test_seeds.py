"""The scan's promises on the five seed articles (issue 2, "done when")."""

from __future__ import annotations

import itertools
from pathlib import Path

import dedupe
from tests.conftest import SEEDS, seed_id


def pair_of(result: dedupe.ScanResult, x: str, y: str) -> dedupe.Pair | None:
    a, b = sorted((seed_id(x), seed_id(y)))
    return next((p for p in result.pairs if (p.a, p.b) == (a, b)), None)


def cluster_of(result: dedupe.ScanResult, doc_id: str) -> dedupe.Cluster | None:
    return next((c for c in result.clusters if any(m.id == doc_id for m in c.members)), None)


def test_garbled_rewrite_clusters_with_its_original_under_default_settings(seed_scan):
    pair = pair_of(seed_scan, "001", "002")
    assert pair is not None and pair.relation == "near-duplicate"
    # Found although the document-level 5-gram Jaccard is far below any usual LSH threshold.
    assert pair.jaccard < 0.15
    cluster = cluster_of(seed_scan, seed_id("001"))
    assert cluster is not None and {m.id for m in cluster.members} == {seed_id("001"), seed_id("002")}


def test_original_ranks_above_its_garbled_rewrite(seed_scan):
    cluster = cluster_of(seed_scan, seed_id("001"))
    assert cluster is not None
    assert [m.id for m in cluster.members] == [seed_id("001"), seed_id("002")]
    assert any("corrupted" in reason for reason in cluster.members[1].reasons)


def test_garbled_pair_aligns_at_least_fifteen_sentences(seed_scan):
    pair = pair_of(seed_scan, "001", "002")
    matched = [p for p in pair.passages if p.a_span and p.b_span]
    assert len(matched) >= 15


def test_partial_reuse_reports_the_shared_embassy_sentence_with_true_spans(seed_scan):
    pair = pair_of(seed_scan, "000", "004")
    assert pair is not None and pair.relation == "partial-reuse"
    text_a = (SEEDS / pair.a).read_text(encoding="utf-8")
    text_b = (SEEDS / pair.b).read_text(encoding="utf-8")
    sentence = "The Russian embassy in Syria urged its nationals to leave the country on commercial flights"
    verbatim = [p for p in pair.passages if p.label == "verbatim"]
    assert any(
        sentence in text_a[p.a_span[0] : p.a_span[1]] and sentence in text_b[p.b_span[0] : p.b_span[1]]
        for p in verbatim
    )


def test_related_report_is_no_copy(seed_scan):
    three = seed_id("003")
    assert cluster_of(seed_scan, three) is None
    assert not [p for p in seed_scan.pairs if three in (p.a, p.b) and p.relation != "partial-reuse"]


def test_only_001_and_002_are_near_duplicates(seed_scan):
    others = [seed_id(x) for x in ("000", "001", "003", "004")]
    for a, b in itertools.combinations(others, 2):
        pair = pair_of(seed_scan, a[:3], b[:3])
        assert pair is None or pair.relation == "partial-reuse"


def test_every_span_lies_inside_its_document(seed_scan):
    lengths = {d.id: d.chars if hasattr(d, "chars") else len(d.text) for d in seed_scan.documents}
    for pair in seed_scan.pairs:
        for passage in pair.passages:
            for doc_id, span in ((pair.a, passage.a_span), (pair.b, passage.b_span)):
                if span is not None:
                    assert 0 <= span[0] < span[1] <= lengths[doc_id]


def test_exact_and_html_wrapped_copies_cluster_as_exact_duplicates(seeds_copy: Path):
    original = (seeds_copy / seed_id("003")).read_text(encoding="utf-8")
    (seeds_copy / "copy.txt").write_text(original, encoding="utf-8")
    paragraphs = "".join(f"<p>{line}</p>\n" for line in original.splitlines() if line.strip())
    html = f"<html><head><title>Syria</title><style>p {{}}</style></head><body>\n{paragraphs}</body></html>"
    (seeds_copy / "wrapped.html").write_text(html, encoding="utf-8")
    result = dedupe.scan([seeds_copy])
    cluster = cluster_of(result, seed_id("003"))
    assert cluster is not None
    assert {m.id for m in cluster.members} == {seed_id("003"), "copy.txt", "wrapped.html"}
    relations = {(p.a, p.b): p.relation for p in result.pairs}
    assert relations[tuple(sorted((seed_id("003"), "copy.txt")))] == "exact-duplicate"
    assert relations[tuple(sorted((seed_id("003"), "wrapped.html")))] == "exact-duplicate"


def test_member_scores_are_on_the_zero_to_one_scale(seed_scan):
    assert all(0.0 <= m.score <= 1.0 for c in seed_scan.clusters for m in c.members)
