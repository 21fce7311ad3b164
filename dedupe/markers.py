"""Signs of machine garbling in a passage: the evidence behind the `corrupted` label.

Each marker is a named pattern over the passage text. They come from what machine translation round trips do to
news copy (seed 002 against 001 shows each of them): sentences split mid-clause, fragments left dangling, quotes
and dashes detached from their words, units translated without their numbers.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import regex

from dedupe import kernels
from dedupe.fingerprint import STAND_INS
from dedupe.segment import byte_table

# Words whose period is no sentence end, so a lower-case word after them is no broken join.
_ABBREVIATIONS = (
    "mr mrs ms dr st gen gov sen rep inc corp ltd co vs etc no jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_ABBREVIATION = rf"(?<!\b(?i:{'|'.join(_ABBREVIATIONS)})[.!?])"
# The units a garbled conversion leaves in brackets.
_UNITS = (
    "km kms kilometre kilometres kilometer kilometers mile miles mi m metre metres meter meters ft feet kg kilogram"
    " kilograms lb lbs pound pounds"
).split()

MARKERS: dict[str, regex.Pattern[str]] = {
    # "three Syrian sources said. to Reuters": a full stop inside a clause.
    # (The pattern starts at the stop and looks back, so a search skips ahead fast: starting at every letter
    # was the aligner's hot spot on long documents.)
    "broken-join": regex.compile(rf"[.!?](?<=\p{{L}}{{2}}[.!?]){_ABBREVIATION}\s+\p{{Ll}}"),
    # "...home to his navy and air base. Russian friends." / "...in the country. right.": a tail of one or two
    # words after the sentence has ended.
    "dangling-fragment": regex.compile(r"[.!?]\s+[\"'\u201c\u201d]?\p{L}+(?:\s\p{L}+)?[.!?]\s*$"),
    # A sentence that starts with a word in lower case ("eBay" and "iPhone" are names, not garbling).
    "lowercase-start": regex.compile(r"^[\"'\u201c\u2018(]?\p{Ll}+\b"),
    # ". ." or ", ." : punctuation doubled around a space.
    "stray-punctuation": regex.compile(r"[.,;:!?]\s+[.,;:!?]"),
    # "\u201craise Syria \u201d": a closing quote cut off from its word. (Like broken-join and the next two, the
    # pattern starts at its rarest character and looks back: three times faster on PAN 2013 sentences, and the
    # same texts match, checked on 26,000 of them and 300,000 random strings.)
    "detached-quote": regex.compile(r"[\u201d\u2019\"](?<=\w\s+[\u201d\u2019\"])(?=[\s.,;:!?]|$)"),
    # "told reporters -statement": a dash glued to the next word only.
    "nonsense-join": regex.compile(r"[-\u2013\u2014](?<=\p{L}\s+[-\u2013\u2014])\p{L}"),
    # "within miles (km) of Homs": a unit conversion that lost its numbers.
    "unit-garble": regex.compile(rf"\((?:{'|'.join(_UNITS)})\)", regex.IGNORECASE),
    # "the the": a doubled word.
    "doubled-word": regex.compile(r"\s(?<=\b(\p{L}{2,})\s)\s*\1\b", regex.IGNORECASE),
}


# Which markers each kind of trigger lets fire (`MarkerSites`). Every match of a marker holds a short stretch of
# its kind, whatever the text around it: outside a stretch of text holding one, the marker cannot fire.
_TRIGGERED_BY = {
    "doubled-word": "doubled",
    "broken-join": "stop",
    "dangling-fragment": "stop",
    "stray-punctuation": "space",
    "detached-quote": "quote",
    "nonsense-join": "dash",
    "unit-garble": "bracket",
}
_ALL_KINDS = frozenset(_TRIGGERED_BY.values())
_STOPS = ".!?"  # each also one of the marks
_MARKS = ".,;:!?"
_QUOTES = '\u201d\u2019"'
_DASHES = "-\u2013\u2014"


def garble_markers(text: str, *, document_start: bool = False, repeats: bool = True) -> tuple[str, ...]:
    """Names of the markers that fire on `text`, in a fixed order.

    With `document_start`, `text` opens its document, where a lower-case start is a metadata line ("date
    2024-12-07") or a name, not a broken sentence. `repeats=False` says the caller knows that no word of `text`
    follows itself: `doubled-word`, over half of the search time on news sentences, then cannot fire and is not
    searched for.
    """
    kinds = _ALL_KINDS if repeats else _ALL_KINDS - {"doubled"}
    return markers_among(text, _searched(kinds, document_start))


def markers_among(text: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of the markers `names` that fire on `text`."""
    if len(names) == 1:  # (most sentences: lowercase-start alone)
        return names if MARKERS[names[0]].search(text) else ()
    return tuple(name for name in names if MARKERS[name].search(text))


@functools.cache
def _searched(kinds: frozenset[str], document_start: bool) -> tuple[str, ...]:
    """The markers to search for in a stretch holding triggers of these kinds, in `MARKERS` order."""
    return tuple(
        name
        for name in MARKERS
        if (name not in _TRIGGERED_BY or _TRIGGERED_BY[name] in kinds)
        and not (document_start and name == "lowercase-start")
    )


@dataclass(frozen=True, slots=True)
class MarkerSites:
    """Where in one text the markers could fire: the stretches of each kind of trigger (`_TRIGGERED_BY`) in it.

    The aligner asks for the markers of every sentence and passage of a document; with these found once per
    document, a stretch is searched only for the markers that could fire in it (the searches were 40% of
    verification at 20,000 documents: 4.4 s against 2.7 s without them)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    kinds: tuple[str, ...]
    # Without the doubled words, doubled-word is searched for everywhere.
    doubled_known: bool

    @classmethod
    def of(cls, text: str, doubled: Iterable[tuple[int, int]] | None = None) -> MarkerSites:
        """The sites of `text`; `doubled`: the `[start, end)` of each word with the same word after it, through
        that one, where the caller knows them (a doubled-word match holds both words)."""
        found: list[tuple[int, int, str]] = [(start, end, "doubled") for start, end in doubled or ()]
        # White space as `str.isspace` has it: true of every character the patterns' \s matches
        # (tests/test_markers.py checks every code point), so a stretch that fails these tests has no match.
        for at in _offsets(text, _MARKS):
            if at and text[at - 1].isspace():  # stray-punctuation: white space, then a mark
                found.append((at - 1, at + 1, "space"))
            if text[at] in _STOPS and text[at + 1 : at + 2].isspace():  # broken-join, dangling-fragment
                found.append((at, at + 2, "stop"))
        for at in _offsets(text, _QUOTES):  # detached-quote: white space (its look-behind), then the quote
            if at and text[at - 1].isspace():
                found.append((at - 1, at + 1, "quote"))
        for at in _offsets(text, _DASHES):  # nonsense-join: white space (its look-behind), the dash, a letter
            if at and text[at - 1].isspace():
                found.append((at - 1, at + 2, "dash"))
        for at in _offsets(text, "("):  # unit-garble: a bracket and at least two more characters
            found.append((at, at + 3, "bracket"))
        found.sort()
        # Tuples: the collector stops tracking tuples of plain values, and a gate keeps 20,000 documents' sites.
        starts, ends, kinds = zip(*found, strict=True) if found else ((), (), ())
        return cls(text, starts, ends, kinds, doubled is not None)

    def garble_markers(self, start: int, end: int, *, document_start: bool = False) -> tuple[str, ...]:
        """`garble_markers(text[start:end], document_start=...)`, searching only for the markers that could fire
        there."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_left(self.starts, end, first)
        return markers_among(self.text[start:end], self._searched_within(first, last, end, document_start))

    def sentence_searches(self, spans: Sequence[tuple[int, int]]) -> list[tuple[str, ...]]:
        """The markers to search for in each of a document's sentences `spans` (in order, none overlapping, the
        first opening the document): `markers_among(text[start:end], searched)` of each is its `garble_markers`.
        One walk over the sites finds them all: two bisections and a set of kinds for each sentence were 40% of
        finding a document's sentence markers (line_profiler; benchmarks/README.md, thirty-eighth round)."""
        starts = self.starts
        siteless = self._searched_within(0, 0, 0, False)
        searches: list[tuple[str, ...]] = []
        count = len(starts)
        first = last = 0
        for index, (start, end) in enumerate(spans):
            while first < count and starts[first] < start:
                first += 1
            last = max(last, first)
            while last < count and starts[last] < end:
                last += 1
            searched = siteless if last == first and index else self._searched_within(first, last, end, index == 0)
            searches.append(searched)
        return searches

    def _searched_within(self, first: int, last: int, end: int, document_start: bool) -> tuple[str, ...]:
        """The markers to search for in a stretch ending at `end` whose sites start at `first..last - 1`: those
        the sites wholly in it allow (and doubled-word everywhere when the doubled words are not known)."""
        kinds = {self.kinds[k] for k in range(first, last) if self.ends[k] <= end}
        if not self.doubled_known:
            kinds.add("doubled")
        return _searched(frozenset(kinds), document_start)


@dataclass(frozen=True, slots=True)
class PlainMarkers:
    """The markers of stretches of one text with a plain form (`fingerprint.plain_form`), found by a compiled scan
    (`kernels.garble_marks`) of the text read one byte a character (`_MARKER_READING`): over such text each pattern
    reduces to a few tests of maximal runs of letters and white space, and the regex searches, with the Python
    around them, were a quarter of verification at 20,000 documents (benchmarks/README.md, forty-first round)."""

    form: np.ndarray

    @classmethod
    def of(cls, text: str) -> PlainMarkers:
        if text.isascii():
            return cls(np.frombuffer(text.encode("ascii"), dtype=np.uint8))
        form = kernels.plain_form(np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8), _MARKER_READING)
        if form is None:
            raise ValueError("the text has no plain form")
        return cls(form)

    def garble_markers(self, start: int, end: int, *, document_start: bool = False) -> tuple[str, ...]:
        """`garble_markers(text[start:end], document_start=...)`."""
        return self.span_markers([(start, end)], [document_start])[0]

    def span_markers(self, spans: Sequence[tuple[int, int]], document_start: Sequence[bool]) -> list[tuple[str, ...]]:
        """`garble_markers` of each `[start, end)` of `spans`, with each one's `document_start`, in one call."""
        found = kernels.garble_marks(
            self.form,
            np.asarray(spans, dtype=np.int64).reshape(-1, 2),
            np.asarray(document_start, dtype=np.bool_),
            *_KERNEL_WORDS,
        )
        return [_names_of(bits) for bits in found.tolist()]


