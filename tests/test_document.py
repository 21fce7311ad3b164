"""Preparing a plain-ASCII text (or the plain form of a text with news punctuation) through the compiled tokeniser
and splitter gives exactly the regex path's parts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.document import _plain_parts, _plain_words, _regex_parts, prepare, sentence_spans
from dedupe.fingerprint import STAND_INS, plain_form
from dedupe.models import Article
from dedupe.normalize import WORD
from dedupe.segment import sentences
from tests.test_profiles import SEPARATORS, VOCABULARY, ascii_texts, news_like


@settings(max_examples=400, deadline=None)
@given(st.one_of(news_like, ascii_texts))
def test_plain_text_is_prepared_as_the_regex_path_prepares_it(text):
    if plain_form(text) != text:
        return
    plain, regex = _plain_parts(text), _regex_parts(text)
    assert plain[0] is None and _plain_words(text) == tuple(regex[0])  # (the words made when first read)
    for compiled, defined in zip(plain[1:], regex[1:], strict=True):
        assert compiled.dtype == defined.dtype
        assert np.array_equal(compiled, defined)


# Separators of news text that is not ASCII for its punctuation alone, next to the ASCII ones they stand in for.
UNICODE_SEPARATORS = [
    " ",
    ". ",
    ".\u201d ",
    "\u2019 ",
    "\u2019",
    " \u201c",
    "\u201d. ",
    "? \u2018",
    " \u2013 ",
    "\u2014",
    "\u00a0",
    "\u2026 ",
    "\u2026\n",
    "\u2013\n",
    " \u00a3",
    "\u00b0 ",
    ", ",
    "\n",
    ". \u201f",
    "\u2033 ",
    "\u200b",
]
curly_news = st.lists(
    st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(UNICODE_SEPARATORS + SEPARATORS)), max_size=60
).map(lambda parts: "".join(word + separator for word, separator in parts))


@settings(max_examples=400, deadline=None)
@given(curly_news)
def test_the_plain_form_of_news_punctuation_is_prepared_as_the_regex_path_prepares_the_text(text):
    form = plain_form(text)
    assert form is not None and len(form) == len(text)
    plain, regex = _plain_parts(form), _regex_parts(text)
    assert _plain_words(text) == _plain_words(form) == tuple(regex[0])
    for compiled, defined in zip(plain[1:], regex[1:], strict=True):
        assert np.array_equal(compiled, defined)


@settings(max_examples=400, deadline=None)
@given(st.one_of(news_like, ascii_texts, curly_news, st.text(max_size=80)))
def test_sentence_spans_are_the_regex_splitters_whichever_path_a_text_takes(text):
    assert sentence_spans(text) == sentences(text)


@pytest.mark.parametrize("mark", sorted(chr(code) for code in STAND_INS))
def test_each_stand_in_is_read_as_the_mark_it_stands_for(mark):
    assert WORD.search(mark) is None and mark.isspace() == STAND_INS[ord(mark)].isspace()
    for context in ("Yes.{} Next one", "Yes{}. Next", "Yes. {}Next", "He left{}\nthe room", "Go{}\nNow", "U.S.{} Army"):
        text = context.format(mark)
        assert sentences(text) == sentences(text.translate(STAND_INS)), text


_PLAIN_ASCII = frozenset("\t\n\r" + "".join(map(chr, range(0x20, 0x7F))))
# Characters a text may hold: plain ASCII, marks with a stand-in, and what has none (a letter with an accent, a
# control character, a guillemet, a character beyond 65,535, a lone surrogate the Python API may be given).
_ANY_CHARACTER = st.sampled_from(
    [*"aZ9 .,'\"-\n\t\r~", *map(chr, STAND_INS), "\u00e9", "\x0b", "\x7f", "\u00ab", "\U0001f600", "\ud800"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ANY_CHARACTER, max_size=30).map("".join))
def test_the_plain_form_is_the_stand_ins_of_a_text_of_plain_ascii_and_marks(text):
    plain = all(c in _PLAIN_ASCII or ord(c) in STAND_INS for c in text)
    assert plain_form(text) == (text.translate(STAND_INS) if plain else None)


def test_letters_outside_ascii_keep_a_text_on_the_regex_path():
    assert plain_form("Erdo\u011fan said \u201cno\u201d.") is None
    assert plain_form("He said \u201cno\u201d.") == 'He said "no".'
    # The prepared document says which path read it (the aligner reads doubled words off its words then).
    assert prepare(Article("x", "He said \u201cno\u201d.")).plain
    assert not prepare(Article("x", "Erdo\u011fan said \u201cno\u201d.")).plain
    # Either way the document's words are the normalised words.
    assert prepare(Article("x", "He said \u201cNO\u201d.")).words == ("he", "said", "no")
    assert prepare(Article("x", "Erdo\u011fan said \u201cNO\u201d.")).words == ("erdo\u011fan", "said", "no")
    # Guillemets and low quotes open and close sentences with a space inside them (segment.py): the regex path.
    assert plain_form("He said \u00ab no \u00bb.") is None and plain_form("\u201eNo\u201c.") is None
