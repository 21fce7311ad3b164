"""Passage alignment: the seed 001/002 expectations of issue 3, labels, spans, edge cases, regions."""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.align import (
    _MAX_REPEATS,
    _runs,
    _sentences,
    _similar_sentences,
    figures_agree,
    passage_label,
    sentence_figures,
    sentence_terms,
    term_similarity,
)
from dedupe.config import AlignConfig
from dedupe.document import prepare
from dedupe.errors import ConfigError
from dedupe.models import PassageMatch
from tests.conftest import SEEDS, seed_id


@pytest.fixture(scope="module")
def seeds_001_002() -> tuple[str, str, dedupe.Alignment]:
    text_a = (SEEDS / seed_id("001")).read_text(encoding="utf-8")
    text_b = (SEEDS / seed_id("002")).read_text(encoding="utf-8")
    return text_a, text_b, dedupe.align_texts(text_a, text_b)


def passage_with(alignment: dedupe.Alignment, side: str, text: str, snippet: str) -> PassageMatch:
    """The passage whose span on `side` holds `snippet` of `text`."""
    offset = text.index(snippet)
    for passage in alignment.passages:
        span = passage.a_span if side == "a" else passage.b_span
        if span and span[0] <= offset and offset + len(snippet) <= span[1]:
            return passage
    raise AssertionError(f"no passage holds {snippet!r}")


@pytest.mark.parametrize(
    ("snippet_a", "snippet_b"),
    [
        ("Syrian rebel forces said on Friday their lightning", "Syrian rebel forces advanced in central Homs"),
        ("If the Sunni Muslim rebels capture Homs", "If the Islamist rebels capture Homs"),
        ("In another setback for Assad", "In a parallel standoff for Assad"),
        ("It was the third major city", "It was the third major city"),
        ("Piling on the pressure", "Adding to the pressure"),
        ("In southern Daraa province", "In the southern Deraa province"),
        ("They also seized parts of the Nassib", "They also seized parts of the Nassib"),
        ("After years locked behind", "After years trapped behind"),
        ("Assad regained control", "Assad gained control"),
        ("But all have recently been weakened", "But recently everything has been undermined"),
        ("A senior Iranian official said Tehran", "A senior Iranian official said at the same time"),
        ("The Syrian Observatory for Human Rights", "The Syrian Observatory for Human Rights"),
        ("A coastal resident said", "A resident on the shore said"),
        ("In another alarming development", "In another alarming development"),
        ("Aron Lund, a fellow", "Aron Lund, another fellow"),
        ("It was possible the government could hold Homs", "It was possible that the government"),
    ],
    ids=lambda s: s[:24],
)
def test_every_garbled_sentence_is_aligned_to_its_original(seeds_001_002, snippet_a: str, snippet_b: str):
    text_a, text_b, alignment = seeds_001_002
    passage = passage_with(alignment, "b", text_b, snippet_b)
    assert passage.a_span is not None
    assert snippet_a in text_a[passage.a_span[0] : passage.a_span[1]]


@pytest.mark.parametrize(
    ("snippet", "marker"),
    [
        ("grip on power. and triggering", "broken-join"),
        ("in the country. right.", "dangling-fragment"),
        ("sources said. to Reuters on Friday.", "broken-join"),
        ("air base. Russian friends.", "dangling-fragment"),
        ("two sources said. rebels told Reuters", "broken-join"),
        ("Lebanon and Europe. .", "stray-punctuation"),
        ("\u201craise Syria \u201d", "detached-quote"),
        ("told reporters -statement", "nonsense-join"),
        ("within miles (km) of Homs", "unit-garble"),
        ("STORY OFFICER", "garbled-heading"),
    ],
    ids=lambda s: s if isinstance(s, str) and " " not in s else None,
)
def test_every_broken_join_is_flagged_corrupted_with_its_marker(seeds_001_002, snippet: str, marker: str):
    _, text_b, alignment = seeds_001_002
    passage = passage_with(alignment, "b", text_b, snippet)
    assert passage.label == "corrupted"
    assert passage.corrupted_side == "b"
    assert marker in passage.markers


@pytest.mark.parametrize(
    "snippet",
    ["ISLAMIC STATE", "Rebels led by HTS have sought", "Wasim Marouh, a Homs resident", "By Maya Gebeily"],
)
def test_material_only_002_has_is_only_in_b(seeds_001_002, snippet: str):
    _, text_b, alignment = seeds_001_002
    passage = passage_with(alignment, "b", text_b, snippet)
    assert passage.label == "only-in-b" and passage.a_span is None


