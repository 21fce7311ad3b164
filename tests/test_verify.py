"""Screening before alignment: the scan's candidate rule (shared with the gate) keeps what would verify and drops
most of what would not; parallel verification and ranking equal one process."""

from __future__ import annotations

import gc
import itertools
import subprocess
import sys

import numpy as np
import pytest

import dedupe
from dedupe import kernels
from dedupe.document import Corpus
from dedupe.fluency import LanguageModel
from dedupe.rank import rank_members
from dedupe.scan import find_candidates, fingerprint
from dedupe.verify import relate, screen
from tests.conftest import SEEDS


def small_corpus() -> list[dedupe.Article]:
    """The seeds, plus sentences recombined from them: partial copies, edited copies and unrelated mixes."""
    articles = [dedupe.Article(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.iterdir())]
    sentences = [s for a in articles for s in a.text.replace("\n", " ").split(". ") if len(s.split()) >= 4]
    rng = np.random.default_rng(5)
    for number in range(40):
        chosen = [str(s) for s in rng.choice(sentences, int(rng.integers(2, 9)), replace=False)]
        if number % 3 == 0:
            chosen = [" ".join(w for w in s.split() if rng.random() > 0.2) for s in chosen]
        articles.append(dedupe.Article(f"mix{number:02d}", ". ".join(chosen) + "."))
    return articles


def test_the_screen_keeps_what_verifies_and_drops_most_of_the_rest():
    config = dedupe.ScanConfig()
    corpus = Corpus(small_corpus(), config.shingle)
    candidates = find_candidates(fingerprint(corpus, config), config, {})
    screened = screen(corpus, candidates, config)
    keep = screened.keep
    related = np.array([relate(corpus.document(i), corpus.document(j), config) is not None for i, j in candidates])
    assert related.sum() > 50 and (~related).sum() > 50, "the corpus must exercise both outcomes"
    # The passage evidence is a rule, not a bound: measured 170 of 171 related pairs kept. The matching drops 88 of
    # the 90 unrelated (53 without it); it reads no names, so mixes of seed sentences whose names disagree can
    # pass it and verify as unrelated.
    assert keep[related].mean() >= 0.98
    assert (~keep[~related]).mean() >= 0.9
    # Each kept pair comes with its sentence matches, and verifying from them gives what aligning gives.
    assert len(screened.matches) == keep.sum()
    for (i, j), matches in zip(candidates[keep].tolist(), screened.matches, strict=True):
        a, b = corpus.document(i), corpus.document(j)
        assert relate(a, b, config, matches) == relate(a, b, config)


