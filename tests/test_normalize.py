from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.normalize import (
    WORD,
    _classes,
    fold_punctuation,
    looks_like_html,
    normalize_word,
    strip_markup,
    word_spans,
    words,
)


def test_markup_is_stripped_and_spans_map_back_to_the_raw_text():
    raw = 'Rebels told <i>The National</i> on <a href="x">Friday</a> that AT&amp;T &#8220;left&#8221;.'
    clean = strip_markup(raw)
    assert clean.text == "Rebels told The National on Friday that AT&T \u201cleft\u201d."
    start = clean.text.index("Friday")
    assert raw[slice(*clean.to_original(start, start + len("Friday")))] == "Friday"
    start = clean.text.index("AT&T")
    assert raw[slice(*clean.to_original(start, start + 4))] == "AT&amp;T"


def test_scripts_and_styles_are_not_text_and_blocks_break_sentences():
    clean = strip_markup("<html><head><title>T</title><script>var x;</script></head><p>One.</p><p>Two</p>")
    assert "var" not in clean.text and clean.title == "T"
    assert "One." in clean.text and "\n" in clean.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain news text", False),
        ("a <b>bold</b> claim", True),
        ("fish &amp; chips", True),
        ("3 < 4 and 5 > 2", False),
    ],
    ids=["plain", "tag", "entity", "comparison"],
)
def test_looks_like_html(text, expected):
    assert looks_like_html(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Assad\u2019s army", ["assad", "s", "army"]),
        ("\uff28\uff45\uff4c\uff4c\uff4f Stra\u00dfe", ["hello", "strasse"]),
        ("\u6771\u4eac\u90fd in Japan", ["\u6771", "\u4eac", "\u90fd", "in", "japan"]),
        ("\u041c\u043e\u0441\u043a\u0432\u0430 2024", ["\u043c\u043e\u0441\u043a\u0432\u0430", "2024"]),
    ],
    ids=["apostrophe", "nfkc-casefold", "cjk-characters", "cyrillic"],
)
def test_words_are_unicode_aware(text, expected):
    assert words(text) == expected


@given(st.text(max_size=200))
def test_fast_words_equal_the_words_of_word_spans(text):
    assert words(text) == word_spans(text)[0]


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=200), st.text(alphabet=st.characters(max_codepoint=0x30FF), max_size=200)))
def test_word_spans_are_the_matches_of_word(text):
    _found, starts, ends = word_spans(text)
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == [m.span() for m in WORD.finditer(text)]


@given(st.text(max_size=200))
def test_word_spans_slice_back_to_their_words(text):
    found, starts, ends = word_spans(text)
    assert [normalize_word(text[s:e]) for s, e in zip(starts, ends, strict=True)] == found


@given(st.text(max_size=200))
def test_punctuation_folding_keeps_length_and_is_idempotent(text):
    folded = fold_punctuation(text)
    assert len(folded) == len(text) and fold_punctuation(folded) == folded


@given(st.text(alphabet=st.characters(blacklist_characters="<>&"), max_size=200))
def test_text_without_markup_survives_stripping(text):
    clean = strip_markup(text)
    assert clean.text == " ".join(text.replace("\r", " ").split("\n")) or words(clean.text) == words(text)


def test_no_character_outside_words_lower_cases_to_an_ascii_letter_or_digit():
    # word_spans takes the ASCII path for text whose words are all ASCII; it relies on this.
    codes = np.arange(128, 0x110000, dtype=np.uint32)
    outside = codes[_classes(codes) == 0]
    lowered = "".join(chr(c).lower() for c in outside.tolist() if not 0xD800 <= c <= 0xDFFF)
    assert not any(c.isascii() and c.isalnum() for c in lowered)
