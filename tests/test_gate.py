"""The gate's verdicts, on both backends: the scan's relations, the policies, removal, versions; the embedded
store's sorted runs."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dedupe
from dedupe import matching
from dedupe.config import ScanConfig
from dedupe.document import Corpus, prepare
from dedupe.gate import Index, Verdict
from dedupe.ingest import read_articles
from dedupe.models import Article
from dedupe.names import proper_names
from dedupe.profiles import corpus_features
from dedupe.store import FORMAT_VERSIONS, SQLiteStore
from dedupe.verify import relate
from tests.conftest import SEEDS, seed_id
from tests.test_gate_reliability import synthetic
from tests.test_verify import small_corpus

ARTICLES = {a.id: a for a in read_articles([SEEDS])}


@pytest.fixture(params=["sqlite", "sqlite-runs", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "sqlite-runs":
        # Band keys move to sorted runs every 3 articles, so runs are written and merged all through the test.
        monkeypatch.setattr("dedupe.store.RUN_ARTICLES", 3)
    if request.param.startswith("sqlite"):
        return str(tmp_path / "index")
    return request.getfixturevalue("redis_url")


def test_verdicts_are_the_scans_relations(location: str, seed_scan: dedupe.ScanResult):
    relations = {(p.a, p.b): p.relation for p in seed_scan.pairs}
    names = sorted(ARTICLES)
    for position, first in enumerate(names[:-1]):
        # One index per earlier article, as the scan orders a pair: the stored article is side a.
        with Index.open(f"{location}-{position}") as index:
            index.add(ARTICLES[first])
            for second in names[position + 1 :]:
                verdict = index.check(ARTICLES[second])
                assert verdict.verdict == relations.get((first, second), "new"), (first, second)


def test_garbled_copy_is_a_near_duplicate_of_its_original(location: str):
    with Index.open(location) as index:
        for prefix in ("000", "001", "003"):
            assert index.check_and_add(ARTICLES[seed_id(prefix)]).verdict == "new"
        verdict = index.check(ARTICLES[seed_id("002")]).to_dict()
    assert verdict["verdict"] == "near-duplicate"
    assert verdict["original"] == seed_id("001")
    assert [m["id"] for m in verdict["matches"]] == [seed_id("001")]
    assert verdict["matches"][0]["passages"]


def test_reused_sentence_is_partial_reuse_with_spans_in_the_incoming_article(location: str):
    sentence = "The Russian embassy in Syria urged its nationals to leave the country on commercial flights"
    incoming = ARTICLES[seed_id("004")]
    with Index.open(location) as index:
        index.add(ARTICLES[seed_id("000")])
        verdict = index.check(incoming)
    assert verdict.verdict == "partial-reuse"
    spans = [p.b_span for p in verdict.matches[0].pair.passages if p.label == "verbatim"]
    assert any(incoming.text[start:end].startswith(sentence) for start, end in spans)


@pytest.mark.parametrize(
    ("policy", "added"),
    [("new", [True, False, False]), ("reuse", [True, True, False]), ("all", [True, True, True])],
    ids=["new", "reuse", "all"],
)
def test_check_and_add_follows_the_policy(location: str, policy: str, added: list[bool]):
    original = ARTICLES[seed_id("000")]
    reuse = ARTICLES[seed_id("004")]
    copy = Article("copy", f"<p>{original.text}</p>", markup=True)
    with Index.open(location) as index:
        verdicts = [index.check_and_add(a, policy) for a in (original, reuse, copy)]  # type: ignore[arg-type]
        assert [v.verdict for v in verdicts] == ["new", "partial-reuse", "exact-duplicate"]
        assert [v.added for v in verdicts] == added
        assert index.stats()["articles"] == sum(added)


def test_remove_forgets_an_article(location: str):
    article = ARTICLES[seed_id("001")]
    with Index.open(location) as index:
        assert index.add(article)
        assert not index.add(article), "an id already indexed is not added twice"
        assert index.check(article).verdict == "exact-duplicate"
        assert index.remove(article.id)
        assert not index.remove(article.id)
        assert index.check(article).verdict == "new"
        assert index.stats()["articles"] == 0


def test_an_index_of_another_format_version_is_refused(tmp_path: Path):
    Index.open(tmp_path / "index").close()
    with sqlite3.connect(tmp_path / "index" / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'format'")
    with pytest.raises(dedupe.StoreError) as error:
        Index.open(tmp_path / "index")
    assert str(error.value) == (
        f"{tmp_path / 'index' / 'index.sqlite'}: index format version 99, but this dedupe reads version "
        f"{FORMAT_VERSIONS['sqlite']} (rebuild the index with `dedupe index add`, or use the dedupe version that "
        "wrote it)"
    )


def test_a_redis_index_of_another_format_version_is_refused(redis_url: str):
    import redis

    Index.open(redis_url).close()
    name = redis_url.split("#")[1]
    redis.Redis.from_url(redis_url.split("#")[0]).hset(f"{{{name}}}:meta", "format", "0")
    with pytest.raises(dedupe.StoreError, match="index format version 0, but this dedupe reads version"):
        Index.open(redis_url)


def test_an_index_built_with_other_settings_is_refused(tmp_path: Path):
    Index.open(tmp_path / "index").close()
    config = dedupe.ScanConfig(shingle=4)
    with pytest.raises(dedupe.StoreError, match=r"index built with settings w5-.*, but these settings are w4-"):
        Index.open(tmp_path / "index", config)


def test_a_file_is_not_an_index(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(dedupe.StoreError, match="not a directory"):
        Index.open(tmp_path / "file")


def test_an_index_opened_without_create_must_be_there(tmp_path: Path):
    with pytest.raises(dedupe.StoreError, match="no index there"):
        Index.open(tmp_path / "index", create=False)
    assert not (tmp_path / "index").exists()
    Index.open(tmp_path / "index").close()
    Index.open(tmp_path / "index", create=False).close()


def test_an_unreachable_redis_is_a_store_error():
    with pytest.raises(dedupe.StoreError, match="cannot reach Redis"):
        Index.open("redis://127.0.0.1:1/0")


def _variants() -> list[Article]:
    texts = [a.text for a in ARTICLES.values()]
    edited = [t.replace(" the ", " a ", 40) for t in texts]
    halves = [t[: len(t) // 2] for t in texts]
    return [Article(f"v{i}", t) for i, t in enumerate(texts + edited + halves)]


def test_the_gate_finds_the_pairs_of_the_scan_and_no_others(location: str):
    # Seeds, their edited and cut copies, and sentences recombined from them: every kind of relation, and many
    # candidates that the scan's candidate rule or its screen drop.
    articles = _variants() + small_corpus()
    scanned = {(p.a, p.b): (p.relation, p.jaccard) for p in dedupe.scan(articles).pairs}
    found = {}
    with Index.open(location, max_matches=None) as index:
        for article in articles:
            for match in index.check_and_add(article, "all").matches:
                found[(match.article.id, article.id)] = (match.pair.relation, match.pair.jaccard)
    assert len(scanned) > 100
    assert found == scanned


def test_pairs_the_matching_rules_out_are_never_aligned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from dedupe import gate

    aligned = []

    def counted(a, b, config, sentence_matches):
        pair = relate(a, b, config, sentence_matches)
        # The sentence matches the check found in compiled code give what aligning the pair gives.
        assert pair == relate(a, b, config)
        aligned.append(pair is not None)
        return pair

    monkeypatch.setattr(gate, "relate", counted)
    with Index.open(tmp_path / "index", max_matches=None) as index:
        for article in small_corpus():
            index.check_and_add(article, "all")
    # Without the compiled matching 37 of the 207 pairs aligned were unrelated (measured); with it, 2 of 172.
    assert sum(aligned) > 150
    assert aligned.count(False) <= 5


@pytest.mark.parametrize("max_matches", [1, 2])
def test_a_capped_verdict_is_the_full_one_cut_to_its_strongest_matches(tmp_path: Path, max_matches: int):
    # Verification stops early, so this fails if the stop lets a candidate go unverified that would be stronger than
    # a match shown (a near-duplicate below a partial reuse's Jaccard, an exact duplicate after near ones).
    unverified = 0
    with (
        Index.open(tmp_path / "all", max_matches=None) as full,
        Index.open(tmp_path / "capped", max_matches=max_matches) as capped,
    ):
        for article in _variants() + small_corpus():
            whole, cut = full.check_and_add(article, "all"), capped.check_and_add(article, "all")
            assert cut.verdict == whole.verdict, article.id
            assert [(m.article.id, m.pair) for m in cut.matches] == [
                (m.article.id, m.pair) for m in whole.matches[:max_matches]
            ], article.id
            assert whole.unverified == 0
            unverified += cut.unverified
    assert unverified > 0


def _checked_whole_and_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: list[Article], incoming: Article, max_matches: int
) -> tuple[Verdict, Verdict, list[str]]:
    """The verdicts on `incoming` of an index of `stored` without a cap and with `max_matches`, and the stored
    articles the capped check aligned."""
    from dedupe import gate

    aligned: list[str] = []
    counted = gate.relate
    monkeypatch.setattr(gate, "relate", lambda a, *rest: aligned.append(a.id) or counted(a, *rest))
    with (
        Index.open(tmp_path / "all", max_matches=None) as full,
        Index.open(tmp_path / "capped", max_matches=max_matches) as capped,
    ):
        for article in stored:
            full.add(article)
            capped.add(article)
        whole = full.check(incoming)
        aligned.clear()
        return whole, capped.check(incoming), aligned


def _long_sentences(prefix: str) -> list[str]:
    """The sentences of a seed article of 12 words or more."""
    text = ARTICLES[seed_id(prefix)].text
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 12]


def test_a_cap_stops_once_no_candidate_left_could_be_more_than_a_weaker_partial_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Six stored stories each reuse one sentence of the incoming one (its first, second, ...) among other sentences
    # of their own: six partial reuses of different Jaccard, none covering enough of either article to be a
    # near-duplicate. With two matches shown, the other four need no alignment.
    reused, own = _long_sentences("004")[:6], _long_sentences("003") + _long_sentences("001")
    stored = [Article(f"s{k}", " ".join([reused[k], *own[k : 2 * k + 4]])) for k in range(6)]
    incoming = Article("incoming", " ".join(reused))
    whole, cut, aligned = _checked_whole_and_capped(tmp_path, monkeypatch, stored, incoming, max_matches=2)
    assert [m.pair.relation for m in whole.matches] == ["partial-reuse"] * 6
    assert [(m.article.id, m.pair) for m in cut.matches] == [(m.article.id, m.pair) for m in whole.matches[:2]]
    assert len(aligned) == 2
    assert cut.unverified == 4


def test_an_article_sharing_a_document_bucket_gives_no_passage_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # 001 with a sentence of 004 added: 001 shares a document bucket with it, so it is a candidate already and none
    # of its passages' bucket memberships go to the passage rule (a story with many indexed copies had 50,000); 004
    # is a candidate by its passage alone. Fails if 001's memberships are still sorted through.
    from dedupe import kernels

    seen: list[set[int]] = []
    passage_hits = kernels.passage_hits

    def recorded(keys: np.ndarray, found_keys: np.ndarray, found_seqs: np.ndarray, seqs: np.ndarray) -> np.ndarray:
        seen.append(set(found_seqs.tolist()))
        return passage_hits(keys, found_keys, found_seqs, seqs)

    monkeypatch.setattr(kernels, "passage_hits", recorded)
    original, other = ARTICLES[seed_id("001")], ARTICLES[seed_id("004")]
    with Index.open(tmp_path / "index") as index:
        index.add(original)  # sequence number 1
        index.add(other)  # 2
        seen.clear()
        incoming = Article("incoming", f"{original.text}\n\n{_long_sentences('004')[0]}")
        verdict = index.check(incoming)
    assert {m.article.id: m.pair.relation for m in verdict.matches} == {
        original.id: "near-duplicate",
        other.id: "partial-reuse",
    }
    assert seen == [{2}]


def test_a_full_cap_skips_the_weaker_partial_reuses_before_a_candidate_that_could_be_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The garbled 002 against its original 001 (a near-duplicate of Jaccard 0.09) and two stories that copy a few of
    # its sentences among more of their own (partial reuses of higher Jaccard, so verified first). With one match
    # shown, the first partial reuse fills the cap; the second cannot displace it, but 001 after it could: 001 is
    # aligned, the second partial reuse is not.
    garbled, own = _long_sentences("002"), _long_sentences("003") + _long_sentences("000")
    stored = [ARTICLES[seed_id("001")]] + [
        Article(f"p{k}", " ".join(garbled[k * 6 : (k + 1) * 6 - k] + own[k * 8 : (k + 1) * 8])) for k in range(2)
    ]
    whole, cut, aligned = _checked_whole_and_capped(tmp_path, monkeypatch, stored, ARTICLES[seed_id("002")], 1)
    assert [(m.article.id, m.pair.relation) for m in whole.matches] == [
        (seed_id("001"), "near-duplicate"),
        ("p0", "partial-reuse"),
        ("p1", "partial-reuse"),
    ]
    assert whole.matches[1].pair.jaccard > whole.matches[2].pair.jaccard > whole.matches[0].pair.jaccard
    assert [(m.article.id, m.pair) for m in cut.matches] == [(m.article.id, m.pair) for m in whole.matches[:1]]
    assert aligned == ["p0", seed_id("001")]
    assert cut.unverified == 1


def test_a_cap_reached_by_jaccard_alone_screens_no_weaker_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Eight copies of one report, copy k with k words changed: each a near-duplicate of it by its Jaccard alone, so
    # with two matches shown the six weaker copies could not be shown (only an exact duplicate could, and that takes
    # a Jaccard of 1): they are neither screened on their texts nor aligned.
    words = ARTICLES[seed_id("000")].text.split(" ")
    plain = [i for i, word in enumerate(words) if word.isalpha()][::60]
    copies = []
    for k in range(1, 9):
        changed = list(words)
        for i in plain[:k]:
            changed[i] = "altered"
        copies.append(Article(f"c{k}", " ".join(changed)))
    screened: list[int] = []
    relatable = Index._relatable

    def counted(self: Index, incoming: Any, seqs: list[int], *rest: Any) -> Any:
        screened.append(len(seqs))
        return relatable(self, incoming, seqs, *rest)

    monkeypatch.setattr(Index, "_relatable", counted)
    incoming = Article("incoming", " ".join(words))
    whole, cut, aligned = _checked_whole_and_capped(tmp_path, monkeypatch, copies, incoming, max_matches=2)
    assert [m.article.id for m in whole.matches] == [f"c{k}" for k in range(1, 9)]
    assert {m.pair.relation for m in whole.matches} == {"near-duplicate"}
    assert [(m.article.id, m.pair) for m in cut.matches] == [(m.article.id, m.pair) for m in whole.matches[:2]]
    assert screened[-2:] == [8, 2]
    assert cut.unverified == 6
    assert aligned == ["c1", "c2"]


def test_a_candidate_covered_enough_that_names_others_is_not_aligned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # 001 with every name it gives replaced by an invented one: the garbled 002 is covered enough by it to be a
    # near-duplicate, but without a reused passage and naming others, so it is nothing to 002 (`verify.classify`):
    # the names decide that without aligning it. Fails if the gate aligns it (or if it were related).
    original = ARTICLES[seed_id("001")]
    names = proper_names(prepare(original))
    invented: dict[str, str] = {}

    def rename(word: re.Match[str]) -> str:
        if word[0].lower() not in names:
            return word[0]
        return invented.setdefault(word[0], f"Bel{chr(97 + len(invented) // 26)}{chr(97 + len(invented) % 26)}")

    renamed, incoming = Article("renamed", re.sub(r"\b[A-Z][a-z]+\b", rename, original.text)), ARTICLES[seed_id("002")]
    # As the gate's screen sees the pair: covered enough, no reused passage.
    config, pairs = ScanConfig(), np.array([[0, 1]])
    view = matching.sentences(corpus_features(Corpus([renamed, incoming], config.shingle), np.arange(2)))
    found = matching.match_pairs(pairs, view, config)
    assert matching.may_be_near(pairs, view, config, found)[0] and found.longest_reuse[0] < config.reuse_min_words
    whole, cut, aligned = _checked_whole_and_capped(tmp_path, monkeypatch, [renamed, original], incoming, max_matches=5)
    assert len(invented) > 50
    assert [(m.article.id, m.pair.relation) for m in whole.matches] == [(seed_id("001"), "near-duplicate")]
    assert [(m.article.id, m.pair) for m in cut.matches] == [(m.article.id, m.pair) for m in whole.matches]
    assert relate(prepare(renamed), prepare(incoming)) is None
    assert aligned == [seed_id("001")]


_TEMPLATE = (
    "The board of {firm} appointed {person} as chief executive on Monday, the company said in a statement released "
    "after the market closed. {person} joins from {other}, where the executive ran the European retail business for "
    "the past six years and doubled its sales. Shares in {firm} rose three percent in early trading in {city} as "
    "investors welcomed the end of a long search for a new leader. {person} told reporters in {city} that {firm} "
    "would keep its headquarters in {city} and its factory near {other}. {firm} said {person} would be paid the same "
    "salary as the previous chief executive of {firm}, without a bonus in {city}. Analysts at the bank said the "
    "appointment should calm nerves but warned that the turnaround plan would take years to deliver."
)
_NAMES = [
    ("Halvorsen Group", "Maria Lindqvist", "Norbank", "Oslo"),
    ("Pellucid Foods", "Arturo Benedetti", "Conserva", "Milan"),
    ("Tamsin Retail", "Oliver Pennington", "Brightmart", "Leeds"),
    ("Vardanyan Holdings", "Ani Petrosyan", "Araratbank", "Yerevan"),
    ("Kesselring Werke", "Jonas Albrecht", "Rheinhandel", "Cologne"),
    ("Duvall Freres", "Claire Montagne", "Lumiere", "Lyon"),
    ("Okonkwo Industries", "Chidi Eze", "Lagosmart", "Abuja"),
]


def test_a_cap_stops_once_the_stories_left_name_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # One notice filled in with seven firms and people: the incoming one aligns over nearly all of every stored one,
    # so each could be a near-duplicate by its coverage, but names others: six partial reuses. With two shown, the
    # names of the other four rule them out without aligning them.
    stories = [
        _TEMPLATE.format(firm=firm, person=person, other=other, city=city) for firm, person, other, city in _NAMES
    ]
    # Different lengths, so that no two stored stories tie on their Jaccard with the incoming one.
    stored = [Article(f"s{k}", " ".join(re.split(r"(?<=\.) ", stories[k])[: 6 - k % 3])) for k in range(6)]
    incoming = Article("incoming", stories[6])
    whole, cut, aligned = _checked_whole_and_capped(tmp_path, monkeypatch, stored, incoming, max_matches=2)
    assert [m.pair.relation for m in whole.matches] == ["partial-reuse"] * 6
    assert min(min(m.pair.coverage_a, m.pair.coverage_b) for m in whole.matches) >= 0.4, "all covered enough"
    assert [(m.article.id, m.pair) for m in cut.matches] == [(m.article.id, m.pair) for m in whole.matches[:2]]
    assert len(aligned) == 2
    assert cut.unverified == 4


def test_a_cap_still_finds_the_first_exact_duplicate_behind_others_of_jaccard_one(tmp_path: Path):
    # A text repeating five words has the same five shingles however often it repeats them: a shorter copy is a
    # near-duplicate of Jaccard 1, indexed first, then two exact copies, the one whose id sorts first indexed last.
    # Every candidate left may be exact while its Jaccard is 1, so the cap must verify them all.
    phrase = "storm floods river town closes "
    with Index.open(tmp_path / "index", max_matches=1) as index:
        for doc_id, repeats in (("x2", 2), ("z4", 4), ("a4", 4)):
            index.add(Article(doc_id, phrase * repeats))
        verdict = index.check(Article("incoming", phrase * 4))
    assert verdict.verdict == "exact-duplicate"
    assert [m.article.id for m in verdict.matches] == ["a4"]


def test_a_redis_check_takes_at_most_two_round_trips(redis_url: str, monkeypatch: pytest.MonkeyPatch):
    import redis.connection

    with Index.open(redis_url) as index:
        for prefix in ("000", "001"):
            index.add(ARTICLES[seed_id(prefix)])
        sent: list[int] = []
        original = redis.connection.Connection.send_packed_command

        def counting(self, command, check_health=True):  # type: ignore[no-untyped-def]
            sent.append(1)
            return original(self, command, check_health)

        monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
        assert index.check(ARTICLES[seed_id("002")]).verdict == "near-duplicate"
    assert len(sent) == 2


def test_a_redis_index_checks_and_adds_after_its_scripts_are_flushed_and_its_connection_killed(redis_url: str):
    """The check's and the add's scripts go to the server packed by the store: a server that lost them (restarted,
    SCRIPT FLUSH) gets them again, and a connection the server closed is replaced by the client's pool, as for
    redis-py's own commands."""
    import redis

    client = redis.Redis.from_url(redis_url.split("#")[0])
    with Index.open(redis_url) as index:
        index.add(ARTICLES[seed_id("001")])
        client.script_flush()
        assert index.check(ARTICLES[seed_id("002")]).verdict == "near-duplicate"
        client.script_flush()
        assert index.check_and_add(ARTICLES[seed_id("000")]).added
        client.client_kill_filter(_type="normal", skipme=True)
        assert index.check(ARTICLES[seed_id("000")]).verdict == "exact-duplicate"
        assert index.stats()["articles"] == 2


