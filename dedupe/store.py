"""Persistent index backends: articles and their LSH band keys, on disk (SQLite) or shared (Redis).

A store knows nothing of fingerprints or verification (gate.py does both with the scan's own stages); it keeps,
per article, a sequence number, the article record (the article, enough to prepare it again for verification, and
its index entry, entry.py, opaque here) and the band keys it was indexed under, and answers "which articles share
one of these keys, in which passage buckets" in one or two round trips.

Buckets are capped at `max_bucket` members, as in the scan: a document bucket that is full keeps its first members
(later copies still find them, like the scan's star linking), and a passage bucket that is full is boilerplate, no
evidence of reuse, and no longer looked at. Full buckets are not grown, so the index stays linear in its articles.

On disk, the band keys of the most recent articles live in SQLite, one row per article (`recent`, which each process
follows into a hash table in memory); every `run_articles` articles they are written out as one immutable sorted run
per level (`runs/*.bin`: keys, then sequence numbers, int64), and runs of similar size are merged, as in a
log-structured merge tree. A B-tree keyed on random band keys dirties one page per key: each commit rewrote most of
the table once it outgrew the page cache (the build rate fell from 280 to 57 articles/s by 40,000 articles), and about
290 pages an article before (a commit per article ran at half the rate). A run is written once, in order, and looked
up by binary search in a memory map. With the runs, the index entries of their articles are written to an immutable
segment (`entries/*.bin`, merged alike), so that a lookup reads the entries of the bucket members out of a memory map
rather than their records out of SQLite; only the few members the screen keeps have their records (texts) read.

Why SQLite is the embedded default (measured in benchmarks/README.md, "Ingestion gate"): in the standard library;
WAL mode gives atomic durable commits, concurrent readers and one writer across processes (`BEGIN IMMEDIATE`
makes check-and-add atomic); against LMDB on the gate's access pattern (benchmarks/store_choice.py) its durable
single insert was 20% cheaper and its index 2.4 times smaller, while LMDB's lookups were 1.75 times faster, a
small part of a check that preparing and verifying dominate.
"""

from __future__ import annotations

import itertools
import mmap
import os
import sqlite3
import struct
import sys
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

import numpy as np
import orjson

from dedupe import kernels
from dedupe.errors import InputError, StoreError
from dedupe.models import Article
from dedupe.sets import contains, distinct, union

# Bump when the layout or the meaning of stored keys changes; an index of another version is refused. Each backend
# writes the latest version that changed its layout (`FORMAT_VERSIONS`).
# 2: word hashes are FNV-1a + fmix64 (were xxh3), so stored band keys of version 1 mean other words.
# 3: a record holds the article's index entry (shingles and sentence profile) instead of its word hashes.
# 4: band keys of all but the most recent articles live in sorted run files beside the database.
# 5: an entry's figure hashes are of whole figures ("4,236,000" is one; it was three: align.figure_marks).
# 6: sentences end at the danda and other scripts' full stops, and at quotes and marks that open or close one (¿ ¡ «
#    » „, segment.py): version 5's entries of Hindi, Arabic, Spanish, French or German articles split them otherwise.
# 7: Redis only: a bucket is a string of its members' sequence numbers (it was a sorted set); SQLite stays at 6.
# 8: Redis only: buckets are fields of hashes grouped by their keys' first bits, members 4 bytes (were string keys).
# 9: SQLite only: the band keys of the articles not yet in runs are one row per article (`recent`), not one per key.
FORMAT_VERSIONS = {"sqlite": 9, "redis": 8}
# Per backend, the versions whose records are laid out as its current version's (`encode_article`): `dedupe index
# upgrade` re-indexes their articles from the stored texts.
UPGRADABLE = {"sqlite": frozenset({"5", "6"}), "redis": frozenset({"5", "6", "7"})}
DATABASE = "index.sqlite"

Inserted = Literal["added", "exists", "conflict"]


@dataclass(frozen=True, slots=True)
class Keys:
    """The band keys an article is indexed under: unique uint64 arrays, one per level."""

    document: np.ndarray
    passage: np.ndarray


@dataclass(frozen=True, slots=True)
class KeyRows:
    """The band keys of many articles, per level: `(m, 2)` int64 rows `(key, article)`, the key as SQLite and the runs
    hold it (signed, the same bits) and the article as its position in the batch; each pair once, sorted by key,
    then article."""

    document: np.ndarray
    passage: np.ndarray


_NO_KEYS = np.zeros(0, dtype=np.uint64)
_NO_SEQS = np.zeros(0, dtype=np.int64)
_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class Found:
    """What a lookup found: the index entry (entry.py) of every article sharing a bucket, by sequence number;
    which of them share a document bucket; each membership `(passage_keys[i], passage_seqs[i])` of a passage bucket
    that is not full (a full one is boilerplate); and a token, the highest sequence number the lookup could see,
    that lets `insert` detect articles added to these buckets since. `records` holds the whole records
    (`encode_article`) the lookup read anyway; `Store.records` reads the others."""

    entries: dict[int, bytes | memoryview]
    documents: frozenset[int] = field(default_factory=frozenset)
    passage_keys: np.ndarray = field(default_factory=lambda: _NO_KEYS)
    passage_seqs: np.ndarray = field(default_factory=lambda: _NO_SEQS)
    token: int = 0
    # SQLite: how many articles each bucket of the looked-up keys held, so that `insert` caps them without counting
    # again while nothing was added or removed since.
    sizes: Sizes | None = None
    records: dict[int, bytes] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Compacted:
    """What `compact` did: how many runs of band keys (both levels) and entry segments the index had, then has."""

    runs: tuple[int, int]
    segments: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Sizes:
    """The sizes of the buckets of some keys per level (aligned with the keys as signed integers, sorted), and the
    removal counter they were counted under."""

    document: np.ndarray
    passage: np.ndarray
    removals: str


class Store(Protocol):
    """The interface every backend offers to gate.py."""

    backend: str

    def lookup(self, keys: Keys) -> Found: ...

    def records(self, seqs: list[int]) -> dict[int, bytes]:
        """The records of the articles `seqs` (those removed meanwhile are left out)."""
        ...

    def warm(self) -> None:
        """Ready the store for a stream of lookups (`Index.warm`)."""
        ...

    def insert(self, article: Article, entry: bytes, keys: Keys, found: Found | None) -> Inserted: ...

    def insert_many(self, articles: Sequence[Article], entries: Sequence[bytes], keys: KeyRows) -> list[bool]: ...

    def get(self, article_id: str) -> Article | None: ...

    def delete(self, article_id: str, keys: Keys) -> bool: ...

    def compact(self) -> Compacted: ...

    def write(self) -> Any: ...

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


_HEADER = struct.Struct("<II")
# Records kept in memory by sequence number (about 3.5 kB each on news: 70 MB). A record never changes under its
# sequence number (numbers are never reused), and articles in busy buckets are asked for by check after check.
_CACHED_RECORDS = 20_000


class _RecordCache:
    """The most recently used records by sequence number; `missing` says which of some still need fetching."""

    def __init__(self) -> None:
        self._records: OrderedDict[int, bytes] = OrderedDict()

    def missing(self, seqs: list[int]) -> list[int]:
        return [seq for seq in seqs if seq not in self._records]

    def take(self, seqs: list[int], fetched: dict[int, bytes]) -> dict[int, bytes]:
        """The records of `seqs` (those neither cached nor fetched are left out), remembering the fetched ones."""
        records = self._records
        found = {}
        for seq in seqs:
            record = fetched.get(seq)
            if record is not None:
                records[seq] = record
            else:
                record = records.get(seq)
                if record is None:
                    continue
                records.move_to_end(seq)
            found[seq] = record
        while len(records) > _CACHED_RECORDS:
            records.popitem(last=False)
        return found


def encode_article(article: Article, entry: bytes) -> bytes:
    """The stored record: the article's index entry (entry.py), then its text and metadata as JSON (enough to
    prepare the article again exactly as it was). The entry comes first, so it starts 4-byte aligned."""
    fields = {
        "id": article.id,
        "text": article.text,
        "title": article.title,
        "date": article.date,
        "source": article.source,
        "url": article.url,
        "extra": article.extra,
        "markup": article.markup,
    }
    try:
        record = orjson.dumps(fields)
    except TypeError as error:
        # A lone surrogate or an object JSON has no form for, which only the Python API can be given.
        raise InputError(f"article {article.id!r} cannot be stored: {error}") from None
    return _HEADER.pack(len(entry), len(record)) + entry + record


