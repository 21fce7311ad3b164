"""`scan`: read -> prepare -> fingerprint -> candidates -> verify -> cluster -> rank. Composition only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dedupe import collector
from dedupe.candidates import code_pairs, document_candidates, pair_codes, passage_pair_codes, sorted_distinct
from dedupe.cluster import DUPLICATE_RELATIONS, candidate_hubs, star_clusters
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import MinHasher, word_set_hashes
from dedupe.fluency import LanguageModel
from dedupe.ingest import Fields, IngestLog, read_articles
from dedupe.models import Article, Cluster, Pair, Skipped
from dedupe.rank import compared_pairs
from dedupe.verify import screen
from dedupe.workers import Workers, rank_clusters, verify_pairs, worker_count

# Documents the fluency model counts at most: word-pair statistics of news prose are stable well before that
# (rank.py weighs fluency fully from 50 documents on), and beyond it the model would cost time linear in the corpus.
FLUENCY_SAMPLE = 5000
# A family whose hub has this many satellites among the candidates or more is verified through the hub
# (`verify_candidates`); smaller ones pair by pair, as the report lists them (64 copies: 2,016 pairs, about 0.4 s).
HUB_SATELLITES = 64
# Called as progress(stage, done, total) while a stage runs.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found, in input order; `report.py` renders it."""

    config: ScanConfig
    documents: tuple[Article, ...]
    # Related pairs; of a family of more than HUB_SATELLITES copies, those through its hub (`verify_candidates`).
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
    with collector.paused():  # the collector walked every object at each full collection (collector.py)
        return _scan(sources, config or ScanConfig(), fields, progress)


def _scan(
    sources: Iterable[str | Path] | Iterable[Article],
    config: ScanConfig,
    fields: Fields | None,
    progress: Progress | None,
) -> ScanResult:
    stats: dict[str, float] = {}
    log = IngestLog()
    clock = time.perf_counter()
    corpus = Corpus(list(_articles(sources, log, fields)), config.shingle)
    stats["seconds_read"] = time.perf_counter() - clock

    clock = time.perf_counter()
    fingerprints = fingerprint(corpus, config, progress)
    stats["seconds_fingerprint"] = time.perf_counter() - clock

    clock = time.perf_counter()
    codes = candidate_codes(fingerprints, config, stats)
    del fingerprints  # the passages' signatures (3.7 GB for 1,000,000 articles) before the rows are written
    candidates = candidate_rows(codes, len(corpus))
    del codes
    stats["seconds_candidates"] = time.perf_counter() - clock

    with Workers(worker_count(config)) as workers:
        workers.warm(len(candidates))  # while the screen runs
        clock = time.perf_counter()
        total = len(candidates)
        screened = None if progress is None else lambda done: progress("screen", done, total)
        kept = screen(corpus, candidates, config, screened)
        candidates = candidates[kept.keep]
        stats["candidates_screened"] = len(candidates)
        stats["seconds_screen"] = time.perf_counter() - clock

        clock = time.perf_counter()
        pairs = verify_candidates(corpus, candidates, kept.matches, config, workers, progress, stats)
        stats["seconds_verify"] = time.perf_counter() - clock

        clock = time.perf_counter()
        clusters = build_clusters(corpus, pairs, config, workers, progress)
        stats["seconds_cluster_rank"] = time.perf_counter() - clock
    stats["documents_prepared"] = corpus.prepared
    return ScanResult(
        config=config,
        documents=tuple(corpus.articles),
        pairs=tuple(sorted(pairs, key=lambda p: (p.a, p.b))),
        clusters=tuple(clusters),
        skipped=tuple(log.skipped),
        warnings=tuple(log.warnings),
        stats=stats,
    )


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """MinHash signatures of a corpus: one row per document, one row per passage with its document."""

    documents: np.ndarray
    passages: np.ndarray
    owners: np.ndarray


