"""The records pickle to equal records (they cross between the scan and its worker processes); `Articles` holds
many compactly."""

from __future__ import annotations

import pickle
import sys

import pytest

from dedupe.models import Article, Articles, Cluster, Member, Pair, PassageMatch, Region, Skipped, article_ids

PASSAGE = PassageMatch((0, 40), (3, 45), "corrupted", 0.8125, ("doubled-word", "stray-punctuation"), "b")


@pytest.mark.parametrize(
    "record",
    [
        Article("a", "The text.", "Title", "2024-01-02", "Reuters", "https://x", "a.txt", {"lang": ["en"]}, True),
        Article("b", "Plain."),
        Article("c", "\u201cCurly\u201d \u2014 and a lone surrogate \ud800 from the API.", title="\u201cT\u201d"),
        PASSAGE,
        PassageMatch(None, (5, 9), "only-in-b", 0.0),
        Region((0, 40), (3, 45), 0.5, 2),
        Pair("a", "b", "near-duplicate", 0.51, 0.6, 0.7, (PASSAGE,), 0.9, 0.8),
        Member("a", 1, 0.73, ("no corrupted passages",)),
        Cluster(1, "a", (Member("a", 1, 0.73), Member("b", 2, 0.2))),
        Skipped("x.json", "not JSON", 3),
    ],
)
def test_records_pickle_to_equal_records(record: object):
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        loaded = pickle.loads(pickle.dumps(record, protocol))
        assert loaded == record and type(loaded) is type(record)


def test_pickling_a_text_beyond_ascii_leaves_no_second_copy_with_it():
    # CPython keeps the UTF-8 encoding pickle writes of a str with that str: each text the scan sent to a worker
    # stayed in its memory twice.
    article = Article("a", "\u201cquoted\u201d words " * 100)
    size = sys.getsizeof(article.text)
    pickle.dumps(article, pickle.HIGHEST_PROTOCOL)
    assert sys.getsizeof(article.text) == size


TYPESET = Article(
    "t", "The minister said \u201cwe will act\u201d on Tuesday \u2014 and markets rose. " * 100, "T", extra={"k": [1]}
)
ARTICLES = [
    Article("a", "Plain ASCII text. " * 50),
    TYPESET,
    Article("s", "A lone surrogate \ud800 from the API, \u2018quoted\u2019."),
    Article("l", "caf\u00e9 " * 300),  # Latin-1: one byte a character as a str, less than its UTF-8
]


def test_articles_give_back_every_article_as_it_was_given():
    held = Articles(ARTICLES)
    assert len(held) == 4 and list(held) == ARTICLES and held == ARTICLES
    assert [held[i] for i in range(4)] == ARTICLES and held[1:3] == ARTICLES[1:3] and held[-1] == ARTICLES[-1]
    assert [held.text(i) for i in range(4)] == [a.text for a in ARTICLES]
    assert held.ids() == article_ids(held) == article_ids(ARTICLES) == ["a", "t", "s", "l"]


def test_articles_hold_a_typeset_text_in_about_a_byte_a_character():
    held = Articles(ARTICLES)
    assert isinstance(held.held_text(0), str), "ASCII is held as it is"
    utf8 = held.held_text(1)
    assert utf8 == TYPESET.text.encode("utf-8") and sys.getsizeof(utf8) < 0.6 * sys.getsizeof(TYPESET.text)
    assert isinstance(held.held_text(3), str), "a Latin-1 text is smaller as a str than as UTF-8"


def test_articles_pickle_as_the_articles_without_decoding_a_text():
    held = Articles(ARTICLES)
    for index, article in enumerate(ARTICLES):
        sent = pickle.dumps(held.pickled(index), pickle.HIGHEST_PROTOCOL)
        assert sent == pickle.dumps(article, pickle.HIGHEST_PROTOCOL), "the same bytes as the article's own pickle"
        assert pickle.loads(sent) == article and type(pickle.loads(sent)) is Article
    subset = held.subset([3, 1])
    assert list(subset) == [ARTICLES[3], ARTICLES[1]] and subset.held_text(1) is held.held_text(1), "nothing copied"
    loaded = pickle.loads(pickle.dumps(subset, pickle.HIGHEST_PROTOCOL))
    assert loaded == [ARTICLES[3], ARTICLES[1]] and all(type(article) is Article for article in loaded)
