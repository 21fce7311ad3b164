"""The fluency model leaves out exactly what it counted, so it can be built from a sample of the corpus."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe import fluency
from dedupe.fingerprint import STAND_INS, plain_form, word_hashes
from dedupe.fluency import Counts, LanguageModel, bigrams, token_hashes, tokens
from tests.conftest import PLAIN_CHARACTERS

TEXTS = [
    "The embassy urged its nationals to leave the country on commercial flights.",
    "Rebels took the city on Friday, three sources told Reuters.",
    "The central bank left interest rates unchanged on Thursday.",
]


def test_leaving_out_takes_out_only_what_was_counted():
    sampled = LanguageModel.build(TEXTS[:2])
    # TEXTS[2] was never counted (outside the sample): leaving it out must take nothing out.
    left = sampled.without([TEXTS[1], TEXTS[2]])
    assert left.documents == 1
    assert left.left_out == LanguageModel.build([TEXTS[1]]).corpus
    keys, counts = left.left_out.bigrams.entries()
    assert (left.corpus.bigrams.lookup(keys) >= counts).all()
    assert left.association(("the", "city")) < sampled.association(("the", "city"))


def test_leaving_out_texts_never_counted_changes_nothing():
    sampled = LanguageModel.build(TEXTS[:2])
    unchanged = sampled.without([TEXTS[2]])
    assert unchanged.left_out == LanguageModel.build([]).corpus
    assert unchanged.association(("the", "city")) == sampled.association(("the", "city"))


def test_what_is_left_out_is_counted_only_when_the_model_is_read(monkeypatch):
    model = LanguageModel.build(TEXTS)
    counted: list[int] = []
    count = Counts.of
    monkeypatch.setattr(Counts, "of", lambda texts: counted.append(len(texts)) or count(texts))
    left = model.without(TEXTS[:2])
    assert left.documents == 1 and counted == []
    first = left.association(("the", "city"))
    assert left.repeated_share(TEXTS[0]) == 0.0 and left.association(("the", "city")) == first
    assert counted == [2]  # once, when first read
    assert left.left_out == count(TEXTS[:2])


def test_mean_associations_of_several_sets_at_once_are_each_sets_own():
    model = LanguageModel.build(TEXTS).without(TEXTS[:1])
    sets = [list(bigrams(tokens(text))) for text in TEXTS] + [[]]
    hashed = [{tuple(model.hashes(list(gram))) for gram in grams} for grams in sets]
    means = model.mean_associations(*hashed)
    assert means[-1] is None and model.mean_associations() == []
    for grams, mean in zip(sets[:-1], means, strict=False):
        assert mean == pytest.approx(sum(model.association(gram) for gram in grams) / len(grams))
    assert model.mean_associations(hashed[1]) == means[1:2]


def test_a_text_counted_once_is_left_out_once():
    model = LanguageModel.build([TEXTS[0], TEXTS[0], TEXTS[1]])
    assert model.without([TEXTS[0], TEXTS[0], TEXTS[0]]).documents == 1


# --- the counts over hashes equal the plain definition: document frequencies of token strings --------------------

# Text with every kind of token: words of both cases, digits, punctuation, white space, and now and then a
# character beyond ASCII: news punctuation (a curly quote, a dash, a space that does not break), which the compiled
# path reads through the text's plain form, or a u-umlaut, a combining accent, the Kelvin sign or a control
# character, which send the text down the regex path.
_CHARACTERS = [*"aAbB zZ9 . , ' - \n\t\r", "the ", "said ", "\u201c", "\u2014", "\u00a0"]
_CHARACTERS += ["\u00fc", "\u0301", "\u212a", "\x0b", "\x1c"]
texts_ = st.lists(st.lists(st.sampled_from(_CHARACTERS), max_size=40).map("".join), max_size=8)


def _reference(texts: list[str]) -> tuple[int, Counter[str], Counter[tuple[str, str]], Counter[tuple[str, ...]]]:
    """Document frequencies of token strings, token bigrams and word 4-grams: the model's plain definition."""
    unigrams: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    phrases: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        seq = tokens(text)
        words = [t for t in seq if t[0].isalnum()]
        unigrams.update(set(seq))
        pairs.update(bigrams(seq))
        phrases.update(set(zip(words, words[1:], words[2:], words[3:], strict=False)))
    return len(texts), unigrams, pairs, phrases


def _table(frequencies: Counter[str] | Counter[tuple[str, ...]]) -> fluency.Table:
    """A table of document frequencies of tokens or runs of tokens, each keyed by `((h1 * M + h2) * M + ...) + hn`
    modulo 2**64 of its tokens' hashes (M the shingles' multiplier), filled in ascending order of key."""
    multiplier = int(fluency.kernels.SHINGLE_MULTIPLIER)
    keyed: dict[int, int] = {}
    for gram, count in frequencies.items():
        key = 0
        for h in word_hashes([gram] if isinstance(gram, str) else list(gram)).tolist():
            key = (key * multiplier + h) % 2**64
        keyed[key] = count
    keys = sorted(keyed)
    return fluency.Table(np.array(keys, dtype=np.uint64), np.array([keyed[k] for k in keys], dtype=np.int64))


