"""Verification on every core: candidate pairs in chunks, each chunk prepared and aligned in a worker process.

Alignment is Python (rapidfuzz per sentence pair), so threads would contend for the GIL; processes do not.
Chunks are runs of consecutive candidates (sorted by first document), so a document is usually prepared once per
chunk. Results come back in chunk order: the pairs are exactly those of the single-process path, in its order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document, prepare
from dedupe.models import Article, Pair
from dedupe.verify import relate

# Below this many candidates, starting worker processes (each imports numpy, numba, rapidfuzz: 1.5-2 s) costs more
# than it saves, also because one process prepares each document once for all its pairs. Measured on 2 idle cores
# (benchmarks/README.md): 5,998 pairs 2.9 s in process against 3.4-3.8 s with 2 workers; 76,708 pairs 37.7 s
# against 23.5 s.
_MIN_PARALLEL = 10_000
_CHUNK = 500
# Prepared documents each worker keeps between chunks: a document is in several candidate pairs, and chunks (runs
# of pairs sorted by their first document) share many second documents. About 20 KB each for a wire story.
_CACHE_SIZE = 10_000
_cache: OrderedDict[int, Document] = OrderedDict()


def worker_count(config: ScanConfig) -> int:
    """The number of processes a scan uses: `config.workers`, or every core when it is 0."""
    return config.workers or os.cpu_count() or 1


def verify_pairs(
    corpus: Corpus, candidates: np.ndarray, config: ScanConfig, progress: Callable[[int], None] | None = None
) -> list[Pair]:
    """The verified pairs of the candidate rows `(i, j)`, in candidate order; `progress(done)` after each chunk."""
    workers = worker_count(config)
    if workers <= 1 or len(candidates) < _MIN_PARALLEL:
        found: list[Pair] = []
        for done, (i, j) in enumerate(candidates.tolist(), start=1):
            pair = relate(corpus.document(i), corpus.document(j), config)
            if pair is not None:
                found.append(pair)
            if progress is not None and (done % 256 == 0 or done == len(candidates)):
                progress(done)
        return found
    chunks = [candidates[start : start + _CHUNK] for start in range(0, len(candidates), _CHUNK)]
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(_verify_chunk, _articles(corpus, chunk), chunk, config) for chunk in chunks]
        found = []
        done = 0
        for chunk, future in zip(chunks, futures, strict=True):
            found.extend(future.result())
            done += len(chunk)
            if progress is not None:
                progress(done)
    except BaseException:
        # Ctrl-C or a failure: drop the queued chunks instead of waiting for them.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return found


def _articles(corpus: Corpus, chunk: np.ndarray) -> dict[int, Article]:
    return {index: corpus.articles[index] for index in np.unique(chunk).tolist()}


def _verify_chunk(articles: dict[int, Article], chunk: np.ndarray, config: ScanConfig) -> list[Pair]:
    found = []
    for i, j in chunk.tolist():
        pair = relate(_document(i, articles[i], config), _document(j, articles[j], config), config)
        if pair is not None:
            found.append(pair)
    return found


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


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it, so workers print no tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
