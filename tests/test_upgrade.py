"""`Index.upgrade` and `dedupe index upgrade`: an index of the previous format is indexed again from its stored
texts, every article kept, in place or into another backend; what cannot be upgraded is refused with the reason."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import numpy as np
import orjson
import pytest
from typer.testing import CliRunner

import dedupe
from dedupe.cli import app
from dedupe.entry import measure
from dedupe.gate import Index, Upgraded
from dedupe.ingest import read_articles
from dedupe.store import FORMAT_VERSIONS, decode_article, decode_entry, encode_article
from tests.conftest import SEEDS, seed_id

ARTICLES = list(read_articles([SEEDS]))
CONFIG = dedupe.ScanConfig()
runner = CliRunner()


def previous_format_index(directory: Path, altered: str | None = None) -> None:
    """An index of the seeds marked as written by format 5. The entry of article `altered` is replaced by another
    article's and its band keys are dropped: what an older version's other entries and keys look like."""
    with Index.open(directory) as index:
        index.add_many(ARTICLES)
    with sqlite3.connect(directory / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = '5' WHERE key = 'format'")
        if altered is not None:
            seq, record = db.execute("SELECT seq, record FROM articles WHERE id = ?", (altered,)).fetchone()
            other = db.execute("SELECT record FROM articles WHERE id != ?", (altered,)).fetchone()[0]
            record = encode_article(decode_article(record), bytes(decode_entry(other)))
            db.execute("UPDATE articles SET record = ? WHERE seq = ?", (record, seq))
            db.execute("DELETE FROM recent WHERE seq = ?", (seq,))


def stored_records(directory: Path) -> list[bytes]:
    with sqlite3.connect(directory / "index.sqlite") as db:
        return [row[0] for row in db.execute("SELECT record FROM articles ORDER BY seq")]


def test_an_index_of_the_previous_format_is_refused_with_the_way_to_upgrade_it(tmp_path: Path):
    previous_format_index(tmp_path / "index")
    with pytest.raises(dedupe.StoreError) as error:
        Index.open(tmp_path / "index")
    assert str(error.value) == (
        f"{tmp_path / 'index' / 'index.sqlite'}: index format version 5, but this dedupe reads version "
        f"{FORMAT_VERSIONS['sqlite']} (upgrade it with `dedupe index upgrade`, which indexes its articles again from "
        "their stored texts)"
    )


def test_an_upgrade_in_place_indexes_every_article_again_from_its_text(tmp_path: Path):
    directory = tmp_path / "index"
    altered = seed_id("001")
    previous_format_index(directory, altered)
    upgraded = Index.upgrade(directory)
    assert upgraded == Upgraded(len(ARTICLES), "5", str(directory), str(tmp_path / "index.format5"))
    assert stored_records(tmp_path / "index.format5"), "the old index is kept"
    records = stored_records(directory)
    # Every article, in the order added, with its text and metadata (a record keeps no path); its entry computed
    # by this version.
    assert [decode_article(record) for record in records] == [dataclasses.replace(a, path=None) for a in ARTICLES]
    assert [bytes(decode_entry(record)) for record in records] == [measure(a, CONFIG)[0].encode() for a in ARTICLES]
    with Index.open(directory) as index:
        verdict = index.check(next(a for a in ARTICLES if a.id == altered))
    assert verdict.verdict == "exact-duplicate" and verdict.matches[0].article.id == altered


def test_an_index_is_upgraded_into_redis_and_from_redis_with_the_same_verdicts(tmp_path: Path, redis_url: str):
    previous_format_index(tmp_path / "old")
    assert Index.upgrade(tmp_path / "old", to=redis_url) == Upgraded(len(ARTICLES), "5", redis_url)
    with Index.open(tmp_path / "fresh") as fresh:
        fresh.add_many(ARTICLES)
        expected = [fresh.check(a).to_dict() for a in ARTICLES]
    with Index.open(redis_url) as index:
        assert [index.check(a).to_dict() for a in ARTICLES] == expected
    # Back again from Redis, marked as of the previous format too.
    import redis

    name = redis_url.split("#")[1]
    redis.Redis.from_url(redis_url.split("#")[0]).hset(f"{{{name}}}:meta", "format", "5")
    assert Index.upgrade(redis_url, to=tmp_path / "back").articles == len(ARTICLES)
    with Index.open(tmp_path / "back") as index:
        assert [index.check(a).to_dict() for a in ARTICLES] == expected


def test_an_index_of_band_rows_in_tables_is_refused_and_upgraded_in_place(tmp_path: Path):
    """Format 6 kept the band keys of the articles not yet in runs a row per key, in two tables."""
    directory = tmp_path / "index"
    with Index.open(directory) as index:
        index.add_many(ARTICLES)
        expected = [index.check(a).to_dict() for a in ARTICLES]
    with sqlite3.connect(directory / "index.sqlite") as db:
        for level in ("document", "passage"):
            db.execute(f"CREATE TABLE {level}_bands (key INTEGER, seq INTEGER, PRIMARY KEY (key, seq)) WITHOUT ROWID")
            rows = [
                (int(key), seq)
                for seq, keys in db.execute(f"SELECT seq, {level} FROM recent")
                for key in np.frombuffer(keys, dtype="<i8")
            ]
            db.executemany(f"INSERT INTO {level}_bands VALUES (?, ?)", rows)
        db.execute("DROP TABLE recent")
        db.execute("UPDATE meta SET value = '6' WHERE key = 'format'")
    with pytest.raises(dedupe.StoreError, match=r"format version 6, but this dedupe reads version 9 \(upgrade it"):
        Index.open(directory)
    assert Index.upgrade(directory) == Upgraded(len(ARTICLES), "6", str(directory), str(tmp_path / "index.format6"))
    with Index.open(directory) as index:
        assert [index.check(a).to_dict() for a in ARTICLES] == expected
        assert index.stats()["format"] == 9


def test_a_redis_index_of_string_buckets_is_refused_and_upgrades_into_a_new_one(tmp_path: Path, redis_url: str):
    import redis

    with Index.open(redis_url) as index:
        index.add_many(ARTICLES)
    base, name = redis_url.split("#")
    client = redis.Redis.from_url(base)
    # Format 7 on Redis: each bucket a string key of 8-byte members.
    for group in list(client.scan_iter(match=f"{{{name}}}:[dp]:*")):
        for field, members in client.hgetall(group).items():
            client.set(group + field, np.frombuffer(members, dtype="<u4").astype("<i8").tobytes())
        client.delete(group)
    client.hset(f"{{{name}}}:meta", "format", "7")
    with pytest.raises(dedupe.StoreError, match=r"format version 7, but this dedupe reads version 8 \(upgrade it"):
        Index.open(redis_url)
    target = f"{base}#{name}-upgraded"
    assert Index.upgrade(redis_url, to=target) == Upgraded(len(ARTICLES), "7", target)
    with Index.open(tmp_path / "fresh") as fresh:
        fresh.add_many(ARTICLES)
        expected = [fresh.check(a).to_dict() for a in ARTICLES]
    with Index.open(target) as index:
        assert [index.check(a).to_dict() for a in ARTICLES] == expected
        assert index.stats()["format"] == 8


def test_what_cannot_be_upgraded_is_refused_and_left_as_it_was(tmp_path: Path, redis_url: str):
    directory = tmp_path / "index"
    previous_format_index(directory)
    before = stored_records(directory)
    (tmp_path / "index.format5").mkdir()
    with pytest.raises(dedupe.StoreError, match=r"index\.format5: exists already"):
        Index.upgrade(directory)
    with Index.open(tmp_path / "full") as full:
        full.add(ARTICLES[0])
    with pytest.raises(dedupe.StoreError, match="full: not empty"):
        Index.upgrade(directory, to=tmp_path / "full")
    assert stored_records(directory) == before
    with pytest.raises(dedupe.StoreError, match="a Redis index is upgraded into a new one"):
        Index.upgrade(redis_url)
    with sqlite3.connect(directory / "index.sqlite") as db:
        db.execute("UPDATE meta SET value = '4' WHERE key = 'format'")
    with pytest.raises(dedupe.StoreError, match=r"index format version 4, which this dedupe \(version 9\) cannot"):
        Index.upgrade(directory)
    with pytest.raises(dedupe.StoreError, match="no index there"):
        Index.upgrade(tmp_path / "nothing")


def test_an_index_of_this_format_needs_no_upgrade(tmp_path: Path):
    with Index.open(tmp_path / "index") as index:
        index.add(ARTICLES[0])
        assert index.stats()["format"] == 9
    current = str(FORMAT_VERSIONS["sqlite"])
    assert Index.upgrade(tmp_path / "index") == Upgraded(0, current, str(tmp_path / "index"))
    assert not (tmp_path / f"index.format{current}").exists()


def test_the_upgrade_command(tmp_path: Path):
    index = str(tmp_path / "index")
    previous_format_index(tmp_path / "index")
    result = runner.invoke(app, ["index", "upgrade", "--index", index, "--json"])
    assert result.exit_code == 0, result.stderr
    assert orjson.loads(result.stdout) == {
        "articles": len(ARTICLES),
        "read_format": "5",
        "location": index,
        "kept": f"{index}.format5",
    }
    again = runner.invoke(app, ["index", "upgrade", "--index", index])
    assert again.exit_code == 0
    assert again.stderr == f"{index}: already format {FORMAT_VERSIONS['sqlite']}; nothing to do\n"
    missing = runner.invoke(app, ["index", "upgrade", "--index", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "no index there" in missing.stderr
