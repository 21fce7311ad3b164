"""Text normalisation: markup stripped with an offset map back to the original, words folded for comparison.

Two rules keep every reported span true to the original file:
- markup stripping builds `CleanText`, whose `origin_start`/`origin_end` arrays map each clean character back to
  the raw characters it came from (an entity such as `&amp;` maps to all five of them);
- everything after that is either length-preserving (`fold_punctuation`) or applied per word (`normalize_word`),
  so word spans found in the clean text stay valid.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import numpy as np
import regex

# Tags that end a block of text: a paragraph break stands in for them so sentences do not run together.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
# Their content is not article text.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title"})

# Markup that marks plain text as HTML: a known tag, or a named or numeric entity.
_MARKUP = regex.compile(
    r"</?(?:a|abbr|b|body|br|div|em|figure|h[1-6]|html|i|img|li|ol|p|span|strong|table|td|tr|u|ul)\b[^<>]*>"
    r"|&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});",
    regex.IGNORECASE,
)

# Quotes, apostrophes and dashes fold to their ASCII forms, one character for one so offsets hold.
_PUNCTUATION_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u00a0": " ",
        "\u2026": ".",
    }
)

# Scripts written without spaces between words: each character is a word of its own, so word n-grams over
# them are character n-grams.
SPACELESS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
WORD = regex.compile(rf"[{SPACELESS}]|[[\p{{L}}\p{{N}}\p{{M}}]--[{SPACELESS}]]+", regex.VERSION1)
_ASCII_WORD = regex.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class CleanText:
    """Text with markup removed. `origin_start[i]:origin_end[i]` is where clean character i came from.

    Both arrays are None when nothing was removed (the clean text is the original text).
    """

    text: str
    origin_start: np.ndarray | None = None
    origin_end: np.ndarray | None = None
    title: str | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the clean text to the original text."""
        if self.origin_start is None or self.origin_end is None:
            return start, end
        if start >= end:
            position = int(self.origin_start[start]) if start < len(self.text) else int(self.origin_end[-1])
            return position, position
        return int(self.origin_start[start]), int(self.origin_end[end - 1])


def looks_like_html(text: str) -> bool:
    """True when plain text carries HTML tags or entities (news feeds often leave inline `<a>`, `<i>`)."""
    # Every tag starts with "<" and every entity with "&": most texts have neither and skip the regex.
    return ("<" in text or "&" in text) and _MARKUP.search(text) is not None


def strip_markup(raw: str) -> CleanText:
    """Remove tags, comments and scripts; decode entities; keep a map back to `raw`.

    Block-level tags become paragraph breaks; line breaks inside markup become spaces, as a browser shows them.
    """
    parser = _TextExtractor(raw)
    parser.feed(raw)
    parser.close()
    return parser.result()


def fold_punctuation(text: str) -> str:
    """Fold curly quotes, dashes and non-breaking spaces to ASCII; the result has the same length."""
    return text.translate(_PUNCTUATION_FOLD)


def normalize_word(word: str) -> str:
    """The comparison form of one word: Unicode NFKC, then case-folded."""
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFKC", word).casefold()


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (the fast path of `word_spans`, same words)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    return [normalize_word(w) for w in WORD.findall(text)]


def has_ascii_words_only(text: str) -> bool:
    """True when every word of `text` is ASCII: its other characters (pound signs, curly quotes, dashes) all sit
    between words. Its words are then `[a-z0-9]+` of the lower-cased text, as no character outside words lower-cases
    to an ASCII letter or digit (tests/test_normalize.py checks every code point)."""
    if text.isascii():
        return True
    codes = _code_points(text)
    return not _classes(codes[codes > 127]).any()


