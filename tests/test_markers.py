"""Each garbling marker fires on a minimal example of what it names, and not on clean news copy."""

from __future__ import annotations

import itertools

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.markers import MARKERS, MarkerSites, garble_markers, heading_markers, markers_among, may_be_heading

CLEAN = (
    'Mr. Abdi said on Friday that the U.S.-backed force - about 40 km (24 miles) away - had "held the line". '
    "Officials in Homs, the third city, told Reuters they would stay."
)


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("three Syrian sources said. to Reuters on Friday.", "broken-join"),
        ("home to his navy and air base. Russian friends.", "dangling-fragment"),
        ("against his rule in the country. right.", "dangling-fragment"),
        ("and then the rebels advanced on the city.", "lowercase-start"),
        ("refugees from Lebanon and Europe. .", "stray-punctuation"),
        ("aimed to \u201craise Syria \u201d and bring home refugees.", "detached-quote"),
        ("Mazloum Abdi told reporters -statement, referring to areas.", "nonsense-join"),
        ("bringing them within miles (km) of Homs.", "unit-garble"),
        ("the the rebels advanced.", "doubled-word"),
    ],
    ids=lambda value: value if value in MARKERS else None,
)
def test_marker_fires_on_its_example(text: str, marker: str):
    assert marker in garble_markers(text)


def test_clean_copy_fires_no_marker():
    assert garble_markers(CLEAN) == ()


def test_every_marker_has_an_example():
    tested = {"broken-join", "dangling-fragment", "lowercase-start", "stray-punctuation", "detached-quote"}
    tested |= {"nonsense-join", "unit-garble", "doubled-word"}
    assert tested == set(MARKERS)


def test_lowercase_start_is_no_marker_at_the_start_of_a_document():
    assert "lowercase-start" in garble_markers("date 2024-12-07 Syrian rebel forces said.")
    assert garble_markers("date 2024-12-07 Syrian rebel forces said.", document_start=True) == ()
    assert garble_markers("eBay said on Friday it would sell the unit.") == ()


@pytest.mark.parametrize(
    ("heading", "following", "expected"),
    [
        ("STORY OFFICER", "The rebel sweep has shocked the region. Top army officers defected.", ("garbled-heading",)),
        ("ISLAMIC STATE", "The head of the force said the Islamic State group took control.", ()),
        ("The rebel sweep.", "The rebel sweep has shocked the region.", ()),
        ("Reuters could not confirm the claims", "Nothing about it here.", ()),
    ],
    ids=["mistranslated", "subhead", "sentence", "not-capitals"],
)
def test_heading_markers(heading: str, following: str, expected: tuple[str, ...]):
    assert heading_markers(heading, following) == expected


# The readable forms of the markers that start at their rarest character and look back (markers.py): the same
# texts must match.
READABLE = {
    "detached-quote": regex.compile(r"\w\s+[\u201d\u2019\"](?=[\s.,;:!?]|$)"),
    "nonsense-join": regex.compile(r"\p{L}\s+[-\u2013\u2014]\p{L}"),
    "doubled-word": regex.compile(r"\b(\p{L}{2,})\s+\1\b", regex.IGNORECASE),
}
# Words, white space and punctuation the markers look at.
WORDS = "the The THE theory a ab AB \u00e9\u00e9 x1 _x ss \u00df".split()
PIECES = st.sampled_from([*WORDS, " ", "  ", "\n", "\u00a0", *".,;:!?-\u2013\u2014\"'\u201c\u201d\u2019()"])


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=14).map("".join))
def test_looking_back_markers_match_their_readable_form(text: str):
    for name, readable in READABLE.items():
        assert bool(MARKERS[name].search(text)) == bool(readable.search(text)), name


SITE_WORDS = st.sampled_from([*WORDS, "km", "m", "U.S.", "4.5", "eBay"])
SITE_SPACES = [" ", "  ", "\n", "\u2003", ". ", ". .", "? ", ", ", " ,"]
SITE_MARKS = [
    "-",
    "\u2003\u2014",
    "\n.",
    " - ",
    " -",
    " \u2014",
    " \u201d",
    '" ',
    "\u2019",
    " (",
    ") ",
    " (km) ",
    "(m)",
]
SITE_GLUE = st.sampled_from(SITE_SPACES + SITE_MARKS)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(SITE_WORDS, SITE_GLUE).map("".join), min_size=1, max_size=12), st.booleans())
def test_markers_searched_only_at_their_sites_equal_searching_everywhere(pieces: list[str], document_start: bool):
    text = "".join(pieces)
    sites = MarkerSites.of(text)
    cuts = [0, *itertools.accumulate(len(piece) for piece in pieces)]
    cuts += [cut - 1 for cut in cuts if cut]  # inside the glue too
    for start, end in itertools.combinations_with_replacement(sorted(set(cuts)), 2):
        expected = garble_markers(text[start:end], document_start=document_start)
        assert sites.garble_markers(start, end, document_start=document_start) == expected


