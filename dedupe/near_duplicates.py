"""The document-level job every MinHash tool does: near-duplicate pairs of a list of texts above a threshold.

This is what `benchmarks/compare.py` measures against the peers; `scan` does this and much more.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dedupe import collector, pages
from dedupe.candidates import document_candidates
from dedupe.document import clean_text
from dedupe.fingerprint import MinHasher, shingle_sets
from dedupe.ingest import Fields, IngestLog, read_articles
from dedupe.models import Article, Skipped


@dataclass(frozen=True, slots=True)
class NearDuplicates:
    """The document-level pairs of a set of articles: `(id_a, id_b, jaccard)`, a before b in input order."""

    documents: int
    pairs: tuple[tuple[str, str, float], ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()


def near_duplicates(
    sources: Iterable[str | Path] | Iterable[Article],
    threshold: float = 0.8,
    ngram: int = 5,
    *,
    fields: Fields | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> NearDuplicates:
    """`find_near_duplicates` over articles read from files, directories or JSONL (as `scan` reads them), by id.

    Articles with markup are compared on their clean text, as in `scan`.
    """
    log = IngestLog()
    items = list(sources)
    articles = items if all(isinstance(i, Article) for i in items) else list(read_articles(items, log, fields))
    # The clean text of articles with markup, as `scan` fingerprints it, without preparing whole documents.
    texts = [clean_text(article).text for article in articles]  # type: ignore[union-attr]
    found = find_near_duplicates(texts, threshold, ngram=ngram, progress=progress)
    ids = [article.id for article in articles]  # type: ignore[union-attr]
    return NearDuplicates(
        len(texts), tuple((ids[i], ids[j], value) for i, j, value in found), tuple(log.skipped), tuple(log.warnings)
    )


def find_near_duplicates(
    texts: Sequence[str],
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    seed: int = 1,
    *,
    stats: dict[str, float] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[tuple[int, int, float]]:
    """Pairs `(i, j, jaccard)` of texts whose exact word-`ngram` Jaccard is at least `threshold`.

    LSH (banding tuned for `threshold`) proposes candidates; each is verified with the exact Jaccard of the shingle
    sets, so no pair below the threshold is returned. `stats`, when given, receives seconds per stage;
    `progress(stage, done, total)` is called as texts are fingerprinted.
    """
    # The collector walked every object numba holds at each full collection: 0.15 s of the 0.8-1.0 s call on 40,000
    # texts (benchmarks/README.md). Huge pages for the arrays: pages.py.
    with collector.paused(), pages.ordinary():
        return _find_near_duplicates(texts, threshold, num_perm, ngram, seed, {} if stats is None else stats, progress)


def _find_near_duplicates(
    texts: Sequence[str],
    threshold: float,
    num_perm: int,
    ngram: int,
    seed: int,
    stats: dict[str, float],
    progress: Callable[[str, int, int], None] | None,
) -> list[tuple[int, int, float]]:
    clock = time.perf_counter()
    signatures, _ = MinHasher(num_perm, seed).text_signatures(
        texts, ngram, None if progress is None else lambda done: progress("fingerprint", done, len(texts))
    )
    stats["seconds_signatures"] = time.perf_counter() - clock
    clock = time.perf_counter()
    candidates = document_candidates(signatures, threshold, max_bucket=64, false_positive_weight=0.1).pairs
    stats["seconds_candidates"] = time.perf_counter() - clock
    clock = time.perf_counter()
    # Exact shingle sets only for the documents in some candidate pair.
    members = np.unique(candidates)
    sets = shingle_sets([texts[i] for i in members.tolist()], ngram)
    jaccard = sets.jaccard(np.searchsorted(members, candidates))
    keep = jaccard >= threshold
    found = [
        (i, j, round(value, 4)) for (i, j), value in zip(candidates[keep].tolist(), jaccard[keep].tolist(), strict=True)
    ]
    stats["seconds_verify"] = time.perf_counter() - clock
    return found