def word_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The normalised words of a text with their `[start, end)` offsets in `text`.

    The words are those of `WORD`; their offsets come from the word class of each character (`_classes`), in
    numpy rather than one Python step per match (this was a third of `prepare` on PAN 2013 documents).
    """
    is_ascii = text.isascii()
    codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8) if is_ascii else _code_points(text)
    kind = _classes(codes)
    # Most text that is not ASCII has ASCII words only (see `has_ascii_words_only`): the ASCII path finds them.
    found = words(text) if is_ascii or kind[codes > 127].any() else _ASCII_WORD.findall(text.lower())
    inside, alone = kind == _IN_WORD, kind == _ALONE
    opens = inside.copy()
    opens[1:] &= ~inside[:-1]
    closes = inside.copy()
    closes[:-1] &= ~inside[1:]
    starts = np.flatnonzero(opens | alone).astype(np.int32)
    ends = (np.flatnonzero(closes | alone) + 1).astype(np.int32)
    return found, starts, ends


def _code_points(text: str) -> np.ndarray:
    # "surrogatepass": a lone surrogate (possible in JSON input) is one code point like any other.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# The class of every code point for `WORD`: not in a word, inside a run of word characters, or a word on its own
# (the scripts written without spaces). Filled in by blocks of 256 code points, from WORD's own two character
# classes, the first time a text uses a block; most texts need one or two blocks.
_NOT_WORD, _IN_WORD, _ALONE = 0, 1, 2
_CLASS = np.zeros(0x110000, dtype=np.uint8)
_CLASSIFIED = np.zeros(0x110000 >> 8, dtype=bool)
_WORD_CHARACTER = regex.compile(rf"[[\p{{L}}\p{{N}}\p{{M}}]--[{SPACELESS}]]", regex.VERSION1)
_ALONE_CHARACTER = regex.compile(rf"[{SPACELESS}]")


def _classes(codes: np.ndarray) -> np.ndarray:
    """The `WORD` class of each code point in `codes`."""
    blocks = codes >> 8
    if not _CLASSIFIED[blocks].all():
        for block in np.unique(blocks[~_CLASSIFIED[blocks]]).tolist():
            first = block << 8
            characters = "".join(map(chr, range(first, first + 256)))
            for pattern, kind in ((_WORD_CHARACTER, _IN_WORD), (_ALONE_CHARACTER, _ALONE)):
                found = [m.start() for m in pattern.finditer(characters)]
                _CLASS[np.asarray(found, dtype=np.int64) + first] = kind
            _CLASSIFIED[block] = True
    return _CLASS[codes]


_NEWLINE = regex.compile("\n")


class _TextExtractor(HTMLParser):
    """Collects text chunks with their raw positions. Entities are kept raw by the parser (convert_charrefs off)
    so each one can be mapped to its exact source characters."""

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self._raw = raw
        # Where each line starts (the parser gives positions as line and column), found by the regex engine: a Python
        # loop over every character was 8% of a gate check of a story with markup and many indexed copies.
        self._line_starts = [0, *(match.end() for match in _NEWLINE.finditer(raw))]
        self._chunks: list[str] = []
        self._starts: list[np.ndarray] = []
        self._ends: list[np.ndarray] = []
        self._skip_depth = 0
        self._in_title = False
        self._title: list[str] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _emit(self, text: str, start: int, length: int) -> None:
        """Add clean text produced by `length` raw characters at `start` (1:1 when lengths agree)."""
        if not text:
            return
        if len(text) == length:
            starts = np.arange(start, start + length, dtype=np.int32)
            ends = starts + 1
        else:
            starts = np.full(len(text), start, dtype=np.int32)
            ends = np.full(len(text), start + length, dtype=np.int32)
        self._chunks.append(text)
        self._starts.append(starts)
        self._ends.append(ends)

    def _emit_break(self) -> None:
        position = self._offset()
        self._chunks.append("\n\n")
        self._starts.append(np.array([position, position], dtype=np.int32))
        self._ends.append(np.array([position, position], dtype=np.int32))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self._emit_break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self._emit_break()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        if self._skip_depth:
            return
        # In HTML a line break is only white space; paragraphs come from block tags.
        self._emit(data.replace("\r", " ").replace("\n", " "), self._offset(), len(data))

    def _handle_reference(self, reference: str) -> None:
        start = self._offset()
        length = len(reference) + (1 if self._raw.startswith(";", start + len(reference)) else 0)
        text = html.unescape(self._raw[start : start + length])
        if self._in_title:
            self._title.append(text)
        if not self._skip_depth:
            self._emit(text, start, length)

    def handle_entityref(self, name: str) -> None:
        self._handle_reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self._handle_reference("&#" + name)

    def result(self) -> CleanText:
        title = " ".join("".join(self._title).split()) or None
        if not self._chunks:
            empty = np.zeros(0, dtype=np.int32)
            return CleanText("", empty, empty, title)
        return CleanText("".join(self._chunks), np.concatenate(self._starts), np.concatenate(self._ends), title)
