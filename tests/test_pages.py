"""numpy's huge pages off during the long jobs, and as they were after them; freed memory kept during the scan's
array stages, and given back after them (pages.py)."""

from __future__ import annotations

import importlib
import os

import numpy as np
import pytest

import dedupe
from dedupe import pages
from tests.conftest import SEEDS

multiarray = pytest.importorskip("numpy._core.multiarray")


@pytest.fixture
def huge_pages_on(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = multiarray._set_madvise_hugepage(True)
    yield
    multiarray._set_madvise_hugepage(before)


def test_huge_pages_are_off_inside_the_block_and_as_they_were_after_it(huge_pages_on):
    with pages.ordinary():
        assert multiarray._get_madvise_hugepage() is False
    assert multiarray._get_madvise_hugepage() is True
    with pytest.raises(RuntimeError), pages.ordinary():
        raise RuntimeError
    assert multiarray._get_madvise_hugepage() is True


def test_a_users_own_setting_stands(huge_pages_on, monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    with pages.ordinary():
        assert multiarray._get_madvise_hugepage() is True


def test_the_scan_and_the_document_level_job_run_without_huge_pages(huge_pages_on, monkeypatch):
    seen: list[bool] = []

    def watched(module, name):  # type: ignore[no-untyped-def]
        function = getattr(module, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.append(multiarray._get_madvise_hugepage())
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    watched(importlib.import_module("dedupe.scan"), "fingerprint")
    watched(importlib.import_module("dedupe.near_duplicates"), "_find_near_duplicates")
    dedupe.scan([SEEDS])
    dedupe.find_near_duplicates([path.read_text(encoding="utf-8") for path in sorted(SEEDS.iterdir())], 0.8)
    assert seen == [False, False]
    assert multiarray._get_madvise_hugepage() is True


def test_blocks_on_several_threads_set_it_back_only_when_the_last_ends(huge_pages_on):
    first, second = pages.ordinary(), pages.ordinary()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # ends before the other: numpy's setting stays off for the one still running
    assert multiarray._get_madvise_hugepage() is False
    second.__exit__(None, None, None)
    assert multiarray._get_madvise_hugepage() is True


def test_the_gate_checks_and_loads_without_huge_pages(huge_pages_on, monkeypatch, tmp_path):
    from dedupe.gate import Index

    seen: list[bool] = []
    articles = [dedupe.Article(path.name, path.read_text(encoding="utf-8")) for path in sorted(SEEDS.iterdir())]
    with Index.open(tmp_path / "index") as index:
        incoming_many, incoming = index._incoming_many, index._incoming

        def watched_many(*args):  # type: ignore[no-untyped-def]
            seen.append(multiarray._get_madvise_hugepage())
            return incoming_many(*args)

        def watched(*args):  # type: ignore[no-untyped-def]
            seen.append(multiarray._get_madvise_hugepage())
            return incoming(*args)

        monkeypatch.setattr(index, "_incoming_many", watched_many)
        monkeypatch.setattr(index, "_incoming", watched)
        index.add_many(articles[:3])
        index.check_and_add(articles[3])
        index.check(articles[4])
    assert seen == [False, False, False]
    assert multiarray._get_madvise_hugepage() is True


def _resident() -> int:
    """This process's resident memory in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


glibc = pytest.mark.skipif(pages._glibc() is None, reason="glibc's malloc")


@glibc
def test_memory_freed_inside_the_block_stays_with_the_process_and_goes_back_after_it():
    size = 256 << 20
    before = _resident()
    array = np.ones(size, dtype=np.uint8)
    del array
    assert _resident() - before < size // 4  # glibc gives a large array back as it is freed
    with pages.kept():
        array = np.ones(size, dtype=np.uint8)
        del array
        assert _resident() - before > size * 3 // 4  # kept
        array = np.ones(size, dtype=np.uint8)  # in the memory kept: the process grows no further
        assert _resident() - before < size * 5 // 4
        del array
    assert _resident() - before < size // 4


@glibc
def test_memory_of_arrays_from_a_block_freed_after_it_is_given_back_on_request():
    size = 256 << 20
    before = _resident()
    with pages.kept():
        small = np.ones(1 << 20, dtype=np.uint8)
        array = np.ones(size, dtype=np.uint8)
        # Above it in the heap, so that freeing it leaves a hole, not a top (a hole an earlier test left in the heap
        # can take the first arrays asked for after it).
        later = [np.ones(1 << 20, dtype=np.uint8)]
        while later[-1].ctypes.data < array.ctypes.data:
            later.append(np.ones(1 << 20, dtype=np.uint8))
    del array
    assert _resident() - before > size * 3 // 4
    pages.give_back()
    assert _resident() - before < size // 4
    del small, later


@glibc
def test_blocks_on_several_threads_give_memory_back_only_when_the_last_ends():
    size = 128 << 20
    before = _resident()
    first, second = pages.kept(), pages.kept()
    first.__enter__()
    second.__enter__()
    array = np.ones(size, dtype=np.uint8)
    del array
    first.__exit__(None, None, None)
    assert _resident() - before > size * 3 // 4
    second.__exit__(None, None, None)
    assert _resident() - before < size // 4


def test_the_scan_keeps_freed_memory_in_its_candidates_and_the_screens_features_only(monkeypatch):
    seen: dict[str, bool] = {}

    def watched(module_name, name):  # type: ignore[no-untyped-def]
        module = importlib.import_module(module_name)
        function = getattr(module, name)

        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            seen.setdefault(name, pages._keeping > 0)
            return function(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for name in ("fingerprint", "document_level", "verify_pairs", "build_clusters"):
        watched("dedupe.scan", name)
    watched("dedupe.verify", "corpus_features")  # the screen's features
    dedupe.scan([SEEDS])
    assert seen == {
        "fingerprint": False,
        "document_level": True,
        "corpus_features": True,
        "verify_pairs": False,
        "build_clusters": False,
    }
    assert pages._keeping == 0


def test_the_screen_gives_back_the_memory_of_a_blocks_ranges_as_it_joins_them(monkeypatch):
    from dedupe import verify
    from dedupe.config import ScanConfig
    from dedupe.document import Corpus
    from dedupe.ingest import IngestLog, read_articles

    events: list[str] = []
    joined = verify._Features.joined

    def watched_join(parts):  # type: ignore[no-untyped-def]
        events.append("join")
        found = joined(parts)
        events.append("joined")
        return found

    monkeypatch.setattr(verify._Features, "joined", staticmethod(watched_join))
    monkeypatch.setattr(verify.pages, "give_back", lambda: events.append("give back"))
    monkeypatch.setattr(verify, "_SCREEN_RANGE", 2)  # ranges of two documents: every block joins two
    config = ScanConfig()
    corpus = Corpus(list(read_articles([SEEDS], IngestLog(), None)), config.shingle)
    verify.screen(corpus, np.array([[0, 4], [1, 2], [2, 4], [0, 3]]), config)
    assert events.count("join") >= 2
    # The parts' memory (kept in the heap as they were computed) goes back a field at a time as they are joined.
    for k, event in enumerate(events):
        if event == "join":
            assert events[k + 1 : k + 2 + len(verify._FLAT_FIELDS)] == ["give back"] * len(verify._FLAT_FIELDS) + [
                "joined"
            ]