# The abbreviations and units as the kernels read them (`segment.byte_table`).
_KERNEL_WORDS = (byte_table(_ABBREVIATIONS), byte_table(_UNITS))


@functools.cache
def _names_of(bits: int) -> tuple[str, ...]:
    """The names of the markers set in `bits` (one bit each, in `MARKERS` order), in that order."""
    return tuple(name for k, name in enumerate(MARKERS) if bits >> k & 1)


# The byte `kernels.garble_marks` reads for each news mark of a plain form (ASCII reads as itself): white space as
# a space, the curly quotes and the two dashes the patterns name as bytes of their own (`kernels.MARK_*`), any other
# mark as `~`, which no pattern names. tests/test_markers.py checks each mark's reading against the patterns.
_MARKER_READING = np.zeros(0x10000, dtype=np.uint8)
for _mark in map(chr, STAND_INS):
    _MARKER_READING[ord(_mark)] = ord(" ") if _mark.isspace() else ord("~")
for _mark, _byte in zip(
    "\u201c\u201d\u2018\u2019\u2013\u2014",
    (
        kernels.MARK_OPEN_DOUBLE,
        kernels.MARK_CLOSE_DOUBLE,
        kernels.MARK_OPEN_SINGLE,
        kernels.MARK_CLOSE_SINGLE,
        kernels.MARK_EN_DASH,
        kernels.MARK_EM_DASH,
    ),
    strict=True,
):
    _MARKER_READING[ord(_mark)] = _byte


