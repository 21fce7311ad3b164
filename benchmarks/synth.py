"""Synthesised base articles: distinct documents made by mixing sentences of many real articles.

About 21k real articles are not enough bases for a 1M-document corpus, and repeating them would plant
unrecorded duplicates. A synthesised base is built by document-level mixing:

1. its length (number of sentences) is that of a randomly drawn real article, so lengths follow the real
   distribution;
2. every sentence is spliced from two sentences drawn at random from the whole pool of real sentences: the
   head of one (cut at a random word) joined to the tail of another, which makes new word 5-grams at every
   join;
3. sentences are grouped into paragraphs of one to three.

Each synthesised base takes a few half-sentences from each of many articles, so it shares at most a handful of
5-grams with any real article or with another synthesised base: its exact Jaccard with any of them is far
below the benchmark thresholds (the corpus builder's `--verify-truth` measures this on a whole corpus).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
MIN_SENTENCE_WORDS = 4
MAX_SENTENCES = 40


class SentencePool:
    """The sentences of the real articles, split into words, and the articles' sentence counts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.sentences: list[list[str]] = []
        self.lengths: list[int] = []
        for text in texts:
            count = 0
            for paragraph in text.split("\n\n"):
                for sentence in _SENTENCE_END.split(paragraph):
                    words = sentence.split()
                    if len(words) >= MIN_SENTENCE_WORDS:
                        self.sentences.append(words)
                        count += 1
            if count:
                self.lengths.append(min(count, MAX_SENTENCES))
        if not self.sentences:
            raise ValueError("no sentence of at least 4 words in the real articles: cannot synthesise bases")

    def synthesise(self, rng: random.Random) -> str:
        """One new base article (see the module docstring for the method)."""
        sentences = self.sentences
        n_sentences = self.lengths[rng.randrange(len(self.lengths))]
        paragraphs: list[str] = []
        current: list[str] = []
        for _ in range(n_sentences):
            head = sentences[rng.randrange(len(sentences))]
            tail = sentences[rng.randrange(len(sentences))]
            cut_head = rng.randrange(2, len(head))
            cut_tail = rng.randrange(1, len(tail) - 1)
            current.append(" ".join(head[:cut_head] + tail[cut_tail:]))
            if len(current) >= 3 or rng.random() < 0.45:
                paragraphs.append(" ".join(current))
                current = []
        if current:
            paragraphs.append(" ".join(current))
        return "\n\n".join(paragraphs)
