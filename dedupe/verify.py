"""Verification: a candidate pair becomes a `Pair` with a relation and its evidence, or nothing."""

from __future__ import annotations

import numpy as np

from dedupe.align import Alignment, align
from dedupe.config import ScanConfig
from dedupe.document import Document
from dedupe.fingerprint import shingle_hashes
from dedupe.models import Pair, Relation


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


class Screen:
    """A cheap necessary condition for `relate(a, b)` to find a relation, checked against one incoming `b` from
    each candidate `a`'s word hashes and sentence ranges alone (no text, no preparing): `admits` False guarantees
    `relate` returns None, so the gate skips the pair without aligning it.

    `relate` needs shingle Jaccard >= `near_jaccard` (exact copies have 1.0), or at least one aligned sentence pair.
    `align` scores a sentence pair only when it passes its word-overlap floor (`2 |A & B| >= min_similarity *
    min(|A|, |B|)` over word sets) and keeps it only when the Indel similarity `2 LCS / (la + lb)` reaches
    `min_similarity`. Both are bounded from word sets: LCS <= the multiset intersection <= |A & B| + the fewer
    repeated words of the two sentences. Word hashes can only merge words, never split them, so neither bound is
    stricter over hashes than over words.
    """

    def __init__(self, b: Document, config: ScanConfig) -> None:
        self.b = b
        self.config = config
        self.vocabulary = np.unique(b.word_hashes)
        self.rows_b, self.distinct_b, self.lengths_b = _sentence_sets(
            b.word_hashes, b.sentence_words, config.align.min_words, self.vocabulary
        )

    def admits(self, word_hashes: np.ndarray, sentence_words: np.ndarray) -> bool:
        config = self.config
        shingles = shingle_hashes(word_hashes, config.shingle)
        if len(shingles) and len(self.b.shingles):
            shared = len(np.intersect1d(shingles, self.b.shingles, assume_unique=True))
            if shared / (len(shingles) + len(self.b.shingles) - shared) >= config.near_jaccard:
                return True
        if not len(self.lengths_b):
            return False
        rows_a, distinct_a, lengths_a = _sentence_sets(
            word_hashes, sentence_words, config.align.min_words, self.vocabulary
        )
        if not len(lengths_a):
            return False
        shared_words = rows_a.astype(np.int32) @ self.rows_b.T.astype(np.int32)
        similarity = config.align.min_similarity
        floor = 2 * shared_words >= similarity * np.minimum(distinct_a[:, None], self.distinct_b[None, :])
        repeats = np.minimum((lengths_a - distinct_a)[:, None], (self.lengths_b - self.distinct_b)[None, :])
        indel = 2 * (shared_words + repeats) >= similarity * (lengths_a[:, None] + self.lengths_b[None, :])
        return bool(np.any(floor & indel))


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