def test_third_major_city_is_edited(seeds_001_002):
    _, text_b, alignment = seeds_001_002
    assert passage_with(alignment, "b", text_b, "It was the third major city").label in ("edited", "verbatim")


def test_original_passages_001_lacks_are_only_in_a(seeds_001_002):
    text_a, _, alignment = seeds_001_002
    assert passage_with(alignment, "a", text_a, "Reuters could not independently confirm").label == "only-in-a"


def test_spans_round_trip_and_cover_each_side_once(seeds_001_002):
    text_a, text_b, alignment = seeds_001_002
    for side, text in (("a", text_a), ("b", text_b)):
        spans = sorted(s for p in alignment.passages if (s := p.a_span if side == "a" else p.b_span))
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, "passages overlap"
        for start, end in spans:
            assert text[start:end] == text[start:end].strip() and 0 <= start < end <= len(text)


def test_spans_point_into_the_original_html():
    html = "<p>The <b>Russian</b> embassy urged its nationals to leave the country on commercial flights.</p>"
    plain = "The Russian embassy urged its nationals to leave the country on commercial flights."
    alignment = dedupe.align_texts(html, plain)
    (passage,) = alignment.passages
    assert passage.label == "verbatim"
    assert html[passage.a_span[0] : passage.a_span[1]] == (
        "The <b>Russian</b> embassy urged its nationals to leave the country on commercial flights."
    )
    assert plain[passage.b_span[0] : passage.b_span[1]] == plain


@pytest.mark.parametrize(
    ("score", "garbled", "label"),
    [
        (1.0, False, "verbatim"),
        (0.95, False, "edited"),
        (0.88, False, "edited"),
        (0.87, False, "rewritten"),
        (0.5, False, "rewritten"),
        (1.0, True, "corrupted"),
        (0.6, True, "corrupted"),
    ],
    ids=["same", "small-edit", "edit-threshold", "below-edit", "reworded", "garbled-same", "garbled-reworded"],
)
def test_label_truth_table(score: float, garbled: bool, label: str):
    assert passage_label(score, garbled) == label


def test_split_sentence_aligns_to_the_whole():
    whole = "The army said on Friday it had pulled back from the central city of Homs after heavy fighting overnight."
    split = "The army said on Friday it had pulled back from Homs. The central city saw heavy fighting overnight."
    alignment = dedupe.align_texts(whole, split)
    matched = [p for p in alignment.passages if p.a_span and p.b_span]
    assert len(matched) == 1
    assert matched[0].b_span == (0, len(split))
    assert not [p for p in alignment.passages if p.label == "only-in-b"]


def test_empty_documents_align_to_nothing():
    empty = dedupe.align_texts("", "")
    assert empty.passages == () and empty.regions == ()
    assert (empty.coverage_a, empty.coverage_b, empty.longest_reuse) == (0.0, 0.0, 0)
    one_sided = dedupe.align_texts("", "Rebels took the city on Friday.")
    assert [p.label for p in one_sided.passages] == ["only-in-b"]


def test_identical_documents_are_one_verbatim_passage():
    text = (SEEDS / seed_id("003")).read_text(encoding="utf-8")
    alignment = dedupe.align_texts(text, text)
    assert {p.label for p in alignment.passages} == {"verbatim"}
    assert alignment.coverage_a == alignment.coverage_b == 1.0


def test_regions_merge_adjacent_matches_into_one_passage():
    source = (
        "Rebels seized the northern city of Aleppo after a surprise offensive. "
        "Government troops withdrew towards the south during the night. "
        "Residents reported heavy shelling of the eastern districts. "
        "The United Nations called for an immediate ceasefire on Saturday."
    )
    copy = "An unrelated opening line about the weather today. " + source.replace("surprise", "sudden")
    alignment = dedupe.align_texts(copy, source)
    (region,) = alignment.regions
    assert region.pairs == 4
    assert copy[region.a_span[0] : region.a_span[1]].startswith("Rebels seized")
    assert source[region.b_span[0] : region.b_span[1]] == source


