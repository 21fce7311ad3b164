"""An article prepared for comparison: clean text, words with spans, sentences, shingles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from dedupe import kernels
from dedupe.fingerprint import is_plain, shingle_hashes, word_hashes
from dedupe.models import Article, Span
from dedupe.normalize import CleanText, looks_like_html, strip_markup, word_spans
from dedupe.segment import ABBREVIATION_TABLE, sentences

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Document:
    """What every later stage reads. Spans here are into `clean.text`; `to_original` maps them back."""

    article: Article
    clean: CleanText
    words: tuple[str, ...]
    word_hashes: np.ndarray
    word_starts: np.ndarray
    word_ends: np.ndarray
    # Sentence spans in the clean text, and the `[first, last)` word indexes of each.
    sentences: tuple[Span, ...]
    sentence_words: np.ndarray
    # Unique sorted 32-bit hashes of the word shingles (document level).
    shingles: np.ndarray
    # What later stages derive from the document and would otherwise derive again for each pair it is in (the
    # terms and garbling markers of its sentences): see `derived`. Not part of the document's value.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.article.id

    def to_original(self, span: Span) -> Span:
        """Map a clean-text span to the article's original text."""
        return self.clean.to_original(*span)

    def word_span(self, first: int, last: int) -> Span:
        """The clean-text span from word `first` to word `last - 1` inclusive."""
        return int(self.word_starts[first]), int(self.word_ends[last - 1])

    def derived(self, name: str, compute: Callable[[Document], _T]) -> _T:
        """`compute(self)`, computed once per document and kept under `name` (a pure function of the document)."""
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = compute(self)
        return found


def clean_text(article: Article) -> CleanText:
    """The article's text without markup (unchanged when it has none)."""
    if article.markup or looks_like_html(article.text):
        return strip_markup(article.text)
    return CleanText(article.text)


def prepare(article: Article, shingle: int = 5) -> Document:
    """Turn an article into a `Document`."""
    clean = clean_text(article)
    words, starts, ends = word_spans(clean.text)
    hashes = word_hashes(words)
    spans = sentence_spans(clean.text)
    if spans:
        span_array = np.asarray(spans, dtype=np.int32)
        first = np.searchsorted(starts, span_array[:, 0], side="left")
        last = np.searchsorted(ends, span_array[:, 1], side="right")
        sentence_words = np.stack([first, last], axis=1).astype(np.int32)
    else:
        sentence_words = np.zeros((0, 2), dtype=np.int32)
    return Document(
        article=article,
        clean=clean,
        words=tuple(words),
        word_hashes=hashes,
        word_starts=starts,
        word_ends=ends,
        sentences=tuple(spans),
        sentence_words=sentence_words,
        shingles=shingle_hashes(hashes, shingle),
    )


def sentence_spans(text: str) -> list[Span]:
    """`segment.sentences(text)`, by the compiled splitter when the text is plain ASCII: the same spans (checked in
    tests/test_kernels.py), 18 times faster on PAN 2013 documents, where splitting was a third of `prepare`."""
    if is_plain(text):
        found = kernels.plain_sentences(np.frombuffer(text.encode("ascii"), dtype=np.uint8), ABBREVIATION_TABLE)
        return [(start, end) for start, end in found.tolist()]
    return sentences(text)


class Corpus:
    """The articles of one scan, each prepared into a `Document` only when a stage first needs it.

    Most articles of a large corpus are in no candidate pair: their fingerprints come straight from the text
    (fingerprint.py) and they are never prepared. Articles with markup are prepared up front, because their clean
    text is what gets fingerprinted.
    """

    def __init__(self, articles: Sequence[Article], shingle: int) -> None:
        self.articles = list(articles)
        self.shingle = shingle
        self.markup = np.fromiter(
            (a.markup or looks_like_html(a.text) for a in self.articles), dtype=bool, count=len(self.articles)
        )
        self._prepared: dict[int, Document] = {}

    def __len__(self) -> int:
        return len(self.articles)

    def document(self, index: int) -> Document:
        """The prepared document of article `index` (prepared once, then kept)."""
        found = self._prepared.get(index)
        if found is None:
            found = self._prepared[index] = prepare(self.articles[index], self.shingle)
        return found

    @property
    def prepared(self) -> int:
        """How many articles have been prepared so far."""
        return len(self._prepared)

    def text(self, index: int) -> str:
        """The text that is fingerprinted: the clean text for articles with markup, the text itself otherwise."""
        return self.document(index).clean.text if self.markup[index] else self.articles[index].text
