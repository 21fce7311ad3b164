"""An article prepared for comparison: clean text, words with spans, sentences, shingles."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from dedupe import kernels
from dedupe.fingerprint import STAND_INS, plain_form, shingle_hashes, word_hashes
from dedupe.models import Article, Articles, MadeWhenAsked, Span, Text, decoded
from dedupe.normalize import CleanText, looks_like_html, strip_markup, word_spans
from dedupe.segment import ABBREVIATION_TABLE, sentences

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Document:
    """What every later stage reads. Spans here are into `clean.text`; `to_original` maps them back."""

    article: Article
    clean: CleanText
    # The words (normalised: `normalize.words`) are `words`, made when first read: the compiled paths read their
    # hashes.
    word_hashes: np.ndarray
    word_starts: np.ndarray
    word_ends: np.ndarray
    # Sentence spans in the clean text, and the `[first, last)` word indexes of each.
    sentences: tuple[Span, ...]
    sentence_words: np.ndarray
    # Unique sorted 32-bit hashes of the word shingles (document level).
    shingles: np.ndarray
    # Whether the clean text has a plain form (`fingerprint.plain_form`: ASCII, or ASCII and news punctuation), which
    # the compiled tokeniser read.
    plain: bool = False
    # What later stages derive from the document and would otherwise derive again for each pair it is in (the
    # terms and garbling markers of its sentences): see `derived`. Not part of the document's value.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def words(self) -> tuple[str, ...]:
        """The words of the clean text, normalised (`normalize.words`), in order: `word_hashes` are their hashes."""
        found = self._derived.get("words")
        if found is None:
            found = self._derived["words"] = _plain_words(self.clean.text)
        return found

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
    plain = plain_form(clean.text)
    words, starts, ends, hashes, spans = _regex_parts(clean.text) if plain is None else _plain_parts(plain)
    # Each sentence's first word and the word after its last (written in place: `np.stack` cost twice as much).
    sentence_words = np.empty((len(spans), 2), dtype=np.int32)
    sentence_words[:, 0] = starts.searchsorted(spans[:, 0], side="left")
    sentence_words[:, 1] = ends.searchsorted(spans[:, 1], side="right")
    document = Document(
        article=article,
        clean=clean,
        word_hashes=hashes,
        word_starts=starts,
        word_ends=ends,
        sentences=tuple(map(tuple, spans.tolist())),
        sentence_words=sentence_words,
        shingles=shingle_hashes(hashes, shingle),
        plain=plain is not None,
    )
    if words is not None:
        document._derived["words"] = tuple(words)
    return document


# Words (normalised; None where they are made when first read), their start and end offsets, their hashes, and the
# sentence spans of a clean text.
_Parts = tuple[list[str] | None, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _regex_parts(text: str) -> _Parts:
    """The definition: Unicode words (normalize.py) and sentences (segment.py)."""
    words, starts, ends = word_spans(text)
    spans = np.asarray(sentences(text), dtype=np.int64).reshape(-1, 2)
    return words, starts, ends, word_hashes(words), spans


def _plain_parts(text: str) -> _Parts:
    """The same for plain ASCII text (or a text's plain form, `fingerprint.plain_form`), from the compiled tokeniser
    and sentence splitter (tests/test_document.py proves the equality): about five times faster, and preparing is
    most of a gate check's fixed cost. The words are left to `Document.words`: verification and the gate read only
    their hashes, and making them was a fifth of preparing a document."""
    data = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    starts, ends, hashes = kernels.plain_words(data)
    return None, starts, ends, hashes, kernels.plain_sentences(data, ABBREVIATION_TABLE)


# Every ASCII character but `[A-Za-z0-9]` (the compiled tokeniser's word bytes), and every news mark of a plain form
# (`fingerprint.STAND_INS`, none a letter or digit), to a space.
_WORDS_ONLY = str.maketrans(
    {**{chr(c): " " for c in range(128) if not chr(c).isalnum()}, **dict.fromkeys(STAND_INS, " ")}
)


def _plain_words(text: str) -> tuple[str, ...]:
    """The words of a text with a plain form, as the compiled tokeniser found them (`_plain_parts`): `str.split` of
    the text with every character but a letter or digit made a space (slicing each word out at its offsets, in
    Python, took a tenth of verifying the pairs of 20,000 articles)."""
    return tuple(text.lower().translate(_WORDS_ONLY).split())


def sentence_spans(text: str) -> list[Span]:
    """`segment.sentences(text)`, by the compiled splitter when the text has a plain form (as `prepare` splits it)."""
    plain = plain_form(text)
    if plain is None:
        return sentences(text)
    spans = kernels.plain_sentences(np.frombuffer(plain.encode("ascii"), dtype=np.uint8), ABBREVIATION_TABLE)
    return [(start, end) for start, end in spans.tolist()]


class Corpus:
    """The articles of one scan, each prepared into a `Document` only when a stage first needs it.

    Most articles of a large corpus are in no candidate pair: their fingerprints come straight from the text
    (fingerprint.py) and they are never prepared. Articles with markup are prepared up front, because their clean
    text is what gets fingerprinted.
    """

    def __init__(
        self, articles: Iterable[Article], shingle: int, prepared: Mapping[int, Document] | None = None
    ) -> None:
        """`articles`: read once, and held compactly (`Articles`); `prepared`: documents of some of them (by index)
        prepared already, with this `shingle`."""
        self.articles = Articles()
        markup: list[bool] = []
        for article in articles:
            self.articles.append(article)
            markup.append(article.markup or looks_like_html(article.text))
        self.shingle = shingle
        self.markup = np.asarray(markup, dtype=bool)
        self._prepared: dict[int, Document] = dict(prepared or {})

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
        return decoded(self.held_text(index))

    def held_text(self, index: int) -> Text:
        """`text(index)`, or its UTF-8 bytes when the article holds it so (`Articles`): what the kernels read."""
        return self.document(index).clean.text if self.markup[index] else self.articles.held_text(index)

    def texts(self) -> Sequence[Text]:
        """`held_text(i)` of every article, each got when asked for (a stage reads them a chunk at a time)."""
        return _Texts(self)


class _Texts(MadeWhenAsked[Text]):
    __slots__ = ("_corpus",)

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def __len__(self) -> int:
        return len(self._corpus)

    def item(self, index: int) -> Text:
        return self._corpus.held_text(index)
