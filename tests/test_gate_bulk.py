"""`Index.add_many`: the index it builds is the one `add` of each article in turn builds (same sequence numbers,
bucket members, capped buckets, verdicts, stats), on SQLite with and without runs and on Redis; ids already
indexed; the command line; a crash in the middle of a bulk load. And compaction: the same answers from fewer runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dedupe.config import ScanConfig
from dedupe.gate import Added, Index
from dedupe.models import Article
from dedupe.store import Compacted
from tests.test_gate_reliability import printed_until_killed, synthetic
from tests.test_verify import small_corpus

# Small buckets, so that the caps bite on this corpus (each seed comes four times).
CONFIG = ScanConfig(max_bucket=3)


def _articles() -> list[Article]:
    base = small_corpus()
    copies = [Article(f"{a.id}-copy{n}", a.text) for n in range(3) for a in base[:10]]
    odd = [
        Article("empty", ""),
        Article("markup", f"<p>{base[0].text}</p>", markup=True),
        Article("accents", "Café déjà vu. " + base[1].text),
    ]
    return [*base, *copies, *odd]


# (backend, run_articles): the band tables only; a run every 3 articles (every batch goes straight into a run and
# runs merge); a run every 20 (some batches go to the tables, some flush them into a run).
@pytest.fixture(
    params=[("sqlite", None), ("sqlite", 3), ("sqlite", 20), ("redis", None)], ids=lambda p: f"{p[0]}-{p[1]}"
)
def locations(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str, int | None]:
    backend, run_articles = request.param
    if backend == "sqlite":
        return str(tmp_path / "one-by-one"), str(tmp_path / "bulk"), run_articles
    url = request.getfixturevalue("redis_url")
    return f"{url}-one-by-one", f"{url}-bulk", None


def _lookups(index: Index, probes: list[Article]) -> list[tuple]:
    """What the store answers for each probe's keys, sequence numbers and records included."""
    answers = []
    for probe in probes:
        found = index._store.lookup(index._incoming(probe).keys)
        memberships = sorted(zip(found.passage_keys.tolist(), found.passage_seqs.tolist(), strict=True))
        sizes = None if found.sizes is None else (found.sizes.document.tolist(), found.sizes.passage.tolist())
        entries = {seq: bytes(entry) for seq, entry in found.entries.items()}
        answers.append((entries, found.documents, memberships, sizes))
    return answers


