"""Verification: a candidate pair becomes a `Pair` with a relation and its evidence, or nothing."""

from __future__ import annotations

import numpy as np

from dedupe import kernels
from dedupe.align import Alignment, align
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import is_plain, pack, shingle_sets
from dedupe.models import Pair, Relation
from dedupe.normalize import words as text_words
from dedupe.segment import ABBREVIATION_TABLE


def shingle_overlap(a: Document, b: Document) -> tuple[float, float, float]:
    """Exact Jaccard of the two shingle sets and the containment of each in the other."""
    if len(a.shingles) == 0 or len(b.shingles) == 0:
        return 0.0, 0.0, 0.0
    shared = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    union = len(a.shingles) + len(b.shingles) - shared
    return shared / union, shared / len(a.shingles), shared / len(b.shingles)


def classify(a: Document, b: Document, jaccard: float, alignment: Alignment, config: ScanConfig) -> Relation | None:
    """The relation of two documents, or None when they are not copies of each other.

    - exact-duplicate: the same words in the same order (markup, case, quotes and spacing aside);
    - near-duplicate: the same article, edited or garbled: shingle Jaccard at least `near_jaccard`, or aligned
      passages covering at least `near_coverage` of the shorter article (garbled copies share few 5-grams);
    - partial-reuse: less than that, but one passage of `reuse_min_words` words or more is verbatim or edited.
    """
    if a.words and a.words == b.words:
        return "exact-duplicate"
    shorter_coverage = alignment.coverage_a if len(a.words) <= len(b.words) else alignment.coverage_b
    if jaccard >= config.near_jaccard or shorter_coverage >= config.near_coverage:
        return "near-duplicate"
    if alignment.longest_reuse >= config.reuse_min_words:
        return "partial-reuse"
    return None


def relate(a: Document, b: Document, config: ScanConfig | None = None) -> Pair | None:
    """Verify a candidate pair: measure it exactly, align it, and give it a relation (None: unrelated)."""
    config = config or ScanConfig()
    jaccard, containment_ab, containment_ba = shingle_overlap(a, b)
    alignment = align(a, b, config.align)
    relation = classify(a, b, jaccard, alignment, config)
    if relation is None:
        return None
    return Pair(
        a=a.id,
        b=b.id,
        relation=relation,
        jaccard=round(jaccard, 4),
        containment_ab=round(containment_ab, 4),
        containment_ba=round(containment_ba, 4),
        passages=alignment.passages,
        coverage_a=alignment.coverage_a,
        coverage_b=alignment.coverage_b,
    )


def screen(corpus: Corpus, candidates: np.ndarray, config: ScanConfig) -> np.ndarray:
    """Which candidate pairs could become a `Pair`: a cheap necessary condition, checked before alignment.

    A pair can only be related when its shingle Jaccard reaches `near_jaccard` (exact duplicates have 1.0) or its
    alignment could reach the coverage of a near-duplicate or hold an edited passage (kernels.may_relate).
    Candidates failing both would verify to None, so dropping them never changes the result; it saves preparing
    and aligning them (on Reuters-derived text it drops about 12 of every 13 passage-level candidates).
    """
    if len(candidates) == 0:
        return np.zeros(0, dtype=bool)
    members = np.unique(candidates)
    local = np.searchsorted(members, candidates)
    texts = [corpus.text(i) for i in members.tolist()]
    jaccard = shingle_sets(texts, config.shingle).jaccard(local)
    words, passage_bounds, text_bounds = passage_words(corpus, members, texts, config.align.min_words)
    word_counts = np.fromiter((len(text_words(t)) for t in texts), dtype=np.int64, count=len(texts))
    close = jaccard >= config.near_jaccard
    unsure = np.flatnonzero(~close)
    aligns = kernels.may_relate(
        words,
        passage_bounds,
        text_bounds,
        word_counts,
        np.ascontiguousarray(local[unsure]),
        config.align.min_similarity,
        config.align.edited_similarity,
        config.near_coverage,
    )
    close[unsure[aligns]] = True
    return close


def passage_words(
    corpus: Corpus, members: np.ndarray, texts: list[str], min_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sorted word hashes of each passage of the `members` (as kernels.plain_passage_words lays them out):
    compiled for plain texts, from the prepared document for the others."""
    plain = np.fromiter((is_plain(t) for t in texts), dtype=bool, count=len(texts))
    per_text: list[list[np.ndarray]] = [[] for _ in texts]
    rows = np.flatnonzero(plain)
    if len(rows):
        data, offsets = pack([texts[i] for i in rows])
        words, bounds, owned = kernels.plain_passage_words(data, offsets, ABBREVIATION_TABLE, min_words)
        for row, i in enumerate(rows.tolist()):
            per_text[i] = [words[bounds[p] : bounds[p + 1]] for p in range(owned[row], owned[row + 1])]
    for i in np.flatnonzero(~plain).tolist():
        document = corpus.document(int(members[i]))
        per_text[i] = [
            np.sort(document.word_hashes[first:last])
            for first, last in document.sentence_words.tolist()
            if last - first >= min_words
        ]
    passages = [p for text in per_text for p in text]
    text_bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(text) for text in per_text], out=text_bounds[1:])
    passage_bounds = np.zeros(len(passages) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in passages], out=passage_bounds[1:])
    words = np.concatenate(passages) if passages else np.zeros(0, dtype=np.uint64)
    return words.astype(np.uint64, copy=False), passage_bounds, text_bounds
