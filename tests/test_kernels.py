"""The compiled kernels compute exactly what the plain definitions say (regex words, numpy shingles, MinHash)."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Indel

from dedupe import fingerprint, kernels
from dedupe.document import prepare
from dedupe.fingerprint import MinHasher, plain_form, shingle_hashes, shingle_sets, word_hashes, word_set_hashes
from dedupe.models import Article
from dedupe.normalize import word_spans, words
from dedupe.segment import ABBREVIATION_TABLE, sentences

# ASCII with every kind of character the tokeniser must get right: letters of both cases, digits, punctuation,
# white space and control characters.
ascii_texts = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=400)
word_like = st.text(alphabet="aZ9 .,\n\t-'\x00\x1c", max_size=200)
any_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
# News text that is not ASCII: ASCII words between pound signs, curly quotes, dashes and no-break spaces, with now
# and then a word character beyond ASCII (u-umlaut, the Kelvin sign that lower-cases to "k", a dotted capital I).
news_characters = [*"aZ9 .,\n-'\u00a3\u20ac\u2019\u201c\u2014\u00a0\U0001f600\u3002", "\u00fc", "\u212a", "\u0130"]
news_texts = st.text(alphabet=st.sampled_from(news_characters), max_size=200)


def numpy_shingles(hashes: np.ndarray, k: int) -> np.ndarray:
    """The definition of `fingerprint.shingle_hashes`: the high 32 bits of `((h1 * M + h2) * M + ...) + hk mod 2**64`
    of every run of k word hashes (of all of them when there are fewer), unique and sorted."""
    k = min(k, len(hashes))
    if k == 0:
        return np.zeros(0, dtype=np.uint32)
    with np.errstate(over="ignore"):
        combined = hashes[: len(hashes) - k + 1].copy()
        for offset in range(1, k):
            combined = combined * kernels.SHINGLE_MULTIPLIER + hashes[offset : len(hashes) - k + 1 + offset]
    return np.unique((combined >> np.uint64(32)).astype(np.uint32))


def regex_path(text: str, k: int) -> np.ndarray:
    return numpy_shingles(word_hashes(words(text)), k)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.integers(1, 6), st.booleans())
def test_compiled_shingles_equal_the_numpy_definition(values, k, repeated):
    # Repeated runs of words give repeated shingles, which appear once.
    hashes = np.array(values * 2 if repeated else values, dtype=np.uint64)
    found = shingle_hashes(hashes, k)
    assert found.dtype == np.uint32 and np.array_equal(found, numpy_shingles(hashes, k))


@settings(max_examples=300, deadline=None)
@given(st.one_of(ascii_texts, word_like), st.integers(1, 6))
def test_ascii_kernel_equals_the_regex_path(text, k):
    hasher = MinHasher(32, 2)
    signatures, counts = hasher.text_signatures([text], k)
    assert counts[0] == len(words(text))
    assert np.array_equal(signatures[0], hasher.signature(regex_path(text, k)))
    assert np.array_equal(shingle_sets([text], k)[0], regex_path(text, k))


def compiled_rows(texts: list[str]) -> list[int]:
    """The texts the fingerprints read with the compiled ASCII tokeniser."""
    known = kernels.ascii_shingle_sets(*fingerprint.pack(texts), 1, fingerprint.READING)[2]
    return np.flatnonzero(fingerprint._words_are_ascii(texts, known)).tolist()


@settings(max_examples=300, deadline=None)
@given(news_texts, st.integers(1, 6))
def test_text_with_ascii_words_only_takes_the_kernel_and_equals_the_regex_path(text, k):
    if compiled_rows([text]) == [0]:
        assert all(word.isascii() for word in words(text))
    hasher = MinHasher(32, 2)
    signatures, counts = hasher.text_signatures([text], k)
    assert counts[0] == len(words(text))
    assert np.array_equal(signatures[0], hasher.signature(regex_path(text, k)))
    assert np.array_equal(shingle_sets([text], k)[0], regex_path(text, k))


def test_only_text_with_a_word_character_beyond_ascii_takes_the_regex_path():
    texts = ["Shares rose \u00a35 \u2014 \u201cfirm\u201d", "plain", "caf\u00e9 prices", "\u212aelvin", "\u00a0"]
    texts += ["\u00abnon\u00bb", "\U0001f600 smile"]  # no stand-in, yet no word character beyond ASCII
    assert compiled_rows(texts) == [0, 1, 4, 5, 6]


@settings(max_examples=300, deadline=None)
@given(st.lists(news_texts, max_size=6))
def test_the_kernels_know_text_of_ascii_and_news_punctuation_to_have_ascii_words(texts):
    # Known without asking `has_ascii_words_only`: every character beyond ASCII has a stand-in (`plain_form`).
    expected = [all(c.isascii() or ord(c) in fingerprint.STAND_INS for c in text) for text in texts]
    data, offsets = fingerprint.pack(texts)
    assert kernels.ascii_shingle_sets(data, offsets, 3, fingerprint.READING)[2].tolist() == expected
    assert (
        kernels.ascii_signatures(data, offsets, 3, *MinHasher(8, 1).permutations, fingerprint.READING)[2].tolist()
        == expected
    )


@settings(max_examples=200, deadline=None)
@given(ascii_texts)
def test_ascii_words_are_the_unicode_words_of_ascii_text(text):
    assert words(text) == word_spans(text)[0]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(ascii_texts, any_texts), max_size=12))
def test_mixed_batches_take_each_text_through_its_own_path(texts):
    hasher = MinHasher(16, 1)
    expected = hasher.signatures([regex_path(t, 5) for t in texts])
    original = fingerprint._TEXT_CHUNK
    fingerprint._TEXT_CHUNK = 5  # several chunks, so chunk boundaries are crossed
    try:
        signatures, counts = hasher.text_signatures(texts, 5)
    finally:
        fingerprint._TEXT_CHUNK = original
    assert np.array_equal(signatures, expected)
    assert counts.tolist() == [len(words(t)) for t in texts]
    sets = shingle_sets(texts, 5)
    assert all(np.array_equal(sets[i], regex_path(t, 5)) for i, t in enumerate(texts))


def reference_word_hash(word: str) -> int:
    """FNV-1a 64 of the UTF-8 bytes, then MurmurHash3's fmix64, in plain Python."""
    mask = (1 << 64) - 1
    h = 0xCBF29CE484222325
    for byte in word.encode():
        h = ((h ^ byte) * 0x100000001B3) & mask
    for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        h = ((h ^ (h >> 33)) * multiplier) & mask
    return h ^ (h >> 33)


