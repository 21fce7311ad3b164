"""Sentences as spans of a text: works on one-line blobs and on one-sentence-per-line text alike."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import regex

from dedupe.models import Span

# Marks that end a sentence before white space: . ! ?, the Devanagari danda and double danda (Hindi, Marathi,
# Nepali, Bengali), the Arabic question mark and the Urdu full stop, the Ethiopic and Armenian full stops.
SPACED_STOPS = ".!?\u0964\u0965\u061f\u06d4\u1362\u0589"
# Marks that end a sentence with or without white space after them: the CJK full stop, exclamation and question
# marks, and the Myanmar and Khmer full stops (scripts written without spaces between words).
BARE_STOPS = "\u3002\uff01\uff1f\u104b\u17d4"
# Quotes and brackets that may close a sentence after its stop, and open the next: straight and curly quotes (either
# way round, as straight ones are: German closes with the English opening quotes) and brackets; guillemets (French,
# with a space inside them, and Russian), German low quotes, Spanish inverted marks.
CLOSERS = "\"'\u201c\u201d\u2018\u2019)]"
SPACED_CLOSERS = "\u00bb\u203a"
OPENERS = "\"'\u201c\u201d\u2018\u2019([\u201e\u201a\u00bf\u00a1"
SPACED_OPENERS = "\u00ab\u2039"
# A sentence ends at one of SPACED_STOPS (with closing quotes or brackets) before white space and a capital, a
# digit, an opening quote or a letter of a caseless script; at BARE_STOPS; and at every line break. (The first
# line only skips positions where no alternative can match, white space or a bare stop before them: the same
# matches, a quarter less time on PAN 2013 documents.)
_BOUNDARY = regex.compile(
    rf"""
    (?=\s|(?<=[{BARE_STOPS}]))
    (?:
      (?<=[{SPACED_STOPS}](?:[{regex.escape(CLOSERS)}]|\s?[{SPACED_CLOSERS}])*)
      \s+(?=(?:[{regex.escape(OPENERS)}]|[{SPACED_OPENERS}]\s?)*[\p{{Lu}}\p{{Lt}}\p{{N}}\p{{Lo}}])
      | (?<=[{BARE_STOPS}])
      | \s*\n\s*
    )
    """,
    regex.VERBOSE,
)
# Words whose final period is not a sentence end.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "no",
        "nos",
        "vs",
        "etc",
        "inc",
        "corp",
        "ltd",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "fig",
        "approx",
        "dept",
        "est",
        "univ",
    ]
)


def byte_table(words: Iterable[str]) -> np.ndarray:
    """Lower-case ASCII words as the kernels look them up (`kernels._in_table`): one zero-padded row each, sorted."""
    ordered = sorted(words)
    return np.array([list(word.encode().ljust(max(map(len, ordered)), b"\0")) for word in ordered], dtype=np.uint8)


# The same words as a byte table, for the compiled splitter of plain ASCII text (kernels.py).
ABBREVIATION_TABLE = byte_table(_ABBREVIATIONS)
_LAST_WORD = regex.compile(r"(\w+)[.]\W*$")
# Words that never end a sentence: a line ending with one of them was wrapped, not finished.
_CONTINUING = frozenset("a an and as at but by for from in into of on or than that the to with".split())
_WORD_BEFORE = regex.compile(r"(\w+)\W*$")
# The same words as a byte table, for the compiled splitter (kernels.py).
CONTINUING_TABLE = byte_table(_CONTINUING)


def sentences(text: str) -> list[Span]:
    """Split `text` into sentence spans `[start, end)`, trimmed of surrounding white space."""
    spans: list[Span] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if (
            boundary.group().strip() == ""
            and "\n" not in boundary.group()
            and _is_abbreviation(text, start, boundary.start())
        ):
            continue
        if _is_soft_wrap(text, start, boundary):
            continue
        _add_trimmed(text, start, boundary.start(), spans)
        start = boundary.end()
    _add_trimmed(text, start, len(text), spans)
    return spans


def _is_abbreviation(text: str, start: int, end: int) -> bool:
    """True when the period before `end` closes an abbreviation or an initial (`Mr.`, `U.S.`), not a sentence."""
    match = _LAST_WORD.search(text, max(start, end - 12), end)
    if match is None:
        return False
    word = match.group(1)
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _is_soft_wrap(text: str, start: int, boundary: regex.Match[str]) -> bool:
    """True when a single line break sits inside a sentence: hard-wrapped text (mail, web pages, books).

    The line goes on in lower case ("qualified\nstudents"), or ends with a comma, a hyphen or a word that never
    ends a sentence ("the\nDocumentation"). A line ending in . ! ? or with a capitalised word ("Line one\nLine
    two", a heading, a byline) keeps its break.
    """
    if boundary.group().count("\n") != 1 or boundary.end() >= len(text):
        return False
    before = text[start : boundary.start()].rstrip()
    if not before or before[-1] in SPACED_STOPS + BARE_STOPS:
        return False
    if text[boundary.end()].islower() or before[-1] in ",;-":
        return True
    last = _WORD_BEFORE.search(before, max(0, len(before) - 20))
    return last is not None and last.group(1).lower() in _CONTINUING


def _add_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
