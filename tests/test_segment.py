from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.segment import (
    _BOUNDARY,
    BARE_STOPS,
    CLOSERS,
    OPENERS,
    SPACED_CLOSERS,
    SPACED_OPENERS,
    SPACED_STOPS,
    sentences,
)


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One here. Two there.", ["One here.", "Two there."]),
        ("He said \u201cgo.\u201d Then left.", ["He said \u201cgo.\u201d", "Then left."]),
        ("A U.S.-backed force. The U.S. Secretary spoke.", ["A U.S.-backed force.", "The U.S. Secretary spoke."]),
        ("Mr. Abdi spoke. Dr. No left.", ["Mr. Abdi spoke.", "Dr. No left."]),
        ("sources said. to Reuters on Friday.", ["sources said. to Reuters on Friday."]),
        ("Line one\nLine two\n\nPara two.", ["Line one", "Line two", "Para two."]),
        (
            "A line wrapped\nin the middle. And one to\nThe end.",
            ["A line wrapped\nin the middle.", "And one to\nThe end."],
        ),
        ("STORY OFFICER\nThe rebel sweep.", ["STORY OFFICER", "The rebel sweep."]),
        ("\u6771\u4eac\u3002\u5927\u962a\u3002", ["\u6771\u4eac\u3002", "\u5927\u962a\u3002"]),
        ("दिल्ली में बारिश हुई। स्कूल बंद रहे।", ["दिल्ली में बारिश हुई।", "स्कूल बंद रहे।"]),
        ("هل سيعود؟ قال الوزير إنه سيعود.", ["هل سيعود؟", "قال الوزير إنه سيعود."]),
        (
            "کراچی میں بارش ہوئی\u06d4 شہر میں پانی بھر گیا\u06d4",  # the Urdu full stop
            ["کراچی میں بارش ہوئی\u06d4", "شہر میں پانی بھر گیا\u06d4"],
        ),
        ("ព្រឹកនេះមានភ្លៀង។ផ្លូវលិចទឹក។", ["ព្រឹកនេះមានភ្លៀង។", "ផ្លូវលិចទឹក។"]),
        ("Habló. ¿Qué pasará? ¡Nadie lo sabe!", ["Habló.", "¿Qué pasará?", "¡Nadie lo sabe!"]),
        ("Il a dit. « Nous partons. » Puis il est parti.", ["Il a dit.", "« Nous partons. »", "Puis il est parti."]),
        ("Он сказал. «Мы уедем». Конец.", ["Он сказал.", "«Мы уедем».", "Конец."]),
        ("Er sagte es. „Wir gehen“, sagte er.", ["Er sagte es.", "„Wir gehen“, sagte er."]),
        ("Er sagte: „Wir gehen.“ Dann ging er.", ["Er sagte: „Wir gehen.“", "Dann ging er."]),
        ("   ", []),
    ],
    ids=[
        "plain",
        "quote",
        "initials",
        "titles",
        "broken-join-kept",
        "lines",
        "soft-wraps",
        "heading-line",
        "cjk",
        "danda",
        "arabic-question",
        "urdu",
        "khmer",
        "spanish-inverted-marks",
        "french-guillemets",
        "russian-guillemets",
        "german-low-quote",
        "german-closing-quote",
        "blank",
    ],
)
def test_sentences(text, expected):
    assert split(text) == expected


# The boundary pattern without its first line, which only skips positions where nothing can match (segment.py).
READABLE_BOUNDARY = regex.compile(
    rf"""
    (?<=[{SPACED_STOPS}](?:[{regex.escape(CLOSERS)}]|\s?[{SPACED_CLOSERS}])*)
    \s+(?=(?:[{regex.escape(OPENERS)}]|[{SPACED_OPENERS}]\s?)*[\p{{Lu}}\p{{Lt}}\p{{N}}\p{{Lo}}])
    | (?<=[{BARE_STOPS}])
    | \s*\n\s*
    """,
    regex.VERBOSE,
)
WORDS = ["One", "two", "U.S.", "Mr.", "\u6771\u4eac", "\u00c9t\u00e9", "3", "हुई", "قال"]
SPACES = [" ", "  ", "\n", "\u00a0", "\u2029", "\t"]
PIECES = st.sampled_from(
    [*WORDS, *SPACES, *SPACED_STOPS, *BARE_STOPS, *CLOSERS, *SPACED_CLOSERS, *OPENERS, *SPACED_OPENERS, ","]
)


@settings(max_examples=2000)
@given(st.lists(PIECES, max_size=16).map("".join))
def test_boundaries_are_those_of_the_readable_pattern(text: str):
    assert [m.span() for m in _BOUNDARY.finditer(text)] == [m.span() for m in READABLE_BOUNDARY.finditer(text)]
