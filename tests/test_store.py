"""The embedded store on its own: band keys of any value and number are found, in the tables and in the runs, and
an add caps its buckets by their sizes at the time of the add."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dedupe.models import Article
from dedupe.store import Keys, SQLiteStore

_ENDS = np.array([0, 1, 2**63 - 1, 2**63, 2**64 - 1], dtype=np.uint64)


def _keys(document: list[int] | np.ndarray, passage: list[int] | np.ndarray) -> Keys:
    return Keys(np.unique(np.asarray(document, dtype=np.uint64)), np.unique(np.asarray(passage, dtype=np.uint64)))


def _add(store: SQLiteStore, name: str, keys: Keys) -> str:
    return store.insert(Article(name, f"text of {name}"), b"", keys, store.lookup(keys))


@pytest.mark.parametrize("run_articles", [1000, 1], ids=["tables", "runs"])
def test_keys_at_the_ends_of_the_integer_range_are_found(tmp_path: Path, run_articles: int):
    store = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=run_articles)
    keys = _keys(_ENDS, _ENDS)
    assert _add(store, "a", keys) == "added"
    found = store.lookup(keys)
    assert list(found.candidates) == [1]
    assert found.documents == {1}
    assert sorted(found.passage_keys.tolist()) == sorted(_ENDS.tolist())
    assert found.passage_keys.dtype == np.uint64


@pytest.mark.parametrize("run_articles", [1000, 1], ids=["tables", "runs"])
def test_lookup_of_more_keys_than_a_statement_takes_parameters(tmp_path: Path, run_articles: int):
    # SQLite caps the parameters of one statement at 32,766: keys are sent as one JSON array instead.
    keys = np.random.default_rng(8).integers(0, 2**64 - 1, 40_000, dtype=np.uint64, endpoint=True)
    store = SQLiteStore(tmp_path, "test", max_bucket=10, run_articles=run_articles)
    assert _add(store, "a", _keys(keys[:10], keys)) == "added"
    found = store.lookup(_keys(keys[:10], keys[::-1]))
    assert len(found.passage_seqs) == len(np.unique(keys))
    assert found.documents == {1}


@pytest.mark.parametrize("run_articles", [1000, 1], ids=["tables", "runs"])
def test_an_add_caps_its_buckets_by_their_sizes_then(tmp_path: Path, run_articles: int):
    store = SQLiteStore(tmp_path, "test", max_bucket=2, run_articles=run_articles)
    shared = 2**63 + 7
    keys = _keys([1], [shared, 99])
    for name in ("a", "b", "c"):
        assert _add(store, name, keys) == "added"
    # Full at two: the third article is not added to the buckets (by the sizes its lookup counted).
    found = store.lookup(keys)
    assert found.sizes is not None
    assert found.sizes.document.tolist() == [2]
    assert found.sizes.passage.tolist() == [2, 2]
    assert len(found.passage_seqs) == 0, "full passage buckets are boilerplate"
    assert found.documents == {1, 2}
    # A removal between a lookup and its add frees a place in the tables (not in a run): the add counts again.
    assert store.delete("b", keys)
    assert store.insert(Article("d", "text of d"), b"", keys, found) == "added"
    found = store.lookup(keys)
    if run_articles == 1:
        assert found.documents == {1}, "b's rows stay in its run and count, so d was not added"
    else:
        assert found.documents == {1, 4}