def test_a_redis_removal_cuts_its_member_where_a_member_starts(redis_url: str):
    """A Redis bucket holds 4-byte little-endian sequence numbers: 1 then 2 hold the bytes of 33,554,432
    (00 00 00 02) across their boundary, one byte in; removing 33,554,432 cuts it at its own place."""
    import redis

    text = ARTICLES[seed_id("000")].text
    base, name = redis_url.split("#")
    client = redis.Redis.from_url(base)

    def buckets() -> set[bytes]:
        return {v for group in client.scan_iter(match=f"{{{name}}}:[dp]:*") for v in client.hvals(group)}

    with Index.open(redis_url) as index:
        index.add(Article("one", text))
        index.add(Article("two", text))
        client.set(f"{{{name}}}:seq", 2**25 - 1)
        index.add(Article("straddled", text))
        assert buckets() == {np.array([1, 2, 2**25], dtype="<u4").tobytes()}
        assert index.remove("straddled")
        assert buckets() == {np.array([1, 2], dtype="<u4").tobytes()}
        assert [m.article.id for m in index.check(Article("again", text)).matches] == ["one", "two"]
        assert index.remove("one") and index.remove("two")
        assert buckets() == set()


def test_a_redis_index_refuses_adds_past_the_largest_member(redis_url: str):
    """Members are 4 bytes: the add that would take sequence number 2**32 is refused, not stored wrapped around."""
    import redis

    base, name = redis_url.split("#")
    with Index.open(redis_url) as index:
        index.add(ARTICLES[seed_id("000")])
        redis.Redis.from_url(base).set(f"{{{name}}}:seq", 2**32 - 1)
        with pytest.raises(dedupe.StoreError, match=r"add failed .*4294967295 adds"):
            index.add(ARTICLES[seed_id("001")])
        assert index.stats()["articles"] == 1
        assert index.check(ARTICLES[seed_id("000")]).verdict == "exact-duplicate"


