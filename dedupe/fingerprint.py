"""Shingles and MinHash signatures: word hashes, word k-grams, and datasketch-compatible signatures.

Signatures are bit-for-bit those of `datasketch.MinHash` (its default `affine32` scheme) for the same 32-bit
shingle hashes: the same permutation parameters, the same MurmurHash3 premix, the same `a * h + b mod 2**32`
(tests/test_fingerprint.py checks against datasketch itself), so a signature can go into datasketch's
`LeanMinHash(seed=..., hashvalues=..., scheme="affine32")` and `MinHashLSH`. The loops run compiled (kernels.py);
this module says what they compute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dedupe import kernels
from dedupe.flat import DOCUMENTS, Layout
from dedupe.models import Text, decoded
from dedupe.normalize import has_ascii_words_only
from dedupe.normalize import words as text_words
from dedupe.segment import ABBREVIATION_TABLE

_NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]")
# Texts fingerprinted per call of the compiled kernel: bounds the bytes held at once and paces progress.
_TEXT_CHUNK = 8192


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """The 64-bit hash of every word (FNV-1a of its UTF-8 bytes, then `fmix64`; see kernels.py), in order (a lone
    surrogate, which the Python API may be given, as its three bytes)."""
    encoded = [w.encode("utf-8", "surrogatepass") for w in words]
    bounds = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=bounds[1:])
    return kernels.hash_words(np.frombuffer(b"".join(encoded), dtype=np.uint8), bounds)


def shingle_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """Unique 32-bit hashes of the word k-grams of a document, sorted.

    `hashes` are the document's word hashes in order. A k-gram's hash is the high 32 bits of
    `((h1 * M + h2) * M + ...) + hk mod 2**64` (M the odd splitmix64 constant). A document shorter than k words is
    one shingle of all its words, so short articles still have a signature; an empty one has no shingles.
    """
    return kernels.shingle_set(hashes, k)


def word_set_hashes(hashes: np.ndarray) -> np.ndarray:
    """Unique 32-bit hashes of a passage's words as a set (order-free: reordered rewrites still match)."""
    return np.unique((hashes >> np.uint64(32)).astype(np.uint32))


# The punctuation of news text outside words (curly quotes, dashes, spaces that do not break, signs), each with an
# ASCII stand-in that the tokeniser and the sentence splitter (segment.py) read exactly as they read it: curly
# quotes as the straight ones (each opens and closes a sentence, as German uses them), Unicode spaces as a space,
# and the rest as "~", which no rule reads. Most news text is not ASCII for these marks alone (4 of the 5 seeds,
# 29% of BBC News), and only plain text takes the compiled paths. tests/test_document.py proves the stand-ins
# change no word, span or sentence. (Not `normalize.fold_punctuation`, which folds dashes to -: the splitter reads
# a line ending in - as soft-wrapped.)
STAND_INS = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d", '"'),
        **dict.fromkeys("\u2018\u2019", "'"),
        **dict.fromkeys("\u00a0\u2007\u2009\u200a\u202f", " "),
        **dict.fromkeys(
            "\u201b\u201f\u2032\u2033"  # other quotes, primes (guillemets, low quotes: the regex path, segment.py)
            "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad"  # hyphens, dashes, minus, soft hyphen
            "\u2026\u2022\u00b7\u00b0\u00a7\u00b6\u00d7\u00b1"  # ellipsis, bullets, degree, signs
            "\u00a3\u20ac\u00a5\u00a2\u00a9\u00ae\u2122"  # currencies, copyright and trade marks
            "\u200b\ufeff",  # zero-width space, byte-order mark
            "~",
        ),
    }
)


# The byte the compiled kernels read for each code point from 128 to 65,535 (`kernels.plain_form`): a mark of
# `STAND_INS` its stand-in, any other 0 (a text holding one has no plain form).
READING = np.zeros(0x10000, dtype=np.uint8)
READING[list(STAND_INS)] = [ord(stand_in) for stand_in in STAND_INS.values()]  # type: ignore[arg-type]


def plain_form(text: str) -> str | None:
    """`text` as the compiled tokeniser and splitter read it: itself when plain (printable ASCII with tabs and line
    breaks, the compiled sentence splitter's domain); else, when replacing its news punctuation by the ASCII
    stand-ins of `STAND_INS` makes it plain, that text (one character for one, so every offset holds); else None
    (the regex path reads it)."""
    if text.isascii():
        return text if _NOT_PLAIN.search(text) is None else None
    form = _utf8_plain_form(text.encode("utf-8", "surrogatepass"))
    return None if form is None else form.decode("ascii")


def _utf8_plain_form(utf8: bytes) -> bytes | None:
    """`plain_form` of a text beyond ASCII given as UTF-8, as ASCII bytes."""
    form = kernels.plain_form(np.frombuffer(utf8, dtype=np.uint8), READING)
    return None if form is None else form.tobytes()


