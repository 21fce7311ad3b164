"""`scan`: read -> prepare -> fingerprint -> candidates -> verify -> cluster -> rank. Composition only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dedupe.candidates import document_candidates, passage_candidates
from dedupe.cluster import star_clusters
from dedupe.config import ScanConfig
from dedupe.document import Document, prepare
from dedupe.fingerprint import MinHasher, word_set_hashes
from dedupe.fluency import LanguageModel
from dedupe.ingest import Fields, IngestLog, read_articles
from dedupe.models import Article, Cluster, Pair, Skipped
from dedupe.rank import rank_members
from dedupe.verify import relate

# Called as progress(stage, done, total) while a stage runs.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found, in input order; `report.py` renders it."""

    config: ScanConfig
    documents: tuple[Article, ...]
    pairs: tuple[Pair, ...]
    clusters: tuple[Cluster, ...]
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    # Counts and seconds per stage: candidates at each level, boilerplate buckets, timings.
    stats: dict[str, float] = field(default_factory=dict)


def scan(
    sources: Iterable[str | Path] | Iterable[Article],
    config: ScanConfig | None = None,
    *,
    fields: Fields | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Find exact duplicates, near-duplicates and reused passages among articles, and rank each cluster.

    Args:
        sources: paths (files, directories, `-` for stdin) or `Article` records.
        config: settings; the defaults suit news.
        fields: JSON field names of the id and the text.
        progress: optional callback for long stages.
    """
    config = config or ScanConfig()
    stats: dict[str, float] = {}
    log = IngestLog()
    clock = time.perf_counter()
    articles = list(_articles(sources, log, fields))
    documents = [prepare(article, config.shingle) for article in _report(articles, "prepare", progress)]
    stats["seconds_prepare"] = time.perf_counter() - clock

    clock = time.perf_counter()
    candidates = find_candidates(documents, config, stats)
    stats["seconds_candidates"] = time.perf_counter() - clock

    clock = time.perf_counter()
    pairs = [
        pair
        for i, j in _report([tuple(p) for p in candidates.tolist()], "verify", progress)
        if (pair := relate(documents[i], documents[j], config)) is not None
    ]
    stats["seconds_verify"] = time.perf_counter() - clock

    clock = time.perf_counter()
    clusters = build_clusters(documents, pairs, config)
    stats["seconds_cluster_rank"] = time.perf_counter() - clock
    return ScanResult(
        config=config,
        documents=tuple(articles),
        pairs=tuple(sorted(pairs, key=lambda p: (p.a, p.b))),
        clusters=tuple(clusters),
        skipped=tuple(log.skipped),
        warnings=tuple(log.warnings),
        stats=stats,
    )


def find_candidates(documents: list[Document], config: ScanConfig, stats: dict[str, float]) -> np.ndarray:
    """Candidate document pairs from document-level and passage-level LSH, as sorted `(i, j)` rows."""
    document_hasher = MinHasher(config.document.num_perm, config.document.seed)
    signatures = document_hasher.signatures([d.shingles for d in documents])
    by_document = document_candidates(
        signatures, config.document.threshold, config.max_bucket, config.document.false_positive_weight
    ).pairs

    passage_sets: list[np.ndarray] = []
    owners: list[int] = []
    for index, document in enumerate(documents):
        sets = passage_hash_sets(document, config)
        passage_sets.extend(sets)
        owners.extend([index] * len(sets))
    passage_hasher = MinHasher(config.passage.num_perm, config.passage.seed)
    passage_signatures = passage_hasher.signatures(passage_sets)
    by_passage, boilerplate = passage_candidates(
        passage_signatures,
        np.asarray(owners, dtype=np.int64),
        passage_sets,
        config.evidence,
        config.passage.threshold,
        config.max_bucket,
        config.passage.false_positive_weight,
    )
    stats["candidates_document"] = len(by_document)
    stats["candidates_passage"] = len(by_passage)
    stats["passages"] = len(passage_sets)
    stats["boilerplate_buckets"] = boilerplate
    both = np.concatenate([by_document, by_passage]) if len(by_passage) else by_document
    return np.unique(both, axis=0) if len(both) else both


def passage_hash_sets(document: Document, config: ScanConfig) -> list[np.ndarray]:
    """The word-set hashes of each sentence long enough to be a passage (what passage-level LSH fingerprints)."""
    return [
        word_set_hashes(document.word_hashes[first:last])
        for first, last in document.sentence_words
        if last - first >= config.align.min_words
    ]


def build_clusters(documents: list[Document], pairs: list[Pair], config: ScanConfig) -> list[Cluster]:
    """Star clusters of the duplicate pairs, each ranked by faithfulness.

    Ranking compares every two members, so pairs missing between members (not candidates) are verified here.
    Fluency is judged against a language model of the whole scanned corpus.
    """
    by_id = {d.id: d for d in documents}
    model: LanguageModel | None = None
    known = {(p.a, p.b): p for p in pairs}
    clusters: list[Cluster] = []
    for number, (representative, members) in enumerate(star_clusters([d.id for d in documents], pairs), start=1):
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first, second) not in known and (second, first) not in known:
                    pair = relate(by_id[first], by_id[second], config)
                    if pair is not None:
                        known[(first, second)] = pair
        if model is None:
            model = LanguageModel.build(d.clean.text for d in documents)
        ranked = rank_members([by_id[m].article for m in members], known, model)
        clusters.append(Cluster(id=number, representative=representative, members=ranked))
    return clusters


def _articles(
    sources: Iterable[str | Path] | Iterable[Article], log: IngestLog, fields: Fields | None
) -> Iterable[Article]:
    items = list(sources)
    if all(isinstance(item, Article) for item in items):
        return items  # type: ignore[return-value]
    return read_articles(items, log, fields)  # type: ignore[arg-type]


def _report(items: list, stage: str, progress: Progress | None) -> Iterable:
    total = len(items)
    for done, item in enumerate(items, start=1):
        yield item
        if progress is not None:
            progress(stage, done, total)