def test_a_sentence_split_in_several_is_one_region():
    # The whole's best match is the middle part; the other parts have the whole as their best match only.
    whole = (
        "Officials said the storm destroyed two hundred houses along the northern coast, cut power to thirty "
        "thousand homes near the harbour, and forced the closure of every school in the province for a week."
    )
    split = (
        "Officials said the storm destroyed two hundred houses along the northern coast yesterday. "
        "It cut power to thirty thousand homes near the harbour. "
        "The closure of every school in the province lasted a week."
    )
    other = "Markets were calm on Monday. " + split + " The weather is expected to improve on Sunday."
    (region,) = dedupe.align_texts(whole, other).regions
    assert region.pairs == 3
    assert region.b_span[0] == other.index("Officials") and region.b_span[1] > other.index("The closure")


# Two passages of 40+ words each and unrelated filler, for the copy-edge tests below.
HARBOUR = (
    "Fishermen in the northern harbour town protested on Tuesday against new quotas imposed by the ministry. "
    "They blocked the main pier with their boats for six hours and burned tyres outside the customs office. "
    "Police officers watched from a distance but made no arrests before the crowd dispersed at sunset."
)
VACCINE = (
    "The regional hospital began vaccinating elderly patients against influenza earlier than planned this autumn. "
    "Doctors said a shortage of nurses had forced them to open weekend clinics in three villages. "
    "Volunteers from the local school drove patients who had no car to the clinics and back home."
)
FILLER = (
    "Tourism revenue rose sharply during the summer festival season. ",
    "Parliament debated a railway budget amendment until midnight. ",
)


def test_a_source_repeating_the_copy_lends_one_copy():
    # The source repeats the copied passage two sentences apart: the region's source side is one copy, not the
    # stretch from the first repetition to the last.
    source = HARBOUR + " " + FILLER[0] + FILLER[1] + HARBOUR
    copy = "An unrelated opening line about the weather today. " + HARBOUR + " A closing remark on something else."
    (region,) = dedupe.align_texts(copy, source).regions
    assert copy[region.a_span[0] : region.a_span[1]] == HARBOUR
    assert source[region.b_span[0] : region.b_span[1]] == HARBOUR


def test_adjacent_copies_from_different_places_are_two_regions():
    # Copied one after the other from two places of the source (in the other order there): one region each, with
    # its own edges on both sides, not one region spanning the source between them.
    source = VACCINE + " " + FILLER[0] + FILLER[1] + HARBOUR
    copy = "An unrelated opening line about the weather today. " + HARBOUR + " " + VACCINE
    regions = dedupe.align_texts(copy, source).regions
    assert [(copy[r.a_span[0] : r.a_span[1]], source[r.b_span[0] : r.b_span[1]]) for r in regions] == [
        (HARBOUR, HARBOUR),
        (VACCINE, VACCINE),
    ]


def test_short_copied_pieces_in_another_order_stay_one_region():
    # Sentences copied verbatim but each pair swapped: every run of copied words is one sentence, too short to be
    # a passage of its own, so the reordered copy remains one region.
    sentences = [s + "." for s in (HARBOUR + " " + VACCINE).split(". ")]
    sentences[-1] = sentences[-1].rstrip(".")
    source = " ".join(sentences)
    copy = " ".join(sentences[k ^ 1] for k in range(len(sentences)))
    (region,) = dedupe.align_texts(copy, source).regions
    assert region.a_span == (0, len(copy)) and region.b_span == (0, len(source))


# HARBOUR reworded sentence by sentence (every few words changed, so no run of 8 words is copied): its first
# and last words share no word pair with HARBOUR.
HARBOUR_REWORDED = (
    "Angry fishermen in the north harbour town demonstrated on Tuesday against new quotas set by the ministry. "
    "They blocked the central pier with their vessels for six hours and set tyres alight outside the customs "
    "building. Police officers observed from a distance but made no arrests until the crowd went home around dusk."
)


def test_a_reworded_passage_is_reported_to_its_sentence_edges():
    copy = "Markets were calm on Monday in the capital. " + HARBOUR_REWORDED + " The weather may improve on Sunday."
    (region,) = dedupe.align_texts(copy, HARBOUR).regions
    assert copy[region.a_span[0] : region.a_span[1]] == HARBOUR_REWORDED
    assert HARBOUR[region.b_span[0] : region.b_span[1]] == HARBOUR


def test_a_passage_glued_into_a_longer_sentence_starts_inside_it():
    host = (
        "The committee that reviewed the harbour budget for the coming decade met again yesterday behind closed "
        "doors while reporters waited outside and "
    )
    glued = "Markets were calm on Monday in the capital. " + host + HARBOUR_REWORDED[0].lower() + HARBOUR_REWORDED[1:]
    (region,) = dedupe.align_texts(glued, HARBOUR).regions
    assert region.a_span[0] == glued.index("fishermen in the north")
    assert region.a_span[1] == len(glued)


