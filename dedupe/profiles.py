"""Sentence profiles: what the screen must know of each sentence to tell, without aligning, that two documents
cannot relate.

`align` matches two sentences of `AlignConfig.min_words` words or more only when they have the same words, or share
two or more content terms with a Dice coefficient of at least `AlignConfig.min_similarity` and their figures agree.
Every relation but a high-Jaccard near-duplicate needs a matched passage (`verify.classify`); the screen asks for one
such sentence pair, so it lets go only pairs whose matches would all be lines under `min_words` words (two notices
sharing a "Pay April 1" line). It also counts the scan's passage evidence (`ScanConfig.evidence`, on word sets).
Both are decided here from what is kept per sentence: its word count, a hash of its word sequence, and its sets of
word, term and figure hashes (32 bits each; a collision can only admit a pair) with a 192-bit sketch of the word
and term sets (which bounds what two sets share: most sentence pairs are ruled out without comparing their sets),
plus per document its sentence hashes.

Plain texts (plain ASCII, or made so by `fingerprint.plain_form`) get their profiles straight from the compiled
tokeniser and sentence splitter (`kernels.plain_word_features`), with no `Document` prepared; other texts from their
prepared `Document`.
tests/test_profiles.py proves both give the same profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import ClassVar

import numpy as np

from dedupe import kernels
from dedupe.align import NUMBER_WORDS, STEM, STOPWORDS, figure_marks
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import READING, pack, word_hashes
from dedupe.flat import DOCUMENTS, Layout
from dedupe.segment import ABBREVIATION_TABLE


@cache
def _word_table() -> tuple[np.ndarray, np.ndarray]:
    """The compiled features' table of the stop words and the number words (`kernels.word_table`; made on first
    use: hashing loads a kernel, which the document-level job never needs)."""
    return kernels.word_table(word_hashes(sorted(STOPWORDS)), word_hashes(sorted(NUMBER_WORDS)))


@dataclass(frozen=True, slots=True)
class WordFeatures:
    """Per word of one document: its hash, its term's hash (0 for a function word) and its figure mark
    (`align.figure_marks`); per sentence its `[first, last)` word range and whether its text ends in ".", "!" or
    "?" (where `align` lets a fragment join the match before it)."""

    hashes: np.ndarray
    terms: np.ndarray
    figures: np.ndarray
    sentence_words: np.ndarray
    terminal: np.ndarray


def word_features(document: Document) -> WordFeatures:
    """The word features of a prepared document, by the definitions `align` uses (`sentence_terms`,
    `sentence_figures`, `_absorb_fragments`)."""
    words = document.words
    terms = word_hashes([w[:STEM] for w in words])
    terms[np.fromiter((w in STOPWORDS for w in words), dtype=bool, count=len(words))] = 0
    figures = np.asarray(figure_marks(document), dtype=np.int8)
    text = document.clean.text
    terminal = np.fromiter(
        (text[end - 1] in ".!?" for _, end in document.sentences), dtype=bool, count=len(document.sentences)
    )
    return WordFeatures(document.word_hashes, terms, figures, document.sentence_words.astype(np.int64), terminal)


@dataclass(frozen=True, slots=True)
class CorpusFeatures:
    """The word features of many documents, joined: document d's words are rows `word_bounds[d]:word_bounds[d +
    1]` of `hashes`, `terms` and `figures`, its sentences rows `sentence_bounds[d]:sentence_bounds[d + 1]` of
    `ranges` (word indexes within the document) and `terminal`."""

    hashes: np.ndarray
    terms: np.ndarray
    figures: np.ndarray
    word_bounds: np.ndarray
    ranges: np.ndarray
    terminal: np.ndarray
    sentence_bounds: np.ndarray


def joined(features: Sequence[WordFeatures]) -> CorpusFeatures:
    """The features of several documents, joined in order."""
    word_bounds = np.zeros(len(features) + 1, dtype=np.int64)
    np.cumsum([len(f.hashes) for f in features], out=word_bounds[1:])
    sentence_bounds = np.zeros(len(features) + 1, dtype=np.int64)
    np.cumsum([len(f.sentence_words) for f in features], out=sentence_bounds[1:])

    def join(arrays: list[np.ndarray], dtype: type, shape: tuple[int, ...] = (0,)) -> np.ndarray:
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(shape, dtype=dtype)

    return CorpusFeatures(
        join([f.hashes for f in features], np.uint64),
        join([f.terms for f in features], np.uint64),
        join([f.figures for f in features], np.int8),
        word_bounds,
        join([f.sentence_words.reshape(-1, 2) for f in features], np.int64, (0, 2)),
        join([f.terminal for f in features], np.bool_),
        sentence_bounds,
    )


@dataclass(frozen=True, slots=True)
class Profiles:
    """Sentence profiles of many documents in flat arrays: document d's sentences are rows
    `sentence_bounds[d]:sentence_bounds[d + 1]`; sentence s's terms are `term_values[term_bounds[s]:...]`."""

    sentence_bounds: np.ndarray
    lengths: np.ndarray
    sequence: np.ndarray
    word_values: np.ndarray
    word_bounds: np.ndarray
    term_values: np.ndarray
    term_bounds: np.ndarray
    figure_values: np.ndarray
    figure_bounds: np.ndarray
    # Per sentence: the sketches of its word and term sets (`kernels.set_sketches`), which bound what two sets share.
    word_sketches: np.ndarray
    term_sketches: np.ndarray
    # Per document: the sorted word-sequence hashes of its sentences of `min_words` words or more.
    document_sequences: np.ndarray
    document_sequence_bounds: np.ndarray
    min_words: int
    layout: ClassVar[Layout] = Layout(
        {
            "sentence_bounds": (DOCUMENTS, "sentences"),
            "document_sequence_bounds": (DOCUMENTS, "document sequences"),
            "word_bounds": ("sentences", "words"),
            "term_bounds": ("sentences", "terms"),
            "figure_bounds": ("sentences", "figures"),
        },
        {
            "lengths": "sentences",
            "sequence": "sentences",
            "word_values": "words",
            "term_values": "terms",
            "figure_values": "figures",
            "word_sketches": "sentences",
            "term_sketches": "sentences",
            "document_sequences": "document sequences",
        },
    )

    def __len__(self) -> int:
        return len(self.sentence_bounds) - 1

    def screen(self, pairs: np.ndarray, config: ScanConfig) -> np.ndarray:
        """For each row `(i, j)` of `pairs` (profile indexes): whether their sentences give passage evidence
        (`ScanConfig.evidence`) and one sentence pair could be aligned as a passage. False for either means
        `align` finds no passage of `min_words` words or more."""
        if len(pairs) == 0:
            return np.zeros(0, dtype=bool)
        if config.align.min_words != self.min_words:
            raise ValueError(f"profiles made for min_words={self.min_words}, not {config.align.min_words}")
        evidence = config.evidence
        return kernels.screen_pairs(
            np.ascontiguousarray(pairs, dtype=np.int64),
            self.sentence_bounds,
            self.lengths,
            self.word_values,
            self.word_bounds,
            self.word_sketches,
            self.term_values,
            self.term_bounds,
            self.term_sketches,
            self.figure_values,
            self.figure_bounds,
            self.document_sequences,
            self.document_sequence_bounds,
            config.align.min_words,
            config.align.min_similarity,
            config.align.min_shared_figures,
            evidence.min_jaccard,
            evidence.min_matches,
            evidence.strong_jaccard,
        )


def profiles(features: Sequence[WordFeatures] | CorpusFeatures, min_words: int) -> Profiles:
    """The sentence profiles of documents given by their word features; document sets count the sentences of
    `min_words` words or more (`AlignConfig.min_words`)."""
    f = features if isinstance(features, CorpusFeatures) else joined(features)
    return from_sentences(
        f.sentence_bounds,
        *kernels.sentence_profiles(f.hashes, f.terms, f.figures, f.word_bounds, f.ranges, f.sentence_bounds),
        min_words=min_words,
    )


def corpus_profiles(corpus: Corpus, indexes: np.ndarray, min_words: int) -> Profiles:
    """The sentence profiles of articles `indexes` of a corpus (profile k is article `indexes[k]`)."""
    return profiles(corpus_features(corpus, indexes), min_words)


def corpus_features(corpus: Corpus, indexes: np.ndarray) -> CorpusFeatures:
    """The word features of articles `indexes` of a corpus, joined (document k is article `indexes[k]`)."""
    data, offsets = pack([corpus.held_text(i) for i in indexes.tolist()])
    hashes, terms, figures, word_bounds, ranges, terminal, sentence_bounds, plain = kernels.plain_word_features(
        data, offsets, READING, ABBREVIATION_TABLE, *_word_table(), STEM
    )
    others = np.flatnonzero(~plain)
    if len(others) == 0:
        return CorpusFeatures(hashes, terms, figures, word_bounds, ranges, terminal, sentence_bounds)
    # Some texts need the regex path (rare in news): their features are spliced in between the runs of the others'.
    # (Splitting every document's features into a list to join them again took a fifth of a 1,000,000-document
    # screen, whose blocks of 500,000 documents always hold a few such texts.)
    word_counts, sentence_counts = np.diff(word_bounds), np.diff(sentence_bounds)
    pieces: list[WordFeatures] = []
    start = 0
    for k in [*others.tolist(), len(indexes)]:
        words, sentences = slice(word_bounds[start], word_bounds[k]), slice(sentence_bounds[start], sentence_bounds[k])
        pieces.append(WordFeatures(hashes[words], terms[words], figures[words], ranges[sentences], terminal[sentences]))
        if k < len(indexes):
            own = word_features(corpus.document(int(indexes[k])))
            word_counts[k], sentence_counts[k] = len(own.hashes), len(own.sentence_words)
            pieces.append(own)
        start = k + 1
    spliced = joined(pieces)
    return replace(
        spliced,
        word_bounds=np.concatenate(([0], np.cumsum(word_counts))),
        sentence_bounds=np.concatenate(([0], np.cumsum(sentence_counts))),
    )


def from_sentences(sentence_bounds: np.ndarray, *sentence_fields: np.ndarray, min_words: int) -> Profiles:
    """Profiles from their per-sentence fields (lengths, sequence hashes, then the word, term and figure sets as
    values and bounds), with the sketches and per-document sets derived from them."""
    lengths, sequence, word_values, word_bounds, term_values, term_bounds, _, _ = sentence_fields
    sketches = kernels.set_sketches(word_values, word_bounds), kernels.set_sketches(term_values, term_bounds)
    document_sequences = kernels.document_sets(
        sequence, np.arange(len(sequence) + 1, dtype=np.int64), sentence_bounds, lengths, min_words
    )
    return Profiles(sentence_bounds, *sentence_fields, *sketches, *document_sequences, min_words)
