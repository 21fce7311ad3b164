"""How natural a stretch of text reads: a word-bigram model built from the scanned corpus itself.

Machine garbling leaves word pairs that news prose rarely contains ("said . to", "the the", "informed journalists").
The model counts, for every token bigram, the number of documents that contain it (document frequency, so one
long or repetitive article weighs no more than any other). A cluster is scored against the corpus WITHOUT the
cluster's own members: otherwise each copy would vouch for its own wording.

Tokens are case-folded words and single punctuation marks, so punctuation damage is seen too. In scripts written
without spaces (Chinese, Japanese, Thai...) each character is a token, as `normalize.WORD` makes it a word: a run
of kanji and kana is a clause, which no other text repeats, so its bigrams would say nothing. Combining marks
belong to their word (Hindi's vowel signs, Arabic's vowel marks).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import regex

from dedupe import kernels
from dedupe.fingerprint import READING, pack, word_hashes
from dedupe.normalize import SPACELESS

# Words as `normalize.WORD` has them (combining marks inside words, as in Hindi or vowelled Arabic), or one mark.
_TOKEN = regex.compile(
    rf"[{SPACELESS}]|[[\p{{L}}\p{{N}}\p{{M}}]--[{SPACELESS}]]+|[^\p{{L}}\p{{N}}\p{{M}}\s]", regex.VERSION1
)

Bigram = tuple[str, str]
# Word 4-grams: long enough that prose rarely repeats one by chance.
_PHRASE = 4


# `_TOKEN` of plain text (`fingerprint.plain_form`: ASCII, and news punctuation, none of it a letter, digit or mark),
# lower-cased: the same tokens (tests/test_fluency.py), found four times faster than by the Unicode pattern (19
# against 5 us a sentence).
_PLAIN_TOKEN = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")


def tokens(text: str, plain: bool = False) -> list[str]:
    """Case-folded words and punctuation marks of `text`, in order. `plain`: the text is known to be plain text
    (`fingerprint.plain_form` has it as it is, or by its stand-ins), which is read faster."""
    if plain:
        return _PLAIN_TOKEN.findall(text.lower())
    return [t.casefold() for t in _TOKEN.findall(text)]


def bigrams(seq: Sequence[str]) -> set[Bigram]:
    return set(itertools.pairwise(seq))


@dataclass(frozen=True, slots=True)
class TokenHashes:
    """The tokens of many texts as hashes (`fingerprint.word_hashes` of `tokens(text)`): text i's are
    `hashes[bounds[i]:bounds[i + 1]]`, and `is_word` tells words from punctuation marks."""

    hashes: np.ndarray
    is_word: np.ndarray
    bounds: np.ndarray


def token_hashes(texts: Sequence[str]) -> TokenHashes:
    """`word_hashes(tokens(t))` of every text: compiled for plain text (`fingerprint.plain_form`: ASCII, or ASCII and
    news punctuation; tests/test_fluency.py proves it the same), read from its UTF-8 in one pass; the regex path for
    the rest. Counting the model's tokens as strings in Python was 3 s of a 5,000-document scan."""
    plain, hashes, is_word, bounds = kernels.token_hashes(*pack(texts), READING)
    if plain.all():
        return TokenHashes(hashes, is_word, bounds)
    hash_parts: list[np.ndarray] = []
    word_parts: list[np.ndarray] = []
    for i, text in enumerate(texts):
        if plain[i]:
            hash_parts.append(hashes[bounds[i] : bounds[i + 1]])
            word_parts.append(is_word[bounds[i] : bounds[i + 1]])
        else:
            seq = tokens(text)
            hash_parts.append(word_hashes(seq))
            word_parts.append(np.fromiter((t[0].isalnum() for t in seq), dtype=bool, count=len(seq)))
    spliced = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(part) for part in hash_parts], out=spliced[1:])
    return TokenHashes(
        np.concatenate([np.zeros(0, dtype=np.uint64), *hash_parts]),
        np.concatenate([np.zeros(0, dtype=bool), *word_parts]),
        spliced,
    )


_MASK = (1 << 64) - 1
_MULTIPLIER = int(kernels.SHINGLE_MULTIPLIER)


_EMPTY_SLOTS = (np.zeros(16, dtype=np.uint64), np.zeros(16, dtype=np.int32))


def _slots(table: Table) -> tuple[np.ndarray, np.ndarray]:
    return table.slot_keys, table.slot_counts