def test_an_article_without_words(location: str):
    text = ARTICLES[seed_id("003")].text
    with Index.open(location) as index:
        assert index.check_and_add(Article("one", text)).verdict == "new"
        assert index.check(Article("again", text)).verdict == "exact-duplicate"
        assert index.check_and_add(Article("blank", "!!! ...")).verdict == "new"


def _band_rows(index: Index) -> int:
    store = index._store
    assert isinstance(store, SQLiteStore)
    store._refresh()
    in_runs = sum(len(run.keys) for runs in store._runs.values() for run in runs)
    in_recent = sum(len(rows) for rows in store._recent_table().values())
    return in_runs + in_recent


def test_band_keys_move_to_sorted_runs_and_are_still_found(tmp_path: Path):
    location = tmp_path / "index"
    articles = [Article(f"a{n}", synthetic(n)) for n in range(40)]
    with Index.open(location, run_articles=4) as index:
        keys = 0
        for article in articles:
            assert index.add(article)
            incoming = index._incoming(article)
            keys += len(incoming.keys.document) + len(incoming.keys.passage)
        runs = [path.name for path in (location / "runs").iterdir()]
        # Ten runs of 4 articles a level, merged as they come: a few runs, not ten.
        assert 2 <= len(runs) <= 6, runs
        assert _band_rows(index) == keys, "every band key is kept exactly once, in a run or in a table"
        for article in articles:
            verdict = index.check(Article("probe", article.text))
            assert verdict.verdict == "exact-duplicate"
            assert [m.article.id for m in verdict.matches] == [article.id]
        assert index.remove("a3"), "an article whose keys are in a run"
        assert index.check(Article("probe", articles[3].text)).verdict == "new"
    leftover = location / "runs" / "passage-999.bin"
    leftover.write_bytes(b"a run no commit names")
    with Index.open(location, run_articles=4) as index:
        assert not leftover.exists(), "a crash's leftover is removed when the index is opened"
        assert index.check(Article("probe", articles[3].text)).verdict == "new"
        assert index.check(Article("probe", articles[5].text)).verdict == "exact-duplicate"


