"""Index entries: the compiled path equals the prepared one, encoding round-trips, the passages are the scan's, and
the compiled passage-candidate rule equals its definition."""

from __future__ import annotations

import numpy as np

import dedupe
from dedupe import kernels
from dedupe.candidates import ESTIMATE_MARGIN, band_keys, optimal_bands
from dedupe.config import ScanConfig
from dedupe.document import prepare
from dedupe.entry import Entries, decode, decode_sentences, measure
from dedupe.fingerprint import MinHasher, plain_form
from dedupe.normalize import looks_like_html
from dedupe.profiles import profiles, word_features
from dedupe.scan import passage_hash_sets
from tests.test_verify import small_corpus

CONFIG = ScanConfig()
ARTICLES = [
    *small_corpus(),
    # The same texts as plain ASCII: the compiled path.
    *(dedupe.Article(f"ascii-{a.id}", a.text.encode("ascii", "ignore").decode()) for a in small_corpus()),
    dedupe.Article("html", "<p>The <b>embassy</b> said. Three sources said 12 people left the city.</p>", markup=True),
    dedupe.Article("unicode", "L'ambassade a déclaré « trois » sources. Ça va très bien, merci beaucoup."),
    dedupe.Article("empty", ""),
]


def assert_same(found: Entries, expected: Entries) -> None:
    for name in ("values", "bounds"):
        assert np.array_equal(getattr(found.shingles, name), getattr(expected.shingles, name)), name
    for name in expected.profiles.__slots__:
        assert np.array_equal(getattr(found.profiles, name), getattr(expected.profiles, name)), name


def test_an_entry_is_what_the_prepared_document_gives():
    compiled = 0
    for article in ARTICLES:
        entries, document = measure(article, CONFIG)
        prepared = prepare(article, CONFIG.shingle)
        plain = plain_form(article.text) is not None and not (article.markup or looks_like_html(article.text))
        assert (document is None) == plain, article.id
        compiled += plain
        expected = profiles([word_features(prepared)], CONFIG.align.min_words)
        assert_same(entries, Entries(entries.shingles, expected))
        assert np.array_equal(entries.shingles.values, prepared.shingles)
        scan_passages = passage_hash_sets(prepared, CONFIG)
        passages = entries.passage_sets(0, CONFIG.align.min_words)
        assert len(passages) == len(scan_passages)
        assert all(np.array_equal(x, y) for x, y in zip(passages, scan_passages, strict=True))
    assert 10 < compiled < len(ARTICLES), "both paths are tested"


def test_entries_round_trip_joined():
    singles = [measure(article, CONFIG)[0] for article in ARTICLES]
    joined = decode([entry.encode() for entry in singles], CONFIG.align.min_words)
    assert len(joined) == len(singles)
    for i, single in enumerate(singles):
        assert np.array_equal(joined.shingles[i], single.shingles.values)
        found, expected = joined.passage_sets(i, 0), single.passage_sets(0, 0)
        assert len(found) == len(expected)
        assert all(np.array_equal(x, y) for x, y in zip(found, expected, strict=True))
    assert_same(decode([singles[-2].encode()], CONFIG.align.min_words), singles[-2])
    assert len(decode([], CONFIG.align.min_words)) == 0


def test_the_sentences_alone_decode_as_the_whole_entries_give_them():
    blobs = [measure(article, CONFIG)[0].encode() for article in ARTICLES]
    whole = decode(blobs, CONFIG.align.min_words).profiles
    for chosen in (blobs, blobs[3:4], blobs[::-7], []):
        sentences = decode_sentences(chosen)
        expected = decode(chosen, CONFIG.align.min_words).profiles
        for field in ("sentence_bounds", "lengths", "word_values", "word_bounds"):
            assert np.array_equal(getattr(sentences, field), getattr(expected, field)), field
    assert len(whole.lengths) > 500 and len(whole.word_values) > 5000  # enough to mean something


def test_colliding_passages_follow_their_definition():
    hasher = MinHasher(CONFIG.passage.num_perm, CONFIG.passage.seed)
    bands, rows = optimal_bands(CONFIG.passage.threshold, CONFIG.passage.num_perm, CONFIG.passage.false_positive_weight)
    min_words, evidence = CONFIG.align.min_words, CONFIG.evidence
    threshold, strong = evidence.min_jaccard - ESTIMATE_MARGIN, evidence.strong_jaccard - ESTIMATE_MARGIN
    singles = [measure(article, CONFIG)[0] for article in ARTICLES]
    stored = decode([entry.encode() for entry in singles], CONFIG.align.min_words)
    signatures = [
        hasher.signatures(sets) if (sets := s.passage_sets(0, min_words)) else np.zeros((0, hasher.num_perm), np.uint32)
        for s in singles
    ]
    kept = left_out = 0
    for i, incoming in enumerate(signatures[: len(singles) // 2]):
        keys = band_keys(incoming, bands, rows)
        # Every (stored document, incoming passage, band) with a shared key: what a lookup finds.
        hits = [
            (c, p, band)
            for c in range(len(singles))
            for p in range(len(incoming))
            for band in range(bands)
            if c != i and (band_keys(signatures[c], bands, rows)[:, band] == keys[p, band]).any()
        ]
        found = kernels.colliding_passages(
            incoming,
            np.array(hits, dtype=np.int64).reshape(-1, 3),
            stored.profiles.sentence_bounds,
            stored.profiles.lengths,
            stored.profiles.word_values,
            stored.profiles.word_bounds,
            min_words,
            rows,
            *hasher.permutations,
            threshold,
            strong,
            evidence.min_matches,
        )
        for c in range(len(singles)):
            colliding = (band_keys(incoming, bands, rows)[:, None, :] == band_keys(signatures[c], bands, rows)).any(2)
            estimate = (incoming[:, None, :] == signatures[c][None, :, :]).mean(2)
            agreeing = colliding & (estimate >= threshold)
            enough = agreeing.sum() >= evidence.min_matches or (agreeing & (estimate >= strong)).any()
            expected = c != i and bool(enough)
            assert found[c] == expected, (i, c)
            kept += expected
            left_out += c != i and not expected and bool(agreeing.any())
    assert kept > 10
    assert left_out > 0  # one weak passage pair alone is no candidate