# The kernels read UTF-8: a text held as its bytes (`models.Articles`) goes to them as it is (decoding it to encode it
# again cost the scan's fingerprints a fifth more).
def pack(texts: Sequence[Text]) -> tuple[np.ndarray, np.ndarray]:
    """Texts as one UTF-8 byte array and the `[offsets[i], offsets[i + 1])` range of each (a lone surrogate, which
    the Python API may be given, as its three bytes: no kernel reads it as plain)."""
    encoded = [text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass") for text in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _chunks(texts: Sequence[Text]) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """`(first, data, offsets)` for each chunk of `_TEXT_CHUNK` texts from `first`, packed (`pack`): the kernels
    reading a chunk find each text's plain form themselves (`kernels.plain_passage_counts`)."""
    for first in range(0, len(texts), _TEXT_CHUNK):
        yield (first, *pack(texts[first : first + _TEXT_CHUNK]))


def _words_are_ascii(texts: Sequence[Text], known: np.ndarray) -> np.ndarray:
    """Which texts the compiled ASCII tokeniser reads word for word as the regex path does: those whose words are
    all ASCII. `known`: those the kernel found to be so, being ASCII and news punctuation; the others are asked
    here. The tokeniser takes every UTF-8 byte above 127 for a separator."""
    compiled = known.copy()
    for i in np.flatnonzero(~known).tolist():
        compiled[i] = has_ascii_words_only(decoded(texts[i]))
    return compiled


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """The unique sorted shingle hashes of many texts in two flat arrays: set i is `values[bounds[i]:bounds[i + 1]]`."""

    values: np.ndarray
    bounds: np.ndarray
    layout: ClassVar[Layout] = Layout({"bounds": (DOCUMENTS, "shingles")}, {"values": "shingles"})

    @classmethod
    def of_words(cls, hashes: np.ndarray, word_bounds: np.ndarray, k: int) -> ShingleSets:
        """`shingle_hashes(hashes[word_bounds[i]:word_bounds[i + 1]], k)` of every text, from word hashes found
        already (`profiles.corpus_features`): the same sets as `shingle_sets` of the texts, without reading them
        again."""
        return cls(*kernels.word_shingle_sets(hashes, word_bounds, k))

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        return self.values[self.bounds[i] : self.bounds[i + 1]]

    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)

    def jaccard(self, pairs: np.ndarray) -> np.ndarray:
        """Exact Jaccard of sets i and j for each row `(i, j)` of `pairs` (0 when either set is empty)."""
        if len(pairs) == 0:
            return np.zeros(0)
        shared = kernels.intersections(self.values, self.bounds, np.ascontiguousarray(pairs, dtype=np.int64))
        sizes = self.sizes()
        union = sizes[pairs[:, 0]] + sizes[pairs[:, 1]] - shared
        empty = (sizes[pairs[:, 0]] == 0) | (sizes[pairs[:, 1]] == 0)
        return np.where(empty, 0.0, shared / np.maximum(union, 1))

    def jaccard_at_least(self, pairs: np.ndarray, threshold: float) -> np.ndarray:
        """`self.jaccard(pairs) >= threshold` (for a threshold above 0), without finishing the count where it
        cannot reach the threshold."""
        if len(pairs) == 0:
            return np.zeros(0, dtype=bool)
        rows = np.ascontiguousarray(pairs, dtype=np.int64)
        return kernels.jaccard_at_least(self.values, self.bounds, rows, threshold)