def fingerprint(corpus: Corpus, config: ScanConfig, progress: Progress | None = None) -> Fingerprints:
    """Document and passage signatures of every article.

    Plain texts (`fingerprint.plain_form`) go through the compiled kernels without being prepared; the others
    through their prepared `Document`. Both give the same rows (tests/test_kernels.py).
    """
    texts = [corpus.text(i) for i in range(len(corpus))]
    document_hasher = MinHasher(config.document.num_perm, config.document.seed)
    documents, _ = document_hasher.text_signatures(
        texts, config.shingle, None if progress is None else lambda done: progress("fingerprint", done, len(texts))
    )
    passage_hasher = MinHasher(config.passage.num_perm, config.passage.seed)

    def regex_path_sets(plain: np.ndarray) -> tuple[list[np.ndarray], list[int]]:
        sets: list[np.ndarray] = []
        owners: list[int] = []
        for index in np.flatnonzero(~plain).tolist():
            document = corpus.document(index)
            for first, last in document.sentence_words.tolist():
                if last - first >= config.align.min_words:
                    sets.append(word_set_hashes(document.word_hashes[first:last]))
                    owners.append(index)
        return sets, owners

    passages, owners, _ = passage_hasher.passage_signatures(texts, config.align.min_words, regex_path_sets)
    return Fingerprints(documents, passages, owners)


def find_candidates(fingerprints: Fingerprints, config: ScanConfig, stats: dict[str, float]) -> np.ndarray:
    """Candidate document pairs from document-level and passage-level LSH, as sorted `(i, j)` rows (32-bit
    integers below 2**31 documents)."""
    return candidate_rows(candidate_codes(fingerprints, config, stats), len(fingerprints.documents))


def candidate_codes(fingerprints: Fingerprints, config: ScanConfig, stats: dict[str, float]) -> np.ndarray:
    """`find_candidates` as sorted pair codes (`candidates.pair_codes`), which `candidate_rows` turns into rows:
    the scan lets the signatures go in between."""
    size = len(fingerprints.documents)
    by_document = document_candidates(
        fingerprints.documents, config.document.threshold, config.max_bucket, config.document.false_positive_weight
    ).pairs
    by_passage, boilerplate = passage_pair_codes(
        fingerprints.passages,
        fingerprints.owners,
        size,
        config.passage.threshold,
        config.max_bucket,
        config.passage.false_positive_weight,
        config.evidence,
    )
    stats["candidates_document"] = len(by_document)
    stats["candidates_passage"] = len(by_passage)
    stats["passages"] = len(fingerprints.passages)
    stats["boilerplate_buckets"] = boilerplate
    codes = np.concatenate((by_passage, pair_codes(by_document, size)))
    del by_passage  # merged in place, not beside it
    return sorted_distinct(codes, runs=True)


def candidate_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """Pair codes of a corpus of `size` documents as `(i, j)` rows, 32-bit where they fit: 1.2 GB less for the 155
    million candidates of 1,000,000 documents."""
    return code_pairs(codes, size, np.int32 if size <= np.iinfo(np.int32).max else np.int64)


def passage_hash_sets(document: Document, config: ScanConfig) -> list[np.ndarray]:
    """The word-set hashes of each sentence long enough to be a passage (what passage-level LSH fingerprints)."""
    return [
        word_set_hashes(document.word_hashes[first:last])
        for first, last in document.sentence_words
        if last - first >= config.align.min_words
    ]


