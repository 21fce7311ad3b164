"""The records pickle to equal records (they cross between the scan and its worker processes)."""

from __future__ import annotations

import pickle
import sys

import pytest

from dedupe.models import Article, Cluster, Member, Pair, PassageMatch, Region, Skipped

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
