"""Work on every core: verification of candidate pairs, and the ranking of clusters, in worker processes.

Alignment and ranking are Python around compiled kernels (a call per pair, the language model per cluster), so
threads would contend for the GIL; processes do not. One scan starts its processes once (`Workers`, on first need)
and uses them for both. Where the platform has it, the processes fork from a server process that imported this
module once and loaded its compiled kernels (`forkserver`, started ahead of need by `Workers.warm`; preload.py), so
they start in milliseconds instead of each importing numpy, numba and rapidfuzz (about 1 s on this machine) and
loading the kernels (about 0.3 s). Candidates go in chunks in the order a walk of the candidate graph reaches their
documents (`verification_order`), so a worker meets each document in a short stretch of chunks and forgets it after
the last (1.15 preparations a document at 200,000 documents, 1.53 at 1,000,000, where the walk's stretches outgrow
the workers' caches); clusters go in many small chunks, and the language model by a file each worker reads once
(built by one of them while the other verifies).
Results come back in input order: they are exactly those of the single-process path.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import tempfile
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any

import numpy as np

from dedupe import kernels, rank
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document, prepare
from dedupe.fluency import LanguageModel
from dedupe.models import Article, EncodedArticle, Member, Pair, Text, article_ids, decoded
from dedupe.rank import compared_pairs, rank_members
from dedupe.verify import SentenceMatches, relate

# Below this many candidates, verifying in processes saves nothing: each prepares again documents the other one
# prepared, and the ranking then ships the language model to them. Since the compiled matching screens out nearly
# every unrelated pair (matching.py), the pairs left are mostly related, which cost the full alignment: at 20,000
# documents 9,496 pairs took 9.3-9.5 s in process against 5.8-6.2 s in 2 forked workers; at 5,000 documents
# 587 pairs stay in process (benchmarks/README.md, tenth round).
_MIN_PARALLEL = 2_000
_CHUNK = 500
# Chunks of candidates per worker submitted ahead of the results read: enough that no worker waits.
_CHUNKS_IN_FLIGHT = 4
# Clusters are ranked in the worker processes when these are running already (verification started them), or when
# there are this many clusters: about 2 ms each on wire stories, against starting the processes (1.5-2 s spawned;
# forked, the server's imports, about 1 s).
_MIN_PARALLEL_CLUSTERS = 2_000
# A cluster of this many members or more is ranked by every worker at once: the comparisons of its members (16 each)
# are cut into one stretch per worker, tallied in parallel and joined (`rank.join_tallies`), where ranking it in
# one worker took 40% of the samples of a scan of 3,000 copies of one story (benchmarks/README.md).
_SPLIT_CLUSTER = 512
# Chunks of clusters per worker: many, so that no worker waits on the other's last chunk (the model goes by file,
# not with each chunk). At 20,000 documents 3,299 clusters took a median of 3.0 s in 2 chunks per worker, 2.5 s in
# 16 (and in 32 or 64; benchmarks/README.md, seventeenth round).
_RANK_CHUNKS_PER_WORKER = 16
# Prepared documents each worker keeps between chunks: a document is in several candidate pairs, and consecutive
# chunks (`verification_order`) share many documents. About 80 KB each once verified (its sentences' terms, names
# and markers are kept with it), held until the workers stop: with 10,000, the 1,000,000-document scan's workers
# held 0.6 GB more through verification and ranking, for its 735,828 documents prepared 1.52 times each against 1.56
# (simulated on its 2.36 million screened pairs; benchmarks/README.md, thirty-fourth round).
_CACHE_SIZE = 4_000
_cache: OrderedDict[int, Document] = OrderedDict()


def worker_count(config: ScanConfig) -> int:
    """The number of processes a scan uses: `config.workers`, or every core when it is 0."""
    return config.workers or os.cpu_count() or 1


class Workers:
    """The worker processes of one scan (`count` of them), started on first use and stopped when the `with`
    block ends: verification starts them, and the ranking then finds them running."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @property
    def running(self) -> bool:
        return self._pool is not None

    def verify_in_parallel(self, pairs: int) -> bool:
        """Whether `verify_pairs` verifies `pairs` candidates in the processes."""
        return self.count > 1 and pairs >= _MIN_PARALLEL

    def warm(self, pairs: int) -> None:
        """When verifying `pairs` candidates (before the screen: at most that many) may use the processes, start
        the server they fork from, without waiting: it imports what they need while the caller goes on, and the
        processes then start at once. Nothing to do with one process, or where processes spawn."""
        if self.verify_in_parallel(pairs) and _context().get_start_method() == "forkserver":
            forkserver.ensure_running()

    def build_model(self, texts: Sequence[Text]) -> PendingModel:
        """The ranking's language model of `texts`, built by the first free process, into a file each process
        then reads once: asked for before verification, it is built while the other process verifies, where
        building it here later kept both waiting (0.5-0.8 s at any size: `scan.FLUENCY_SAMPLE` texts)."""
        shipped = self._model_file()
        return PendingModel(self.submit(_build_model, list(texts), shipped), shipped)

    def ship_model(self, model: LanguageModel | None) -> _Shipped:
        """`model` written to a file each process then reads once (`_model`)."""
        shipped = self._model_file()
        _write_model(model, shipped)
        return shipped

    def _model_file(self) -> _Shipped:
        """A new model's file, in this pool's scratch directory (removed when the pool stops)."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="dedupe-")
        name = uuid.uuid4().hex
        return _Shipped(name, os.path.join(self._scratch.name, f"model-{name}.pickle"))

    def submit(self, function: Callable[..., Any], *args: Any) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.count, mp_context=_context(), initializer=_start_worker)
        return self._pool.submit(function, *args)

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._pool is not None:
            # On Ctrl-C or a failure, drop the queued chunks instead of waiting for them.
            self._pool.shutdown(wait=kind is None, cancel_futures=kind is not None)
            self._pool = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


def _context() -> BaseContext:
    """How the worker processes start: forked from a server process that has imported this module (and so numpy,
    numba and rapidfuzz) and loaded its kernels without starting threads (preload.py), else spawned. Never forked
    from the scan's own process, whose numba threads a fork would leave in an undefined state."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Effective only before the server starts (the first call); the server then serves every later scan too.
    context.set_forkserver_preload(["dedupe.preload"])
    return context