def test_reworded_passages_next_to_each_other_are_one_region_wherever_their_sources_lie():
    # A summary or compilation: one paragraph reworded from two places of the source far apart (the verbatim
    # case, two regions, is test_adjacent_copies_from_different_places_are_two_regions).
    vaccine_reworded = (
        "The county hospital started immunising old patients against flu sooner than intended this autumn. "
        "Doctors said a lack of nurses had forced them to run weekend clinics in three hamlets. "
        "Helpers from the village school drove patients without a car to the clinics and home again."
    )
    filler = (
        "Tourism revenue rose sharply during the summer festival season. "
        "Parliament debated a railway budget amendment until midnight. "
        "The national orchestra announced a tour of six southern cities. "
        "A new bridge over the river will open to traffic next spring. "
        "Farmers expect a good grape harvest after a dry and warm August. "
        "The central library extended its opening hours on weekdays. "
    )
    source = HARBOUR + " " + filler + VACCINE
    paragraph = HARBOUR_REWORDED + " " + vaccine_reworded
    copy = "Markets were calm on Monday in the capital. " + paragraph + " The weather may improve on Sunday."
    (region,) = dedupe.align_texts(copy, source).regions
    assert copy[region.a_span[0] : region.a_span[1]] == paragraph
    assert source[region.b_span[0] : region.b_span[1]] == source


def test_runs_are_maximal_per_diagonal_and_skip_boilerplate():
    # n-gram hashes: a[0:3] equals b[5:8] (one run of 3 n-grams = 3 + n - 1 words), a[4] equals b[0].
    a = np.array([1, 2, 3, 9, 7], dtype=np.uint64)
    b = np.array([7, 0, 0, 0, 0, 1, 2, 3], dtype=np.uint64)
    assert sorted(_runs(a, b, 8)) == [(0, 5, 10), (4, 0, 8)]
    # An n-gram the other side repeats more than _MAX_REPEATS times is no evidence of one copy.
    assert _runs(np.array([5], dtype=np.uint64), np.full(_MAX_REPEATS, 5, dtype=np.uint64), 8) != []
    assert _runs(np.array([5], dtype=np.uint64), np.full(_MAX_REPEATS + 1, 5, dtype=np.uint64), 8) == []


def test_a_region_trimmed_below_the_minimum_is_not_reported():
    # The same terms in reverse order: similar sentences sharing one word pair ("elderly women").
    words = "elderly women living alone in remote northern mountain villages were hit hardest by the winter flu"
    words += " outbreak this year officials reported"
    forward = words.capitalize() + "."
    backward = (" ".join(reversed(words.split())) + " elderly women.").capitalize()
    alignment = dedupe.align_texts("A line about markets. " + forward, backward + " Another line about sport.")
    assert alignment.regions == ()


def test_unrelated_texts_have_no_regions():
    a = "The central bank raised interest rates by a quarter point on Wednesday to fight inflation."
    b = "The football club signed a new striker from Brazil for a record transfer fee this summer."
    assert dedupe.align_texts(a, b).regions == ()


def test_config_is_validated():
    with pytest.raises(ConfigError, match="min_similarity must be in"):
        AlignConfig(min_similarity=0)
    with pytest.raises(ConfigError, match="extend_gap must not be negative, got -1"):
        AlignConfig(extend_gap=-1)


def test_a_document_keeps_what_is_derived_from_it():
    document = dedupe.prepare(dedupe.Article("a", "Rebels took the city on Friday. The army withdrew."))
    calls = []

    def count(doc: dedupe.Document) -> int:
        calls.append(doc.id)
        return len(doc.sentences)

    assert document.derived("sentences", count) == document.derived("sentences", count) == 2
    assert calls == ["a"]
    assert "_derived" not in repr(document)


_SENTENCE = st.lists(
    st.sampled_from(
        [
            "rebels",
            "army",
            "city",
            "homs",
            "friday",
            "government",
            "troops",
            "said",
            "took",
            "north",
            "south",
            "the",
            "of",
        ]
    ),
    min_size=1,
    max_size=12,
).map(lambda words: " ".join(words).capitalize() + ".")


@settings(max_examples=40, deadline=None)
@given(st.lists(_SENTENCE, min_size=1, max_size=6).map(" ".join))
def test_a_text_aligned_with_itself_is_all_verbatim(text: str):
    alignment = dedupe.align_texts(text, text)
    matched = [p for p in alignment.passages if p.a_span and p.b_span]
    assert matched and all(p.label == "verbatim" and p.score == 1.0 for p in alignment.passages)