@settings(max_examples=100, deadline=None)
@given(st.lists(any_texts, max_size=5))
def test_word_hashes_are_fnv1a_then_fmix64(words_):
    assert word_hashes(words_).tolist() == [reference_word_hash(w) for w in words_]


def test_word_hashes_are_stable_across_releases():
    # Pinned: fingerprints stored by earlier runs stay comparable only while these values hold.
    assert word_hashes(["news", "\u00e9t\u00e9"]).tolist() == [5847142087031463983, 5658412037517007419]


def test_signatures_do_not_depend_on_the_number_of_threads():
    rng = np.random.default_rng(3)
    vocabulary = [f"w{i}" for i in range(500)]
    texts = [" ".join(rng.choice(vocabulary, int(rng.integers(0, 300)))) for _ in range(300)]
    hasher = MinHasher(128, 1)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        single, _ = hasher.text_signatures(texts, 5)
    finally:
        numba.set_num_threads(threads)
    parallel, _ = hasher.text_signatures(texts, 5)
    assert np.array_equal(single, parallel)


def test_numba_state_is_frozen_at_exit_not_walked_by_the_collector():
    # atexit runs the last registered first: a handler registered before the kernels load runs after their freeze.
    code = "import atexit, gc\natexit.register(lambda: print(gc.get_freeze_count()))\nimport dedupe.kernels\n"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(shown.stdout) > 10_000


