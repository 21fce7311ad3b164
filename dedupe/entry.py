"""Index entries: what the gate computes of an article once and stores with it, so that a check finds, filters and
screens its candidates without preparing either article.

An entry holds the article's word-shingle set (the scan's exact Jaccard) and its sentence profile (profiles.py: the
scan's screen). The profile's word sets of the sentences of `min_words` words or more are the article's passages as
the scan's passage-level LSH fingerprints them (`word_set_hashes` of each sentence's words), so the passage
signatures, and with them the band keys of both levels, follow from the entry alone.

An entry is computed by the scan's own functions (`corpus_features`, then its profiles and `ShingleSets.of_words`):
plain texts (plain ASCII, or made so by `fingerprint.plain_form`) take the compiled tokeniser and sentence splitter
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
from dedupe.fingerprint import ShingleSets
from dedupe.models import Article
from dedupe.profiles import Profiles, corpus_features, from_sentences, profiles


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
        return self.encode_each()[0]

    def encode_each(self) -> list[bytes]:
        """The encoded entry of each article, in order (module docstring)."""
        p = self.profiles
        shingles, bounds = self.shingles.values, self.shingles.bounds
        # Per-sentence fields of all articles at once; then each article's slices are joined.
        sequence = p.sequence.astype("<u8").view("<u4")
        sizes = [np.diff(b).astype("<u4") for b in (p.word_bounds, p.term_bounds, p.figure_bounds)]
        sets = [
            (v.astype("<u4", copy=False), b)
            for v, b in (
                (p.word_values, p.word_bounds),
                (p.term_values, p.term_bounds),
                (p.figure_values, p.figure_bounds),
            )
        ]
        lengths = p.lengths.astype("<u4", copy=False)
        encoded = []
        for i in range(len(self)):
            s, t = int(p.sentence_bounds[i]), int(p.sentence_bounds[i + 1])
            values = [shingles[bounds[i] : bounds[i + 1]], lengths[s:t]] + [v[b[s] : b[t]] for v, b in sets]
            counts = np.array([len(values[0]), t - s, *(len(v) for v in values[2:])], dtype="<u4")
            parts = [counts, values[0].astype("<u4", copy=False), lengths[s:t], sequence[2 * s : 2 * t]]
            parts += [size[s:t] for size in sizes] + values[2:]
            encoded.append(np.concatenate(parts).tobytes())
        return encoded


def measure(article: Article, config: ScanConfig) -> tuple[Entries, Document | None]:
    """The entry of one article, by the scan's own paths (`shingle_sets`, `corpus_profiles`), and its prepared
    `Document` when those needed one (markup, or text that is not plain ASCII), else None."""
    corpus = Corpus([article], config.shingle)
    return _measure(corpus, config), corpus.document(0) if corpus.prepared else None


def measure_many(articles: Sequence[Article], config: ScanConfig) -> Entries:
    """The entries of many articles at once, joined in order: the same entries as `measure` gives each, by the
    scan's batch paths (compiled over all plain-ASCII texts together)."""
    return _measure(Corpus(articles, config.shingle), config)


def _measure(corpus: Corpus, config: ScanConfig) -> Entries:
    # The shingles from the word hashes the profiles' features find (as the scan's screen takes them), not from the
    # texts read again: the same sets as `shingle_sets` of the texts.
    features = corpus_features(corpus, np.arange(len(corpus), dtype=np.int64))
    shingles = ShingleSets.of_words(features.hashes, features.word_bounds, config.shingle)
    return Entries(shingles, profiles(features, config.align.min_words))


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
    """The sentences and word sets of several entries, joined in the order given (the rest is not decoded)."""
    return Sentences(*kernels.decode_entry_sentences(*_joined(blobs)))


def _decode(blobs: Sequence[bytes | memoryview]) -> tuple[np.ndarray, ...]:
    return kernels.decode_entries(*_joined(blobs))


def _joined(blobs: Sequence[bytes | memoryview]) -> tuple[np.ndarray, np.ndarray]:
    """The encoded entries as one array of words, and where each starts (then where the last ends)."""
    sizes = np.fromiter((len(blob) // 4 for blob in blobs), dtype=np.int64, count=len(blobs))
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return np.frombuffer(b"".join(blobs), dtype="<u4").astype(np.uint32, copy=False), offsets
