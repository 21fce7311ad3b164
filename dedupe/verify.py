"""Verification: a candidate pair becomes a `Pair` with a relation and its evidence, or nothing."""

from __future__ import annotations

import numpy as np

from dedupe.align import Alignment, align
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import shingle_hashes, shingle_sets
from dedupe.models import Pair, Relation
from dedupe.profiles import corpus_profiles


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
    - near-duplicate: the same article, edited, updated, cut or garbled: shingle Jaccard at least `near_jaccard`,
      or aligned passages covering `near_coverage` of both articles or `contained_coverage` of the shorter one
      (garbled copies share few 5-grams, so the alignment decides);
    - partial-reuse: less than that, but one passage of `reuse_min_words` words or more is verbatim or edited.
    """
    if a.words and a.words == b.words:
        return "exact-duplicate"
    shorter_coverage = alignment.coverage_a if len(a.words) <= len(b.words) else alignment.coverage_b
    if (
        jaccard >= config.near_jaccard
        or min(alignment.coverage_a, alignment.coverage_b) >= config.near_coverage
        or shorter_coverage >= config.contained_coverage
    ):
        return "near-duplicate"
    if alignment.longest_reuse >= config.reuse_min_words:
        return "partial-reuse"
    return None


def relate(a: Document, b: Document, config: ScanConfig | None = None) -> Pair | None:
    """Verify a candidate pair: measure it exactly, align it, and give it a relation (None: unrelated)."""
    config = config or ScanConfig()
    jaccard, containment_ab, containment_ba = shingle_overlap(a, b)
    alignment = align(a, b, config.align, regions=False)
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


class Screen:
    """The scan's candidate rule, applied by the gate to each indexed article `a` found in a bucket of one incoming
    `b`, from `a`'s word hashes and sentence ranges alone (no text, no preparing).

    A pair goes on to `relate` when its shingle Jaccard reaches the document-level LSH threshold, or when its
    sentences give the passage evidence the scan asks of passage-level candidates (`ScanConfig.evidence`: two
    sentence pairs with word-set Jaccard >= 0.35, or one >= 0.7). The gate checks every sentence pair where the scan
    checks those LSH made collide, so it admits at least what the scan would.
    """

    def __init__(self, b: Document, config: ScanConfig) -> None:
        self.b = b
        self.config = config
        self.vocabulary = np.unique(b.word_hashes)
        self.rows_b, self.distinct_b, _ = _sentence_sets(
            b.word_hashes, b.sentence_words, config.align.min_words, self.vocabulary
        )

    def admits(self, word_hashes: np.ndarray, sentence_words: np.ndarray, shingles: np.ndarray | None = None) -> bool:
        """Whether `a` (its word hashes and sentence ranges; its shingles when already known) goes on to `relate`."""
        config = self.config
        if shingles is None:
            shingles = shingle_hashes(word_hashes, config.shingle)
        if len(shingles) and len(self.b.shingles):
            shared = len(np.intersect1d(shingles, self.b.shingles, assume_unique=True))
            threshold = min(config.near_jaccard, config.document.threshold)
            if shared / (len(shingles) + len(self.b.shingles) - shared) >= threshold:
                return True
        if not len(self.distinct_b):
            return False
        rows_a, distinct_a, _ = _sentence_sets(word_hashes, sentence_words, config.align.min_words, self.vocabulary)
        if not len(distinct_a):
            return False
        shared_words = rows_a.astype(np.int32) @ self.rows_b.T.astype(np.int32)
        union = distinct_a[:, None] + self.distinct_b[None, :] - shared_words
        jaccard = shared_words / np.maximum(union, 1)
        return config.evidence.enough(jaccard[jaccard >= config.evidence.min_jaccard].tolist())


def _sentence_sets(
    hashes: np.ndarray, sentence_words: np.ndarray, min_words: int, vocabulary: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentences of at least `min_words` words: their words as boolean rows over `vocabulary`, their distinct
    word counts and their lengths in words."""
    lengths = (sentence_words[:, 1] - sentence_words[:, 0]) if len(sentence_words) else np.zeros(0, dtype=np.int64)
    kept = sentence_words[lengths >= min_words] if len(sentence_words) else sentence_words
    lengths = lengths[lengths >= min_words].astype(np.int64)
    rows = np.zeros((len(kept), len(vocabulary)), dtype=bool)
    if not len(kept):
        return rows, np.zeros(0, dtype=np.int64), lengths
    owner = np.repeat(np.arange(len(kept)), lengths)
    words = np.concatenate([hashes[first:last] for first, last in kept.tolist()])
    order = np.lexsort((words, owner))
    owner, words = owner[order], words[order]
    fresh = np.ones(len(words), dtype=bool)
    fresh[1:] = (words[1:] != words[:-1]) | (owner[1:] != owner[:-1])
    distinct = np.bincount(owner[fresh], minlength=len(kept)).astype(np.int64)
    places = np.searchsorted(vocabulary, words)
    inside = places < len(vocabulary)
    inside[inside] = vocabulary[places[inside]] == words[inside]
    rows[owner[inside], places[inside]] = True
    return rows, distinct, lengths


def screen(corpus: Corpus, candidates: np.ndarray, config: ScanConfig) -> np.ndarray:
    """Which candidate pairs of a scan go on to alignment: those that could relate at all.

    A pair relates only when its shingle Jaccard reaches `near_jaccard` or `align` finds a passage, and a passage
    needs a sentence pair that `profiles.Profiles.may_align` admits. Both are decided in compiled code from the
    texts, so the many pairs LSH proposes for sharing common sentence words (templated wire copy) cost no
    alignment, and the result is exactly that of verifying every candidate (tests/test_verify.py).
    """
    if len(candidates) == 0:
        return np.zeros(0, dtype=bool)
    documents = np.unique(candidates)
    rows = np.searchsorted(documents, candidates)
    texts = [corpus.text(i) for i in documents.tolist()]
    keep = shingle_sets(texts, config.shingle).jaccard(rows) >= min(config.near_jaccard, config.document.threshold)
    rest = np.flatnonzero(~keep)
    if len(rest):
        keep[rest] = corpus_profiles(corpus, documents, config.align.min_words).screen(rows[rest], config)
    return keep