# Plain ASCII rich in what sentence boundaries turn on: end marks, quotes, brackets, capitals, digits, the
# abbreviations and initials, line breaks and runs of white space.
plain_texts = st.lists(
    st.sampled_from(
        [
            " ",
            "  ",
            "\n",
            " \n ",
            "\t",
            "\r\n",
            ".",
            "!",
            "?",
            '"',
            "'",
            "(",
            ")",
            "[",
            "]",
            "_",
            "A",
            "b",
            "7",
            "Mr.",
            "U.S.",
            "etc.",
            "approx.",
            "Sept.",
            "word",
            "The",
            "x",
            ",",
            "<",
            "&",
            "-",
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(plain_texts, st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=300)))
def test_plain_sentences_equal_the_regex_segmenter(text):
    if not all(32 <= ord(c) < 127 or c in "\t\n\r" for c in text):
        return
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    assert [tuple(span) for span in kernels.plain_sentences(data, ABBREVIATION_TABLE).tolist()] == sentences(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(plain_texts, ascii_texts, any_texts, news_texts), min_size=1, max_size=6))
def test_plain_passage_signatures_equal_those_of_prepared_documents(texts):
    hasher = MinHasher(16, 1)
    original = fingerprint._TEXT_CHUNK
    fingerprint._TEXT_CHUNK = 2  # counted, then filled, over several chunks
    try:
        signatures, owners, plain = hasher.passage_signatures(texts, min_words=2)
    finally:
        fingerprint._TEXT_CHUNK = original
    expected_rows, expected_owners = [], []
    for index, text in enumerate(texts):
        plain_text = plain_form(text) is not None
        assert plain[index] == plain_text
        if not plain_text:
            continue
        document = prepare(Article("x", text))
        for first, last in document.sentence_words:
            if last - first >= 2:
                expected_rows.append(word_set_hashes(document.word_hashes[first:last]))
                expected_owners.append(index)
    assert owners.tolist() == expected_owners
    assert np.array_equal(signatures, hasher.signatures(expected_rows).reshape(len(expected_rows), 16))