def verify_candidates(
    corpus: Corpus,
    candidates: np.ndarray,
    matches: Sequence[np.ndarray],
    config: ScanConfig,
    workers: Workers,
    progress: Progress | None = None,
    stats: dict[str, float] | None = None,
) -> list[Pair]:
    """The verified pairs of the screened candidate rows `(i, j)` (`matches`: the screen's sentence matches of
    each); in a family of more than `HUB_SATELLITES` copies, only the pairs its cluster and ranking read.

    Every two copies of one story are candidates, so a family of 400 copies was 79,800 pairs to verify (15 s of a
    21 s scan) and to report (578 MB of JSON). The hubs of such families are found among the candidates
    (`cluster.candidate_hubs`) and verified with their satellites first; two satellites that both proved duplicates
    of their hub are then verified together only when the ranking compares them (`rank.compared_pairs` of the hub
    and those satellites), their other pairs implied and counted in `stats["pairs_implied"]`. A satellite that is
    not a duplicate of its hub keeps all its pairs.
    """

    def verify(rows: np.ndarray | None, offset: int) -> list[Pair]:
        report = None if progress is None else lambda done: progress("verify", offset + done, len(candidates))
        if rows is None:
            return verify_pairs(corpus, candidates, config, report, workers, matches)
        return verify_pairs(corpus, candidates[rows], config, report, workers, [matches[k] for k in rows.tolist()])

    hubs = candidate_hubs(candidates, len(corpus), HUB_SATELLITES)
    if not hubs:
        return verify(None, 0)
    family = np.full(len(corpus), -1, dtype=np.int64)
    is_hub = np.zeros(len(corpus), dtype=bool)
    for number, (hub, satellites) in enumerate(hubs):
        family[[hub, *satellites]] = number
        is_hub[hub] = True
    first, second = candidates[:, 0], candidates[:, 1]
    within = (family[first] >= 0) & (family[first] == family[second])
    spokes = within & (is_hub[first] | is_hub[second])
    spoke_rows = np.flatnonzero(spokes)
    pairs = verify(spoke_rows, 0)

    index_of = {corpus.articles[i].id: i for i in np.unique(candidates[spoke_rows]).tolist()}
    confirmed = np.zeros(len(corpus), dtype=bool)
    for pair in pairs:
        if pair.relation in DUPLICATE_RELATIONS:
            confirmed[[index_of[pair.a], index_of[pair.b]]] = True
    between = np.flatnonzero(within & ~spokes & confirmed[first] & confirmed[second])
    compared: set[tuple[int, int]] = set()
    for hub, satellites in hubs:
        members = [hub, *(s for s in satellites if confirmed[s])]
        position = {corpus.articles[i].id: i for i in members}
        compared.update(
            (min(position[a], position[b]), max(position[a], position[b])) for a, b in compared_pairs(list(position))
        )
    implied = np.zeros(len(candidates), dtype=bool)
    implied[between] = [(min(i, j), max(i, j)) not in compared for i, j in candidates[between].tolist()]
    if stats is not None:
        stats["pairs_implied"] = int(implied.sum())
    rest = np.flatnonzero(~spokes & ~implied)
    return pairs + verify(rest, len(spoke_rows) + int(implied.sum()))


def build_clusters(
    corpus: Corpus,
    pairs: list[Pair],
    config: ScanConfig,
    workers: Workers | None = None,
    progress: Progress | None = None,
) -> list[Cluster]:
    """Star clusters of the duplicate pairs, each ranked by faithfulness (`progress("rank", done, total)` as
    clusters are ranked).

    Ranking compares every two members (each with `rank.PARTNERS` others in a larger cluster), so the pairs it
    compares that are missing (not candidates) are verified here, all at once: screened, then verified on every
    core like the candidates. The clusters are ranked in `workers` too when there are many
    (`workers.rank_clusters`).
    """
    if workers is None:
        with Workers(worker_count(config)) as own:
            return build_clusters(corpus, pairs, config, own, progress)
    index_of = {article.id: index for index, article in enumerate(corpus.articles)}
    known = {(p.a, p.b): p for p in pairs}
    stars = star_clusters([a.id for a in corpus.articles], pairs)
    missing = [
        (index_of[first], index_of[second])
        for _, members in stars
        for first, second in compared_pairs(members)
        if (first, second) not in known and (second, first) not in known
    ]
    if missing:
        rows = np.asarray(missing, dtype=np.int64)
        kept = screen(corpus, rows, config)
        for pair in verify_pairs(corpus, rows[kept.keep], config, workers=workers, matches=kept.matches):
            known[(pair.a, pair.b)] = pair
    # Fluency is judged against a language model of the scanned corpus (rank.py leaves each cluster out), or of
    # an evenly spaced sample of it: building the model is Python per word (0.6 ms a Reuters article).
    step = -(-len(corpus) // FLUENCY_SAMPLE)
    model = LanguageModel.build(corpus.text(i) for i in range(0, len(corpus), step)) if stars else None
    articles = [[corpus.articles[index_of[m]] for m in members] for _, members in stars]
    ranked = rank_clusters(
        articles,
        known,
        model,
        workers,
        None if progress is None else lambda done: progress("rank", done, len(articles)),
    )
    return [
        Cluster(id=number, representative=representative, members=members)
        for number, ((representative, _), members) in enumerate(zip(stars, ranked, strict=True), start=1)
    ]


def _articles(
    sources: Iterable[str | Path] | Iterable[Article], log: IngestLog, fields: Fields | None
) -> Iterable[Article]:
    items = list(sources)
    if all(isinstance(item, Article) for item in items):
        return items  # type: ignore[return-value]
    return read_articles(items, log, fields)  # type: ignore[arg-type]
