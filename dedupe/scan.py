"""`scan`: read -> prepare -> fingerprint -> candidates -> verify -> cluster -> rank. Composition only."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dedupe import collector, pages
from dedupe.candidates import code_pairs, document_candidates, merged_distinct, pair_codes, passage_pair_codes
from dedupe.cluster import DUPLICATE_RELATIONS, candidate_hubs, star_clusters
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import MinHasher, word_set_hashes
from dedupe.fluency import LanguageModel
from dedupe.ingest import Fields, IngestLog, read_articles
from dedupe.models import Article, Articles, Cluster, Pair, Skipped, Text, decoded
from dedupe.rank import compared_pairs, is_compared
from dedupe.verify import screen
from dedupe.workers import PendingModel, Workers, rank_clusters, verify_pairs, worker_count

# Documents the fluency model counts at most: word-pair statistics of news prose are stable well before that
# (rank.py weighs fluency fully from 50 documents on), and beyond it the model would cost time linear in the corpus.
FLUENCY_SAMPLE = 5000
# A family whose hub has this many satellites among the document-level candidates or more is verified through the
# hub (`verify_hubs`); smaller ones pair by pair, as the report lists them (64 copies: 2,016 pairs, about 0.4 s).
HUB_SATELLITES = 64
# Called as progress(stage, done, total) while a stage runs.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found, in input order; `report.py` renders it."""

    config: ScanConfig
    # The articles as read, held compactly (each made when asked for).
    documents: Articles
    # Related pairs; of a family of more than HUB_SATELLITES copies, those through its hub (`verify_hubs`).
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
    # The collector walked every object at each full collection (collector.py); huge pages for the arrays cost more
    # than they save where freed memory goes back to a virtual machine's host (pages.py).
    with collector.paused(), pages.ordinary():
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
    corpus = Corpus(_articles(sources, log, fields), config.shingle)
    stats["seconds_read"] = time.perf_counter() - clock

    clock = time.perf_counter()
    fingerprints = fingerprint(corpus, config, progress)
    stats["seconds_fingerprint"] = time.perf_counter() - clock

    clock = time.perf_counter()
    with pages.kept():  # arrays of hundreds of megabytes, freed and allocated again batch after batch (pages.kept)
        by_document = document_level(fingerprints.documents, config)
        passages, owners = fingerprints.passages, fingerprints.owners
        del fingerprints  # the documents' signatures (0.5 GB for 1,000,000 articles) before the passages are bucketed
        codes = candidate_codes(by_document, passages, owners, len(corpus), config, stats)
        del passages, owners  # their signatures (1.9 GB for 1,000,000 articles) before the rows are written
        candidates = candidate_rows(codes, len(corpus))
        del codes
    # Large families of copies, found among the document-level candidates (near-copies by their signatures).
    hubs = candidate_hubs(by_document, len(corpus), HUB_SATELLITES)
    stats["seconds_candidates"] = time.perf_counter() - clock

    with Workers(worker_count(config)) as workers:
        workers.warm(len(candidates))  # while the screen runs
        clock = time.perf_counter()
        through_hubs, left, implied = verify_hubs(corpus, candidates, hubs, config, workers)
        if hubs:
            stats["pairs_implied"] = implied
            candidates = candidates[left]
        stats["seconds_hubs"] = time.perf_counter() - clock

        clock = time.perf_counter()
        total = len(candidates)
        screened = None if progress is None else lambda done: progress("screen", done, total)
        kept = screen(corpus, candidates, config, screened)
        candidates = candidates[kept.keep]
        pages.give_back()  # the candidates' memory, kept in the heap (pages.kept)
        stats["candidates_screened"] = len(candidates)
        stats["seconds_screen"] = time.perf_counter() - clock

        # The ranking's language model, built by a worker while the other verifies when verification uses them.
        model = workers.build_model(fluency_sample(corpus)) if workers.verify_in_parallel(len(candidates)) else None

        clock = time.perf_counter()
        pairs = through_hubs + verify_pairs(
            corpus,
            candidates,
            config,
            None if progress is None else lambda done: progress("verify", done, len(candidates)),
            workers,
            kept.matches,
        )
        del kept  # the kept pairs' sentence matches (about 0.5 GB for 1,000,000 articles) before the ranking
        stats["seconds_verify"] = time.perf_counter() - clock

        clock = time.perf_counter()
        clusters = build_clusters(corpus, pairs, config, workers, progress, model)
        stats["seconds_cluster_rank"] = time.perf_counter() - clock
    stats["documents_prepared"] = corpus.prepared
    return ScanResult(
        config=config,
        documents=corpus.articles,
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
    texts = corpus.texts()
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

    # Passages in 16 bits: they only find candidates within this scan, and 1,000,000 articles' 7.2 million
    # passages took 3.7 GB in 32 (benchmarks/README.md, twenty-sixth round).
    passages, owners, _ = passage_hasher.passage_signatures(texts, config.align.min_words, regex_path_sets, np.uint16)
    return Fingerprints(documents, passages, owners)


def find_candidates(fingerprints: Fingerprints, config: ScanConfig, stats: dict[str, float]) -> np.ndarray:
    """Candidate document pairs from document-level and passage-level LSH, as sorted `(i, j)` rows (32-bit
    integers below 2**31 documents)."""
    size = len(fingerprints.documents)
    by_document = document_level(fingerprints.documents, config)
    codes = candidate_codes(by_document, fingerprints.passages, fingerprints.owners, size, config, stats)
    return candidate_rows(codes, size)


def document_level(signatures: np.ndarray, config: ScanConfig) -> np.ndarray:
    """The document-level candidates: `(i, j)` rows of documents whose signatures collide in a band."""
    document = config.document
    return document_candidates(signatures, document.threshold, config.max_bucket, document.false_positive_weight).pairs


def candidate_codes(
    by_document: np.ndarray,
    passages: np.ndarray,
    owners: np.ndarray,
    size: int,
    config: ScanConfig,
    stats: dict[str, float],
) -> np.ndarray:
    """`find_candidates` of `size` documents as sorted pair codes (`candidates.pair_codes`), which `candidate_rows`
    turns into rows (the scan lets the signatures go in between): the document-level candidates `by_document`
    and those of the passages' signatures `passages` (each of document `owners[k]`)."""
    by_passage, boilerplate = passage_pair_codes(
        passages,
        owners,
        size,
        config.passage.threshold,
        config.max_bucket,
        config.passage.false_positive_weight,
        config.evidence,
    )
    stats["candidates_document"] = len(by_document)
    stats["candidates_passage"] = len(by_passage)
    stats["passages"] = len(passages)
    stats["boilerplate_buckets"] = boilerplate
    return merged_distinct(by_passage, pair_codes(by_document, size))


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


def verify_hubs(
    corpus: Corpus, candidates: np.ndarray, hubs: list[tuple[int, list[int]]], config: ScanConfig, workers: Workers
) -> tuple[list[Pair], np.ndarray, int]:
    """The verified pairs of each hub with its satellites; which `candidates` rows `(i, j)` are left to screen and
    verify: neither a hub's pair with a satellite, nor a pair of two satellites that both proved duplicates of
    their hub and that the ranking does not compare (`rank.is_compared`); and how many are such implied pairs, never
    verified nor reported. A satellite that is not a duplicate of its hub keeps all its pairs.

    Every two copies of one story are candidates, so a family of 400 copies was 79,800 pairs to screen, verify (15
    s of a 21 s scan) and report (578 MB of JSON); with its hub, 3,344.
    """
    if not hubs:
        return [], np.ones(len(candidates), dtype=bool), 0
    spokes = np.asarray([(min(h, s), max(h, s)) for h, satellites in hubs for s in satellites], dtype=np.int64)
    kept = screen(corpus, spokes, config)
    pairs = verify_pairs(corpus, spokes[kept.keep], config, workers=workers, matches=kept.matches)

    ids = corpus.articles.ids()
    index_of = {article_id: index for index, article_id in enumerate(ids)}
    confirmed = np.zeros(len(corpus), dtype=bool)
    for pair in pairs:
        if pair.relation in DUPLICATE_RELATIONS:
            confirmed[[index_of[pair.a], index_of[pair.b]]] = True
    # Each hub's family: the hub and its confirmed satellites, placed in the order of their ids (as the ranking
    # places them) so that `rank.is_compared` tells which two of them it compares.
    family = np.full(len(corpus), -1, dtype=np.int64)
    place = np.zeros(len(corpus), dtype=np.int64)
    sizes = np.zeros(len(hubs), dtype=np.int64)
    hub_of = np.full(len(corpus), -1, dtype=np.int64)  # every satellite's hub, confirmed or not
    for number, (hub, satellites) in enumerate(hubs):
        members = sorted([hub, *(s for s in satellites if confirmed[s])], key=ids.__getitem__)
        family[members] = number
        place[members] = np.arange(len(members))
        sizes[number] = len(members)
        hub_of[satellites] = hub
    first, second = candidates[:, 0], candidates[:, 1]
    spoke = (hub_of[first] == second) | (hub_of[second] == first)  # verified above, whatever it proved
    same = (family[first] >= 0) & (family[first] == family[second])
    implied = same & ~spoke & ~is_compared(place[first], place[second], sizes[np.maximum(family[first], 0)])
    return pairs, ~spoke & ~implied, int(implied.sum())


def build_clusters(
    corpus: Corpus,
    pairs: list[Pair],
    config: ScanConfig,
    workers: Workers | None = None,
    progress: Progress | None = None,
    model: LanguageModel | PendingModel | None = None,
) -> list[Cluster]:
    """Star clusters of the duplicate pairs, each ranked by faithfulness (`progress("rank", done, total)` as
    clusters are ranked); `model`: the language model of `fluency_sample(corpus)`, when built already.

    Ranking compares every two members (each with `rank.PARTNERS` others in a larger cluster), so the pairs it
    compares that are missing (not candidates) are verified here, all at once: screened, then verified on every
    core like the candidates. The clusters are ranked in `workers` too when there are many
    (`workers.rank_clusters`).
    """
    if workers is None:
        with Workers(worker_count(config)) as own:
            return build_clusters(corpus, pairs, config, own, progress, model)
    ids = corpus.articles.ids()
    index_of = {article_id: index for index, article_id in enumerate(ids)}
    known = {(p.a, p.b): p for p in pairs}
    stars = star_clusters(ids, pairs)
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
    if model is None and stars:
        model = LanguageModel.build(map(decoded, fluency_sample(corpus)))
    articles = [corpus.articles.subset(index_of[m] for m in members) for _, members in stars]
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


def fluency_sample(corpus: Corpus) -> list[Text]:
    """The texts the ranking's language model counts (`Corpus.held_text`): fluency is judged against a model of the
    scanned corpus (rank.py leaves each cluster out), or of an evenly spaced sample of it (`FLUENCY_SAMPLE`)."""
    step = -(-len(corpus) // FLUENCY_SAMPLE)
    return [corpus.held_text(i) for i in range(0, len(corpus), step)]


def _articles(
    sources: Iterable[str | Path] | Iterable[Article], log: IngestLog, fields: Fields | None
) -> Iterable[Article]:
    items = list(sources)
    if all(isinstance(item, Article) for item in items):
        return items  # type: ignore[return-value]
    return read_articles(items, log, fields)  # type: ignore[arg-type]