@settings(max_examples=40, deadline=None)
@given(st.lists(_SENTENCE, max_size=5).map(" ".join), st.lists(_SENTENCE, max_size=5).map(" ".join))
def test_scores_are_in_0_1_and_spans_round_trip(text_a: str, text_b: str):
    alignment = dedupe.align_texts(text_a, text_b)
    assert 0.0 <= alignment.coverage_a <= 1.0 and 0.0 <= alignment.coverage_b <= 1.0
    for passage in alignment.passages:
        assert 0.0 <= passage.score <= 1.0
        for span, text in ((passage.a_span, text_a), (passage.b_span, text_b)):
            if span is not None:
                assert 0 <= span[0] < span[1] <= len(text)
    for region in alignment.regions:
        assert 0.0 <= region.score <= 1.0


def test_term_similarity_is_symmetric_dice():
    x, y = frozenset({"rebel", "homs", "frida"}), frozenset({"rebel", "homs"})
    assert term_similarity(x, y) == term_similarity(y, x) == 0.8
    assert term_similarity(frozenset(), frozenset()) == 0.0


def test_reports_written_to_one_template_are_not_the_same_article():
    def report(company: str, share: str, net: str, revenue: str, prior: str) -> dedupe.Article:
        text = (
            f"Shr {share} cts vs {prior} cts\nNet {net} mln dlrs vs {prior}.2 mln dlrs\n"
            f"Revs {revenue} mln vs 40.1 mln\n"
            f"Nine mths\nShr {prior} cts vs {share} cts\nNet {revenue} mln dlrs vs {net} mln dlrs\nReuter"
        )
        return dedupe.Article(company, text)

    first = report("Acme Pump Co", "12", "2.4", "51.3", "9")
    other = report("Borel Valve Inc", "31", "7.9", "88.0", "27")
    copy = dedupe.Article("copy", first.text.replace("Nine mths", "Nine months"))
    result = dedupe.scan([first, other, copy])
    relations = {(p.a, p.b): p.relation for p in result.pairs}
    assert relations.get(("Acme Pump Co", "copy")) in {"exact-duplicate", "near-duplicate"}
    assert relations.get(("Acme Pump Co", "Borel Valve Inc")) != "near-duplicate"


@pytest.mark.parametrize(
    ("x", "y", "agree"),
    [
        ({"12", "9"}, {"12", "9"}, True),
        ({"12", "9"}, {"31", "27"}, False),
        (set(), {"31"}, True),
        ({"three"}, {"five"}, False),
        ({"40", "24", "2017"}, {"40", "24"}, True),
    ],
    ids=["same", "different", "one-side-only", "number-words", "subset"],
)
def test_figures_agree(x, y, agree):
    assert figures_agree(frozenset(x), frozenset(y), 0.6) is agree


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Net 4,236,000 vs 1,619,000.", {"4 236 000", "1 619 000"}),
        ("Revs 12.3 mln vs 10.1 mln, up three pct.", {"12 3", "10 1", "three"}),
        ("Paying 14-3/4 pct, priced at 101-1/8.", {"14", "3 4", "101", "1 8"}),
        ("From May 20, 1987 until 10:30 on 5/8.", {"20", "1987", "10 30", "5 8"}),
    ],
    ids=["thousands", "decimals-and-words", "fractions-after-a-dash", "separated-by-a-space"],
)
def test_a_figure_written_with_separators_is_one_figure(text, figures):
    assert sentence_figures(prepare(dedupe.Article("x", text))) == [frozenset(figures)]


def test_lines_of_one_template_with_other_figures_do_not_align():
    # Their digit groups agree ("000", "1"), their figures do not.
    alignment = dedupe.align_texts(
        "Net 4,236,000 vs 1,619,000. The company said it expects growth.",
        "Net 4,935,000 vs 1,101,000. Shares of the bank fell sharply today.",
    )
    assert not [p for p in alignment.passages if p.a_span and p.b_span]


WORDS_ = "the bank rates rose fell three sources said Syria city officers officer capture captured 12 two".split()
sentence_texts = st.lists(st.lists(st.sampled_from(WORDS_), min_size=1, max_size=9).map(" ".join), max_size=6)