@pytest.mark.parametrize("size", [0, 1, 50, 2000])
@pytest.mark.parametrize("stride", [1, 2, 7, 64, 4096])
@pytest.mark.parametrize("spread", ["narrow", "wide"])
def test_sorted_members_are_numpys_searchsorted(size: int, stride: int, spread: str):
    # Narrow: few distinct keys, so runs of one key cross the fences; wanted values below, between and above them
    # all. Wide: keys over the whole 64-bit range as band keys are, some repeated, clustered at one end (the first
    # probe's guess is far off there), wanted among them and between them.
    rng = np.random.default_rng(size)
    smallest, largest = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    if spread == "narrow":
        keys = np.sort(rng.integers(-30, 30, size)).astype(np.int64)
        wanted = rng.integers(-40, 40, 25)
    else:
        keys = rng.integers(smallest, largest, size, endpoint=True)
        keys[: size // 4] = rng.integers(largest - 1000, largest, size // 4, endpoint=True)
        keys = np.sort(np.concatenate([keys, keys[: size // 5]]))
        wanted = np.concatenate([rng.choice(keys, min(size, 20)), rng.integers(smallest, largest, 20)])
    keys[: min(size, 3)] = smallest
    values = rng.integers(0, 10**6, len(keys)).astype(np.int64)
    wanted = np.unique(np.append(wanted, [smallest, largest]))
    fences = np.ascontiguousarray(keys[::stride])
    low, high = np.searchsorted(keys, wanted, "left"), np.searchsorted(keys, wanted, "right")
    starts, counts = kernels.sorted_bounds(keys, fences, stride, wanted)
    assert starts.tolist() == low.tolist()
    assert counts.tolist() == (high - low).tolist()
    rows = np.concatenate([np.arange(a, b) for a, b in zip(low, high, strict=True)] + [np.zeros(0, np.int64)])
    expected = np.stack([keys[rows], values[rows]], axis=1)
    assert kernels.sorted_members(keys, values, fences, stride, wanted).tolist() == expected.tolist()


def _passage_hits_by_numpy(keys: np.ndarray, found_keys: np.ndarray, found_seqs: np.ndarray, seqs: np.ndarray):
    flat = keys.ravel()
    order = np.argsort(flat, kind="stable")
    low = np.searchsorted(flat[order], found_keys, "left")
    counts = np.searchsorted(flat[order], found_keys, "right") - low
    member = np.repeat(np.arange(len(low)), counts)
    within = np.arange(len(member)) - np.repeat(np.cumsum(counts) - counts, counts)
    position = order[low[member] + within]
    stored = np.searchsorted(seqs, found_seqs[member])
    known = stored < len(seqs)
    known[known] = seqs[stored[known]] == found_seqs[member][known]
    bands = keys.shape[1]
    hits = np.stack([stored + 1, position // bands, position % bands], axis=1)[known]
    return hits[np.argsort(hits[:, 0], kind="stable")]


@pytest.mark.parametrize("seed", range(6))
def test_passage_hits_are_the_numpy_definition(seed: int):
    # Few distinct keys and sequence numbers, so keys repeat across passages and memberships miss `seqs`.
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 12, (seed + 3, 5)).astype(np.uint64) + np.uint64(2**63)
    pairs = rng.integers(0, 12, (30, 2))
    found = np.stack([pairs[:, 0].astype(np.uint64) + np.uint64(2**63), pairs[:, 1]], axis=1).astype(np.uint64)
    found_keys, found_seqs = found[:, 0], found[:, 1].astype(np.int64)  # a strided column, as stores return it
    seqs = np.unique(rng.integers(0, 12, 8)).astype(np.int64)
    expected = _passage_hits_by_numpy(keys, found_keys, found_seqs, seqs)
    assert len(expected)
    assert kernels.passage_hits(keys, found_keys, found_seqs, seqs).tolist() == expected.tolist()


# Sentences as small sets of term hashes (few distinct terms, so sentences share some).
term_sets = st.lists(st.frozensets(st.integers(0, 12), max_size=6), max_size=8)


def _term_rows(sentences: list[frozenset[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows `(term, sentence)` sorted by term, terms spread over 64 bits as hashes are."""
    rows = sorted(((term * 0x9E3779B97F4A7C15) % 2**64, i) for i, terms in enumerate(sentences) for term in terms)
    return np.array([t for t, _ in rows], dtype=np.uint64), np.array([i for _, i in rows], dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(term_sets, term_sets)
def test_shared_terms_are_the_pairs_sharing_two_terms_or_more(a: list[frozenset[int]], b: list[frozenset[int]]):
    expected = [(i, j, len(x & y)) for i, x in enumerate(a) for j, y in enumerate(b) if len(x & y) >= 2]
    index_a, index_b, shared = kernels.shared_terms(*_term_rows(a), *_term_rows(b), len(b))
    assert list(zip(index_a.tolist(), index_b.tolist(), shared.tolist(), strict=True)) == expected


@settings(max_examples=300, deadline=None)
@given(st.frozensets(st.integers(0, 40)), st.frozensets(st.integers(0, 40)))
def test_shared_count_is_the_size_of_the_intersection(x: frozenset[int], y: frozenset[int]):
    xs, ys = np.array(sorted(x), dtype=np.uint32), np.array(sorted(y), dtype=np.uint32)
    assert kernels.shared_count(xs, ys) == len(np.intersect1d(xs, ys)) == len(x & y)


# Sentences of a few words from a small vocabulary (so that passages share words, in and out of order), some empty.
_sentence_words = st.lists(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=6), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(_sentence_words, _sentence_words, st.data())
def test_passage_scores_are_rapidfuzz_indel_of_the_words(a: list[list[str]], b: list[list[str]], data):
    def document(sentences: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
        bounds = np.cumsum([0, *map(len, sentences)])
        words_ = [w for sentence in sentences for w in sentence]
        return words_, word_hashes(words_), np.stack([bounds[:-1], bounds[1:]], axis=1).astype(np.int32)

    (words_a, hashes_a, ranges_a), (words_b, hashes_b, ranges_b) = document(a), document(b)
    ranges = st.tuples(st.integers(0, len(a) - 1), st.integers(0, len(a) - 1), st.integers(0, len(b) - 1))
    matches = [
        (min(a0, a1), max(a0, a1), b0, data.draw(st.integers(b0, len(b) - 1)))
        for a0, a1, b0 in data.draw(st.lists(ranges, max_size=4))
    ]
    scores = kernels.passage_scores(
        hashes_a, ranges_a, hashes_b, ranges_b, np.array(matches, dtype=np.int64).reshape(-1, 4)
    )
    for (a0, a1, b0, b1), score in zip(matches, scores.tolist(), strict=True):
        x, y = words_a[ranges_a[a0, 0] : ranges_a[a1, 1]], words_b[ranges_b[b0, 0] : ranges_b[b1, 1]]
        assert score == (1.0 if x == y else Indel.normalized_similarity(x, y))  # the same float, not a close one


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), max_size=12), max_size=6))
def test_unique_per_set_is_numpys_unique_of_each_set(sets: list[list[int]]):
    values = np.array([v for s in sets for v in s], dtype=np.uint64)
    bounds = np.cumsum([0, *map(len, sets)]).astype(np.int64)
    expected = [v for s in sets for v in np.unique(np.array(s, dtype=np.uint64)).tolist()]
    assert kernels.unique_per_set(values, bounds).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40) | st.integers(2**64 - 3, 2**64 - 1), max_size=30), max_size=8))
def test_frequencies_by_hashing_and_by_sorting_are_the_sets_counted(sets: list[list[int]]):
    values = np.array([v for s in sets for v in s], dtype=np.uint64)
    bounds = np.cumsum([0, *map(len, sets)]).astype(np.int64)
    counted = Counter(v for s in sets for v in set(s))
    expected = sorted(counted), [counted[v] for v in sorted(counted)]
    for count in (kernels.hashed_frequencies, kernels.sorted_frequencies):
        keys, counts = count(values, bounds)
        assert (keys.tolist(), counts.tolist()) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=40), st.integers(0, 10))
def test_breadth_first_ranks_are_a_walk_of_each_component_from_its_smallest_document(
    edges: list[tuple[int, int]], isolated: int
):
    size = max((max(edge) for edge in edges), default=0) + 1 + isolated
    linked: dict[int, set[int]] = {x: set() for x in range(size)}
    for i, j in edges:
        linked[i].add(j)
        linked[j].add(i)
    walk: list[int] = []
    for start in range(size):
        if start in walk:
            continue
        queue = [start]
        walk.append(start)
        while queue:
            x = queue.pop(0)
            for y in sorted(linked[x]):
                if y not in walk:
                    walk.append(y)
                    queue.append(y)
    expected = [walk.index(x) for x in range(size)]
    pairs = np.array(edges, dtype=np.int32).reshape(-1, 2)
    assert kernels.breadth_first_ranks(pairs, size).tolist() == expected


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0, 1, kernels.FIGURE_PART])), max_size=60), st.data())
def test_set_slots_hold_every_term_and_figure_a_sentence_has(words, data):
    # Words as (term or none, figure mark); sentences cut anywhere.
    count = len(words)
    terms = np.array([t * 7919 for t, _ in words], dtype=np.uint64)
    figures = np.array([f for _, f in words], dtype=np.int8)
    hashes = np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    cuts = sorted({*data.draw(st.lists(st.integers(0, count), max_size=8)), 0, count})
    starts = np.array(cuts[:-1], dtype=np.int64)
    lengths = np.diff(np.array(cuts, dtype=np.int64))
    term_slots, figure_slots = kernels.set_slots(terms, figures, starts, lengths)
    for s, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        room = np.empty(length, dtype=np.uint64), np.empty(length, dtype=np.uint64)
        _, written_terms, written_figures = kernels.sentence_hashes(
            hashes, terms, figures, start, start + length, *room, np.uint64(0)
        )
        assert term_slots[s + 1] - term_slots[s] == written_terms
        assert written_figures <= figure_slots[s + 1] - figure_slots[s] <= length


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(ascii_texts, any_texts, news_texts), max_size=12), st.integers(1, 6))
def test_shingles_of_the_screens_word_features_are_those_of_the_texts(texts, k):
    from dedupe.document import Corpus
    from dedupe.fingerprint import ShingleSets
    from dedupe.profiles import corpus_features

    corpus = Corpus([Article(id=str(i), text=text) for i, text in enumerate(texts)], k)
    features = corpus_features(corpus, np.arange(len(texts)))
    found = ShingleSets.of_words(features.hashes, features.word_bounds, k)
    expected = shingle_sets([corpus.text(i) for i in range(len(texts))], k)
    assert np.array_equal(found.bounds, expected.bounds) and np.array_equal(found.values, expected.values)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**32 - 1), max_size=200) | st.lists(st.integers(0, 9), max_size=100),
    st.sampled_from([np.uint32, np.uint64]),
)
def test_sort_and_sorted_unique_on_both_sides_of_the_insertion_sort(values, dtype):
    # Sets of up to 64 values are sorted by insertion, longer ones by numba's sort: both as numpy's unique.
    array = np.array(values, dtype=dtype)
    count = kernels._sorted_unique(array)
    assert np.array_equal(array[:count], np.unique(np.array(values, dtype=dtype)))
    array = np.array(values, dtype=dtype)
    kernels._sort(array)
    assert np.array_equal(array, np.sort(np.array(values, dtype=dtype)))
    if dtype is np.uint32:  # shingle hashes: radix sorted beyond 32
        array = np.array(values, dtype=dtype)
        kernels._sort_hashes(array)
        assert np.array_equal(array, np.sort(np.array(values, dtype=dtype)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([-1.0, -0.5, -0.25, 0.0, 0.75]) | st.floats(-1, 1), max_size=150))
def test_stable_order_is_numpys_stable_argsort(keys):
    # Few keys (the compiled matching's) are ordered by insertion, many by numpy's merge sort: ties keep their order.
    array = np.array(keys, dtype=np.float64)
    assert kernels._stable_order(array).tolist() == np.argsort(array, kind="mergesort").tolist()