def shingle_sets(texts: Sequence[str], k: int) -> ShingleSets:
    """`shingle_hashes(word_hashes(words(t)), k)` of every text: compiled where the words are ASCII, else the
    regex path."""
    values, bounds, known = kernels.ascii_shingle_sets(*pack(texts), k, READING)
    compiled = _words_are_ascii(texts, known)
    if compiled.all():
        return ShingleSets(values, bounds)
    sets = [values[bounds[i] : bounds[i + 1]] for i in range(len(texts))]
    for i in np.flatnonzero(~compiled).tolist():
        sets[i] = shingle_hashes(word_hashes(text_words(texts[i])), k)
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in sets], out=bounds[1:])
    values = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint32)
    return ShingleSets(values.astype(np.uint32, copy=False), bounds)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutations `a * h + b mod 2**32` of `datasketch.MinHash(num_perm, seed, scheme="affine32")`.

    As datasketch 2.0 draws them: odd multipliers, then offsets, from numpy's legacy `RandomState(seed)`. Derived
    here rather than read from datasketch because importing datasketch loads scipy, 0.9 s of every process's
    start (its LSH module integrates false-positive rates).
    """
    draw = np.random.RandomState(seed)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Computes MinHash signatures of 32-bit hash sets, many at once.

    Args:
        num_perm: number of permutations (signature length).
        seed: permutation seed; signatures are comparable only between hashers of equal num_perm and seed.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = affine32_permutations(num_perm, seed)

    @property
    def permutations(self) -> tuple[np.ndarray, np.ndarray]:
        """The `(a, b)` parameters of the permutations `a * h + b mod 2**32`, for kernels that MinHash inline."""
        return self._a, self._b

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """The signature (num_perm uint32 values) of one set of 32-bit hashes."""
        return self.signatures([hashes])[0]

    def signatures(self, hash_sets: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures of many hash sets as one `(len(hash_sets), num_perm)` uint32 array.

        An empty set gets the all-ones signature datasketch gives an empty MinHash.
        """
        bounds = np.zeros(len(hash_sets) + 1, dtype=np.int64)
        np.cumsum([len(h) for h in hash_sets], out=bounds[1:])
        values = np.concatenate(hash_sets) if len(hash_sets) else np.zeros(0, dtype=np.uint32)
        return kernels.minhash(values.astype(np.uint32, copy=False), bounds, self._a, self._b)

    def text_signatures(
        self, texts: Sequence[Text], k: int, progress: Callable[[int], None] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Signatures of the word k-gram shingles of plain texts, and each text's word count.

        The same as `signatures([shingle_hashes(word_hashes(words(t)), k) for t in texts])`, but texts whose words
        are all ASCII take the compiled tokeniser (kernels.ascii_signatures), with no Python per word; other texts
        the regex path.
        `progress(done)` is called after each chunk of texts.
        """
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        counts = np.empty(len(texts), dtype=np.int64)
        for first in range(0, len(texts), _TEXT_CHUNK):
            chunk = texts[first : first + _TEXT_CHUNK]
            found = kernels.ascii_signatures(*pack(chunk), k, self._a, self._b, READING)
            out[first : first + len(chunk)], counts[first : first + len(chunk)], known = found
            others = np.flatnonzero(~_words_are_ascii(chunk, known))
            if len(others):
                hashes = [word_hashes(text_words(decoded(chunk[i]))) for i in others.tolist()]
                out[first + others] = self.signatures([shingle_hashes(h, k) for h in hashes])
                counts[first + others] = [len(h) for h in hashes]
            if progress is not None:
                progress(first + len(chunk))
        return out, counts

    def passage_signatures(
        self,
        texts: Sequence[Text],
        min_words: int,
        others: Callable[[np.ndarray], tuple[list[np.ndarray], list[int]]] | None = None,
        dtype: type = np.uint32,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Signatures of the word sets of the sentences of plain texts, without preparing `Document`s.

        The same rows as `word_set_hashes` over `prepare(...).sentence_words` of `min_words` words or more, for
        every text with a plain form (`plain_form`). Returns `(signatures, owners, plain)`: one row per passage, the
        text each belongs to, and which texts were plain (the others need the regex path). `others(plain)`, when
        given, returns the word-set hashes of the passages of the texts that are not plain, with the text of each:
        their rows follow in the same array (appended afterwards, every row was copied: 3.7 GB at 1,000,000).

        Two passes over chunks of texts, counting the passages then filling their rows, so that only a chunk's
        plain forms and bytes are held beside the signatures (every text's at once peaked at 10 GB for 1,000,000
        articles, their 7.2 million passage signatures being 3.7 GB of it).

        `dtype` `np.uint16` keeps the low 16 bits of each value (b-bit minwise hashing, Li and Koenig 2010): half
        the memory, and two values of unequal minima agree by chance with probability 2**-16, which moves an
        estimated Jaccard by at most 0.00002 and a 4-row band's collision by less.
        """
        counts = np.zeros(len(texts), dtype=np.int64)
        plain = np.zeros(len(texts), dtype=bool)
        for first, data, offsets in _chunks(texts):
            chunk = slice(first, first + len(offsets) - 1)
            counts[chunk], plain[chunk] = kernels.plain_passage_counts(
                data, offsets, READING, ABBREVIATION_TABLE, min_words
            )
        other_sets, other_owners = others(plain) if others is not None else ([], [])
        starts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        signatures = np.empty((starts[-1] + len(other_sets), self.num_perm), dtype=dtype)
        for first, data, offsets in _chunks(texts):
            chunk = slice(first, first + len(offsets) - 1)
            kernels.plain_passage_signatures(
                data,
                offsets,
                READING,
                ABBREVIATION_TABLE,
                min_words,
                self._a,
                self._b,
                counts[chunk],
                starts[chunk],
                signatures,
            )
        if other_sets:
            signatures[starts[-1] :] = self.signatures(other_sets).astype(dtype, copy=False)
        owners = np.concatenate(
            (np.repeat(np.arange(len(texts), dtype=np.int64), counts), np.asarray(other_owners, dtype=np.int64))
        )
        return signatures, owners, plain
