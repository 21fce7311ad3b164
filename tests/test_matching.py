"""The compiled sentence matching gives `align.match`'s figures, and the screen it serves keeps every pair that
verifies."""

from __future__ import annotations

import itertools
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.align import match
from dedupe.document import Corpus
from dedupe.matching import match_pairs, may_be_near, may_relate, sentences
from dedupe.profiles import corpus_features
from dedupe.verify import relate
from tests.test_verify import small_corpus

CONFIG = dedupe.ScanConfig()


def compiled_and_python(articles: list[dedupe.Article], pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The figures of each pair, compiled and by `align.match`; asserts that the matches themselves are the same."""
    corpus = Corpus(articles, CONFIG.shingle)
    compiled = match_pairs(pairs, sentences(corpus_features(corpus, np.arange(len(articles)))), CONFIG)
    found = np.stack([compiled.coverage_a, compiled.coverage_b, compiled.longest_reuse], axis=1)
    expected = []
    for k, (i, j) in enumerate(pairs.tolist()):
        m = match(corpus.document(i), corpus.document(j), CONFIG.align)
        expected.append((m.coverage_a, m.coverage_b, m.longest_reuse))
        assert compiled.of(k).tolist() == [[x.a0, x.a1, x.b0, x.b1] for x in m.matches], (i, j)
    return found, np.array(expected)


def assert_same_figures(found: np.ndarray, expected: np.ndarray) -> None:
    # Rounded as `align` rounds coverage (Python's `round`, not numpy's: 0.35625 is 0.3563 to Python).
    rounded = [[round(x, 4) for x in row] for row in found[:, :2].tolist()]
    assert rounded == expected[:, :2].tolist()
    assert np.array_equal(found[:, 2], expected[:, 2])


def test_compiled_matching_equals_the_aligners_on_every_pair_of_a_small_corpus():
    articles = small_corpus()
    pairs = np.array(list(itertools.permutations(range(len(articles)), 2)))  # both orders: the matching is not
    found, expected = compiled_and_python(articles, pairs)
    assert_same_figures(found, expected)
    # The corpus exercises what the figures measure: partial and near-full coverage, reuse and none.
    assert (expected[:, 0] > 0.4).sum() > 20 and ((expected[:, 0] > 0) & (expected[:, 0] < 0.2)).sum() > 20
    assert (expected[:, 2] >= 8).sum() > 50 and (expected[:, 2] == 0).sum() > 50


SENTENCES = [
    "The central bank raised its key rate by 25 basis points to 4.5 pct on Tuesday.",
    "The bank raised the rate to 4.5 pct.",
    "Analysts had expected the move after inflation rose to 3.2 pct in March.",
    "Analysts expected the move.",
    "Inflation rose.",
    "Shares fell 1,250 points, or 2.1 pct, in early trade.",
    "Shares fell 980 points in early trade, dealers said.",
    "Mr. Smith said the decision was unanimous. It was not.",
    "The decision, Smith said, was unanimous and final.",
    "Ok.",
    "Russian friends.",
    "He left for Moscow",
]
texts = st.lists(st.sampled_from(SENTENCES), min_size=0, max_size=8).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(texts, texts)
def test_compiled_matching_equals_the_aligners_on_recombined_sentences(a, b):
    # Repeated, split, shortened and fragment sentences, figures that agree and disagree: every step of the matching.
    found, expected = compiled_and_python([dedupe.Article("a", a), dedupe.Article("b", b)], np.array([[0, 1], [1, 0]]))
    assert_same_figures(found, expected)


def test_compiled_matching_equals_the_aligners_on_long_texts_of_alike_sentences():
    # Hundreds of sentences with many copies of each: the identical sentences pair in order, and the sentence
    # pairs that score outgrow the matching's first room for them many times over.
    rng = random.Random(3)
    a = " ".join(rng.choice(SENTENCES) for _ in range(200))
    b = " ".join(rng.choice(SENTENCES) for _ in range(150))
    found, expected = compiled_and_python([dedupe.Article("a", a), dedupe.Article("b", b)], np.array([[0, 1], [1, 0]]))
    assert_same_figures(found, expected)
    assert expected[:, 0].min() > 0.5


def test_a_pair_the_matching_rules_out_verifies_only_by_its_jaccard():
    articles = small_corpus()
    corpus = Corpus(articles, CONFIG.shingle)
    pairs = np.array(list(itertools.combinations(range(len(articles)), 2)))
    view = sentences(corpus_features(corpus, np.arange(len(articles))))
    found = match_pairs(pairs, view, CONFIG)
    kept, near = may_relate(pairs, view, CONFIG, found), may_be_near(pairs, view, CONFIG, found)
    verified = [relate(corpus.document(i), corpus.document(j), CONFIG) for i, j in pairs.tolist()]
    related = np.array([pair is not None for pair in verified])
    by_jaccard = np.array([pair is not None and pair.jaccard >= CONFIG.near_jaccard for pair in verified])
    assert related.sum() > 50 and (~related).sum() > 200
    assert kept[related & ~by_jaccard].all()
    # And it rules out nearly all of the rest (measured: 817 of the 819 unrelated pairs among 990).
    assert (~kept[~related]).mean() > 0.95
    # A pair it does not find covered enough is at most a partial reuse unless its Jaccard is high (the gate's cap
    # stops on this); both kinds are here.
    near_duplicates = np.array([pair is not None and pair.relation == "near-duplicate" for pair in verified])
    assert near[near_duplicates & ~by_jaccard].all()
    assert (near_duplicates & ~by_jaccard).sum() > 5 and (related & ~near).sum() > 5
