"""The plain records that flow between stages.

Spans are half-open character offsets `[start, end)` into the ORIGINAL decoded text of an article, so
`article.text[start:end]` is the passage. Scores are on one scale, 0 to 1.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal, TypeVar, overload

Span = tuple[int, int]

Relation = Literal["exact-duplicate", "near-duplicate", "partial-reuse"]
RELATIONS: tuple[Relation, ...] = ("exact-duplicate", "near-duplicate", "partial-reuse")

PassageLabel = Literal["verbatim", "edited", "rewritten", "corrupted", "only-in-a", "only-in-b"]


_Record = TypeVar("_Record", bound=type)


def _pickled_as_arguments(cls: _Record) -> _Record:
    """Pickle a frozen slots dataclass as its class and field values, rebuilt by calling it: about three times
    faster both ways than the state `dataclasses` pickles (300,000 passages: 2.0 s -> 0.6 s to pickle, 1.8 s -> 0.6
    s to load), and verified pairs and clusters' articles cross between the scan and its worker processes."""
    values = attrgetter(*cls.__slots__)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls


@dataclass(frozen=True, slots=True)
class Article:
    """One input article as read: the decoded text and whatever metadata came with it."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None
    # Extra JSON fields are passed through untouched.
    extra: dict[str, Any] = field(default_factory=dict)
    # True when the text is HTML (by file type or by the markup it holds).
    markup: bool = False

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # As `_pickled_as_arguments`, but a text beyond ASCII goes as its UTF-8 bytes: pickle writes a str as UTF-8
        # and CPython keeps that encoding with the str for as long as it lives, so each such text the scan sent to
        # its worker processes stayed in its memory twice (0.7 GB more for the 1M corpus with curly quotes).
        values = _ARTICLE_FIELDS(self)
        text = self.text if self.text.isascii() else self.text.encode("utf-8", "surrogatepass")
        return _article, (values[0], text, *values[2:])


_ARTICLE_FIELDS = attrgetter(*Article.__slots__)


def _article(id: str, text: Text, *rest: Any) -> Article:
    """The `Article` `Article.__reduce__` pickled."""
    return Article(id, decoded(text), *rest)


# A text, or its UTF-8 bytes (as `Articles` holds text beyond ASCII, and pickles send it).
Text = str | bytes


def decoded(text: Text) -> str:
    """The text itself (a lone surrogate, which the Python API may be given, was encoded as its three bytes)."""
    return text.decode("utf-8", "surrogatepass") if isinstance(text, bytes) else text


@dataclass(frozen=True, slots=True)
class EncodedArticle:
    """An article held by `Articles` as its id, its UTF-8 text and its other fields (`rest`, in order). Pickled, it is
    the `Article` itself: another process gets the article, and its text is not decoded here."""

    id: str
    utf8: bytes
    rest: tuple[Any, ...]

    def article(self) -> Article:
        return _article(self.id, self.utf8, *self.rest)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _article, (self.id, self.utf8, *self.rest)


_Item = TypeVar("_Item")


class MadeWhenAsked(Sequence[_Item]):
    """A sequence whose items are made when asked for, one at a time (`item`); a slice gives a list of them."""

    __slots__ = ()

    def item(self, index: int) -> _Item:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> _Item: ...

    @overload
    def __getitem__(self, index: slice) -> list[_Item]: ...

    def __getitem__(self, index: int | slice) -> _Item | list[_Item]:
        if isinstance(index, slice):
            return [self.item(i) for i in range(*index.indices(len(self)))]
        return self.item(index)


class Articles(MadeWhenAsked[Article]):
    """Many articles, each text held in the smaller of its two forms: the `str`, or its UTF-8 bytes (decoded each
    time the article is asked for). Python holds a str with one character beyond Latin-1 (a curly quote, a dash) in
    two bytes a character, or four: typeset, the 1,000,000-article benchmark corpus took 0.9 GB more (benchmarks/
    README.md, thirty-fifth round). ASCII text is held as it is."""

    __slots__ = ("_held",)

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._held: list[Article | EncodedArticle] = []
        for article in articles:
            self.append(article)

    def append(self, article: Article) -> None:
        text = article.text
        if not text.isascii():
            utf8 = text.encode("utf-8", "surrogatepass")
            if sys.getsizeof(utf8) < sys.getsizeof(text):
                self._held.append(EncodedArticle(article.id, utf8, _ARTICLE_FIELDS(article)[2:]))
                return
        self._held.append(article)

    def __len__(self) -> int:
        return len(self._held)

    def item(self, index: int) -> Article:
        held = self._held[index]
        return held if isinstance(held, Article) else held.article()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Articles({len(self)} articles)"

    def ids(self) -> list[str]:
        return [held.id for held in self._held]

    def text(self, index: int) -> str:
        return decoded(self.held_text(index))

    def held_text(self, index: int) -> Text:
        """The text of article `index` as held: the str, or its UTF-8 bytes."""
        held = self._held[index]
        return held.text if isinstance(held, Article) else held.utf8

    def pickled(self, index: int) -> Article | EncodedArticle:
        """What to send to another process for article `index`: it unpickles as that `Article`, and a text held as
        UTF-8 goes as it is held (an `Article`'s pickle holds its text as UTF-8 too, `Article.__reduce__`)."""
        return self._held[index]

    def subset(self, indexes: Iterable[int]) -> Articles:
        """The articles at `indexes`, in that order, held as they are here (nothing decoded or copied)."""
        return _held_as_they_are([self._held[index] for index in indexes])

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A list of the articles on the other side, each sent as `pickled` sends it: a list is read faster than any
        # Python sequence (the ranking reads its members' many times over).
        return list, (self._held,)


def _held_as_they_are(held: list[Article | EncodedArticle]) -> Articles:
    articles = Articles()
    articles._held = held
    return articles


def article_ids(articles: Sequence[Article]) -> list[str]:
    """The ids of `articles`, without decoding the texts of those held as UTF-8 (`Articles`)."""
    return articles.ids() if isinstance(articles, Articles) else [article.id for article in articles]


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class PassageMatch:
    """One aligned passage of a pair, or an unaligned stretch of one side.

    `a_span` is None for `only-in-b` and `b_span` is None for `only-in-a`. `score` is the
    token-level similarity of the two sides (1.0 for verbatim, 0.0 for unaligned stretches).
    `markers` name the signs of machine garbling seen in the passage (only for `corrupted`), found on
    `corrupted_side` ("a" or "b") and not on the other.
    """

    a_span: Span | None
    b_span: Span | None
    label: PassageLabel
    score: float
    markers: tuple[str, ...] = ()
    corrupted_side: Literal["a", "b"] | None = None


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Region:
    """A contiguous stretch of reuse: similar sentences merged across small gaps, on both sides.

    `score` is the mean term similarity of the sentence pairs inside, `pairs` how many there are.
    """

    a_span: Span
    b_span: Span
    score: float
    pairs: int


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Pair:
    """A verified relation between two articles, with the evidence for it."""

    a: str
    b: str
    relation: Relation
    jaccard: float
    containment_ab: float
    containment_ba: float
    passages: tuple[PassageMatch, ...] = ()
    # Share of each side's words that lie in aligned passages.
    coverage_a: float = 0.0
    coverage_b: float = 0.0


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Member:
    """A member of a cluster with its place in the faithfulness ranking (1 = most faithful)."""

    id: str
    rank: int
    score: float
    reasons: tuple[str, ...] = ()


@_pickled_as_arguments
@dataclass(frozen=True, slots=True)
class Cluster:
    """Copies of one article. Every member was verified against `representative`."""

    id: int
    representative: str
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that produced no article, and why (nothing is dropped silently)."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} line {self.line}"
        return f"{where}: {self.reason}"
