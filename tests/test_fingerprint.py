from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.fingerprint import (
    MinHasher,
    ShingleSets,
    affine32_permutations,
    shingle_hashes,
    word_hashes,
    word_set_hashes,
)
from dedupe.normalize import words

hash_sets = st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300).map(
    lambda values: np.unique(np.asarray(values, dtype=np.uint32))
)


@settings(max_examples=60, deadline=None)
@given(st.lists(hash_sets, min_size=1, max_size=6), st.sampled_from([16, 128]), st.integers(0, 5))
def test_signatures_equal_datasketch_minhash_for_the_same_hashed_shingles(sets, num_perm, seed):
    ours = MinHasher(num_perm, seed).signatures(sets)
    for values, signature in zip(sets, ours, strict=True):
        reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        reference.update_batch(values.tolist())
        assert np.array_equal(reference.hashvalues, signature)


@given(st.sampled_from([1, 16, 128, 256]), st.integers(0, 2**32 - 1))
def test_permutations_are_datasketchs(num_perm, seed):
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = affine32_permutations(num_perm, seed)
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)
    assert ours[0].dtype == ours[1].dtype == np.uint32


def test_a_signature_works_in_datasketchs_lsh():
    texts = ["the cat sat on the mat by the door today", "the cat sat on the mat by the door", "other words here"]
    hasher = MinHasher(128, 1)
    signatures, _ = hasher.text_signatures(texts, 3)
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    for key, signature in enumerate(signatures):
        lsh.insert(key, LeanMinHash(seed=1, hashvalues=signature, scheme="affine32"))
    assert sorted(lsh.query(LeanMinHash(seed=1, hashvalues=signatures[0], scheme="affine32"))) == [0, 1]


def test_signatures_of_a_large_set_span_several_chunks():
    values = np.unique(np.random.default_rng(1).integers(0, 2**32, 150_000).astype(np.uint32))
    reference = MinHash(num_perm=32, seed=3, hashfunc=int)
    reference.update_batch(values.tolist())
    assert np.array_equal(MinHasher(32, 3).signature(values), reference.hashvalues)


def test_shingles_are_order_sensitive_and_word_sets_are_not():
    forward = word_hashes(words("one two three four five six"))
    backward = forward[::-1].copy()
    assert not np.array_equal(shingle_hashes(forward, 5), shingle_hashes(backward, 5))
    assert np.array_equal(word_set_hashes(forward), word_set_hashes(backward))


def test_a_document_shorter_than_the_shingle_is_one_shingle():
    assert len(shingle_hashes(word_hashes(["breaking", "news"]), 5)) == 1
    assert len(shingle_hashes(word_hashes([]), 5)) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.frozensets(st.integers(0, 60), max_size=40), min_size=2, max_size=8),
    st.sampled_from([0.05, 0.2, 1 / 3, 0.5, 0.6, 0.8, 1.0]),
)
def test_jaccard_at_least_decides_as_the_exact_jaccard(sets, threshold):
    # Small value ranges, so pairs share much, little or all; thresholds where s / (n - s) lands exactly on them.
    values = np.array([v for s in sets for v in sorted(s)], dtype=np.uint32)
    bounds = np.cumsum([0] + [len(s) for s in sets]).astype(np.int64)
    shingles = ShingleSets(values, bounds)
    pairs = np.array([(i, j) for i in range(len(sets)) for j in range(len(sets))], dtype=np.int64)
    assert np.array_equal(shingles.jaccard_at_least(pairs, threshold), shingles.jaccard(pairs) >= threshold)


def test_a_scans_passage_rows_are_those_of_its_prepared_documents_whichever_path_they_take():
    import dedupe
    from dedupe.document import Corpus
    from dedupe.scan import fingerprint, passage_hash_sets

    texts = [
        "The embassy said on Friday. Three sources said 12 people had left the city.",
        "L'ambassade a déclaré vendredi que trois sources ont vu douze personnes partir.",  # the regex path
        "Officials said the talks ended. They will meet again next week in Geneva.",
        "Die Straße wurde gestern Abend gesperrt. Aus Łódź meldete die Polizei zwölf Verletzte.",  # the regex path
    ]
    config = dedupe.ScanConfig()
    corpus = Corpus([dedupe.Article(str(i), t) for i, t in enumerate(texts)], config.shingle)
    found = fingerprint(corpus, config)
    hasher = MinHasher(config.passage.num_perm, config.passage.seed)
    for index in range(len(texts)):
        expected = passage_hash_sets(corpus.document(index), config)
        rows = found.passages[found.owners == index]
        # The scan keeps the low 16 bits of each value (`MinHasher.passage_signatures`).
        assert rows.dtype == np.uint16
        assert len(expected) > 0 and np.array_equal(rows, hasher.signatures(expected) & 0xFFFF), index


def test_a_lone_surrogate_from_the_python_api_is_read_between_words():
    # JSON input refuses lone surrogates (ingest.py), but an `Article` made in Python may hold one: it is no word
    # character, so the copy with one is still an exact duplicate, and the one with it inside a word a near one.
    text = "The council voted on Tuesday to close the old harbour bridge to lorries, officials said on Wednesday."
    articles = [
        dedupe.Article("plain", text),
        dedupe.Article("between", text + " \ud800"),
        dedupe.Article("inside", text.replace("Tuesday", "Tues\ud800day")),
    ]
    assert MinHasher(16, 1).text_signatures([a.text for a in articles], 5)[1].tolist() == [17, 17, 18]
    relations = {frozenset((p.a, p.b)): p.relation for p in dedupe.scan(articles).pairs}
    assert relations[frozenset(("between", "plain"))] == "exact-duplicate"
    assert relations[frozenset(("inside", "plain"))] == "near-duplicate"


def test_texts_given_as_their_utf8_bytes_fingerprint_as_the_texts_do():
    # A scan's corpus holds text beyond ASCII as UTF-8 bytes (`models.Articles`) and hands the kernels those.
    texts = [
        "The embassy said on Friday. Three sources said 12 people had left the city.",
        "\u201cWe will act,\u201d the minister said \u2014 on Friday. Three sources said 12 people had left.",
        "Die Stra\u00dfe wurde gestern gesperrt. Aus \u0141\u00f3d\u017a meldete die Polizei zw\u00f6lf Verletzte.",
        "A lone surrogate \ud800 from the Python API. It sits between the words of this sentence here.",
    ]
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    hasher = MinHasher(32, 3)
    for mixed in (encoded, [*texts[:2], *encoded[2:]]):
        for expected, found in zip(hasher.text_signatures(texts, 5), hasher.text_signatures(mixed, 5), strict=True):
            assert np.array_equal(expected, found)
        for expected, found in zip(
            hasher.passage_signatures(texts, 4), hasher.passage_signatures(mixed, 4), strict=True
        ):
            assert np.array_equal(expected, found)