def decode_entry(data: bytes) -> memoryview:
    """The index entry of a record, without copying it."""
    size = _HEADER.unpack_from(data)[0]
    return memoryview(data)[_HEADER.size : _HEADER.size + size]


def decode_article(data: bytes) -> Article:
    entry, size = _HEADER.unpack_from(data)
    start = _HEADER.size + entry
    record = orjson.loads(data[start : start + size])
    return Article(
        id=record["id"],
        text=record["text"],
        title=record["title"],
        date=record["date"],
        source=record["source"],
        url=record["url"],
        extra=record["extra"],
        markup=record["markup"],
    )


def open_store(
    location: str | Path, identity: str, max_bucket: int, run_articles: int | None = None, create: bool = True
) -> Store:
    """A SQLite store in directory `location`, or a Redis store for a `redis://` URL (`run_articles`, `create`: see
    `SQLiteStore`; Redis keeps every bucket in memory)."""
    text = str(location)
    if is_redis(text):
        return RedisStore(text, identity, max_bucket)
    return SQLiteStore(Path(text), identity, max_bucket, run_articles, create)


def is_redis(location: str | Path) -> bool:
    return str(location).startswith(("redis://", "rediss://", "unix://"))


@dataclass(frozen=True, slots=True)
class StoredArticles:
    """The articles of an index (`stored_articles`): its format version, how many, and the articles themselves."""

    format: str
    count: int
    articles: Iterator[Article]


@contextmanager
def stored_articles(location: str | Path) -> Iterator[StoredArticles]:
    """Every article of the index at `location` (a directory or Redis URL), in the order they were added, read
    without writing; the index may be of this format or of one `UPGRADABLE` names. SQLite reads one snapshot;
    on Redis, articles added or removed meanwhile may or may not be read (stop its writers first)."""
    if is_redis(location):
        with _redis_articles(str(location)) as stored:
            yield stored
    else:
        with _sqlite_articles(Path(location)) as stored:
            yield stored


def format_version(location: str | Path) -> int:
    """The format version this dedupe writes at `location` (a directory or Redis URL)."""
    return FORMAT_VERSIONS["redis" if is_redis(location) else "sqlite"]


def _readable(where: str, version: str | None, backend: str) -> str:
    current = FORMAT_VERSIONS[backend]
    if version != str(current) and version not in UPGRADABLE[backend]:
        raise StoreError(
            f"{where}: index format version {version}, which this dedupe (version {current}) cannot read "
            "(rebuild the index with `dedupe index add`, or use the dedupe version that wrote it)"
        )
    return version


@contextmanager
def _sqlite_articles(directory: Path) -> Iterator[StoredArticles]:
    path = directory / DATABASE
    if not path.is_file():
        raise StoreError(f"{directory}: no index there (no {DATABASE})")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            db.execute("BEGIN")
            meta = dict(db.execute("SELECT key, value FROM meta"))
            count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            rows = db.execute("SELECT record FROM articles ORDER BY seq")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: cannot read the index ({error})") from None
        version = _readable(str(path), meta.get("format"), "sqlite")
        yield StoredArticles(version, count, (decode_article(row[0]) for row in rows))
    finally:
        db.close()


# Records `_redis_articles` asks Redis for at a time.
_READ_RECORDS = 1000


@contextmanager
def _redis_articles(url: str) -> Iterator[StoredArticles]:
    import redis

    base, prefix = _redis_location(url)
    client = redis.Redis.from_url(base, socket_timeout=30)
    records = prefix + b"rec"
    try:
        meta = {k.decode(): v.decode() for k, v in client.hgetall(prefix + b"meta").items()}
        if not meta:
            raise StoreError(f"{url}: no index there")
        version = _readable(url, meta.get("format"), "redis")
        seqs = sorted(int(seq) for seq in client.hkeys(records))

        def articles() -> Iterator[Article]:
            for first in range(0, len(seqs), _READ_RECORDS):
                for record in client.hmget(records, seqs[first : first + _READ_RECORDS]):
                    if record is not None:  # removed since
                        yield decode_article(record)

        yield StoredArticles(version, len(seqs), articles())
    except redis.RedisError as error:
        raise StoreError(f"{url}: cannot read the index ({error})") from None
    finally:
        client.close()


def _redis_location(url: str) -> tuple[str, bytes]:
    """The server's URL and the prefix of the index's keys (`#name` at the end of `url` names the index)."""
    name = urlparse(url).fragment or "dedupe"
    return url.split("#", 1)[0], f"{{{name}}}:".encode()


# executescript() would commit the open transaction, so statements run one by one inside it. `recent` holds the keys
# of the articles added since the last run was written.
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE articles (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record BLOB NOT NULL)",
    # The band keys each article not yet in runs was added to its buckets under (capped), per level: sorted signed
    # int64, little-endian. One row per article: its add writes a page or two, where a row per key wrote one B-tree
    # page per key (about 290) into the WAL at every commit.
    "CREATE TABLE recent (seq INTEGER PRIMARY KEY, document BLOB NOT NULL, passage BLOB NOT NULL)",
    # Articles removed whose keys may still be in runs (runs are immutable): their memberships are dropped.
    "CREATE TABLE removed (seq INTEGER PRIMARY KEY)",
)
_LEVELS = ("document", "passage")
RUNS = "runs"
# The directory of the entry segments (`_Segment`), and their key in the manifest of runs.
ENTRIES = "entries"
# Articles whose band keys gather in SQLite (`recent`) before they are written as a run: about 1M passage keys, which
# each process also holds in memory (`_Recent`, about 30 MB).
RUN_ARTICLES = 4096
# A run is merged with the one before it while that one is less than this many times its size: about
# log2(articles / RUN_ARTICLES) runs per level, each band key rewritten about as many times.
_MERGE_RATIO = 2
# Every this many keys of a run one is kept in memory, so a lookup searches a block of 8 KB of the map (two pages)
# instead of all of it: 2 MB of fences for a run of 270 million keys (1M articles' passage keys), read at open.
_FENCE = 1024


def _sorted_signed(keys: np.ndarray) -> np.ndarray:
    """Band keys as SQLite and the runs hold them (signed, the same bits), sorted."""
    return np.sort(keys.astype(np.uint64).view(np.int64))


def _json(values: np.ndarray | list[int]) -> bytes:
    """Integers as one JSON array: a statement reads any number of them through `json_each`, so its text is the
    same for every lookup and SQLite prepares it once (an `IN (?, ?, ...)` list is a new statement per length)."""
    return orjson.dumps(values.tolist() if isinstance(values, np.ndarray) else values)