def test_plain_sentences_have_no_marker_sites():
    text = "Officials said on Friday, in Homs, that the plan would go ahead. It was approved on 4.5 counts."
    sites = MarkerSites.of(text, doubled=[])
    first = text.index(" It") + 1
    assert sites.kinds == ("stop",)  # the stop between the two sentences, and nothing else
    assert sites.garble_markers(0, first - 1) == sites.garble_markers(first, len(text)) == ()


def test_every_character_white_space_to_the_markers_is_white_space_to_the_sites():
    space = regex.compile(r"\s")
    assert all(chr(c).isspace() for c in range(0x110000) if space.match(chr(c)))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(SITE_WORDS, SITE_GLUE).map("".join), min_size=1, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
    st.booleans(),
)
def test_sentence_searches_find_each_sentences_garble_markers(pieces: list[str], cut: list[bool], doubled: bool):
    text = "".join(pieces)
    ends = list(itertools.accumulate(len(piece) for piece in pieces))
    # Consecutive spans of pieces, a piece's last character left out of its span where `cut` says (a gap).
    bounds = [0, *(end for end, keep in zip(ends[:-1], cut, strict=False) if keep), len(text)]
    spans = [
        (start, end - 1 if cut[k] and end - 1 > start else end)
        for k, (start, end) in enumerate(itertools.pairwise(bounds))
    ]
    # Each word with the same word after it, through that one (as `align` reads them off the word hashes).
    words = list(regex.finditer(r"\w+", text))
    repeated = [(a.start(), b.end()) for a, b in itertools.pairwise(words) if a.group().lower() == b.group().lower()]
    sites = MarkerSites.of(text, repeated if doubled else None)
    searches = sites.sentence_searches(spans)
    for k, ((start, end), searched) in enumerate(zip(spans, searches, strict=True)):
        expected = garble_markers(text[start:end], document_start=k == 0)
        assert markers_among(text[start:end], searched) == expected


CAPITALS = st.sampled_from(["STORY", "OFFICER", "ISLAMIC", "STATE", "A", "4", "&", "'", ",", "-", " ", "  ", "\n", "x"])


@settings(max_examples=1000, deadline=None)
@given(st.lists(CAPITALS, max_size=24).map("".join), st.sampled_from(["", " ", "\n "]))
def test_heading_markers_skip_only_sentences_too_long_or_short_for_a_heading(words: str, space: str):
    sentence = space + words + space
    heading = regex.match(r"^[\p{Lu}\p{N}][\p{Lu}\p{N}\s'&,-]{2,60}$", sentence.strip())
    if not may_be_heading(sentence):
        assert heading is None
    assert bool(heading_markers(sentence, "nothing here")) == bool(heading and regex.search(r"\p{Lu}{3,}", sentence))


# Plain text holding what each pattern reads: words of both cases and of one or two letters, abbreviations, units,
# digits and underscores between glue of white space of each kind, marks, quotes and dashes, and marks no pattern
# names.
MARKER_WORDS = st.sampled_from(
    "the The THE theory ab AB a x1 _x eBay km KM kms Miles lbs mr Mr Sept etc no U.S.".split()
)
MARKER_GLUE = st.sampled_from(
    [
        *[" ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2009", "", "_", "0"],
        *[". ", "? ", "! ", ". .", ", ", " ,", ".\n", ". \u201c", ". '", ".\u201d ", ". \u2018", '? "', ".\u2026 "],
        *[" \u201d", " \u2019", ' "', "\u201d ", " \u201d.", " -", " \u2013", " \u2014", "-", " - ", "\u2010"],
        *["(", ") ", " (", ")", "~", "\u200b", "'", "\u201c", "\u2018"],
    ]
)
MARKER_TEXTS = st.lists(st.tuples(MARKER_WORDS, MARKER_GLUE).map("".join), max_size=8).map("".join)


@settings(max_examples=600, deadline=None)
@given(MARKER_TEXTS, st.booleans())
def test_the_compiled_markers_of_plain_text_are_the_patterns_markers(text: str, document_start: bool):
    from dedupe.markers import PlainMarkers

    spans = list(itertools.combinations_with_replacement(range(len(text) + 1), 2))
    found = PlainMarkers.of(text).span_markers(spans, [document_start] * len(spans))
    for (start, end), markers in zip(spans, found, strict=True):
        assert markers == garble_markers(text[start:end], document_start=document_start), (start, end)


def test_each_news_mark_reads_as_the_patterns_read_it():
    from dedupe.fingerprint import STAND_INS
    from dedupe.markers import PlainMarkers

    for code in STAND_INS:
        for context in ("said {0}the", "said{0} - the", "a b. {0}c.", "x. {0}it", "ab {0}-cd", "{0}the", "ab. {0} cd"):
            text = context.format(chr(code))
            assert PlainMarkers.of(text).garble_markers(0, len(text)) == garble_markers(text), repr(text)