def _offsets(text: str, characters: str) -> Iterator[int]:
    """The offsets in `text` of each of `characters`, character by character."""
    for character in characters:
        at = text.find(character)
        while at >= 0:
            yield at
            at = text.find(character, at + 1)


# A heading: a short line in capitals with no sentence punctuation ("ISLAMIC STATE", "STORY OFFICER").
_HEADING = regex.compile(r"^[\p{Lu}\p{N}][\p{Lu}\p{N}\s'&,-]{2,60}$")
_HEADING_WORD = regex.compile(r"\p{Lu}{3,}")


def may_be_heading(sentence: str) -> bool:
    """Whether `sentence` is as long as a heading (`_HEADING`) can be: most sentences of news are longer, and
    searching each for one was a sixth of finding a document's sentence markers (line_profiler)."""
    return 3 <= len(sentence.strip()) <= 61


def heading_markers(sentence: str, following: str) -> tuple[str, ...]:
    """`garbled-heading` when `sentence` is a heading with a word the text after it never uses.

    A news subhead announces what follows ("ISLAMIC STATE" before "...the Islamic State group..."); a heading
    that machine translation garbled ("STORY OFFICER") names something the section does not talk about. Words
    are compared on their first five letters, so "OFFICER" is found in "officers".
    """
    if not may_be_heading(sentence) or not _HEADING.match(sentence.strip()):
        return ()
    later = following.casefold()
    words = [w.casefold()[:5] for w in _HEADING_WORD.findall(sentence)]
    if words and any(w not in later for w in words):
        return ("garbled-heading",)
    return ()
