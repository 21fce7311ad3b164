"""The stores on their own: band keys of any value and number are found, in the recent rows and in the runs; an add
caps its buckets by their sizes at the time of the add (SQLite and Redis); the entries of flushed articles are read
from their segments as their records hold them; warming maps the files in."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson
import pytest

from dedupe.models import Article
from dedupe.store import DATABASE, Keys, RedisStore, SQLiteStore, _Recent, _script_command

_ENDS = np.array([0, 1, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)


def _keys(document: list[int] | np.ndarray, passage: list[int] | np.ndarray) -> Keys:
    return Keys(np.unique(np.asarray(document, dtype=np.uint64)), np.unique(np.asarray(passage, dtype=np.uint64)))


def _add(store: SQLiteStore | RedisStore, name: str, keys: Keys) -> str:
    return store.insert(Article(name, f"text of {name}"), b"", keys, store.lookup(keys))


@pytest.mark.parametrize("spread", ["narrow", "wide"])
def test_the_recent_rows_in_memory_are_found_as_sorted_rows_would_be(spread: str):
    # Narrow: few distinct keys, so one key's rows fill long stretches of slots; wide: keys over the whole 64-bit
    # range, with its ends. Rows come in chunks in sequence order, as `follow` reads them, and the table grows
    # past its first size several times.
    rng = np.random.default_rng(5)
    smallest, largest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    if spread == "narrow":
        keys = rng.integers(-40, 40, 6000).astype(np.int64)
    else:
        keys = rng.integers(smallest, largest, 6000, endpoint=True)
        keys[:4] = [smallest, -1, 0, largest]
    seqs = np.repeat(np.arange(1, 601, dtype=np.int64), 10)
    recent = _Recent()
    for start in range(0, len(keys), 1300):
        recent._add("passage", keys[start : start + 1300], seqs[start : start + 1300])
    order = np.lexsort((seqs, keys))
    rows = np.stack([keys[order], seqs[order]], axis=1)
    wanted = np.unique(np.concatenate([rng.choice(keys, 50), rng.integers(smallest, largest, 50), [smallest, largest]]))
    expected = rows[np.isin(rows[:, 0], wanted)]
    assert recent.members("passage", wanted).tolist() == expected.tolist()
    low, high = np.searchsorted(rows[:, 0], wanted, "left"), np.searchsorted(rows[:, 0], wanted, "right")
    assert recent.counts("passage", wanted).tolist() == (high - low).tolist()
    assert recent.members("document", wanted).shape == (0, 2)


@pytest.mark.parametrize("run_articles", [1000, 1], ids=["recent", "runs"])
def test_keys_at_the_ends_of_the_integer_range_are_found(tmp_path: Path, run_articles: int):
    store = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=run_articles)
    keys = _keys(_ENDS, _ENDS)
    assert _add(store, "a", keys) == "added"
    found = store.lookup(keys)
    assert list(found.entries) == [1]
    assert found.documents == {1}
    assert sorted(found.passage_keys.tolist()) == sorted(_ENDS.tolist())
    assert found.passage_keys.dtype == np.uint64


@pytest.mark.parametrize("run_articles", [1000, 1], ids=["recent", "runs"])
def test_lookup_of_more_keys_than_a_statement_takes_parameters(tmp_path: Path, run_articles: int):
    # SQLite caps the parameters of one statement at 32,766: keys are sent as one JSON array instead.
    keys = np.random.default_rng(8).integers(0, 2**64 - 1, 40_000, dtype=np.uint64, endpoint=True)
    store = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=run_articles)
    assert _add(store, "a", _keys(keys[:10], keys)) == "added"
    found = store.lookup(_keys(keys[:10], keys[::-1]))
    assert len(found.passage_seqs) == len(np.unique(keys))
    assert found.documents == {1}


@pytest.fixture(params=["recent", "runs", "redis"])
def store_of_two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLiteStore | RedisStore]:
    """A store whose buckets hold two articles at most: SQLite with its band keys in the recent rows or in runs (a run
    per article), or Redis."""
    store: SQLiteStore | RedisStore
    if request.param == "redis":
        store = RedisStore(request.getfixturevalue("redis_url"), "test", max_bucket=2)
    else:
        store = SQLiteStore(tmp_path, "test", max_bucket=2, run_articles=1000 if request.param == "recent" else 1)
    yield store
    store.close()


def test_an_add_caps_its_buckets_by_their_sizes_then(store_of_two: SQLiteStore | RedisStore):
    store = store_of_two
    keys = _keys([1], [2**63 + 7, 99])
    for name in ("a", "b", "c"):
        assert _add(store, name, keys) == "added"
    # Full at two: the third article is not added to the buckets (by the sizes its lookup counted).
    found = store.lookup(keys)
    if isinstance(store, SQLiteStore):
        assert found.sizes is not None
        assert found.sizes.document.tolist() == [2]
        assert found.sizes.passage.tolist() == [2, 2]
    assert len(found.passage_seqs) == 0, "full passage buckets are boilerplate"
    assert found.documents == {1, 2}
    # A removal between a lookup and its add frees a place (SQLite: in the recent rows, not in a run): the add counts
    # the buckets full at its lookup again.
    assert store.delete("b", keys)
    assert store.insert(Article("d", "text of d"), b"", keys, found) == "added"
    if isinstance(store, SQLiteStore) and store.run_articles == 1:
        assert store.lookup(keys).documents == {1}, "b's rows stay in its run and count, so d was not added"
    else:
        assert store.lookup(keys).documents == {1, 4}
    # Buckets with room at the lookup are added to up to the cap.
    other = _keys([5], [6])
    for name in ("e", "f", "g"):
        assert _add(store, name, other) == "added"
    found = store.lookup(other)
    assert found.documents == {5, 6}
    assert found.passage_seqs.tolist() == []


def test_a_redis_bucket_longer_than_a_chunk_is_read_capped_and_cut_whole(redis_url: str):
    """A Redis bucket outgrows its first 64-byte chunk at its seventeenth member: it is read whole and in order,
    capped across its chunks, a member removed from any chunk leaves the rest in order, and its group stays a
    compact listpack; with its last member the group is gone."""
    import redis

    store = RedisStore(redis_url, "test", max_bucket=40)
    base, name = redis_url.split("#")
    client = redis.Redis.from_url(base)
    keys = _keys([1], [2])
    for n in range(45):  # article a<n> is sequence number n + 1
        assert _add(store, f"a{n}", keys) == "added"
    assert store.lookup(keys).documents == set(range(1, 41)), "the cap counts every chunk"
    for removed in ("a0", "a20", "a39"):  # from the first, the second and the last chunk
        assert store.delete(removed, keys)
    left = [seq for seq in range(1, 41) if seq not in (1, 21, 40)]
    assert store.lookup(keys).documents == set(left)
    assert _add(store, "b", keys) == "added"  # 37 members: room again
    groups = list(client.scan_iter(match=f"{{{name}}}:[dp]:*"))
    assert [client.object("encoding", group) for group in groups] == [b"listpack", b"listpack"]
    for group in groups:
        chunks = [value for field, value in sorted(client.hgetall(group).items())]
        assert [len(chunk) for chunk in chunks] == [64, 64, 24]
        assert np.frombuffer(b"".join(chunks), dtype="<u4").tolist() == [*left, 46]
    for seq in left:
        assert store.delete(f"a{seq - 1}", keys)
    assert store.delete("b", keys)
    assert not any(client.exists(group) for group in groups)
    store.close()


def _entry(n: int) -> bytes:
    # Entries are whole 32-bit words (entry.py); each article's differs in length and content.
    return np.arange(n, 2 * n + 1, dtype="<u4").tobytes()


def _articles_sharing_buckets(store: SQLiteStore, names: list[str]) -> Keys:
    keys = _keys([5], [6])
    for n, name in enumerate(names):
        assert store.insert(Article(name, f"text of {name}"), _entry(n), keys, None) == "added"
    return keys


def test_entries_come_from_segments_as_the_records_hold_them(tmp_path: Path):
    store = SQLiteStore(tmp_path, "test", max_bucket=100, run_articles=2)
    keys = _articles_sharing_buckets(store, [f"a{n}" for n in range(9)])
    assert store.delete("a2", keys)
    found = store.lookup(keys)
    expected = {n + 1: _entry(n) for n in range(9) if n != 2}
    assert {seq: bytes(entry) for seq, entry in found.entries.items()} == expected
    # Flushed every two articles (four segments, merged as runs merge): only the ninth is read from its record.
    assert sorted(found.records) == [9]
    segments = sorted(path.name for path in (tmp_path / "entries").iterdir())
    assert len(segments) < 4, segments
    assert store.records([1, 3, 9]).keys() == {1, 9}, "a removed article has no record"


def test_numbers_no_segment_holds_are_read_from_their_records(tmp_path: Path):
    store = SQLiteStore(tmp_path, "test", max_bucket=100, run_articles=2)
    keys = _articles_sharing_buckets(store, ["a0", "a1", "a2", "a3"])
    store.close()
    # As a version that wrote no segments would leave it: runs named, segments not (then removed as leftovers).
    db = sqlite3.connect(tmp_path / "index.sqlite")
    runs = orjson.loads(db.execute("SELECT value FROM meta WHERE key = 'runs'").fetchone()[0])
    db.execute("UPDATE meta SET value = ? WHERE key = 'runs'", (orjson.dumps({**runs, "entries": []}).decode(),))
    db.commit()
    db.close()
    store = SQLiteStore(tmp_path, "test", max_bucket=100, run_articles=2)
    assert not any((tmp_path / "entries").iterdir())
    for n in range(4, 8):
        assert store.insert(Article(f"a{n}", "text"), _entry(n), keys, None) == "added"
    found = store.lookup(keys)
    assert {seq: bytes(entry) for seq, entry in found.entries.items()} == {n + 1: _entry(n) for n in range(8)}
    assert sorted(found.records) == [1, 2, 3, 4], "the gap before the first segment"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pages are mapped in ahead on Linux only")
def test_warming_maps_in_every_run_and_segment_that_fits_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = SQLiteStore(tmp_path, "test", max_bucket=100, run_articles=2)
    _articles_sharing_buckets(store, [f"a{n}" for n in range(5)])
    mapped: list[int] = []
    monkeypatch.setattr("dedupe.store._populate", lambda m: mapped.append(len(m)))
    store.warm()
    files = sorted(path.stat().st_size for path in [*(tmp_path / "runs").iterdir(), *(tmp_path / "entries").iterdir()])
    database = (tmp_path / DATABASE).stat().st_size
    assert len(files) >= 3
    assert sorted(mapped) == sorted([*files, database]), "the runs, the segments, and the database for its records"
    # The runs and segments fill half the machine's memory: the database is left to be read as records are asked for.
    mapped.clear()
    monkeypatch.setattr("os.sysconf", lambda name: 2 * sum(files) if name == "SC_PHYS_PAGES" else 1)
    store.warm()
    assert sorted(mapped) == files
    # Files larger than half the machine's memory would push the rest out of it: left to be faulted in as read.
    mapped.clear()
    monkeypatch.setattr("os.sysconf", lambda name: 1)
    store.warm()
    assert mapped == []


def test_each_store_follows_the_recent_rows_other_writers_add_and_drops_a_rolled_back_add(tmp_path: Path):
    first = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=3)
    second = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=3)
    keys = _keys([1], [2, 3])
    assert first.lookup(keys).entries == {}
    assert _add(second, "a", keys) == "added"
    assert first.lookup(keys).documents == {1}, "the other writer's add is read"
    # An add rolled back: its sequence number is given again to the next add, whose keys are other.
    with pytest.raises(RuntimeError), first.write():
        assert _add(first, "b", keys) == "added"
        assert first.lookup(keys).documents == {1, 2}
        raise RuntimeError
    other = _keys([4], [5])
    assert _add(second, "c", other) == "added"
    assert first.lookup(keys).documents == {1}
    assert first.lookup(other).documents == {2}
    # The third add writes the runs: both stores then find all three in them.
    assert _add(first, "d", keys) == "added"
    assert (tmp_path / "runs").exists() and any((tmp_path / "runs").iterdir())
    for store in (first, second):
        assert store.lookup(keys).documents == {1, 3}
        assert store.lookup(other).documents == {2}
    assert second.delete("a", keys)
    assert first.lookup(keys).documents == {3}


def test_a_script_command_is_packed_as_the_redis_protocol_packs_its_values():
    """The store writes its scripts' commands itself (rows of equal-width values at once): the same bytes as hiredis
    packs from the values one by one, for values holding zero bytes and line breaks, and no rows at all."""
    hiredis = pytest.importorskip("hiredis")
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 256, (40, 9)).astype(np.uint8)
    rows[0] = 0
    rows[1, :2] = (13, 10)
    fields = rng.integers(0, 256, (40, 6)).astype(np.uint8)
    record = b"entry\r\n\x00" + bytes(range(256))
    for keys, args in (
        ([b"{t}:seq", rows], [fields]),
        ([b"{t}:seq", b"{t}:rec", b"{t}:ids", rows[:0]], ["caf\u00e9".encode(), record, b"-", b"256", fields[:0]]),
    ):
        values = [v for items in (*keys, *args) for v in ([items] if isinstance(items, bytes) else map(bytes, items))]
        count = sum(len(k) if isinstance(k, np.ndarray) else 1 for k in keys)
        expected = hiredis.pack_command(("EVALSHA", "ab" * 20, count, *values))
        assert _script_command("ab" * 20, keys, args) == expected
