"""Proper names keep notices filled in from one template apart, and leave copies of one story together."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.document import Document, prepare
from dedupe.errors import ConfigError
from dedupe.names import _plain_names, names_agree, proper_names
from dedupe.verify import relate

# Two wire notices of one template (written for this test): the boilerplate sentences are the same words, the
# issuer, managers, amounts and dates differ.
NOTICE_A = (
    "Northwind Power Finance BV is issuing a 150 mln dlr eurobond due May 12, 1994 paying 7-1/2 pct and priced at "
    "101-1/4 pct, lead manager Harbor Street Securities said. The non-callable bond is available in denominations of "
    "5,000 dlrs and will be listed in Luxembourg. The selling concession is 1-1/4 pct, while management and "
    "underwriting combined pays 5/8 pct. The payment date is May 12."
)
NOTICE_B = (
    "Kestrel Mining Holdings Ltd is issuing a 90 mln dlr eurobond due June 3, 1995 paying 8-1/4 pct and priced at "
    "100-3/4 pct, lead manager Ostend Capital Markets said. The non-callable bond is available in denominations of "
    "5,000 dlrs and will be listed in Luxembourg. The selling concession is 1-1/4 pct, while management and "
    "underwriting combined pays 5/8 pct. The payment date is June 3."
)


def test_names_are_capitalised_words_after_the_first_of_each_sentence():
    document = prepare(dedupe.Article("n", "Shares of Acme Corp rose. Analysts in Paris and Rome said so. Fine."))
    assert proper_names(document) == {"acme", "corp", "paris", "rome"}
    assert proper_names(prepare(dedupe.Article("u", "东京 证券 交易所 今天 收盘 上涨 。"))) == frozenset()


# Words and marks that start, end and fill sentences, capitalised or not, with news punctuation beyond ASCII.
_PIECES = [
    "Acme",
    "corp",
    "Paris.",
    "he",
    "Said",
    "U.S.",
    "Mr.",
    "3M",
    "iPhone",
    "ACME",
    "\u201cNo\u201d",
    "\u2014",
    "?",
]


def by_definition(document: Document) -> set[str]:
    """The names word by word: a capitalised word after the first of its sentence."""
    text, starts = document.clean.text, document.word_starts.tolist()
    return {
        document.words[k]
        for first, last in document.sentence_words.tolist()
        for k in range(first + 1, last)
        if text[starts[k]].isupper()
    }


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, "\n\n", "caf\u00e9"]), max_size=40))
def test_names_are_those_of_the_definition_on_every_text(pieces):
    document = prepare(dedupe.Article("n", " ".join(pieces)))
    assert proper_names(document) == by_definition(document)
    if document.plain:  # as a long text's are found, with numpy
        assert _plain_names(document) == by_definition(document)


def test_a_long_texts_names_are_those_of_the_definition():
    rng = random.Random(5)
    for pieces in ([p for p in _PIECES if p.isascii()], _PIECES):  # ASCII, typeset
        document = prepare(dedupe.Article("n", " ".join(rng.choice(pieces) for _ in range(2000))))
        assert document.plain and len(document.word_starts) > 1000
        assert proper_names(document) == by_definition(document)


def test_names_agree_when_the_smaller_set_is_mostly_shared_or_too_small_to_tell():
    story = prepare(dedupe.Article("a", "Talks at Acme Corp in Leeds ended. Union leaders met Jane Roe and Sam Poe."))
    cut = prepare(dedupe.Article("b", "Talks at Acme Corp in Leeds ended on Friday."))
    other = prepare(dedupe.Article("c", "Talks at Zenith Ltd in Cork ended. Union leaders met Ann Lee and Tom Ode."))
    few = prepare(dedupe.Article("d", "Talks at Zenith ended."))
    assert names_agree(story, cut, 0.5, 3)  # the cut copy's names are all in the story
    assert not names_agree(story, other, 0.5, 3)
    assert names_agree(story, few, 0.5, 3)  # one name is too few to tell


def test_notices_of_one_template_are_partial_reuse_not_near_duplicates():
    a, b = prepare(dedupe.Article("a", NOTICE_A)), prepare(dedupe.Article("b", NOTICE_B))
    config = dedupe.ScanConfig()
    pair = relate(a, b, config)
    assert pair is not None and pair.relation == "partial-reuse"
    # Without the names the boilerplate alone covers enough of both to call them the same article.
    unchecked = relate(a, b, dataclasses.replace(config, min_names=1000))
    assert unchecked is not None and unchecked.relation == "near-duplicate"


def test_a_rewritten_copy_with_the_same_names_stays_a_near_duplicate():
    rewritten = (
        "Northwind Power Finance BV issues a 150 mln dollar eurobond maturing May 12, 1994 that pays 7-1/2 pct and "
        "is priced at 101-1/4 pct, said lead manager Harbor Street Securities. This non-callable bond comes in "
        "denominations of 5,000 dlrs and is to be listed in Luxembourg. Selling concession is 1-1/4 pct, with "
        "management and underwriting together paying 5/8 pct. Payment date: May 12."
    )
    config = dedupe.ScanConfig()
    pair = relate(prepare(dedupe.Article("a", NOTICE_A)), prepare(dedupe.Article("c", rewritten)), config)
    # The alignment decides (few 5-grams survive the rewording), and the names agree.
    assert pair is not None and pair.jaccard < config.near_jaccard and pair.relation == "near-duplicate"


def test_the_names_settings_are_checked():
    with pytest.raises(ConfigError, match="min_shared_names must be in"):
        dedupe.ScanConfig(min_shared_names=0.0)
    with pytest.raises(ConfigError, match="min_names must be at least 1, got 0"):
        dedupe.ScanConfig(min_names=0)