@settings(max_examples=200, deadline=None)
@given(sentence_texts, sentence_texts)
def test_similar_sentences_are_the_dice_of_every_pair_sharing_two_terms(a: list[str], b: list[str]):
    doc_a, doc_b = (prepare(dedupe.Article(name, ". ".join(s) + ".")) for name, s in (("a", a), ("b", b)))
    terms_a, terms_b = sentence_terms(doc_a), sentence_terms(doc_b)
    expected = [
        (i, j, term_similarity(x, y)) for i, x in enumerate(terms_a) for j, y in enumerate(terms_b) if len(x & y) >= 2
    ]
    similar = _similar_sentences(_sentences(doc_a), _sentences(doc_b))
    found = list(zip(similar.a.tolist(), similar.b.tolist(), similar.score.tolist(), strict=True))
    assert found == expected


_REPEAT_WORDS = ["the", "The", "THE", "news", "o'the", "x_the", "2the", "the2", "a", "I", "café", "CAFÉ"]
_REPEAT_WORDS += ["so", "\u017fo"]  # the long s, which the regex folds to s
_REPEAT_GLUE = [" ", "  ", " \n", ". ", ", ", "\n\n", "-", " - ", "'", "_", "\u2019 ", " \u201c", "\u00a0", "\u2014"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_REPEAT_WORDS), st.sampled_from(_REPEAT_GLUE)), min_size=1, max_size=30))
def test_markers_read_off_the_words_equal_searching_for_a_doubled_word_always(tokens):
    from dedupe.align import _garble_markers
    from dedupe.markers import garble_markers

    text = "".join(word + glue for word, glue in tokens).strip() or "the"
    doc = prepare(dedupe.Article("x", text))
    for first, last in itertools.combinations_with_replacement(range(len(doc.sentences)), 2):
        start, end = doc.sentences[first][0], doc.sentences[last][1]
        expected = garble_markers(doc.clean.text[start:end], document_start=first == 0)
        assert _garble_markers(doc, start, end, document_start=first == 0) == expected


def test_text_with_a_plain_form_has_its_markers_found_by_the_compiled_scan():
    from dedupe.align import _marker_finder
    from dedupe.markers import MarkerSites, PlainMarkers

    assert isinstance(
        _marker_finder(prepare(dedupe.Article("x", "He said \u201cthe\u00a0the\u201d talks."))), PlainMarkers
    )
    # Other text is searched where its sites are; ASCII text's doubled words are read off its word hashes.
    for text, known in (("He said the\x0bthe talks ended.", True), ("Le caf\u00e9 ferme.", False)):
        sites = _marker_finder(prepare(dedupe.Article("x", text)))
        assert isinstance(sites, MarkerSites) and sites.doubled_known is known
        assert ("doubled" in sites.kinds) is known


def test_a_doubled_word_is_found_in_ascii_and_other_text():
    from dedupe.align import _garble_markers

    for text in ("He said the the talks ended. Then they left.", "Le café café ferme. Puis rien."):
        doc = prepare(dedupe.Article("x", text))
        (start, end), (start2, end2) = doc.sentences
        assert _garble_markers(doc, start, end, document_start=True) == ("doubled-word",)
        assert _garble_markers(doc, start2, end2, document_start=False) == ()


def test_passages_of_the_same_text_are_labelled_without_searching_for_markers(monkeypatch):
    aligner = importlib.import_module("dedupe.align")

    shared = "Officials said. the rebels took the city on Friday, three sources told Reuters."
    first = f"Rebel forces advanced on Homs overnight, residents said. {shared} The army withdrew to the coast."
    second = f"Rebel forces moved on Homs in the night, people there said. {shared} The army withdrew to the coast."
    searched: list[tuple[str, int, int]] = []
    markers_of = aligner._passage_markers

    def counted(doc, first_sentence: int, last_sentence: int) -> tuple[str, ...]:
        searched.append((doc.id, first_sentence, last_sentence))
        return markers_of(doc, first_sentence, last_sentence)

    monkeypatch.setattr(aligner, "_passage_markers", counted)
    a, b = prepare(dedupe.Article("a", first)), prepare(dedupe.Article("b", second))
    passages = aligner.align(a, b).passages
    copied = [p for p in passages if p.a_span and first[p.a_span[0] : p.a_span[1]].startswith(shared)]
    # The broken join both copies carry (and the sentence after it) is no copy's corruption, and was not searched
    # for; the reworded first sentence was, on both sides.
    assert len(copied) == 1 and copied[0].label == "verbatim" and copied[0].markers == ()
    assert searched == [("a", 0, 0), ("b", 0, 0)]