def verify_pairs(
    corpus: Corpus,
    candidates: np.ndarray,
    config: ScanConfig,
    progress: Callable[[int], None] | None = None,
    workers: Workers | None = None,
    matches: SentenceMatches | None = None,
) -> list[Pair]:
    """The verified pairs of the candidate rows `(i, j)`, in candidate order; `progress(done)` after each chunk.
    `matches`: the sentence matches of each candidate as the screen found them (`verify.Screened`).

    In `workers` (or processes of its own) when there are `_MIN_PARALLEL` candidates or more."""
    if workers is None:
        with Workers(worker_count(config)) as own:
            return verify_pairs(corpus, candidates, config, progress, own, matches)
    if matches is not None and len(matches) != len(candidates):
        raise ValueError(f"{len(matches)} sets of matches for {len(candidates)} candidates")
    if not workers.verify_in_parallel(len(candidates)):
        found: list[Pair] = []
        for done, (i, j) in enumerate(candidates.tolist(), start=1):
            sentence_matches = None if matches is None else matches[done - 1]
            pair = relate(corpus.document(i), corpus.document(j), config, sentence_matches)
            if pair is not None:
                found.append(pair)
            if progress is not None and (done % 256 == 0 or done == len(candidates)):
                progress(done)
        return found
    order = verification_order(candidates, len(corpus))
    chunks = [order[start : start + _CHUNK] for start in range(0, len(order), _CHUNK)]
    last_chunk = last_uses(candidates[order], _CHUNK, len(corpus))

    def submitted(number: int) -> Future:
        chunk = chunks[number]
        chunk_matches = None if matches is None else matches.taken(chunk)
        rows = candidates[chunk]
        documents = np.unique(rows)
        finished = documents[last_chunk[documents] == number]
        return workers.submit(_verify_chunk, _articles(corpus, documents), rows, chunk_matches, config, finished)

    # A few chunks per worker in flight, not all: each holds its articles and matches until it is done (at
    # 1,000,000 documents, 4,700 chunks).
    ahead = workers.count * _CHUNKS_IN_FLIGHT
    futures = deque(submitted(number) for number in range(min(ahead, len(chunks))))
    verified: list[Pair | None] = [None] * len(candidates)
    done = 0
    shared = _SharedValues()
    for number, chunk in enumerate(chunks):
        future = futures.popleft()
        if number + ahead < len(chunks):
            futures.append(submitted(number + ahead))
        for k, pair in zip(chunk.tolist(), future.result(), strict=True):
            if pair is not None:
                shared.share(pair)
            verified[k] = pair
        done += len(chunk)
        if progress is not None:
            progress(done)
    return [pair for pair in verified if pair is not None]