class Table:
    """How many documents hold each key (a 64-bit hash): a compiled hash table (`kernels.count_table`).

    Arrays, not a dict: built in one compiled call from `np.unique`'s output, they travel to the ranking's worker
    processes as buffers, and a ranking reads a whole list of keys per call. (A dict of the 680,000 keys of a
    5,000-document model took 0.3 s to build and 0.27 s to unpickle in every worker; sorted arrays searched by
    bisection made the ranking's lookups twice as slow.)
    """

    __slots__ = ("size", "slot_counts", "slot_keys")

    def __init__(self, keys: np.ndarray | None = None, counts: np.ndarray | None = None) -> None:
        """`keys`: distinct keys in a fixed order (the same keys in the same order make an equal table)."""
        if keys is None or counts is None:
            # Every ranking without a corpus model makes empty tables: they share slots (a table is never changed).
            self.size, (self.slot_keys, self.slot_counts) = 0, _EMPTY_SLOTS
            return
        self.size = len(keys)
        self.slot_keys, self.slot_counts = kernels.count_table(keys, counts)

    @classmethod
    def of_slots(cls, slot_keys: np.ndarray, slot_counts: np.ndarray, size: int) -> Table:
        """The table whose slots `kernels.count_table` filled with `size` keys."""
        table = cls.__new__(cls)
        table.size, table.slot_keys, table.slot_counts = size, slot_keys, slot_counts
        return table

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Table)
            and np.array_equal(self.slot_keys, other.slot_keys)
            and np.array_equal(self.slot_counts, other.slot_counts)
        )

    def __getitem__(self, key: int) -> int:
        """The count of `key` (0 for a key never seen)."""
        return int(self.lookup(np.array([key], dtype=np.uint64))[0])

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The count of each of `keys` (0 for a key never seen)."""
        return kernels.table_counts(self.slot_keys, self.slot_counts, keys)

    def entries(self) -> tuple[np.ndarray, np.ndarray]:
        """The keys and their counts, in the table's order."""
        held = self.slot_counts > 0
        return self.slot_keys[held], self.slot_counts[held]


@dataclass(frozen=True, slots=True)
class Counts:
    """Document frequencies of tokens, token bigrams and word 4-grams (phrases) over some documents, keyed by hash."""

    documents: int = 0
    unigrams: Table = field(default_factory=Table)
    bigrams: Table = field(default_factory=Table)
    phrases: Table = field(default_factory=Table)

    @classmethod
    def of(cls, texts: Sequence[str]) -> Counts:
        found = token_hashes(texts)
        tables = kernels.frequency_tables(found.hashes, found.is_word, found.bounds, _PHRASE)
        return cls(len(texts), *(Table.of_slots(*table) for table in tables))


