"""How natural a stretch of text reads: a word-bigram model built from the scanned corpus itself.

Machine garbling leaves word pairs that news prose rarely contains ("said . to", "the the", "informed journalists").
The model counts, for every token bigram, the number of documents that contain it (document frequency, so one
long or repetitive article weighs no more than any other). A cluster is scored against the corpus WITHOUT the
cluster's own members: otherwise each copy would vouch for its own wording.

Tokens are case-folded words and single punctuation marks, so punctuation damage is seen too.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

_TOKEN = regex.compile(r"[\p{L}\p{N}]+|[^\p{L}\p{N}\s]")

Bigram = tuple[str, str]


def tokens(text: str) -> list[str]:
    """Case-folded words and punctuation marks of `text`, in order."""
    return [t.casefold() for t in _TOKEN.findall(text)]


def bigrams(seq: Sequence[str]) -> set[Bigram]:
    return set(itertools.pairwise(seq))


def _phrases(seq: Sequence[str]) -> set[int]:
    """Hashes of the word 4-grams (punctuation left out): long enough that prose rarely repeats one by chance."""
    words = [t for t in seq if t[0].isalnum()]
    return {hash(g) for g in zip(words, words[1:], words[2:], words[3:], strict=False)}


@dataclass(slots=True)
class Counts:
    """Document frequencies of tokens and token bigrams over some documents."""

    documents: int = 0
    unigrams: Counter[str] = field(default_factory=Counter)
    bigrams: Counter[Bigram] = field(default_factory=Counter)
    phrases: Counter[int] = field(default_factory=Counter)

    def add(self, seq: Sequence[str]) -> None:
        self.documents += 1
        self.unigrams.update(set(seq))
        self.bigrams.update(bigrams(seq))
        self.phrases.update(_phrases(seq))


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """Bigram document frequencies of a corpus, with some documents (a cluster) left out.

    Probabilities are interpolated estimates: P(w2 | w1) = (df(w1 w2) + k P(w2)) / (df(w1) + k), with
    P(w2) add-one smoothed over the vocabulary (Jelinek-Mercer-style mixing, cf. Chen & Goodman 1998, with the
    mixing weight as a pseudo-count k).
    """

    corpus: Counts
    left_out: Counts = field(default_factory=Counts)
    k: float = 2.0
    # How many times each text (by its hash) was counted: leaving out only takes out what was counted, so the
    # model may be built from a sample of the corpus.
    counted: Counter[int] = field(default_factory=Counter)

    @classmethod
    def build(cls, texts: Iterable[str]) -> LanguageModel:
        counts = Counts()
        counted: Counter[int] = Counter()
        for text in texts:
            counts.add(tokens(text))
            counted[hash(text)] += 1
        return cls(counts, counted=counted)

    def without(self, texts: Iterable[str]) -> LanguageModel:
        """The same model with these documents' counts taken out (those of them it counted)."""
        left_out = Counts()
        remaining = Counter(self.counted)
        for text in texts:
            if remaining[hash(text)] > 0:
                remaining[hash(text)] -= 1
                left_out.add(tokens(text))
        return LanguageModel(self.corpus, left_out, self.k, self.counted)

    @property
    def documents(self) -> int:
        """Documents the model counts (the corpus without those left out)."""
        return max(self.corpus.documents - self.left_out.documents, 0)

    def association(self, bigram: Bigram) -> float:
        """log P(w2 | w1) - log P(w2): how much more likely the second token is after the first than anywhere.

        Natural word pairs score above 0, pairs the corpus never joins below it; unlike the plain probability
        it does not punish a rare word for being rare (a name, a number), only an unusual junction.
        """
        first, second = bigram
        corpus, out = self.corpus, self.left_out
        vocabulary = len(corpus.unigrams) + 1
        documents = max(corpus.documents - out.documents, 0)
        unigram = (corpus.unigrams[second] - out.unigrams[second] + 1) / (documents + vocabulary)
        pair = corpus.bigrams[bigram] - out.bigrams[bigram]
        context = corpus.unigrams[first] - out.unigrams[first]
        return math.log((pair + self.k * unigram) / (context + self.k)) - math.log(unigram)

    def repeated_share(self, text: str) -> float:
        """Share of the word 4-grams of `text` that other documents of the corpus contain: site boilerplate
        (navigation, sign-up and copyright lines) repeats across pages, story text rarely does."""
        grams = _phrases(tokens(text))
        if not grams:
            return 0.0
        return sum(1 for g in grams if self.corpus.phrases[g] - self.left_out.phrases[g] > 0) / len(grams)

    def mean_association(self, grams: Iterable[Bigram]) -> float | None:
        """Mean `association` of the bigrams, or None when there are none."""
        values = [self.association(g) for g in grams]
        return sum(values) / len(values) if values else None