def _association(texts: list[str], left_out: list[str], bigram: tuple[str, str], k: float = 2.0) -> float:
    documents, unigrams, pairs, _ = _reference(texts)
    out_documents, out_unigrams, out_pairs, _ = _reference(left_out)
    first, second = bigram
    unigram = (unigrams[second] - out_unigrams[second] + 1) / (documents - out_documents + len(unigrams) + 1)
    pair = pairs[bigram] - out_pairs[bigram]
    context = unigrams[first] - out_unigrams[first]
    return math.log((pair + k * unigram) / (context + k)) - math.log(unigram)


@settings(max_examples=200, deadline=None)
@given(texts_)
def test_token_hashes_are_the_hashes_of_the_tokens(texts):
    found = token_hashes(texts)
    for i, text in enumerate(texts):
        seq = tokens(text)
        assert np.array_equal(found.hashes[found.bounds[i] : found.bounds[i + 1]], word_hashes(seq))
        assert found.is_word[found.bounds[i] : found.bounds[i + 1]].tolist() == [t[0].isalnum() for t in seq]


@pytest.mark.parametrize("mark", sorted(chr(code) for code in STAND_INS))
def test_news_punctuation_is_hashed_as_its_own_token_on_the_compiled_path(mark, monkeypatch):
    # A text of ASCII and news punctuation is tokenised through its plain form (`fingerprint.plain_form`), where
    # each mark has an ASCII stand-in: the mark's own hash must come back, and the regex path is not taken.
    texts = [f"{mark}Yes{mark} it{mark}s 12{mark}5{mark}{mark} the end.{mark}", f"He said{mark}\n{mark}no."]
    texts += ["plain ASCII, between them", texts[0]]
    assert all(plain_form(text) is not None for text in texts)
    with monkeypatch.context() as patched:
        patched.setattr(fluency, "tokens", None)
        found = token_hashes(texts)
    for i, text in enumerate(texts):
        seq = tokens(text)
        assert np.array_equal(found.hashes[found.bounds[i] : found.bounds[i + 1]], word_hashes(seq))
        assert found.is_word[found.bounds[i] : found.bounds[i + 1]].tolist() == [t[0].isalnum() for t in seq]


@settings(max_examples=200, deadline=None)
@given(texts_, st.data())
def test_the_model_counts_what_its_definition_counts(texts, data):
    counts = Counts.of(texts)
    documents, unigrams, pairs, phrases = _reference(texts)
    assert counts.documents == documents
    assert len(counts.unigrams) == len(unigrams)
    assert sorted(counts.unigrams.entries()[1].tolist()) == sorted(unigrams.values())
    assert sorted(counts.bigrams.entries()[1].tolist()) == sorted(pairs.values())
    assert sorted(counts.phrases.entries()[1].tolist()) == sorted(phrases.values())
    # The very tables a reading of the definition builds: keyed by the tokens' hashes, filled in order of key.
    assert counts.unigrams == _table(unigrams)
    assert counts.bigrams == _table(pairs)
    assert counts.phrases == _table(phrases)
    left_out = data.draw(st.lists(st.sampled_from(texts), max_size=3, unique=True)) if texts else []
    model = LanguageModel.build(texts).without(left_out)
    grams = [*sorted({g for text in texts for g in bigrams(tokens(text))}), ("the", "said"), (".", "zz")]
    assert [model.association(g) for g in grams] == [_association(texts, left_out, g) for g in grams]
    for text in texts:
        words = [t for t in tokens(text) if t[0].isalnum()]
        mine = set(zip(words, words[1:], words[2:], words[3:], strict=False))
        _, _, _, everywhere = _reference(texts)
        _, _, _, out = _reference(left_out)
        expected = sum(1 for g in mine if everywhere[g] - out[g] > 0) / len(mine) if mine else 0.0
        assert model.repeated_share(text) == expected


# Plain text of every character it may hold, in runs, so that marks stand against letters and digits too.
plain_texts = st.lists(
    st.text(st.sampled_from(PLAIN_CHARACTERS), min_size=1, max_size=6) | st.sampled_from(["Reuters", "U.S.", "4,236"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(plain_texts)
def test_plain_text_is_tokenised_as_the_unicode_pattern_tokenises_it(text):
    assert plain_form(text) is not None
    assert tokens(text, plain=True) == tokens(text)
    texts = [text, "caf\u00e9 " + text, text]  # plain, not plain (the regex path), plain
    found = token_hashes(texts)
    for i, each in enumerate(texts):
        seq = tokens(each)
        assert np.array_equal(found.hashes[found.bounds[i] : found.bounds[i + 1]], word_hashes(seq))
        assert found.is_word[found.bounds[i] : found.bounds[i + 1]].tolist() == [t[0].isalnum() for t in seq]
    model = LanguageModel.build([text, text.upper(), TEXTS[0]])
    assert model.repeated_share(text, plain=True) == model.repeated_share(text)


def test_tokens_are_characters_in_scripts_without_spaces_and_words_keep_their_marks():
    assert tokens("東京の天気。Tokyo") == ["東", "京", "の", "天", "気", "。", "tokyo"]
    assert tokens("हिन्दी समाचार।") == ["हिन्दी", "समाचार", "।"]  # vowel signs and viramas are combining marks
    assert tokens("Café, U.S.") == ["café", ",", "u", ".", "s", "."]


def test_the_token_hashes_a_model_keeps_are_bounded(monkeypatch):
    monkeypatch.setattr(fluency, "_KNOWN_TOKENS", 3)
    model = LanguageModel.build(TEXTS)
    for text in TEXTS:
        seq = tokens(text)
        assert model.hashes(seq) == word_hashes(seq).tolist()
        assert len(model.token_hashes) <= 3 + len(set(seq))