def test_a_corpus_screened_in_blocks_of_document_ranges_gives_what_it_gives_at_once(monkeypatch):
    from dedupe import verify

    config = dedupe.ScanConfig()
    corpus = Corpus(small_corpus(), config.shingle)
    candidates = find_candidates(fingerprint(corpus, config), config, {})
    whole = screen(corpus, candidates, config)
    monkeypatch.setattr(verify, "_SCREEN_RANGE", 9)  # 45 articles: 5 ranges, 10 blocks of two ranges each
    monkeypatch.setattr(verify, "_GRID_SLICE", 7)
    reported: list[int] = []
    grid = list(verify._grid(candidates, len(corpus)))
    blocks = [block.indexes() for block in grid]
    assert len(blocks) > 8 and sorted(np.concatenate(blocks).tolist()) == list(range(len(candidates)))
    assert [len(b) for b in blocks] == [block.count for block in grid]
    # A block's pairs come a slice of candidates at a time, never all its indexes at once.
    assert all(len(part) <= 7 and np.ptp(part) < 7 for block in grid for part in block.parts())
    # Each block needs the features of the two ranges it names: what bounds the screen's memory.
    for indexes, block in zip(blocks, grid, strict=True):
        assert set(np.unique(candidates[indexes] // 9).tolist()) <= set(block.ranges)
    # Each block after the first shares a range with the one before, so it computes one range's features.
    assert all(set(before.ranges) & set(after.ranges) for before, after in itertools.pairwise(grid))
    # A pair given either way round falls in the same block.
    turned = [block.indexes().tolist() for block in verify._grid(candidates[:, ::-1], len(corpus))]
    assert turned == [b.tolist() for b in blocks]
    computed: list[np.ndarray] = []
    features_of = verify._Features.of.__func__  # type: ignore[attr-defined]

    def counted(cls, corpus, documents, config):  # type: ignore[no-untyped-def]
        computed.append(documents)
        return features_of(cls, corpus, documents, config)

    monkeypatch.setattr(verify._Features, "of", classmethod(counted))
    in_blocks = screen(corpus, candidates, config, reported.append)
    assert whole.keep.sum() > 50 and np.array_equal(in_blocks.keep, whole.keep)
    assert len(in_blocks.matches) == len(whole.matches)
    for mine, theirs in zip(in_blocks.matches, whole.matches, strict=True):
        assert np.array_equal(mine, theirs)
    assert reported == sorted(reported) and reported[-1] == len(candidates)
    assert len(computed) == len(blocks) + 1, "a range's features computed again within a run of blocks holding it"


def test_parallel_verification_and_ranking_give_the_single_process_result(monkeypatch, tmp_path):
    import tempfile

    from dedupe import workers

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the ranking writes its model for the workers
    monkeypatch.setattr(workers, "_MIN_PARALLEL", 1)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    articles = small_corpus()
    single = dedupe.scan(articles, dedupe.ScanConfig(workers=1))
    parallel = dedupe.scan(articles, dedupe.ScanConfig(workers=2))
    assert len(single.pairs) > 10
    assert parallel.pairs == single.pairs
    # Ranked in the workers verification started: the language model leaves each cluster's texts out there too
    # (keyed by Python's per-process `hash`, it left out nothing and the scores differed).
    assert len(single.clusters) > 2
    assert parallel.clusters == single.clusters
    assert list(tmp_path.glob("dedupe-*")) == []  # the model's file is gone


def test_few_clusters_are_ranked_in_process_when_no_worker_runs():
    from dedupe import workers

    result = dedupe.scan(small_corpus(), dedupe.ScanConfig(workers=1))
    by_id = {a.id: a for a in result.documents}
    clusters = [[by_id[m.id] for m in c.members] for c in result.clusters]
    pairs = {(p.a, p.b): p for p in result.pairs}
    with workers.Workers(2) as idle:
        ranked = workers.rank_clusters(clusters, pairs, None, idle)
        assert not idle.running  # starting processes for a few clusters costs more than ranking them
    assert len(clusters) > 2
    assert ranked == [rank_members(members, pairs) for members in clusters]


def test_a_large_cluster_is_ranked_by_every_worker_as_in_process(monkeypatch, tmp_path):
    import tempfile

    from dedupe import workers

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the pool writes the model for its workers

    # Every cluster of 3 members or more counts as large here: its comparisons are tallied by both workers.
    monkeypatch.setattr(workers, "_SPLIT_CLUSTER", 3)
    result = dedupe.scan(small_corpus(), dedupe.ScanConfig(workers=1))
    by_id = {a.id: a for a in result.documents}
    clusters = [[by_id[m.id] for m in c.members] for c in result.clusters]
    pairs = {(p.a, p.b): p for p in result.pairs}
    assert any(len(members) >= 3 for members in clusters) and any(len(members) < 3 for members in clusters)
    model = LanguageModel.build(a.text for a in result.documents)
    # As the scan gives them: the clusters' articles held as the scan's corpus holds them (`Articles`), the seeds'
    # typeset texts as UTF-8.
    place = {article_id: index for index, article_id in enumerate(result.documents.ids())}
    held = [result.documents.subset(place[m.id] for m in c.members) for c in result.clusters]
    assert any(isinstance(members.held_text(k), bytes) for members in held for k in range(len(members)))
    with workers.Workers(2) as pool:
        ranked = workers.rank_clusters(clusters, pairs, model, pool)
        assert pool.running
        assert workers.rank_clusters(held, pairs, model, pool) == ranked
    assert ranked == [rank_members(members, pairs, model) for members in clusters]
    assert list(tmp_path.glob("dedupe-*")) == []  # the models' files went with the pool


def test_a_model_built_by_a_worker_ranks_as_one_built_here(monkeypatch, tmp_path):
    import tempfile

    from dedupe import workers

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = dedupe.scan(small_corpus(), dedupe.ScanConfig(workers=1))
    by_id = {a.id: a for a in result.documents}
    clusters = [[by_id[m.id] for m in c.members] for c in result.clusters]
    pairs = {(p.a, p.b): p for p in result.pairs}
    # Held as the scan holds them: the seeds' typeset texts as UTF-8, which the worker decodes.
    texts = [result.documents.held_text(k) for k in range(len(result.documents))]
    assert any(isinstance(text, bytes) for text in texts)
    model = LanguageModel.build(a.text for a in result.documents)
    assert len(clusters) > 2
    with workers.Workers(2) as pool:
        pending = pool.build_model(texts)
        assert pool.running
        assert workers.rank_clusters(clusters, pairs, pending, pool) == [
            rank_members(members, pairs, model) for members in clusters
        ]
        # One cluster is ranked here, with the model read from the worker's file.
        assert workers.rank_clusters(clusters[:1], pairs, pending, pool) == [rank_members(clusters[0], pairs, model)]
        assert pending.result() == model
    assert list(tmp_path.glob("dedupe-*")) == []  # the workers' scratch directory is gone


def test_scan_reports_the_progress_of_each_long_stage(monkeypatch):
    from dedupe import verify, workers

    # Small blocks and chunks, so that the screen and verification report more than once.
    monkeypatch.setattr(verify, "_SCREEN_BLOCK", 5)
    monkeypatch.setattr(workers, "_MIN_PARALLEL", 1)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    for processes in (1, 2):
        reports: dict[str, list[tuple[int, int]]] = {}
        result = dedupe.scan(
            small_corpus(),
            dedupe.ScanConfig(workers=processes),
            progress=lambda stage, done, total, reports=reports: reports.setdefault(stage, []).append((done, total)),
        )
        assert {"fingerprint", "screen", "verify", "rank"} <= set(reports)
        assert reports["rank"][-1] == (len(result.clusters), len(result.clusters))
        for stage, seen in reports.items():
            done = [d for d, _ in seen]
            assert done == sorted(done), stage
            assert seen[-1][0] == seen[-1][1], stage  # every stage ends at its total
        assert len(reports["screen"]) > 1  # block by block


def test_the_workers_server_loads_their_kernels_without_starting_threads():
    # In a fresh interpreter, as the forkserver imports it: threads there would be inherited broken by every
    # forked worker, and a kernel left unloaded costs each worker its loading again.
    code = (
        "import dedupe.preload\n"
        "from dedupe import kernels\n"
        "import numba.np.ufunc.parallel as threads\n"
        "print(threads._is_initialized, bool(kernels.plain_words.signatures), bool(kernels.plain_sentences.signatures))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True"]


def test_workers_verify_each_component_of_the_candidates_in_one_run():
    from dedupe import workers

    rng = np.random.default_rng(3)
    # Three families of documents interleaved in the corpus (k, k + 3, k + 6, ...), each connected (a chain) and
    # with more pairs at random; candidates in row order.
    chains = {(k, k + 3) for k in range(57)}
    more = {(i, j) for i, j in rng.integers(0, 60, size=(200, 2)).tolist() if i < j and i % 3 == j % 3}
    rows = np.array(sorted(chains | more))
    order = workers.verification_order(rows.astype(np.int32), 60)
    assert sorted(order.tolist()) == list(range(len(rows)))
    families = (rows[order, 0] % 3).tolist()
    assert families == sorted(families) and len(set(families)) == 3
    # Inside a family, pairs come in the order the walk reaches the later of their two documents.
    ranks = kernels.breadth_first_ranks(rows.astype(np.int32), 60)
    reached = np.maximum(ranks[rows[order, 0]], ranks[rows[order, 1]])
    assert (np.diff(reached) >= 0).all()


def test_workers_return_the_verified_pairs_in_candidate_order_sharing_equal_values(monkeypatch):
    from dedupe import workers

    config = dedupe.ScanConfig(workers=2)
    corpus = Corpus(small_corpus(), config.shingle)
    candidates = find_candidates(fingerprint(corpus, config), config, {})
    screened = screen(corpus, candidates, config)
    kept = candidates[screened.keep]
    monkeypatch.setattr(workers, "_MIN_PARALLEL", 1)
    monkeypatch.setattr(workers, "_CHUNK", 7)
    monkeypatch.setattr(workers, "_CHUNKS_IN_FLIGHT", 1)  # most chunks submitted as earlier ones come back
    # Dispatched in an order unlike the rows' (reversed), whatever the walk would give on this corpus.
    monkeypatch.setattr(workers, "verification_order", lambda rows, size: np.arange(len(rows))[::-1].copy())
    in_workers = workers.verify_pairs(corpus, kept, config, matches=screened.matches)
    in_process = [
        pair
        for (i, j), matches in zip(kept.tolist(), screened.matches, strict=True)
        if (pair := relate(corpus.document(i), corpus.document(j), config, matches)) is not None
    ]
    assert len(in_process) > 50 and in_workers == in_process
    # Equal spans and scores that came back from the workers are held once (each was unpickled on its own).
    values = [v for pair in in_workers for p in pair.passages for v in (p.a_span, p.b_span, p.score) if v is not None]
    assert len({id(v) for v in values}) == len(set(values)) < len(values)


def test_a_worker_loads_the_model_of_a_ranking_once(tmp_path):
    import pickle

    from dedupe import workers
    from dedupe.fluency import LanguageModel

    model = LanguageModel.build(a.text for a in small_corpus())
    (tmp_path / "first").write_bytes(pickle.dumps(model))
    (tmp_path / "second").write_bytes(pickle.dumps(None))
    shipped = workers._Shipped("first", str(tmp_path / "first"))
    loaded = workers._model(shipped)
    assert loaded == model
    (tmp_path / "first").unlink()  # the same ranking: not loaded again
    assert workers._model(workers._Shipped("first", shipped.path)) is loaded
    assert workers._model(workers._Shipped("second", str(tmp_path / "second"))) is None  # the next ranking's


def _collector_enabled() -> bool:
    return gc.isenabled()


def test_the_collector_is_paused_for_a_scan_and_in_its_workers():
    from dedupe import workers

    during: list[bool] = []
    dedupe.scan(small_corpus(), dedupe.ScanConfig(workers=1), progress=lambda *_: during.append(gc.isenabled()))
    assert during and not any(during)
    assert gc.isenabled()  # as it was before
    gc.disable()
    try:
        dedupe.scan(small_corpus(), dedupe.ScanConfig(workers=1))
        assert not gc.isenabled()  # not turned on by the scan either
    finally:
        gc.enable()
    with workers.Workers(2) as pool:
        assert pool.submit(_collector_enabled).result() is False


def test_kept_sentence_matches_are_held_in_one_array_and_read_as_a_sequence():
    from dedupe.matching import match_pairs, sentences
    from dedupe.profiles import corpus_features
    from dedupe.verify import SentenceMatches

    config = dedupe.ScanConfig()
    corpus = Corpus(small_corpus(), config.shingle)
    pairs = np.array(list(itertools.combinations(range(12), 2)))
    found = match_pairs(pairs, sentences(corpus_features(corpus, np.arange(len(corpus)))), config)
    ks = np.array([9, 2, 40, 2, 0])  # any order, repeats allowed
    rows, counts = found.taken(ks)
    assert (counts > 0).sum() >= 3 and (counts == 0).any(), "pairs with and without matches"
    assert np.array_equal(rows, np.concatenate([found.of(k) for k in ks.tolist()]))
    rows[:] = -1  # a copy: the matching's buffer is untouched
    assert (found.of(9) >= 0).all()

    rows, counts = found.taken(ks)
    held = SentenceMatches(rows, np.concatenate(([0], np.cumsum(counts))))
    expected = [found.of(k) for k in ks.tolist()]
    assert len(held) == len(ks)
    assert all(np.array_equal(mine, theirs) for mine, theirs in zip(held, expected, strict=True))
    assert np.array_equal(held[-1], expected[-1]) and np.array_equal(held[1], expected[1])
    assert [len(m) for m in held[1:4]] == [len(m) for m in expected[1:4]]
    with pytest.raises(IndexError):
        held[len(ks)]
    # What a chunk of candidates is sent with: some pairs' matches, in a copy of their own.
    chunk = held.taken(np.array([4, 0, 2]))
    assert [m.tolist() for m in chunk] == [expected[k].tolist() for k in (4, 0, 2)]
    assert not np.shares_memory(chunk.rows, held.rows)


def test_a_worker_forgets_the_documents_no_later_chunk_has():
    from dedupe import workers

    # Chunks of two rows: document 0 is in chunks 0 and 1, document 2 in chunk 0 only, 5 in none.
    rows = np.array([[0, 2], [1, 3], [0, 4], [3, 4]])
    assert workers.last_uses(rows, 2, 6).tolist() == [1, 0, 0, 1, 1, -1]

    config = dedupe.ScanConfig()
    articles = {k: article for k, article in enumerate(small_corpus()[:5])}
    workers._cache.clear()
    workers._verify_chunk(articles, rows[:2], None, config, np.array([1, 2]))
    assert sorted(workers._cache) == [0, 3]
    workers._verify_chunk(articles, rows[2:], None, config, np.array([0, 3, 4]))
    assert not workers._cache
