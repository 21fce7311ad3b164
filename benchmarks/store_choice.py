"""Which embedded store for the gate: SQLite (WAL) or LMDB, on the gate's access pattern alone.

    python benchmarks/store_choice.py --articles 20000

Synthetic band keys with the gate's shape (32 document keys and 300 passage keys per article, random 64-bit,
one in ten passage keys shared with an earlier article): bulk insert with one durable commit per 1,000 articles,
then 2,000 lookups of one article's 332 keys, then 500 single durable inserts. Both stores fsync every commit
(SQLite `synchronous=FULL`; LMDB `sync=True`). Needs `pip install lmdb` (not a dependency of dedupe).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import struct
import tempfile
import time
from pathlib import Path

import lmdb

KEYS_PER_ARTICLE = 332


def article_keys(rng: random.Random, earlier: list[list[int]]) -> list[int]:
    keys = [rng.getrandbits(63) for _ in range(KEYS_PER_ARTICLE)]
    if earlier:
        donor = rng.choice(earlier)
        keys[32::10] = donor[32::10]
    return keys


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        f"lookup_{name}_ms": round(ordered[int(q * (len(ordered) - 1))] * 1e3, 3)
        for name, q in (("p50", 0.5), ("p99", 0.99), ("max", 1.0))
    }


class SQLite:
    name = "sqlite-wal"

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path / "x.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE bands (key INTEGER, seq INTEGER, PRIMARY KEY (key, seq)) WITHOUT ROWID")

    def insert(self, batch: list[tuple[int, list[int]]]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, s) for s, keys in batch for k in keys])
        self.db.execute("COMMIT")

    def lookup(self, keys: list[int]) -> int:
        query = f"SELECT seq FROM bands WHERE key IN ({','.join('?' * len(keys))})"
        return len(self.db.execute(query, keys).fetchall())


class LMDB:
    name = "lmdb"

    def __init__(self, path: Path) -> None:
        self.env = lmdb.open(str(path / "x.lmdb"), map_size=1 << 34, max_dbs=2, sync=True)
        self.bands = self.env.open_db(b"bands", dupsort=True)

    def insert(self, batch: list[tuple[int, list[int]]]) -> None:
        with self.env.begin(write=True, db=self.bands) as txn:
            for seq, keys in batch:
                value = struct.pack(">Q", seq)
                for key in keys:
                    txn.put(struct.pack(">Q", key), value, dupdata=True)

    def lookup(self, keys: list[int]) -> int:
        found = 0
        with self.env.begin(db=self.bands) as txn:
            cursor = txn.cursor()
            for key in keys:
                if cursor.set_key(struct.pack(">Q", key)):
                    found += sum(1 for _ in cursor.iternext_dup())
        return found


def measure(store_class: type, articles: int) -> dict:
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as temp:
        store = store_class(Path(temp))
        corpus: list[list[int]] = []
        clock = time.perf_counter()
        for start in range(0, articles, 1000):
            batch = []
            for seq in range(start, min(articles, start + 1000)):
                corpus.append(article_keys(rng, corpus[-5000:]))
                batch.append((seq, corpus[-1]))
            store.insert(batch)
        build = time.perf_counter() - clock
        latencies = []
        for _ in range(2000):
            keys = article_keys(rng, corpus)
            clock = time.perf_counter()
            store.lookup(keys)
            latencies.append(time.perf_counter() - clock)
        clock = time.perf_counter()
        for seq in range(articles, articles + 500):
            store.insert([(seq, article_keys(rng, corpus))])
        single = (time.perf_counter() - clock) / 500
        size = sum(f.stat().st_size for f in Path(temp).rglob("*") if f.is_file())
    return {
        "store": store_class.name,
        "articles": articles,
        "bulk_articles_per_s": round(articles / build),
        **percentiles(latencies),
        "durable_single_insert_ms": round(single * 1e3, 2),
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    for store_class in (SQLite, LMDB):
        print(json.dumps(measure(store_class, args.articles)), flush=True)


if __name__ == "__main__":
    main()