def test_an_article_removed_between_the_lookup_and_reading_its_text_is_no_match(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A lookup reads the entries (from a segment once the article's keys are in runs); the texts of the candidates
    # left after the screen are read after it, when another worker may have removed the article.
    article = ARTICLES[seed_id("001")]
    with Index.open(tmp_path / "index", run_articles=1) as index:
        index.add(article)
        assert index.check(Article("copy", article.text)).verdict == "exact-duplicate"
        monkeypatch.setattr(index._store, "records", lambda seqs: {})
        assert index.check(Article("copy", article.text)).verdict == "new"


def test_an_add_is_refused_when_its_buckets_changed_since_its_check(location: str):
    # Two workers: the first checks, the second adds a copy, then the first's add must not go through as `new`
    # (checks run without the write lock; the add is where a race is caught).
    article = ARTICLES[seed_id("001")]
    with Index.open(location) as first, Index.open(location) as second:
        incoming = first._incoming(article)
        found = first._store.lookup(incoming.keys)
        assert second.check_and_add(Article("other-worker", article.text)).verdict == "new"
        assert first._store.insert(article, incoming.entry, incoming.keys, found) == "conflict"
        verdict = first.check_and_add(article)
        assert (verdict.verdict, verdict.added) == ("exact-duplicate", False)


_CHECKS_AFTER_WARMING = """
import json, sys
from numba.core.registry import CPUDispatcher
from dedupe import kernels, matching
from dedupe.gate import Index
from dedupe.ingest import read_articles
from dedupe.models import Article

def loaded():
    return {
        f"{module.__name__}.{name}": len(dispatcher.signatures)
        for module in (kernels, matching)
        for name, dispatcher in vars(module).items()
        if isinstance(dispatcher, CPUDispatcher)
    }

with Index.open(sys.argv[1]) as index:
    if sys.argv[3] == "warm":
        index.warm()
    before = loaded()
    articles = list(read_articles([sys.argv[2]]))
    verdicts = [index.check_and_add(article, policy="all").verdict for article in articles]
    copy = next(a for a in articles if a.id.startswith("001"))
    ranked = index.check(Article("copy", copy.text))
print(json.dumps({"verdicts": verdicts, "matches": len(ranked.matches), "loaded since": sorted(
    name for name, count in loaded().items() if count != before[name])}))
"""


@pytest.mark.parametrize("warm", [True, False])
def test_a_warmed_index_loads_no_kernel_in_its_checks(tmp_path: Path, warm: bool):
    """In a fresh process: after `warm`, checks of every verdict (the seeds, added in turn, then a copy of one
    that matches two indexed articles and so is ranked) need no compiled kernel that was not loaded; without it
    they load many."""
    output = subprocess.run(
        [sys.executable, "-c", _CHECKS_AFTER_WARMING, str(tmp_path / "index"), str(SEEDS), "warm" if warm else "cold"],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(output)
    assert {"near-duplicate", "partial-reuse", "new"} <= set(result["verdicts"])
    assert result["matches"] >= 2  # the ranking ran
    assert (result["loaded since"] == []) is warm


def test_warming_adds_and_keeps_nothing(location: str):
    with Index.open(location) as index:
        index.add(ARTICLES[seed_id("001")])
        index.warm()
        assert index.stats()["articles"] == 1
        assert all(seq > 0 for seq in index._prepared)
        assert index.check(ARTICLES[seed_id("002")]).verdict == "near-duplicate"


def test_an_article_that_cannot_be_stored_is_refused_by_name_and_the_index_goes_on(location: str):
    # Only the Python API can hand over a lone surrogate (JSON input refuses one): a clear error, nothing added.
    text = "The council voted on Tuesday to close the old harbour bridge to lorries, officials said on Wednesday."
    with Index.open(location) as index:
        with pytest.raises(dedupe.InputError, match="'odd' cannot be stored"):
            index.check_and_add(Article("odd", text + " \ud800"))
        assert index.stats()["articles"] == 0
        assert index.check_and_add(Article("plain", text)).verdict == "new"
        assert index.check(Article("odd", text + " \ud800")).verdict == "exact-duplicate"
