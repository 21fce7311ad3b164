"""Sentence profiles: the compiled path equals the `Document` path, and a pair the profiles rule out has no passage
that `align` would find."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe import kernels
from dedupe.align import NUMBER_WORDS, STOPWORDS, align
from dedupe.config import PassageEvidence, ScanConfig
from dedupe.document import Corpus, prepare
from dedupe.fingerprint import READING, pack, plain_form, word_hashes
from dedupe.normalize import looks_like_html
from dedupe.profiles import (
    STEM,
    _word_table,
    corpus_features,
    corpus_profiles,
    joined,
    profiles,
    word_features,
)
from dedupe.segment import ABBREVIATION_TABLE
from tests.test_verify import small_corpus

# Words of every kind the features tell apart: stopwords, number words, figures, long and short content words,
# abbreviations and capitals that may or may not end a sentence; separators that join figures into one or not.
VOCABULARY = "the said of Three 12 1,590 7/8 pct Mr. U.S. Reuters embassy Embassies Syria x A. Jr. mln dlrs and".split()
SEPARATORS = [" ", " ", " ", ". ", ", ", "\n", "\n\n", "? ", " (", ") ", ' "', "-", "\t", ",", ".", "/", ":"]
news_like = st.lists(st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(SEPARATORS)), max_size=60).map(
    lambda parts: "".join(word + separator for word, separator in parts)
)
ascii_texts = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=300)
# As most news is published: curly quotes, dashes and spaces that do not break (`STAND_INS`), read through their
# plain form.
typeset_texts = news_like.map(
    lambda text: text.replace(' "', " \u201c").replace("-", "\u2014").replace(", ", ",\u00a0").replace("'", "\u2019")
)


def kernel_features(text: str) -> tuple[np.ndarray, ...]:
    data, offsets = pack([text])
    hashes, terms, figures, _, ranges, terminal, _, plain = kernels.plain_word_features(
        data, offsets, READING, ABBREVIATION_TABLE, *_word_table(), STEM
    )
    assert plain[0]
    return hashes, terms, figures, ranges, terminal


@settings(max_examples=300, deadline=None)
@given(st.one_of(news_like, ascii_texts, typeset_texts))
def test_compiled_word_features_equal_those_of_the_prepared_document(text):
    if plain_form(text) is None or looks_like_html(text):
        return  # the compiled path reads plain forms; markup is read through its clean text (next test)
    expected = word_features(prepare(dedupe.Article("t", text)))
    hashes, terms, figures, ranges, terminal = kernel_features(text)
    assert np.array_equal(hashes, expected.hashes)
    assert np.array_equal(terms, expected.terms)
    assert np.array_equal(figures, expected.figures)
    assert np.array_equal(ranges, expected.sentence_words)
    assert np.array_equal(terminal, expected.terminal)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(news_like, ascii_texts, typeset_texts), min_size=2, max_size=8))
def test_compiled_word_features_of_many_texts_are_those_of_each(texts):
    # Packed together, each text's sentences are first written where its room starts (as many as it may have),
    # then moved up after the texts before it: each text must still get its own.
    data, offsets = pack(texts)
    hashes, terms, figures, word_bounds, ranges, terminal, sentence_bounds, plain = kernels.plain_word_features(
        data, offsets, READING, ABBREVIATION_TABLE, *_word_table(), STEM
    )
    for d, text in enumerate(texts):
        assert plain[d] == (plain_form(text) is not None)
        words = slice(word_bounds[d], word_bounds[d + 1])
        sentences = slice(sentence_bounds[d], sentence_bounds[d + 1])
        if not plain[d]:
            assert words.start == words.stop and sentences.start == sentences.stop
            continue
        alone = kernel_features(text)
        for got, expected in zip((hashes[words], terms[words], figures[words]), alone[:3], strict=True):
            assert np.array_equal(got, expected)
        assert np.array_equal(ranges[sentences], alone[3])
        assert np.array_equal(terminal[sentences], alone[4])


def test_the_word_table_finds_every_stop_and_number_word_and_nothing_else():
    stop_words, number_words = word_hashes(sorted(STOPWORDS)), word_hashes(sorted(NUMBER_WORDS))
    keys, kinds = kernels.word_table(stop_words, number_words)
    assert len(keys) & (len(keys) - 1) == 0 and len(keys) >= 4 * (len(stop_words) + len(number_words))
    found = {key: kind for key, kind in zip(keys.tolist(), kinds.tolist(), strict=True) if kind}
    expected: dict[int, int] = {}
    for words, kind in ((stop_words, kernels.STOP_WORD), (number_words, kernels.NUMBER_WORD)):
        for word in words.tolist():
            expected[word] = expected.get(word, 0) | kind
    assert found == expected
    # A word whose slot is taken goes to the next free one: 37 and 5 share their low 5 bits (32 slots).
    keys, kinds = kernels.word_table(np.array([5, 21, 37], dtype=np.uint64), np.array([21], dtype=np.uint64))
    assert len(keys) == 32
    assert (keys[5], kinds[5], keys[6], kinds[6], keys[21], kinds[21]) == (5, 1, 37, 1, 21, 3)


def test_corpus_profiles_take_each_text_through_its_own_path():
    texts = [
        "The embassy said. Three sources said 12 people left.",
        "L'ambassade a déclaré « trois » sources. Ça va.",  # not ASCII: the regex path
        "",
        "<p>The <b>embassy</b> said.</p>",  # markup: its clean text
        "Shr 12 cts vs 10 cts\nNet 1,199,791 vs 724,755",
        "Shares\x0bfell\x1c 5 pct, the\x00 exchange said.",  # ASCII, not plain: the regex path too
        "The embassy said \u201cthree\u201d sources\u00a0\u2014 12 people \u2014 left.",  # typeset: its plain form
    ]
    corpus = Corpus([dedupe.Article(str(i), t) for i, t in enumerate(texts)], 5)
    order = np.array([4, 1, 6, 0, 3, 2, 5])
    found = corpus_profiles(corpus, order, 4)
    expected = profiles([word_features(corpus.document(int(i))) for i in order], 4)
    for name in found.__slots__:
        assert np.array_equal(getattr(found, name), getattr(expected, name)), name
    assert len(found.document_sequences) > 3
    assert found.lengths.sum() > 20
    # Texts of the regex path first, last, next to each other, or the only ones.
    for order in ([4, 1, 0, 3, 2, 5], [1, 3, 4, 0, 2], [0, 5, 4, 2, 3, 1], [3, 1], [1], [5]):
        features = corpus_features(corpus, np.array(order))
        expected_features = joined([word_features(corpus.document(i)) for i in order])
        for name in features.__slots__:
            found_field, expected_field = getattr(features, name), getattr(expected_features, name)
            assert np.array_equal(found_field, expected_field) and found_field.dtype == expected_field.dtype, name


def test_pairs_the_profiles_rule_out_have_no_passage():
    # Evidence switched off, so the rule tested is the necessary condition alone.
    config = ScanConfig(evidence=PassageEvidence(min_matches=0))
    articles = small_corpus()
    corpus = Corpus(articles, config.shingle)
    everything = np.arange(len(articles))
    pairs = np.array(list(itertools.combinations(range(len(articles)), 2)))
    admitted = corpus_profiles(corpus, everything, config.align.min_words).screen(pairs, config)
    assert 0 < admitted.sum() < len(pairs)
    min_words = config.align.min_words
    for i, j in pairs[~admitted].tolist():
        a, b = corpus.document(i), corpus.document(j)
        for passage in align(a, b, config.align).passages:
            if passage.a_span and passage.b_span:
                shortest = min(words_in(a, passage.a_span), words_in(b, passage.b_span))
                assert shortest < min_words, (a.id, b.id, passage)


def test_the_screen_answers_the_same_for_a_pair_either_way_round():
    # The kernel reads the row's documents in the order that keeps the sorted side in cache: order must not matter.
    config = ScanConfig()
    articles = small_corpus()
    corpus = Corpus(articles, config.shingle)
    profiles = corpus_profiles(corpus, np.arange(len(articles)), config.align.min_words)
    pairs = np.array(list(itertools.combinations(range(len(articles)), 2)))
    admitted = profiles.screen(pairs, config)
    assert 0 < admitted.sum() < len(pairs)
    assert np.array_equal(profiles.screen(pairs[:, ::-1], config), admitted)


def words_in(document: dedupe.Document, span: tuple[int, int]) -> int:
    """How many of the document's words lie in `span` (original-text offsets)."""
    starts = [
        document.to_original((int(s), int(e)))[0] for s, e in zip(document.word_starts, document.word_ends, strict=True)
    ]
    return sum(span[0] <= start < span[1] for start in starts)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 2**32 - 1), max_size=40),
            st.lists(st.integers(0, 2**32 - 1), max_size=40),
            st.lists(st.integers(0, 2**32 - 1), max_size=20),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_sketches_never_bound_two_sets_below_what_they_share(sets):
    # Each pair of sets: its own values, the other's, and values both have; neighbouring values collide on a bit
    # (each of the 192 bits stands for 2**32 / 192 values).
    rows = []
    for own, other, shared in sets:
        colliding = [(v + k) % 2**32 for k, v in enumerate(shared[:3], start=1)]
        rows += [sorted(set(own + shared + colliding)), sorted(set(other + shared))]
    values = np.array([v for row in rows for v in row], dtype=np.uint32)
    bounds = np.cumsum([0] + [len(row) for row in rows]).astype(np.int64)
    sketches = kernels.set_sketches(values, bounds)
    for s, u in itertools.combinations(range(len(rows)), 2):
        shared = len(set(rows[s]) & set(rows[u]))
        bound = sum(bin(int(sketches[s, w] & sketches[u, w])).count("1") for w in range(3)) + int(
            min(sketches[s, 3], sketches[u, 3])
        )
        assert shared <= bound <= min(len(rows[s]), len(rows[u]))
        assert kernels._shared_bound(sketches, s, u) == bound


def test_a_sketch_counts_values_that_find_their_bit_set():
    # 2**32 / 192 values share each bit: 7 and 8 set one bit, 2**31 another.
    sketches = kernels.set_sketches(np.array([7, 8, 2**31], dtype=np.uint32), np.array([0, 3], dtype=np.int64))
    assert sum(bin(int(word)).count("1") for word in sketches[0, :3]) == 2
    assert sketches[0, 3] == 1