def test_add_many_builds_the_index_add_builds(locations: tuple[str, str, int | None]):
    one_by_one, bulk, run_articles = locations
    articles = _articles()
    # Some ids come twice: the second is left alone, as `add` leaves it.
    stream = [*articles[:30], articles[3], *articles[30:], articles[40]]
    with Index.open(one_by_one, CONFIG, run_articles) as index:
        expected = [index.add(a) for a in stream]
        probes = [*articles, Article("probe", small_corpus()[2].text + " A new closing sentence of many words here.")]
        lookups, verdicts = _lookups(index, probes), [index.check(p).to_dict() for p in probes]
        stats = index.stats()
    with Index.open(bulk, CONFIG, run_articles) as index:
        # A few articles one by one first, so the bulk load starts on a non-empty index with keys in the tables.
        for article in stream[:5]:
            index.add(article)
        done: list[Added] = []
        total = index.add_many([*stream[:2], *stream[5:]], batch=7, progress=done.append)
        present = [a.id for a, new in zip(stream[5:], expected[5:], strict=True) if not new]
        assert total == Added(expected[5:].count(True), (stream[0].id, stream[1].id, *present))
        assert sum(d.added for d in done) == total.added and len(done) == -(-(len(stream) - 3) // 7)
        assert _lookups(index, probes) == lookups
        assert [index.check(p).to_dict() for p in probes] == verdicts
        # The layout on disk differs (the bulk load at least doubled its index, and compacted it).
        layout = ("bytes", "location", "runs", "segments")
        assert {k: v for k, v in index.stats().items() if k not in layout} == {
            k: v for k, v in stats.items() if k not in layout
        }


def test_add_many_then_check_and_remove(tmp_path: Path):
    articles = [Article(f"a{n}", synthetic(n)) for n in range(30)]
    with Index.open(tmp_path / "index", run_articles=4) as index:
        assert index.add_many(articles, batch=8) == Added(30, ())
        assert index.add_many(articles[:3]) == Added(0, ("a0", "a1", "a2"))
        assert index.remove("a7")
        verdicts = [index.check(Article("p", synthetic(n))).verdict for n in (6, 7, 8)]
        assert verdicts == ["exact-duplicate", "new", "exact-duplicate"]
        assert index.stats()["articles"] == 29


def test_add_many_refuses_an_empty_batch(tmp_path: Path):
    with Index.open(tmp_path / "index") as index, pytest.raises(ValueError, match="batch must be at least 1, not 0"):
        index.add_many([], batch=0)


def test_the_runs_of_a_bulk_load_hold_each_kept_key_once(tmp_path: Path):
    with Index.open(tmp_path / "index", CONFIG, run_articles=3) as index:
        index.add_many(_articles(), batch=9)
        store = index._store
        for level in ("document", "passage"):
            rows = np.concatenate(
                [np.stack([run.keys, run.seqs], axis=1) for run in store._runs[level]] + [store._recent_table()[level]]
            )
            assert len(np.unique(rows, axis=0)) == len(rows)
            # Full buckets (each seed comes four times) were not grown.
            assert np.unique(rows[:, 0], return_counts=True)[1].max() == CONFIG.max_bucket


def test_compaction_keeps_every_lookup_and_verdict(locations: tuple[str, str, int | None]):
    location, _, run_articles = locations
    articles = _articles()
    probes = [*articles[::3], Article("probe", small_corpus()[2].text + " A new closing sentence of many words here.")]
    with Index.open(location, CONFIG, run_articles) as index, Index.open(location, CONFIG, run_articles) as other:
        for article in articles:
            index.add(article)
        lookups, verdicts = _lookups(index, probes), [index.check(p).to_dict() for p in probes]
        assert _lookups(other, probes) == lookups  # another process's view of the same index
        stats = index.stats()
        compacted = index.compact()
        if location.startswith("redis"):
            assert compacted == Compacted((0, 0), (0, 0))  # nothing to merge: the buckets live in the server
            return
        assert compacted.runs == (stats["runs"], index.stats()["runs"])
        assert compacted.segments == (stats["segments"], index.stats()["segments"])
        assert index.stats()["runs"] == 2 and index.stats()["segments"] == 1
        if run_articles == 3:  # then each level had several runs
            assert stats["runs"] > 2 and stats["segments"] > 1
        # The same answers, from this process and from one that opened the index before the compaction.
        assert _lookups(index, probes) == _lookups(other, probes) == lookups
        assert [index.check(p).to_dict() for p in probes] == verdicts
        assert index.compact() == Compacted((2, 2), (1, 1))  # nothing left to do
        files = sorted(path.name for path in Path(location).glob("*/*.bin"))
        assert len(files) == 3, files  # the merged runs and segments were removed
        # Adds go on: the new article's buckets hold it, and the recent rows go into the runs at the next compaction.
        assert index.check_and_add(Article("late", articles[1].text + " And a last line.")).added is False
        assert index.check_and_add(Article("new", small_corpus()[5].text[::-1])).added is True
        index.compact()
        assert index.check(Article("again", small_corpus()[5].text[::-1])).verdict == "exact-duplicate"


def test_a_load_that_doubles_the_index_compacts_it(tmp_path: Path):
    articles = [Article(f"a{n}", synthetic(n)) for n in range(40)]
    with Index.open(tmp_path / "index", run_articles=3) as index:
        index.add_many(articles[:20], batch=4)
        assert (index.stats()["runs"], index.stats()["segments"]) == (2, 1)
        index.add_many(articles[20:30], batch=4)  # not doubled: left as the adds wrote it
        assert index.stats()["runs"] > 2
        index.add_many(articles[30:], batch=4, compact=True)
        assert (index.stats()["runs"], index.stats()["segments"]) == (2, 1)


_LOADER = """
import sys
from dedupe.gate import Index
from dedupe.models import Article
from tests.test_gate_reliability import synthetic
index = Index.open(sys.argv[1], run_articles=int(sys.argv[3]))
articles = (Article(f"a{n}", synthetic(n)) for n in range(int(sys.argv[2]), 10**6))
# Acknowledged: add_many calls progress after each batch's durable commit.
index.add_many(articles, batch=50, progress=lambda done: print(done.added, flush=True))
"""


@pytest.mark.parametrize("run_articles", [4096, 20])
def test_acknowledged_batches_survive_sigkill(tmp_path: Path, run_articles: int):
    location = str(tmp_path / "index")
    acknowledged = 0
    for kill_after in (0.3, 0.7, 1.1):
        printed = printed_until_killed(_LOADER, [location, str(acknowledged), str(run_articles)], kill_after)
        acknowledged += sum(int(line) for line in printed)
        with Index.open(location, run_articles=run_articles) as index:
            indexed = index.stats()["articles"]
            assert indexed >= acknowledged
            # Whole batches only: the one being written at the kill is there entirely or not at all.
            assert indexed % 50 == 0
            acknowledged = indexed
            for number in (0, acknowledged // 2, acknowledged - 1):
                assert index.check(Article("probe", synthetic(number))).verdict == "exact-duplicate", number
            assert index.check(Article("probe", synthetic(acknowledged))).verdict == "new"
    assert acknowledged >= 150, "the loader never got going: the test proved nothing"