class _SharedValues:
    """Equal span tuples and scores of the passages of pairs that came back from the workers, held once. Unpickled,
    each passage had its own, though at 200,000 documents the 1.85 million spans of the verified pairs held 0.44
    million distinct values and their 1.3 million scores 2,065: the pairs were 2.1 KB each, 4.7 GB of the main
    process at 1,000,000 documents (benchmarks/README.md, twenty-fifth round)."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def share(self, pair: Pair) -> None:
        values = self._values
        for passage in pair.passages:
            for field in ("a_span", "b_span", "score"):
                value = getattr(passage, field)
                if value is not None:
                    # The passage was unpickled just now and nothing else holds it: set in place, though frozen.
                    object.__setattr__(passage, field, values.setdefault(value, value))


def verification_order(candidates: np.ndarray, size: int) -> np.ndarray:
    """The order in which the workers verify the candidate rows `(i, j)` of a corpus of `size` documents: by the
    later place of the two documents in a breadth-first walk of the candidate graph (`kernels.breadth_first_ranks`),
    so a connected component (a family of copies, with what reuses its passages) is verified in one run, and inside
    a large one, pairs come in the order their documents are reached: a worker meets each document in a short
    stretch of chunks and prepares it about once. In row order (by first document), each member of a family was
    prepared in the chunk of the family's first member and again, evicted from the worker's cache by then, in its
    own. (At 200,000 documents three quarters of the screened pairs are one component: ordered by component
    alone, that one was still in row order.)"""
    ranks = kernels.breadth_first_ranks(candidates, size)
    first, second = ranks[candidates[:, 0]], ranks[candidates[:, 1]]
    return np.lexsort((np.minimum(first, second), np.maximum(first, second)))


def last_uses(rows: np.ndarray, chunk: int, size: int) -> np.ndarray:
    """For each of a corpus's `size` documents, the number of the last chunk of `chunk` rows `(i, j)` it is in (-1:
    none). A worker forgets a document after its last chunk: kept in its cache until evicted instead, such documents
    took the places of ones still to come (at 200,000 documents 1.224 preparations each against 1.149, counted in
    the scan's workers; benchmarks/README.md, thirty-eighth round)."""
    last = np.full(size, -1, dtype=np.int64)
    chunk_of_row = np.arange(len(rows), dtype=np.int64) // chunk
    np.maximum.at(last, rows[:, 0], chunk_of_row)
    np.maximum.at(last, rows[:, 1], chunk_of_row)
    return last


def rank_clusters(
    clusters: Sequence[Sequence[Article]],
    pairs: Mapping[tuple[str, str], Pair],
    model: LanguageModel | PendingModel | None,
    workers: Workers,
    progress: Callable[[int], None] | None = None,
) -> list[tuple[Member, ...]]:
    """`rank.rank_members` of each cluster (its articles), in order: in `workers` when they are running already,
    when there are `_MIN_PARALLEL_CLUSTERS` clusters or more, or when one has `_SPLIT_CLUSTER` members or more
    (each of those is ranked by every worker at once). `progress(done)` as clusters are ranked (after each chunk
    in the workers). `model`: the language model, or one a worker builds (`Workers.build_model`)."""
    large = [k for k, members in enumerate(clusters) if len(members) >= _SPLIT_CLUSTER]
    parallel = workers.count > 1 and (len(clusters) > 1 or bool(large))
    if not parallel or not (workers.running or len(clusters) >= _MIN_PARALLEL_CLUSTERS or large):
        if isinstance(model, PendingModel) and clusters:
            model = model.result()
        in_process: list[tuple[Member, ...]] = []
        for done, members in enumerate(clusters, start=1):
            in_process.append(rank_members(list(members), pairs, model))  # each text made once (`Articles`)
            if progress is not None and (done % 64 == 0 or done == len(clusters)):
                progress(done)
        return in_process
    rest = sorted(set(range(len(clusters))) - set(large))
    count = min(len(rest), workers.count * _RANK_CHUNKS_PER_WORKER)
    # Round robin over the clusters, which come in corpus order: each chunk gets a share of the large ones.
    chunks = [rest[start::count] for start in range(count)]
    ranked: list[tuple[Member, ...]] = [()] * len(clusters)
    # The model is in a file; each worker loads it from there once (`_model`), so chunks carry only their clusters
    # and can be many.
    shipped = model.shipped() if isinstance(model, PendingModel) else workers.ship_model(model)
    # The largest clusters first, each cut into one stretch of its comparisons per worker. (Their articles are
    # made here once: `clusters` may hold them as `Articles`, which makes one each time it is asked.)
    whole = {k: list(clusters[k]) for k in large}
    stretches = {k: _stretches(whole[k], workers.count) for k in large}
    tallied = {
        k: [
            workers.submit(_tally_stretch, clusters[k], _pairs_of(stretch, pairs), stretch, shipped)
            for stretch in parts
        ]
        for k, parts in stretches.items()
    }
    futures = [
        workers.submit(_rank_chunk, [(clusters[k], _pairs_within(clusters[k], pairs)) for k in chunk], shipped)
        for chunk in chunks
    ]
    done = 0
    for k, parts in tallied.items():
        tallies = rank.join_tallies([future.result() for future in parts])
        ranked[k] = rank.ranked(whole[k], rank.evidence_from(whole[k], tallies, rank.cleaned_texts(whole[k])))
        done += 1
        if progress is not None:
            progress(done)
    for chunk, future in zip(chunks, futures, strict=True):
        for k, members in zip(chunk, future.result(), strict=True):
            ranked[k] = members
        done += len(chunk)
        if progress is not None:
            progress(done)
    return ranked


def _stretches(members: Sequence[Article], count: int) -> list[list[tuple[str, str]]]:
    """The comparisons of ranking `members` (`rank.comparisons`) cut into `count` consecutive stretches."""
    compared = rank.comparisons(members)
    size = -(-len(compared) // count)
    return [compared[start : start + size] for start in range(0, len(compared), size)]


def _pairs_of(
    compared: Sequence[tuple[str, str]], pairs: Mapping[tuple[str, str], Pair]
) -> dict[tuple[str, str], Pair]:
    """The pairs of `pairs` between the members of each of `compared`, either way round."""
    found = {}
    for first, second in compared:
        for key in ((first, second), (second, first)):
            pair = pairs.get(key)
            if pair is not None:
                found[key] = pair
    return found


def _tally_stretch(
    members: Sequence[Article],
    pairs: dict[tuple[str, str], Pair],
    compared: list[tuple[str, str]],
    shipped: _Shipped,
) -> dict[str, Any]:
    """The tallies of one stretch of a large cluster's comparisons (`rank.tally_evidence`)."""
    return rank.tally_evidence(members, pairs, _model(shipped), compared)


def _pairs_within(members: Sequence[Article], pairs: Mapping[tuple[str, str], Pair]) -> dict[tuple[str, str], Pair]:
    """The pairs of `pairs` that ranking `members` compares (`rank.compared_pairs`): all a worker is sent."""
    return _pairs_of(compared_pairs(article_ids(members)), pairs)


def _rank_chunk(
    clusters: list[tuple[Sequence[Article], dict[tuple[str, str], Pair]]], shipped: _Shipped
) -> list[tuple[Member, ...]]:
    model = _model(shipped)
    return [rank_members(members, pairs, model) for members, pairs in clusters]


@dataclass(frozen=True, slots=True)
class _Shipped:
    """Where a ranking's language model is pickled (`path`), and a name for it unique to that ranking."""

    name: str
    path: str


class PendingModel:
    """A language model a worker is building into a file (`Workers.build_model`)."""

    def __init__(self, built: Future, shipped: _Shipped) -> None:
        self._built = built
        self._shipped = shipped

    def shipped(self) -> _Shipped:
        """Where the model is, once it is there (for the workers)."""
        self._built.result()
        return self._shipped

    def result(self) -> LanguageModel | None:
        """The model (for ranking in this process)."""
        with open(self.shipped().path, "rb") as file:
            model: LanguageModel | None = pickle.load(file)
        return model


# The last model a worker loaded, by name: loading one takes about 0.03 s (36 MB of tables at 20,000 documents), once
# per worker instead of once per chunk.
_loaded: tuple[str, LanguageModel | None] | None = None


def _model(shipped: _Shipped) -> LanguageModel | None:
    global _loaded
    if _loaded is None or _loaded[0] != shipped.name:
        with open(shipped.path, "rb") as file:
            _loaded = (shipped.name, pickle.load(file))
    return _loaded[1]


def _write_model(model: LanguageModel | None, shipped: _Shipped) -> None:
    with open(shipped.path, "wb") as file:
        pickle.dump(model, file, protocol=pickle.HIGHEST_PROTOCOL)


def _build_model(texts: list[Text], shipped: _Shipped) -> None:
    """Build the model of `texts` and write it where `shipped` says; this worker keeps it (`_model`)."""
    global _loaded
    model = LanguageModel.build(decoded(text) for text in texts)
    _write_model(model, shipped)
    _loaded = (shipped.name, model)


def _articles(corpus: Corpus, documents: np.ndarray) -> dict[int, Article | EncodedArticle]:
    """The articles `documents` by index, as they are pickled to a worker (`Articles.pickled`)."""
    return {index: corpus.articles.pickled(index) for index in documents.tolist()}


def _verify_chunk(
    articles: dict[int, Article],
    chunk: np.ndarray,
    matches: SentenceMatches | None,
    config: ScanConfig,
    finished: np.ndarray,
) -> list[Pair | None]:
    """The verified pairs of one chunk; then the worker forgets the documents `finished` (no later chunk has them)."""
    verified = [
        relate(
            _document(i, articles[i], config),
            _document(j, articles[j], config),
            config,
            None if matches is None else matches[k],
        )
        for k, (i, j) in enumerate(chunk.tolist())
    ]
    for index in finished.tolist():
        _cache.pop(index, None)
    return verified


def _document(index: int, article: Article, config: ScanConfig) -> Document:
    """The prepared article `index` of this scan, from the worker's cache when it is there. (Each scan starts its
    own worker processes, so an index always means the same article.)"""
    document = _cache.get(index)
    if document is None:
        document = _cache[index] = prepare(article, config.shingle)
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(index)
    return document


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it, so workers print no tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker lives for one scan and makes no reference cycles (collector.py); collecting cost each worker 0.6-0.7 s
    # at 20,000 documents, every full collection walking the 120,000 objects of its imports and numba's state again.
    gc.disable()
