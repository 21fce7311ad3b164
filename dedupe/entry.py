"""Index entries: what the gate computes of an article once and stores with it, so that a check finds, filters and
screens its candidates without preparing either article.

An entry holds the article's word-shingle set (the scan's exact Jaccard) and its sentence profile (profiles.py: the
scan's screen). The profile's word sets of the sentences of `min_words` words or more are the article's passages as
the scan's passage-level LSH fingerprints them (`word_set_hashes` of each sentence's words), so the passage
signatures, and with them the band keys of both levels, follow from the entry alone.

An entry is computed by the scan's own functions: plain-ASCII texts take the compiled tokeniser and sentence splitter
with no `Document` prepared, other texts (and texts with markup) their prepared `Document`.

Encoded, an entry is little-endian uint32 words: the counts `(shingles, sentences, words, terms, figures)`; the
shingles; one array per sentence field: lengths, sequence hashes (two words each), sizes of the word, term and figure
sets; then the values of those sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedupe import kernels
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import ShingleSets, shingle_sets
from dedupe.models import Article
from dedupe.profiles import Profiles, corpus_profiles, from_sentences


@dataclass(frozen=True, slots=True)
class Entries:
    """The entries of one or more articles, joined: article i is set i of `shingles` and document i of
    `profiles`."""

    shingles: ShingleSets
    profiles: Profiles

    def __len__(self) -> int:
        return len(self.shingles)

    def passage_sets(self, i: int, min_words: int) -> list[np.ndarray]:
        """The word sets of article i's passages (its sentences of `min_words` words or more), in text order."""
        p = self.profiles
        return [
            p.word_values[p.word_bounds[s] : p.word_bounds[s + 1]]
            for s in range(p.sentence_bounds[i], p.sentence_bounds[i + 1])
            if p.lengths[s] >= min_words
        ]

    def encode(self) -> bytes:
        """The encoded entry of a single article (module docstring)."""
        assert len(self) == 1, "one entry at a time"
        p = self.profiles
        values = (self.shingles.values, p.lengths, p.word_values, p.term_values, p.figure_values)
        parts = [
            np.asarray([len(v) for v in values]),
            self.shingles.values,
            p.lengths,
            p.sequence.astype("<u8").view("<u4"),
            np.diff(p.word_bounds),
            np.diff(p.term_bounds),
            np.diff(p.figure_bounds),
            p.word_values,
            p.term_values,
            p.figure_values,
        ]
        return np.concatenate([part.astype("<u4", copy=False) for part in parts]).tobytes()


def measure(article: Article, config: ScanConfig) -> tuple[Entries, Document | None]:
    """The entry of one article, by the scan's own paths (`shingle_sets`, `corpus_profiles`), and its prepared
    `Document` when those needed one (markup, or text that is not plain ASCII), else None."""
    corpus = Corpus([article], config.shingle)
    profiles = corpus_profiles(corpus, np.zeros(1, np.int64), config.align.min_words)
    entries = Entries(shingle_sets([corpus.text(0)], config.shingle), profiles)
    return entries, corpus.document(0) if corpus.prepared else None


@dataclass(frozen=True, slots=True)
class Sentences:
    """The sentences of several entries, joined, with their word sets: all the passage candidate rule reads
    (`kernels.colliding_passages`), so it is decoded without the per-document sets the screen needs."""

    sentence_bounds: np.ndarray
    lengths: np.ndarray
    word_values: np.ndarray
    word_bounds: np.ndarray


def decode(blobs: Sequence[bytes | memoryview], min_words: int) -> Entries:
    """The entries of several articles from their encodings, joined in the order given (`min_words`:
    `AlignConfig.min_words`, which sentences the per-document sets of the profiles count)."""
    shingles, shingle_bounds, *profile = _decode(blobs)
    return Entries(ShingleSets(shingles, shingle_bounds), from_sentences(*profile, min_words=min_words))


def decode_sentences(blobs: Sequence[bytes | memoryview]) -> Sentences:
    """The sentences and word sets of several entries, joined in the order given."""
    _, _, sentence_bounds, lengths, _, word_values, word_bounds, *_ = _decode(blobs)
    return Sentences(sentence_bounds, lengths, word_values, word_bounds)


def _decode(blobs: Sequence[bytes | memoryview]) -> tuple[np.ndarray, ...]:
    sizes = np.fromiter((len(blob) // 4 for blob in blobs), dtype=np.int64, count=len(blobs))
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    words = np.frombuffer(b"".join(blobs), dtype="<u4").astype(np.uint32, copy=False)
    return kernels.decode_entries(words, offsets)