def text_key(text: str) -> int:
    """A 64-bit digest of a text, the same in every process (Python's `hash` of a str is not, and clusters are
    ranked in worker processes too)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


# Token hashes a model keeps (`LanguageModel.hashes`): about 100 MB of them.
_KNOWN_TOKENS = 1 << 20


class _LeftOut:
    """Documents a model leaves out: how many, and their `Counts`, counted when first read. A ranking leaves its
    cluster out of the model before it knows whether it will read the model at all: at 20,000 documents a fifth of
    the clusters that left some text out never read a count (their copies word every passage alike)."""

    __slots__ = ("_counts", "_texts", "documents")

    def __init__(self, texts: Sequence[str] = ()) -> None:
        self._texts = list(texts)
        self.documents = len(self._texts)
        self._counts: Counts | None = None

    @property
    def counts(self) -> Counts:
        if self._counts is None:
            self._counts = Counts.of(self._texts) if self._texts else Counts()
            self._texts = []
        return self._counts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _LeftOut) and self.counts == other.counts

    def __getstate__(self) -> Counts:
        return self.counts

    def __setstate__(self, counts: Counts) -> None:
        self._texts, self.documents, self._counts = [], counts.documents, counts


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """Bigram document frequencies of a corpus, with some documents (a cluster) left out.

    Probabilities are interpolated estimates: P(w2 | w1) = (df(w1 w2) + k P(w2)) / (df(w1) + k), with
    P(w2) add-one smoothed over the vocabulary (Jelinek-Mercer-style mixing, cf. Chen & Goodman 1998, with the
    mixing weight as a pseudo-count k).
    """

    corpus: Counts
    leaving: _LeftOut = field(default_factory=_LeftOut)
    k: float = 2.0
    # How many times each text (by `text_key`) was counted: leaving out only takes out what was counted, so the
    # model may be built from a sample of the corpus.
    counted: Counter[int] = field(default_factory=Counter)
    # Token -> hash, shared by the models `without` makes of this one.
    token_hashes: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, texts: Iterable[str]) -> LanguageModel:
        texts = list(texts)
        return cls(Counts.of(texts), counted=Counter(text_key(text) for text in texts))

    def without(self, texts: Iterable[str]) -> LanguageModel:
        """The same model with these documents' counts taken out (those of them it counted)."""
        taken: Counter[int] = Counter()
        left_out: list[str] = []
        for text in texts:
            key = text_key(text)
            if taken[key] < self.counted[key]:
                taken[key] += 1
                left_out.append(text)
        # A model built from a sample (scan.FLUENCY_SAMPLE) counted few of a cluster's texts, often none: then there
        # is nothing to count out (3,301 clusters at 20,000 documents, each a dozen numpy calls for nothing).
        return LanguageModel(self.corpus, _LeftOut(left_out), self.k, self.counted, self.token_hashes)

    @property
    def left_out(self) -> Counts:
        """The counts of the documents left out."""
        return self.leaving.counts

    @property
    def documents(self) -> int:
        """Documents the model counts (the corpus without those left out)."""
        return max(self.corpus.documents - self.leaving.documents, 0)

    def association(self, bigram: Bigram) -> float:
        """log P(w2 | w1) - log P(w2): how much more likely the second token is after the first than anywhere.

        Natural word pairs score above 0, pairs the corpus never joins below it; unlike the plain probability
        it does not punish a rare word for being rare (a name, a number), only an unusual junction.
        """
        hashes = np.array(self.hashes(list(bigram)), dtype=np.uint64)
        return float(self._associations(hashes[:1], hashes[1:])[0])

    def mean_associations(self, *sets: Collection[tuple[int, int]]) -> list[float | None]:
        """The mean `association` of each set of bigrams given by their tokens' hashes (`hashes`), or None for a set
        without any: counted in one call (a ranking asks for two sets per pair of copies, and the compiled call
        checks its ten arrays each time)."""
        sizes = [len(grams) for grams in sets]
        flat = itertools.chain.from_iterable(itertools.chain(*sets))
        pairs = np.fromiter(flat, dtype=np.uint64, count=2 * sum(sizes)).reshape(-1, 2)
        values = self._associations(pairs[:, 0], pairs[:, 1]).tolist() if len(pairs) else []
        means: list[float | None] = []
        start = 0
        for size in sizes:
            part = values[start : start + size]
            means.append(sum(part) / size if size else None)
            start += size
        return means

    def _associations(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """`association` of each bigram `(first[i], second[i])` of token hashes, counted at once."""
        corpus, left_out = self.corpus, self.left_out
        return kernels.associations(
            first,
            second,
            (*_slots(corpus.unigrams), *_slots(left_out.unigrams)),
            (*_slots(corpus.bigrams), *_slots(left_out.bigrams)),
            self.documents,
            len(corpus.unigrams) + 1,
            self.k,
        )

    @staticmethod
    def _counts(keys: np.ndarray, corpus: Table, left_out: Table) -> list[int]:
        """The count of each key in the corpus less its count in the documents left out."""
        counts = corpus.lookup(keys)
        return (counts - left_out.lookup(keys) if len(left_out) else counts).tolist()

    def repeated_share(self, text: str, plain: bool = False) -> float:
        """Share of the word 4-grams of `text` that other documents of the corpus contain: site boilerplate
        (navigation, sign-up and copyright lines) repeats across pages, story text rarely does. `plain`: as for
        `tokens`."""
        seq = tokens(text, plain)
        words = [h for h, t in zip(self.hashes(seq), seq, strict=True) if t[0].isalnum()]
        # The phrases' keys as `kernels.frequency_tables` computes them (modulo 2**64 once at the end is the same).
        m = _MULTIPLIER
        grams = {
            (((w1 * m + w2) * m + w3) * m + w4) & _MASK
            for w1, w2, w3, w4 in zip(words, words[1:], words[2:], words[3:], strict=False)
        }
        if not grams:
            return 0.0
        keys = np.fromiter(grams, dtype=np.uint64, count=len(grams))
        counts = self._counts(keys, self.corpus.phrases, self.left_out.phrases)
        return sum(1 for count in counts if count > 0) / len(grams)

    def hashes(self, seq: Sequence[str]) -> list[int]:
        """`word_hashes(seq)` as ints, remembered per token (the same words recur in every cluster)."""
        known = self.token_hashes
        new = [t for t in seq if t not in known]
        if new:
            if len(known) > _KNOWN_TOKENS:
                known.clear()  # a long-running gate meets ever new tokens: forget them all now and then
                new = list(seq)
            new = list(dict.fromkeys(new))
            known.update(zip(new, word_hashes(new).tolist(), strict=True))
        return [known[t] for t in seq]