def _counts(rows: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """How many of the `(key, seq)` rows have each of the sorted `keys`."""
    found = np.sort(rows[:, 0])
    return np.searchsorted(found, keys, "right") - np.searchsorted(found, keys, "left")


_RECORDS = "SELECT a.seq, a.record FROM json_each(?1) AS j JOIN articles AS a ON a.seq = j.value"
_INDEXED = "SELECT a.id FROM json_each(?1) AS j JOIN articles AS a ON a.id = j.value"
_SEQS = "SELECT a.id, a.seq FROM json_each(?1) AS j JOIN articles AS a ON a.id = j.value"


@dataclass(frozen=True, slots=True)
class _Run:
    """One immutable sorted run of `(key, seq)` band rows (keys signed, as in SQLite), memory-mapped, with every
    `_FENCE`-th key in memory (`kernels.sorted_bounds`)."""

    name: str
    keys: np.ndarray
    seqs: np.ndarray
    fences: np.ndarray
    mapped: mmap.mmap

    @classmethod
    def open(cls, path: Path) -> _Run:
        mapped = _map(path)
        data = np.frombuffer(mapped, dtype="<i8")
        half = len(data) // 2
        keys = data[:half]
        return cls(path.name, keys, data[half:], np.ascontiguousarray(keys[::_FENCE]), mapped)

    def members(self, keys: np.ndarray) -> np.ndarray:
        """The rows of the sorted signed `keys`, as an `(m, 2)` array."""
        return kernels.sorted_members(self.keys, self.seqs, self.fences, _FENCE, keys)

    def counts(self, keys: np.ndarray) -> np.ndarray:
        return kernels.sorted_bounds(self.keys, self.fences, _FENCE, keys)[1]


class _Recent:
    """The band rows of the articles not yet in runs (the `recent` table), as one process holds them to look keys up
    in: per level, an open-addressing hash table (`kernels.recent_members`). A lookup reads only the rows added since
    the last (`seen`); when runs are written or an article is removed, the table is read again whole."""

    def __init__(self) -> None:
        self.seen = 0
        # Per level, the slots' keys and their sequence numbers (0: an empty slot).
        self._slots = {
            level: (np.zeros(_RECENT_SLOTS, np.int64), np.zeros(_RECENT_SLOTS, np.int64)) for level in _LEVELS
        }
        self._rows = dict.fromkeys(_LEVELS, 0)

    def follow(self, db: sqlite3.Connection) -> None:
        """Take in the rows added since the last call (in the caller's transaction)."""
        rows = db.execute(
            "SELECT seq, document, passage FROM recent WHERE seq > ? ORDER BY seq", (self.seen,)
        ).fetchall()
        if not rows:
            return
        for level, (keys, seqs) in _recent_rows(rows).items():
            self._add(level, keys, seqs)
        self.seen = rows[-1][0]

    def warm(self) -> None:
        """Load the compiled kernel that adds rows (the lookups load the others), as `SQLiteStore.warm` promises."""
        kernels.recent_add(*self._slots["document"], _NO_SEQS, _NO_SEQS)

    def members(self, level: str, keys: np.ndarray) -> np.ndarray:
        """The `(key, seq)` rows of the sorted signed `keys`, as an `(m, 2)` array (as `_Run.members`)."""
        return kernels.recent_members(*self._slots[level], keys)

    def counts(self, level: str, keys: np.ndarray) -> np.ndarray:
        return kernels.recent_counts(*self._slots[level], keys)

    def _add(self, level: str, keys: np.ndarray, seqs: np.ndarray) -> None:
        slot_keys, slot_seqs = self._slots[level]
        rows = self._rows[level] + len(keys)
        if rows > _RECENT_LOAD * len(slot_keys):
            # Grown to a power of two with room: the rows held so far go in again, then the new ones.
            held = np.flatnonzero(slot_seqs)
            keys, seqs = np.concatenate([slot_keys[held], keys]), np.concatenate([slot_seqs[held], seqs])
            size = 1 << int(np.ceil(np.log2(rows / _RECENT_LOAD)))
            slot_keys, slot_seqs = np.zeros(size, np.int64), np.zeros(size, np.int64)
            self._slots[level] = slot_keys, slot_seqs
        kernels.recent_add(slot_keys, slot_seqs, keys, seqs)
        self._rows[level] = rows


# The recent rows' hash tables start with this many slots, and grow when more than this share of them is taken (linear
# probing stays short below it).
_RECENT_SLOTS = 1024
_RECENT_LOAD = 0.6


def _recent_rows(rows: list[tuple[int, bytes, bytes]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The `(seq, document, passage)` rows of `recent` as each level's keys and their sequence numbers."""
    found = {}
    for number, level in enumerate(_LEVELS, start=1):
        blobs = [row[number] for row in rows]
        keys = np.frombuffer(b"".join(blobs), dtype="<i8").astype(np.int64)
        seqs = np.repeat(np.array([row[0] for row in rows], dtype=np.int64), [len(blob) // 8 for blob in blobs])
        found[level] = keys, seqs
    return found


def _by_article(rows: np.ndarray, seqs: np.ndarray) -> list[bytes]:
    """Of `(key, seq)` rows sorted by key, each of the sorted sequence numbers `seqs`' keys as a `recent` blob."""
    rows = rows[np.lexsort((rows[:, 0], rows[:, 1]))]
    bounds = [*np.searchsorted(rows[:, 1], seqs, "left").tolist(), len(rows)]
    keys = rows[:, 0].astype("<i8")
    return [keys[start:end].tobytes() for start, end in itertools.pairwise(bounds)]


def _map(path: Path) -> mmap.mmap:
    """A file mapped read-only (arrays over it keep it open; compiled calls take them)."""
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


# Linux's MADV_POPULATE_READ (kernel 5.14 on; Python 3.11's mmap module does not name it).
_POPULATE_READ = getattr(mmap, "MADV_POPULATE_READ", 22)


def _populate(mapped: mmap.mmap) -> None:
    """Map every page of `mapped` into the process now (reading those not in the page cache), so that lookups do
    not fault them in one at a time (Linux; a kernel before 5.14 refuses, and the pages are faulted in as read)."""
    with suppress(OSError):
        mapped.madvise(_POPULATE_READ)


def _write_run(path: Path, keys: np.ndarray, seqs: np.ndarray) -> None:
    _write_durably(
        path, [np.ascontiguousarray(keys, dtype="<i8").tobytes(), np.ascontiguousarray(seqs, dtype="<i8").tobytes()]
    )


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _merge(older: _Run, newer: _Run, path: Path) -> None:
    """Merge two runs into one sorted by key, then sequence (every sequence of `newer` is above `older`'s), written
    through a memory map so that neither run is copied into memory."""
    total = len(older.keys) + len(newer.keys)
    temporary = path.with_suffix(".tmp")
    out = np.memmap(temporary, dtype="<i8", mode="w+", shape=(2 * total,))
    # Rows of the newer run go after the older run's rows of the same key.
    at = np.searchsorted(older.keys, newer.keys, "right") + np.arange(len(newer.keys))
    rest = np.ones(total, dtype=bool)
    rest[at] = False
    for column, (a, b) in enumerate(((older.keys, newer.keys), (older.seqs, newer.seqs))):
        part = out[column * total : (column + 1) * total]
        part[at] = b
        part[rest] = a
    out.flush()
    del out
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


_SEGMENT_HEADER = struct.Struct("<qq")


@dataclass(frozen=True, slots=True)
class _Segment:
    """The index entries of the articles of sequence numbers `first` + 1 to `last`, memory-mapped: an immutable
    file (`entries/*.bin`) written when their band keys went into runs. Its header (`first`, how many numbers),
    then each number's byte offset in the entries (int64, one more than the numbers), then the entries, an empty
    one for a number whose article was removed before. A lookup slices the map instead of reading records from
    SQLite, which cost one B-tree seek and a record copy per bucket member (about 4 us each at 1M articles,
    benchmarks/README.md, "Ingestion gate")."""

    name: str
    first: int
    last: int
    offsets: np.ndarray
    entries: memoryview
    mapped: mmap.mmap

    @classmethod
    def open(cls, path: Path) -> _Segment:
        mapped = _map(path)
        first, count = _SEGMENT_HEADER.unpack_from(mapped)
        start = _SEGMENT_HEADER.size + 8 * (count + 1)
        offsets = np.frombuffer(mapped, dtype="<i8", count=count + 1, offset=_SEGMENT_HEADER.size)
        return cls(path.name, first, first + count, offsets, memoryview(mapped)[start:], mapped)

    def of(self, seqs: np.ndarray) -> dict[int, memoryview]:
        """The entries of `seqs`, sequence numbers in this segment's range (an empty entry is left out)."""
        at = seqs - (self.first + 1)
        starts, ends = self.offsets[at].tolist(), self.offsets[at + 1].tolist()
        entries = self.entries
        return {seq: entries[a:b] for seq, a, b in zip(seqs.tolist(), starts, ends, strict=True) if b > a}


def _write_segment(path: Path, first: int, last: int, entries: dict[int, bytes | memoryview]) -> None:
    """Write durably the segment of the numbers `first` + 1 to `last` holding `entries` (by sequence number)."""
    sizes = np.zeros(last - first + 1, dtype=np.int64)
    for seq, entry in entries.items():
        sizes[seq - first] = len(entry)
    offsets = np.cumsum(sizes)
    _write_durably(
        path,
        [
            _SEGMENT_HEADER.pack(first, last - first),
            offsets.astype("<i8").tobytes(),
            *(entries[k] for k in sorted(entries)),
        ],
    )


def _merge_segments(older: _Segment, newer: _Segment, path: Path) -> None:
    """One segment of both (`newer` starts where `older` ends: each segment starts at the flushed mark, and a version
    that wrote no segments, moving the mark, also dropped every segment from the manifest)."""
    offsets = np.concatenate([older.offsets, newer.offsets[1:] + older.offsets[-1]])
    header = _SEGMENT_HEADER.pack(older.first, newer.last - older.first)
    _write_durably(path, [header, offsets.astype("<i8").tobytes(), older.entries, newer.entries])


def _write_durably(path: Path, parts: list[bytes | memoryview]) -> None:
    """Write a file durably: its bytes and its directory entry reach the disk before a commit names it."""
    temporary = path.with_suffix(".tmp")
    with open(temporary, "wb") as handle:
        for part in parts:
            handle.write(part)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _sync_directory(path.parent)


class SQLiteStore:
    """An embedded index: one SQLite database in WAL mode, and the sorted runs of its older band keys, in a directory.

    Every write transaction commits durably (`synchronous=FULL`: the WAL is fsynced before COMMIT returns), so an
    acknowledged add survives SIGKILL and power loss. `write()` holds the one write lock (`BEGIN IMMEDIATE`), which
    makes a check and its add atomic across processes; nesting `write()` groups several adds into one commit.
    Runs are written and merged under the write lock, before the commit that names them in `meta` (a run that no
    commit names is a leftover of a crash, removed at the next open); a lookup reads the run list and the recent
    rows added since its last in one read transaction, so it sees every key exactly once.
    """

    backend = "sqlite"

    def __init__(
        self, directory: Path, identity: str, max_bucket: int, run_articles: int | None = None, create: bool = True
    ) -> None:
        """`create`: make an empty index when `directory` holds none (else that is a `StoreError`: a check against a
        mistyped directory would otherwise find every article new)."""
        self.path = directory / DATABASE
        self.max_bucket = max_bucket
        self.run_articles = run_articles or RUN_ARTICLES
        if directory.exists() and not directory.is_dir():
            raise StoreError(f"{directory}: not a directory (--index names a directory that holds {DATABASE})")
        if not create and not self.path.exists():
            raise StoreError(f"{directory}: no index there (no {DATABASE}; `dedupe index add` builds one)")
        directory.mkdir(parents=True, exist_ok=True)
        self._runs_directory = directory / RUNS
        self._runs: dict[str, list[_Run]] = {level: [] for level in _LEVELS}
        self._entries_directory = directory / ENTRIES
        self._segments: list[_Segment] = []
        # The last sequence number of each segment, for finding a number's segment by binary search.
        self._segment_lasts = _NO_SEQS
        self._manifest = ""
        self._removed: frozenset[int] = frozenset()
        self._removals = ""
        self._recent = _Recent()
        self._retired: list[Path] = []
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=60.0, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA cache_size=-65536")
            # Reads through the memory map save a copy per page; SQLite caps the size at its compile-time limit.
            self._db.execute(f"PRAGMA mmap_size={1 << 40}")
            self._cache = _RecordCache()
            self._depth = 0
            with self.write():
                self._create(identity)
                self._remove_leftovers()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: cannot open the index ({error})") from None

    def _create(self, identity: str) -> None:
        db = self._db
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            if tables:
                raise StoreError(f"{self.path}: not a dedupe index (it has tables but no format record)")
            for statement in _SCHEMA:
                db.execute(statement)
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("format", str(FORMAT_VERSIONS[self.backend])),
                    ("config", identity),
                    ("runs", "{}"),
                    ("flushed", "0"),
                ],
            )
            db.execute("INSERT INTO meta VALUES ('removals', '0')")
        meta = dict(db.execute("SELECT key, value FROM meta"))
        _check_meta(str(self.path), self.backend, meta.get("format"), meta.get("config"), identity)

    def _remove_leftovers(self) -> None:
        """Remove run files no commit names (a crash between writing a run and committing it, or before removing
        the runs a merge replaced). Under the write lock, so no other process is writing one."""
        self._runs_directory.mkdir(exist_ok=True)
        self._entries_directory.mkdir(exist_ok=True)
        self._refresh()
        named = {run.name for runs in self._runs.values() for run in runs}
        named |= {segment.name for segment in self._segments}
        for path in [*self._runs_directory.iterdir(), *self._entries_directory.iterdir()]:
            if path.name not in named:
                path.unlink(missing_ok=True)

    @contextmanager
    def write(self) -> Iterator[None]:
        """One exclusive, durable transaction (nested calls join the outer one: group commit)."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self._write_runs()
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            self._retired.clear()
            self._manifest = ""  # the runs in memory may be those of the rolled-back transaction
            raise
        self._depth = 0
        try:
            self._db.execute("COMMIT")
        except BaseException:
            self._retired.clear()  # the runs a merge replaced are still the committed ones
            self._manifest = ""
            raise
        for path in self._retired:
            path.unlink(missing_ok=True)  # a reader that still maps it keeps its pages
        self._retired.clear()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction (or the write transaction already open): the runs and tables of one moment."""
        if self._depth:
            yield
            return
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def _refresh(self) -> None:
        """Follow the run list, the removed articles and the recent rows of the current transaction (other processes
        change them)."""
        meta = dict(self._db.execute("SELECT key, value FROM meta WHERE key IN ('runs', 'removals')"))
        if meta["runs"] != self._manifest:
            names: dict[str, list[str]] = orjson.loads(meta["runs"])
            opened = {run.name: run for runs in self._runs.values() for run in runs}
            self._runs = {
                level: [opened.get(name) or _Run.open(self._runs_directory / name) for name in names.get(level, [])]
                for level in _LEVELS
            }
            # Named by this version's flushes (a version that wrote no segments dropped them from the manifest): the
            # numbers before the first are read from their records.
            known = {segment.name: segment for segment in self._segments}
            self._segments = [
                known.get(name) or _Segment.open(self._entries_directory / name) for name in names.get(ENTRIES, [])
            ]
            self._segment_lasts = np.array([segment.last for segment in self._segments], dtype=np.int64)
            self._manifest = meta["runs"]
            self._recent = _Recent()  # the rows it held went into the new runs
        if meta["removals"] != self._removals:
            self._removed = frozenset(row[0] for row in self._db.execute("SELECT seq FROM removed"))
            self._removals = meta["removals"]
            self._recent = _Recent()  # without the removed articles' rows
        self._recent.follow(self._db)

    def lookup(self, keys: Keys) -> Found:
        for attempt in range(3):
            try:
                with self._snapshot():
                    self._refresh()
                    return self._lookup(keys)
            except FileNotFoundError:
                # A run of this snapshot was merged away and removed by a later commit: read a newer snapshot.
                self._manifest = ""
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _lookup(self, keys: Keys) -> Found:
        wanted = {level: _sorted_signed(getattr(keys, level)) for level in _LEVELS}
        members = self._members(wanted)
        documents, passages = members["document"], members["passage"]
        # Bucket sizes count every row, those of removed articles still in runs included, as `_sizes` does. Every
        # row's key is one of those wanted: its bucket is its key's place among them.
        buckets = {level: np.searchsorted(wanted[level], members[level][:, 0]) for level in _LEVELS}
        sizes = Sizes(*(np.bincount(buckets[level], minlength=len(wanted[level])) for level in _LEVELS), self._removals)
        # A full passage bucket is boilerplate: its members are no candidates through it.
        full = sizes.passage >= self.max_bucket
        if full.any():
            passages = passages[~full[buckets["passage"]]]
        if self._removed:
            removed = np.sort(np.fromiter(self._removed, dtype=np.int64, count=len(self._removed)))
            documents = documents[~contains(removed, documents[:, 1])]
            passages = passages[~contains(removed, passages[:, 1])]
        entries, records = self._entries(union(documents[:, 1], passages[:, 1]))
        return Found(
            entries,
            frozenset(documents[:, 1].tolist()),
            # Contiguous, as Redis's are: the compiled candidate rule then takes one type of array.
            np.ascontiguousarray(passages[:, 0]).view(np.uint64),
            passages[:, 1].copy(),
            self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0],
            sizes,
            records=records,
        )

    def _members(self, wanted: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The `(key, seq)` rows of the buckets of the sorted signed keys `wanted` of each level, from the recent rows
        and every run, as `(m, 2)` int64 arrays (keys as stored: signed)."""
        return {
            level: np.concatenate(
                [self._recent.members(level, keys), *(run.members(keys) for run in self._runs[level])]
            )
            for level, keys in wanted.items()
        }

    def _entries(self, seqs: np.ndarray) -> tuple[dict[int, bytes | memoryview], dict[int, bytes]]:
        """The entries of the sorted sequence numbers `seqs`: from the segments, and from the records (also
        returned) of the articles no segment holds (those added since the last run, or flushed by a version that
        wrote no segments)."""
        entries: dict[int, bytes | memoryview] = {}
        which = np.searchsorted(self._segment_lasts, seqs)
        for number in distinct(which).tolist():
            if number == len(self._segments):
                continue
            segment, mine = self._segments[number], seqs[which == number]
            entries.update(segment.of(mine[mine > segment.first]))
        records = self.records([seq for seq in seqs.tolist() if seq not in entries])
        entries.update((seq, decode_entry(record)) for seq, record in records.items())
        return entries, records

    def warm(self) -> None:
        """Read the recent rows and load their kernels, and map every page of the runs and segments into this process
        now, when they fit in half the machine's memory: a fresh worker's lookups would otherwise fault them in a page
        or two per key and run (at 1M indexed the runs' search cost 0.76 ms a lookup in a fresh process, 0.35 ms once
        mapped; mapping the 6.4 GB of runs and segments took about 1 s from the page cache). The database, whose
        records (the texts) SQLite reads through a map of its own, is read into the page cache too when it fits
        beside them: where it was not, the checks that read many records waited on the disk (at 1M the p99 of a
        check 15 -> 31 ms with the database's pages evicted). Runs and segments written later are mapped as read."""
        with self._snapshot():
            self._refresh()
        self._recent.warm()
        if not sys.platform.startswith("linux"):
            return
        maps = [run.mapped for runs in self._runs.values() for run in runs]
        maps += [segment.mapped for segment in self._segments]
        mapped_size, half = sum(len(m) for m in maps), os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
        if mapped_size > half:
            return
        for mapped in maps:
            _populate(mapped)
        database = self.path.stat().st_size
        if 0 < database <= half - mapped_size:
            with _map(self.path) as mapped:
                _populate(mapped)

    def records(self, seqs: list[int]) -> dict[int, bytes]:
        missing = self._cache.missing(seqs)
        rows = self._db.execute(_RECORDS, (_json(missing),)).fetchall() if missing else []
        return self._cache.take(seqs, dict(rows))

    def insert(self, article: Article, entry: bytes, keys: Keys, found: Found | None) -> Inserted:
        """Add the article, unless its id is indexed ("exists") or, when `found` is given, an article joined one of
        its buckets after that lookup ("conflict": the caller judges again). A lookup outside the write lock lets
        several processes verify at once; only the add takes the lock."""
        with self.write():
            self._refresh()
            if found is not None and self._joined_since(keys, found.token):
                return "conflict"
            try:
                cursor = self._db.execute(
                    "INSERT INTO articles (id, record) VALUES (?, ?)", (article.id, encode_article(article, entry))
                )
            except sqlite3.IntegrityError:
                return "exists"
            seq = cursor.lastrowid
            wanted = {level: _sorted_signed(getattr(keys, level)) for level in _LEVELS}
            # A full bucket is not grown: its members are counted in the table and in every run. The lookup counted
            # them already, and its counts still hold when no article joined these buckets since (else "conflict"
            # above) and none was removed (a run written since holds the rows the table held).
            sizes = found.sizes if found is not None else None
            if sizes is None or sizes.removals != self._removals:
                sizes = self._sizes(wanted)
            kept = [wanted[level][getattr(sizes, level) < self.max_bucket].astype("<i8").tobytes() for level in _LEVELS]
            self._db.execute("INSERT INTO recent VALUES (?, ?, ?)", (seq, *kept))
        return "added"

    def _joined_since(self, keys: Keys, token: int) -> bool:
        """Whether an article above sequence number `token` is in one of the buckets of `keys` (write lock held)."""
        if self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0] <= token:
            return False  # nothing was added since: the common case of a single writer
        members = self._members({level: _sorted_signed(getattr(keys, level)) for level in _LEVELS})
        return any(bool((rows[:, 1] > token).any()) for rows in members.values())

    def _sizes(self, wanted: dict[str, np.ndarray]) -> Sizes:
        """How many articles each bucket of the sorted signed keys `wanted` of each level holds, in the recent rows
        and the runs."""
        return Sizes(
            self._bucket_sizes("document", wanted["document"]),
            self._bucket_sizes("passage", wanted["passage"]),
            self._removals,
        )

    def _bucket_sizes(self, level: str, keys: np.ndarray, table: np.ndarray | None = None) -> np.ndarray:
        """How many rows each bucket of the sorted signed `keys` of one level holds in the recent rows (or in `table`,
        the recent table's sorted rows, when read already) and the runs."""
        sizes = self._recent.counts(level, keys) if table is None else _counts(table, keys)
        for run in self._runs[level]:
            sizes += run.counts(keys)
        return sizes

    def insert_many(self, articles: Sequence[Article], entries: Sequence[bytes], keys: KeyRows) -> list[bool]:
        """Add many articles in one durable transaction, as `insert` of each in turn (without a lookup) would:
        whether each was added (False: its id is indexed, or came earlier in `articles`). Their band keys, capped
        in the order of the articles, go straight into a sorted run with the recent rows (once the run is due), else
        into `recent`, a row per article."""
        db = self._db
        ids = [article.id for article in articles]
        with self.write():
            self._refresh()
            indexed = {row[0] for row in db.execute(_INDEXED, (orjson.dumps(ids),))}
            added = []
            for doc_id in ids:
                added.append(doc_id not in indexed)
                indexed.add(doc_id)
            fresh = [k for k, new in enumerate(added) if new]
            if not fresh:
                return added
            db.executemany(
                "INSERT INTO articles (id, record) VALUES (?, ?)",
                ((ids[k], encode_article(articles[k], entries[k])) for k in fresh),
            )
            # Sequence numbers ascend in the order of the inserts (AUTOINCREMENT), so rows sorted by key, then
            # article, are sorted by key, then sequence number, as the runs are.
            seqs = dict(db.execute(_SEQS, (orjson.dumps([ids[k] for k in fresh]),)))
            seq_of = np.full(len(articles), -1, dtype=np.int64)
            seq_of[fresh] = [seqs[ids[k]] for k in fresh]
            rows = {}
            for level in _LEVELS:
                level_rows = getattr(keys, level)
                level_seqs = seq_of[level_rows[:, 1]]
                kept = level_seqs >= 0
                rows[level] = np.stack([level_rows[kept, 0], level_seqs[kept]], axis=1)
            last = int(seq_of.max())
            flushed = int(db.execute("SELECT value FROM meta WHERE key = 'flushed'").fetchone()[0])
            if last - flushed >= self.run_articles:
                self._flush(last, rows)
            else:
                kept = [_by_article(self._capped(level, rows[level], None), seq_of[fresh]) for level in _LEVELS]
                db.executemany("INSERT INTO recent VALUES (?, ?, ?)", zip(seq_of[fresh].tolist(), *kept, strict=True))
        return added

    def _recent_table(self) -> dict[str, np.ndarray]:
        """The `(key, seq)` rows of the `recent` table per level, sorted."""
        rows = self._db.execute("SELECT seq, document, passage FROM recent ORDER BY seq").fetchall()
        table = {}
        for level, (keys, seqs) in _recent_rows(rows).items():
            order = np.argsort(keys, kind="stable")  # by key, then sequence: the rows came in sequence order
            table[level] = np.stack([keys[order], seqs[order]], axis=1)
        return table

    def _capped(self, level: str, rows: np.ndarray, table: np.ndarray | None) -> np.ndarray:
        """Of new `(key, seq)` rows of one level, sorted, those that `insert` of their articles in sequence order
        would keep: a bucket takes new members until it holds `max_bucket`, counted in the recent rows (the sorted
        rows `table` of the recent table, when read already) and the runs, removed articles' rows still in runs
        included, as `_sizes` counts."""
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:, 0] != rows[:-1, 0]
        starts = np.flatnonzero(first)
        keys = rows[starts, 0]
        sizes = self._bucket_sizes(level, keys, table)
        # A new row is the (rank + 1)-th new member of its bucket, ranked in sequence order.
        bucket = np.cumsum(first) - 1
        rank = np.arange(len(rows)) - starts[bucket]
        return rows[sizes[bucket] + rank < self.max_bucket]

    def _write_runs(self) -> None:
        """Inside the outermost write transaction: once `run_articles` articles were added since the last run, write
        each level's recent rows as a new run (`_flush`)."""
        db = self._db
        flushed = int(db.execute("SELECT value FROM meta WHERE key = 'flushed'").fetchone()[0])
        last = db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
        if last - flushed < self.run_articles:
            return
        self._flush(last, {})

    def _flush(self, last: int, added: dict[str, np.ndarray], compact: bool = False) -> None:
        """Inside the outermost write transaction: write each level's recent rows, with the `(key, seq)` rows `added`
        of articles not among them (above their sequence numbers, capped here), as a new run, merge runs of similar
        size (`compact`: every run of a level into one), and name the result in `meta` with `last`, the highest
        sequence number now in runs."""
        db = self._db
        self._refresh()
        names: dict[str, list[str]] = {}
        table = self._recent_table()
        for level in _LEVELS:
            runs = list(self._runs[level])
            rows = table[level]
            if level in added:
                rows = np.concatenate([rows, self._capped(level, added[level], rows)])
                # By key, then sequence: the table's rows come first and have the lower sequence numbers.
                rows = rows[np.argsort(rows[:, 0], kind="stable")]
            if len(rows):
                path = self._runs_directory / f"{level}-{last}.bin"
                _write_run(path, rows[:, 0], rows[:, 1])
                runs.append(_Run.open(path))
            while len(runs) >= 2 and (compact or len(runs[-2].keys) < _MERGE_RATIO * len(runs[-1].keys)):
                older, newer = runs[-2], runs.pop()
                # A compaction may follow a flush at the same `last`: its runs are named apart.
                path = self._runs_directory / f"{level}-{last}-{'c' if compact else ''}{len(runs)}.bin"
                _merge(older, newer, path)
                runs[-1] = _Run.open(path)
                self._retired += [self._runs_directory / older.name, self._runs_directory / newer.name]
            names[level] = [run.name for run in runs]
        names[ENTRIES] = [segment.name for segment in self._flush_entries(last, compact)]
        db.execute("DELETE FROM recent")
        db.execute("UPDATE meta SET value = ? WHERE key = 'runs'", (orjson.dumps(names).decode(),))
        db.execute("UPDATE meta SET value = ? WHERE key = 'flushed'", (str(last),))

    def _flush_entries(self, last: int, compact: bool = False) -> list[_Segment]:
        """Inside `_flush`, before it moves the flushed mark: write the entries of the articles the new runs add (after
        the mark, up to `last`) as a new segment, merge segments as runs merge (`compact`: all into one), and return
        them all."""
        db = self._db
        segments = list(self._segments)
        first = int(db.execute("SELECT value FROM meta WHERE key = 'flushed'").fetchone()[0])
        if last > first:
            rows = db.execute("SELECT seq, record FROM articles WHERE seq > ? AND seq <= ?", (first, last))
            path = self._entries_directory / f"{first}-{last}.bin"
            _write_segment(path, first, last, {seq: decode_entry(record) for seq, record in rows})
            segments.append(_Segment.open(path))
        while len(segments) >= 2 and (
            compact or segments[-2].last - segments[-2].first < _MERGE_RATIO * (segments[-1].last - segments[-1].first)
        ):
            older, newer = segments[-2], segments.pop()
            path = self._entries_directory / f"{older.first}-{newer.last}.bin"
            _merge_segments(older, newer, path)
            segments[-1] = _Segment.open(path)
            self._retired += [self._entries_directory / older.name, self._entries_directory / newer.name]
        return segments

    def compact(self) -> Compacted:
        """Write the recent rows into runs, then merge each level's runs into one and the entry segments into one, in
        one durable commit. A lookup searches every run of both levels: merged, a 1M index's four passage runs and
        three document runs are searched in two."""
        with self.write():
            self._refresh()
            before = sum(map(len, self._runs.values())), len(self._segments)
            last = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
            merged = all(len(runs) <= 1 for runs in self._runs.values()) and before[1] <= 1
            if not merged or self._db.execute("SELECT 1 FROM recent LIMIT 1").fetchone():
                self._flush(last, {}, compact=True)
                self._refresh()
            return Compacted((before[0], sum(map(len, self._runs.values()))), (before[1], len(self._segments)))

    def get(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return decode_article(row[0]) if row else None

    def delete(self, article_id: str, keys: Keys) -> bool:
        with self.write():
            row = self._db.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return False
            seq = row[0]
            self._db.execute("DELETE FROM recent WHERE seq = ?", (seq,))
            self._db.execute("DELETE FROM articles WHERE seq = ?", (seq,))
            self._db.execute("INSERT OR IGNORE INTO removed VALUES (?)", (seq,))
            self._db.execute("UPDATE meta SET value = CAST(value + 1 AS TEXT) WHERE key = 'removals'")
        return True

    def stats(self) -> dict[str, Any]:
        count = self._db.execute("SELECT count(*) FROM articles").fetchone()[0]
        files = [
            self.path,
            self.path.with_name(DATABASE + "-wal"),
            *self._runs_directory.iterdir(),
            *self._entries_directory.iterdir(),
        ]
        with self._snapshot():
            self._refresh()
        return {
            "backend": self.backend,
            "location": str(self.path),
            "articles": count,
            "bytes": sum(f.stat().st_size for f in files if f.exists()),
            # Each check searches every run (`compact` merges them).
            "runs": sum(map(len, self._runs.values())),
            "segments": len(self._segments),
        }

    def close(self) -> None:
        self._db.close()


def _check_meta(where: str, backend: str, version: str | None, stored: str | None, identity: str) -> None:
    current = FORMAT_VERSIONS[backend]
    if version in UPGRADABLE[backend]:
        raise StoreError(
            f"{where}: index format version {version}, but this dedupe reads version {current} "
            "(upgrade it with `dedupe index upgrade`, which indexes its articles again from their stored texts)"
        )
    if version != str(current):
        raise StoreError(
            f"{where}: index format version {version}, but this dedupe reads version {current} "
            "(rebuild the index with `dedupe index add`, or use the dedupe version that wrote it)"
        )
    if stored != identity:
        raise StoreError(
            f"{where}: index built with settings {stored}, but these settings are {identity} "
            "(band keys of other settings never match: use the same settings or rebuild the index)"
        )


# A Redis bucket holds the sequence numbers of its members, 4 bytes each (little-endian, unsigned), in the order
# added. Buckets are fields of small hashes, grouped by the first `_GROUP_BITS` bits of their keys: Redis keeps a
# hash of at most 128 fields of at most 64 bytes as one compact listpack, about 18 bytes a bucket where a string key
# of its own took 104 (benchmarks/README.md, twenty-sixth round), and 2**22 groups hold about 60 buckets each at
# 1,000,000 articles (about 270 buckets an article). A bucket is cut into chunks of at most 64 bytes (16 members), the
# first under the bucket's field, each next one under the field followed by its number, so that no value outgrows a
# listpack. A lookup reads the counter and every bucket in one script (atomic: a consistent snapshot).
_MEMBER = 4
_MAX_SEQ = (1 << 32) - 1
_GROUP_BITS = 22

# The scripts' bucket functions: `bucket` reads a bucket's chunks joined; `append` adds a member unless the bucket
# holds `cap` bytes; `rewrite` stores a bucket's members in the chunks it had (`chunks` of them), deleting the rest.
_BUCKETS = """
local CHUNK = 64
local function chunk(f, n)
  if n == 0 then return f end
  return f .. string.char(n)
end
local function bucket(group, f)
  local v = redis.call('HGET', group, f)
  if not v or #v < CHUNK then return v end
  local parts, n = {v}, 1
  while #parts[n] == CHUNK do
    local more = redis.call('HGET', group, chunk(f, n))
    if not more then break end
    n = n + 1
    parts[n] = more
  end
  return table.concat(parts)
end
local function append(group, f, member, cap)
  if redis.call('HSETNX', group, f, member) == 1 then return end  -- a new bucket (most are)
  local n = 0
  local v = redis.call('HGET', group, f)
  while v and #v == CHUNK do
    n = n + 1
    v = redis.call('HGET', group, chunk(f, n))
  end
  if n * CHUNK + (v and #v or 0) >= cap then return end
  redis.call('HSET', group, chunk(f, n), (v or '') .. member)
end
local function rewrite(group, f, members, chunks)
  for n = 0, chunks - 1 do
    local part = string.sub(members, n * CHUNK + 1, (n + 1) * CHUNK)
    if #part > 0 then redis.call('HSET', group, chunk(f, n), part) else redis.call('HDEL', group, chunk(f, n)) end
  end
end
"""

# KEYS: the sequence counter, then each bucket's group; ARGV: each bucket's field. Returns the counter, each
# bucket's length in bytes, and every bucket's members in one string (a string per bucket, about 300 and most
# empty, cost the client an object each; the lengths packed into a string cost the server a tenth more than as
# integers: benchmarks/README.md, forty-sixth round).
_LOOKUP = (
    _BUCKETS
    + """
local lengths, members = {}, {}
for i = 2, #KEYS do
  local v = bucket(KEYS[i], ARGV[i - 1])
  if v then
    lengths[i - 1] = #v
    members[#members + 1] = v
  else
    lengths[i - 1] = 0
  end
end
return {redis.call('GET', KEYS[1]) or '0', lengths, table.concat(members)}
"""
)

# Atomic insert on Redis. KEYS: sequence counter, records, ids, then each bucket's group; ARGV: id, record, the
# sequence number the lookup saw ("-" for none), the bucket cap in bytes, then each bucket's field. An article added
# to one of these buckets since the lookup makes it a conflict (the caller verifies again), so two workers never both
# accept copies of one article: nothing added anywhere since the lookup (the counter unchanged) is no conflict without
# reading a bucket, otherwise a bucket's last member is its newest.
_INSERT = (
    _BUCKETS
    + f"""
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return -1 end
local now = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[3] ~= '-' and now > tonumber(ARGV[3]) then
  local seen = tonumber(ARGV[3])
  for i = 4, #KEYS do
    local members = bucket(KEYS[i], ARGV[i + 1])
    if members and struct.unpack('<I4', string.sub(members, -4)) > seen then return 0 end
  end
end
local seq = redis.call('INCR', KEYS[1])
if seq > {_MAX_SEQ} then return redis.error_reply('the index has taken {_MAX_SEQ} adds, its most') end
local member = struct.pack('<I4', seq)
local cap = tonumber(ARGV[4])
for i = 4, #KEYS do append(KEYS[i], ARGV[i + 1], member, cap) end
redis.call('HSET', KEYS[2], seq, ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], seq)
return seq
"""
)

# Many adds on Redis, in order, as `_INSERT` of each without a lookup. KEYS: sequence counter, records, ids, then the
# groups of every article's buckets, one article after the other; ARGV: the cap in bytes, then per article its id,
# record, number of buckets and their fields. Returns per article its sequence number, or -1 when its id is indexed.
_INSERT_MANY = (
    _BUCKETS
    + f"""
local cap = tonumber(ARGV[1])
local out = {{}}
local k = 4
local a = 2
while a <= #ARGV do
  local n = tonumber(ARGV[a + 2])
  if redis.call('HEXISTS', KEYS[3], ARGV[a]) == 1 then
    out[#out + 1] = -1
  else
    local seq = redis.call('INCR', KEYS[1])
    if seq > {_MAX_SEQ} then return redis.error_reply('the index has taken {_MAX_SEQ} adds, its most') end
    local member = struct.pack('<I4', seq)
    for i = 0, n - 1 do append(KEYS[k + i], ARGV[a + 3 + i], member, cap) end
    redis.call('HSET', KEYS[2], seq, ARGV[a + 1])
    redis.call('HSET', KEYS[3], ARGV[a], seq)
    out[#out + 1] = seq
  end
  k = k + n
  a = a + 3 + n
end
return out
"""
)
# Articles per `_INSERT_MANY` call: a script blocks the server while it runs, so a batch is several calls, pipelined
# in one round trip, and other workers' commands run between them.
_INSERT_MANY_ARTICLES = 100

# KEYS: records, ids, then each bucket's group; ARGV: the id, then each bucket's field. The member is cut out of each
# bucket where it starts at a multiple of 4 bytes (the same bytes may straddle two members).
_DELETE = (
    _BUCKETS
    + """
local seq = redis.call('HGET', KEYS[2], ARGV[1])
if not seq then return 0 end
local member = struct.pack('<I4', tonumber(seq))
for i = 3, #KEYS do
  local members = bucket(KEYS[i], ARGV[i - 1])
  if members then
    local at = string.find(members, member, 1, true)
    while at and (at - 1) % 4 ~= 0 do at = string.find(members, member, at + 1, true) end
    if at then
      local rest = string.sub(members, 1, at - 1) .. string.sub(members, at + 4)
      rewrite(KEYS[i], ARGV[i - 1], rest, math.ceil(#members / CHUNK))
    end
  end
end
redis.call('HDEL', KEYS[1], seq)
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""
)


def _places(prefix: bytes, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The group (`prefix` and the first `_GROUP_BITS` bits) and the field (the last 48 bits) of each of the uint64
    `keys`, big-endian: one row of bytes per key (`uint8` arrays), built as arrays, three times faster than bytes
    from each integer."""
    width = len(prefix) + 3
    groups = np.empty((len(keys), width), dtype=np.uint8)
    groups[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    top = (keys >> np.uint64(64 - _GROUP_BITS)).astype(">u4")
    groups[:, len(prefix) :] = top.view(np.uint8).reshape(-1, 4)[:, 1:]
    fields = np.ascontiguousarray(keys.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 2:])
    return groups, fields


def _values(rows: np.ndarray) -> list[bytes]:
    """Each row of a `uint8` array as bytes (a void item becomes bytes whole; a bytes item, `S`, would lose
    trailing zero bytes)."""
    return np.ascontiguousarray(rows).view(f"V{rows.shape[1]}").ravel().tolist()


# A script's keys or arguments: one value, or many of one width (the rows of a `uint8` array).
_Items = bytes | np.ndarray


def _script_command(sha: str, keys: Sequence[_Items], args: Sequence[_Items]) -> bytes:
    """`EVALSHA sha` of `keys` and `args` as the Redis protocol writes it (RESP arrays of bulk strings). A check's
    script takes about 300 keys and as many arguments: redis-py packed them one Python object at a time, 180 us a
    command, where the rows of many values are written here at once (benchmarks/README.md, forty-sixth round)."""
    numkeys = sum(map(_count, keys))
    head = [b"EVALSHA", sha.encode("ascii"), b"%d" % numkeys]
    values = [_bulk(item) if isinstance(item, bytes) else _bulk_rows(item) for item in (*keys, *args)]
    return b"".join([b"*%d\r\n" % (len(head) + numkeys + sum(map(_count, args))), *map(_bulk, head), *values])


def _count(items: _Items) -> int:
    return 1 if isinstance(items, bytes) else len(items)


def _bulk(value: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(value), value)


def _bulk_rows(rows: np.ndarray) -> bytes:
    """The rows of a `uint8` array as RESP bulk strings, one after the other."""
    count, width = rows.shape
    head = b"$%d\r\n" % width
    out = np.empty((count, len(head) + width + 2), dtype=np.uint8)
    out[:, : len(head)] = np.frombuffer(head, dtype=np.uint8)
    out[:, len(head) : len(head) + width] = rows
    out[:, -2:] = np.frombuffer(b"\r\n", dtype=np.uint8)
    return out.tobytes()


class RedisStore:
    """A shared index on Redis for many workers on many hosts.

    Each bucket is a field of a small hash holding its members' sequence numbers (`_MEMBER` bytes each, in the order
    added; the layout is described above `_MEMBER`). A lookup is one script reading the sequence counter and every
    bucket (a consistent snapshot) and, when there are candidates, one HMGET of their records: at most two round
    trips. An insert is one Lua script, atomic on the server, that refuses when an article joined one of the buckets
    after the lookup. Keys share one hash tag, so the commands and scripts run on Redis Cluster. Durability is the
    server's (`appendonly yes` with `appendfsync always` for every
    acknowledged add).
    """

    backend = "redis"

    def __init__(self, url: str, identity: str, max_bucket: int) -> None:
        import redis

        self.url, prefix = _redis_location(url)
        self.max_bucket = max_bucket
        self._meta, self._seq, self._records, self._ids = (prefix + part for part in (b"meta", b"seq", b"rec", b"ids"))
        self._document, self._passage = prefix + b"d:", prefix + b"p:"
        self._redis = redis.Redis.from_url(self.url, socket_timeout=30)
        self._cache = _RecordCache()
        self._errors = redis.RedisError
        self._no_script = redis.exceptions.NoScriptError
        try:
            self._redis.hsetnx(self._meta, "format", str(FORMAT_VERSIONS[self.backend]))
            self._redis.hsetnx(self._meta, "config", identity)
            meta = {k.decode(): v.decode() for k, v in self._redis.hgetall(self._meta).items()}
            self._lookup = self._redis.register_script(_LOOKUP)
            self._insert = self._redis.register_script(_INSERT)
            # Loaded now, so that the first check and add are one round trip each (not NOSCRIPT, load, run again).
            self._redis.script_load(_LOOKUP)
            self._redis.script_load(_INSERT)
            self._insert_many = self._redis.register_script(_INSERT_MANY)
            self._delete = self._redis.register_script(_DELETE)
        except redis.RedisError as error:
            raise StoreError(f"{self.url}: cannot reach Redis ({error}); is redis-server running there?") from None
        _check_meta(url, self.backend, meta.get("format"), meta.get("config"), identity)

    def _places(self, keys: Keys) -> tuple[np.ndarray, np.ndarray]:
        """The group and the field of each bucket of `keys`, document level first (rows of bytes, `_places`; the
        two levels' prefixes are as long)."""
        documents, passages = _places(self._document, keys.document), _places(self._passage, keys.passage)
        return np.concatenate([documents[0], passages[0]]), np.concatenate([documents[1], passages[1]])

    def _run(self, script: Any, keys: Sequence[_Items], args: Sequence[_Items]) -> Any:
        """`script` (registered) run on `keys` and `args`, packed here (`_script_command`) and sent on a connection
        of the client's pool, retried as the client retries its own commands; loaded first if the server has lost
        it (a restart, SCRIPT FLUSH)."""
        command = _script_command(script.sha, keys, args)
        try:
            return self._send(command)
        except self._no_script:
            self._redis.script_load(script.script)
            return self._send(command)

    def _send(self, command: bytes) -> Any:
        """The reply to a packed `command`, as redis-py's own commands are sent: on a connection of its pool (which
        replaces one the server closed), retried after a connection error with the connection dropped (a reply
        left half read is dropped with it by `read_response`)."""
        pool = self._redis.connection_pool
        connection = pool.get_connection()

        def send() -> Any:
            connection.send_packed_command([command])
            return connection.read_response()

        try:
            return connection.retry.call_with_retry(send, lambda _: connection.disconnect())
        finally:
            pool.release(connection)

    @contextmanager
    def write(self) -> Iterator[None]:
        # Redis needs no lock: `insert` detects concurrent adds instead.
        yield

    def lookup(self, keys: Keys) -> Found:
        documents = len(keys.document)
        try:
            # One script, atomic on the server: the counter and every bucket, a consistent snapshot.
            groups, fields = self._places(keys)
            seen, lengths, members = self._run(self._lookup, [self._seq, groups], [fields])
        except self._errors as error:
            raise StoreError(f"{self.url}: lookup failed ({error})") from None
        sizes = np.array(lengths, dtype=np.int64) // _MEMBER
        bucket = np.repeat(np.arange(len(sizes)), sizes)
        # A full passage bucket is boilerplate and left out.
        read = (bucket < documents) | (sizes[bucket] < self.max_bucket)
        seqs = np.frombuffer(members, dtype="<u4").astype(np.int64)[read]
        bucket = bucket[read]
        in_documents = bucket < documents
        # The second round trip: the records of every member, the entries for the candidate rule and the texts for
        # verification together (two reads of the index's entries and texts would be three round trips).
        records = self.records(distinct(seqs).tolist())
        return Found(
            {seq: decode_entry(record) for seq, record in records.items()},
            frozenset(seqs[in_documents].tolist()),
            keys.passage[bucket[~in_documents] - documents],
            seqs[~in_documents],
            int(seen or 0),
            records=records,
        )

    def warm(self) -> None:
        pass  # the buckets live in the server's memory

    def records(self, seqs: list[int]) -> dict[int, bytes]:
        missing = self._cache.missing(seqs)
        try:
            fetched = self._redis.hmget(self._records, missing) if missing else []
        except self._errors as error:
            raise StoreError(f"{self.url}: lookup failed ({error})") from None
        return self._cache.take(seqs, dict(zip(missing, fetched, strict=True)))

    def insert(self, article: Article, entry: bytes, keys: Keys, found: Found | None) -> Inserted:
        seen = "-" if found is None else str(found.token)
        groups, fields = self._places(keys)
        record = encode_article(article, entry)  # refuses an id or text that cannot be stored (InputError)
        cap = self.max_bucket * _MEMBER
        try:
            result = self._run(
                self._insert,
                [self._seq, self._records, self._ids, groups],
                [article.id.encode("utf-8"), record, seen.encode("ascii"), b"%d" % cap, fields],
            )
        except self._errors as error:
            raise StoreError(f"{self.url}: add failed ({error})") from None
        return "exists" if result == -1 else "conflict" if result == 0 else "added"

    def insert_many(self, articles: Sequence[Article], entries: Sequence[bytes], keys: KeyRows) -> list[bool]:
        """Add many articles as `insert` of each in turn (without a lookup) would: whether each was added (False:
        its id is indexed, or came earlier in `articles`). Two round trips (redis-py asks whether the script is
        loaded, then sends the pipeline): a pipeline of scripts, each adding `_INSERT_MANY_ARTICLES` articles
        atomically."""
        groups: list[list[bytes]] = [[] for _ in articles]
        fields: list[list[bytes]] = [[] for _ in articles]
        for prefix, rows in ((self._document, keys.document), (self._passage, keys.passage)):
            order = np.argsort(rows[:, 1], kind="stable")
            ends = np.cumsum(np.bincount(rows[:, 1], minlength=len(articles))).tolist()
            level_groups, level_fields = map(_values, _places(prefix, rows[order, 0].astype(np.uint64)))
            for article, (start, end) in enumerate(zip([0, *ends[:-1]], ends, strict=True)):
                groups[article] += level_groups[start:end]
                fields[article] += level_fields[start:end]
        results = []
        try:
            pipeline = self._redis.pipeline(transaction=False)
            for first in range(0, len(articles), _INSERT_MANY_ARTICLES):
                part = range(first, min(first + _INSERT_MANY_ARTICLES, len(articles)))
                args: list[Any] = [self.max_bucket * _MEMBER]
                for k in part:
                    args += [articles[k].id, encode_article(articles[k], entries[k]), len(groups[k]), *fields[k]]
                buckets = [self._seq, self._records, self._ids, *(group for k in part for group in groups[k])]
                self._insert_many(keys=buckets, args=args, client=pipeline)
            results = pipeline.execute()
        except self._errors as error:
            raise StoreError(f"{self.url}: add failed ({error})") from None
        return [seq != -1 for part in results for seq in part]

    def get(self, article_id: str) -> Article | None:
        seq = self._redis.hget(self._ids, article_id)
        record = self._redis.hget(self._records, seq) if seq is not None else None
        return decode_article(record) if record is not None else None

    def compact(self) -> Compacted:
        """Nothing to merge: the buckets live in the server's memory."""
        return Compacted((0, 0), (0, 0))

    def delete(self, article_id: str, keys: Keys) -> bool:
        try:
            groups, fields = map(_values, self._places(keys))
            return bool(self._delete(keys=[self._records, self._ids, *groups], args=[article_id, *fields]))
        except self._errors as error:
            raise StoreError(f"{self.url}: remove failed ({error})") from None

    def stats(self) -> dict[str, Any]:
        info = self._redis.info("memory")
        return {
            "backend": self.backend,
            "location": self.url,
            "articles": self._redis.hlen(self._ids),
            "bytes": info.get("used_memory"),
        }

    def close(self) -> None:
        self._redis.close()
