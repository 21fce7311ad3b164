"""Faithfulness ranking (issue 4): the seeds, small hand-written families, metadata, deterministic ties."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedupe
from dedupe.document import clean_text
from dedupe.fingerprint import STAND_INS, plain_form, word_hashes
from dedupe.fluency import LanguageModel, tokens
from dedupe.rank import (
    _PLAIN_STORY_WORD,
    _SORTED_FROM,
    _STORY_WORD,
    PARTNERS,
    Evidence,
    Occurrences,
    RankWeights,
    _PlainText,
    _replaced,
    _split_added,
    _usage,
    cleaned_texts,
    compared_pairs,
    comparisons,
    evidence_from,
    gather_evidence,
    is_compared,
    join_tallies,
    rank_members,
    reasons,
    score,
    tally_evidence,
)
from tests.conftest import PLAIN_CHARACTERS, seed_id

ORIGINAL = (
    "The city council of Northbridge voted on Tuesday to close the old harbour bridge for repairs next spring. "
    "Engineers told the council that rust had eaten into two of the main steel supports beneath the road deck. "
    "The bridge carries about twelve thousand cars a day between the harbour district and the northern suburbs. "
    "Traffic will be sent along the coast road while the work goes on, which the council expects to take a year. "
    "Local shop owners said they feared losing customers during the closure and asked for help with parking. "
    "The mayor, Helen Okafor, promised a fund of two million pounds to support businesses near the harbour. "
    "A ferry service between the two banks of the river will run every twenty minutes from early morning. "
    "The bridge was opened in 1931 and was last repaired more than forty years ago, according to city records. "
    "Council members from the opposition criticised the plan, saying repairs should have started years earlier. "
    "A public meeting on the closure will be held at the town hall on Thursday evening."
)

TRUNCATED = ORIGINAL[: ORIGINAL.index("Local shop owners")].strip()

FOOTER = (
    "Subscribe to the Harbour Gazette newsletter for the latest local headlines every morning.\n"
    "Copyright Harbour Gazette Media Group. All rights reserved."
)
WITH_BOILERPLATE = f"Home | News | Sport | Weather\n{ORIGINAL}\n{FOOTER}"

# Garbled by hand the way machine translation round trips garble (broken joins, fragments, odd words).
GARBLED = (
    "The city council of Northbridge voted Tuesday to close the old port bridge. for repairs next spring. "
    "Engineers said to the council that rust had eaten into two of the main steel supports under the deck road. "
    "The bridge carries about twelve thousand cars per day between the harbour district and northern suburbs. "
    "Traffic will be sent on the coast road while the work goes, which the council awaits to take one year. "
    "Local shop owners said they feared to lose customers during the closure. and asked help with parking. "
    "The mayor, Helen Okafor, promised a fund of two million pounds to support the businesses near the port. "
    "A ferry service between the two banks of the river will run every twenty minutes since early morning. "
    "The bridge was opened in 1931 and was repaired last more than forty years ago, according to city records. "
    "Members of the council of the opposition criticised the plan, saying repairs should begin years before. "
    "right. A public meeting on the closure will be held at the town hall Thursday evening."
)

# Unrelated stories from the same site, so that its footer repeats across the corpus as site boilerplate does.
SITE_STORIES = [
    "Volunteers planted three hundred oak trees along the river path on Saturday morning. The park manager said "
    "the new trees would shade the walking route within ten years. Children from two local schools helped with "
    f"the planting and named several of the trees.\n{FOOTER}",
    "The town library will open on Sundays from next month after a vote by residents. Staff said the extra day "
    "would cost little because volunteers had offered to help. The library lends about four thousand books a "
    f"week and runs reading groups for older people.\n{FOOTER}",
]


def ranked_ids(articles: list[dedupe.Article]) -> list[str]:
    result = dedupe.scan(articles)
    ids = {a.id for a in articles}
    cluster = next(c for c in result.clusters if any(m.id == "original" for m in c.members))
    return [m.id for m in cluster.members if m.id in ids]


def family(*names: str, dates: dict[str, str] | None = None) -> list[dedupe.Article]:
    texts = {"original": ORIGINAL, "truncated": TRUNCATED, "boilerplate": WITH_BOILERPLATE, "garbled": GARBLED}
    dates = dates or {}
    articles = [dedupe.Article(name, texts[name], date=dates.get(name)) for name in names]
    site = [dedupe.Article(f"site-{i}", text) for i, text in enumerate(SITE_STORIES)]
    return [*articles, *site]


def test_seed_original_ranks_above_its_garbled_rewrite_with_reasons_naming_the_garbling(seed_scan):
    cluster = next(c for c in seed_scan.clusters if any(m.id == seed_id("001") for m in c.members))
    first, second = cluster.members
    assert (first.id, second.id) == (seed_id("001"), seed_id("002"))
    assert first.score > second.score
    corrupted = next(r for r in second.reasons if "corrupted passage" in r)
    assert "broken sentence joins" in corrupted
    assert not any("corrupted passage" in r and "no corrupted" not in r for r in first.reasons)


@pytest.mark.parametrize(
    ("names", "expected_first"),
    [
        (("truncated", "original"), "original"),
        (("boilerplate", "original"), "original"),
        (("garbled", "original"), "original"),
        (("garbled", "boilerplate", "truncated", "original"), "original"),
    ],
    ids=["truncation", "boilerplate", "garbled", "syndication"],
)
def test_original_ranks_first_on_text_alone(names, expected_first):
    order = ranked_ids(family(*names))
    assert order[0] == expected_first
    assert set(order) == set(names)


def test_input_order_does_not_change_the_ranking():
    forward = ranked_ids(family("original", "truncated", "boilerplate", "garbled"))
    backward = ranked_ids(family("garbled", "boilerplate", "truncated", "original"))
    assert forward == backward


def test_garbled_copy_reasons_name_its_markers():
    result = dedupe.scan(family("garbled", "original"))
    cluster = next(c for c in result.clusters if any(m.id == "original" for m in c.members))
    garbled = next(m for m in cluster.members if m.id == "garbled")
    assert any("corrupted passage" in r and "broken sentence joins" in r for r in garbled.reasons)


def test_boilerplate_copy_is_told_from_the_complete_original():
    result = dedupe.scan(family("boilerplate", "original"))
    cluster = next(c for c in result.clusters if any(m.id == "original" for m in c.members))
    copy = next(m for m in cluster.members if m.id == "boilerplate")
    assert any("boilerplate" in r for r in copy.reasons)


def test_a_copys_corrupted_passages_are_counted_once_however_many_copies_it_is_compared_with():
    def first_reason(*names: str) -> str:
        result = dedupe.scan(family(*names))
        cluster = next(c for c in result.clusters if any(m.id == "original" for m in c.members))
        return next(m for m in cluster.members if m.id == "garbled").reasons[0]

    alone = first_reason("original", "garbled")
    assert alone.startswith("3 corrupted passages (broken sentence joins: 3")
    assert first_reason("original", "garbled", "truncated", "boilerplate") == alone


JAPANESE = (
    "東京電力は三日、福島第一原子力発電所の処理水の海洋放出を再開したと発表した。放出は約十七日間続く予定だ。"
    "同社によると、放出前の測定でトリチウムの濃度は基準を下回っていることを確認したという。"
    "漁業関係者からは風評被害を懸念する声が上がっている。"
    "政府は引き続き、国内外に対して科学的根拠に基づく情報発信を続ける方針だ。"
)


# JAPANESE as machine translation garbles it: wrong and doubled particles (が for は, のの, とを).
JAPANESE_GARBLED = (
    "東京電力が三日、福島第一原子力発電所のの処理水に海洋放出を再開したとを発表した。放出は約十七日間の続く予定だ。"
    "同社がよると、放出前に測定でトリチウムを濃度は基準に下回っているのことを確認したという。"
    "漁業関係者からの風評被害を懸念するの声が上がっている。"
    "政府が引き続き、国内外に対しての科学的根拠に基づくの情報発信を続けるの方針だ。"
)
# Other Japanese news, for the corpus's language model.
JAPANESE_NEWS = (
    "政府は四日、新たな経済対策を発表した。対策の規模は約二十兆円となる見通しだ。関係者によると、国会での審議は来週から始まる予定だという。",
    "気象庁によると、台風十号は五日にも九州南部に接近する見込みだ。各地で大雨への警戒が必要だとしている。",
    "東京電力は二日、柏崎刈羽原子力発電所の再稼働に向けた準備を続ける方針を明らかにした。地元からは安全性を懸念する声が上がっている。",
    "同社は、今年度の売上高が前年を上回る見通しだと発表した。海外での販売が好調だったという。",
    "漁業関係者によると、今年の漁獲量は例年を大きく下回っている。専門家は海水温の上昇が影響していると指摘した。",
    "政府は引き続き、被災地の復興に向けた支援を続ける方針だ。首相は記者団に対して、科学的な根拠に基づいて判断すると述べた。",
    "市によると、新しい図書館は来年春に開館する予定だ。建設費は約三十億円で、国の補助金を活用するという。",
    "警察によると、事故は三日午後に発生した。運転手は軽いけがをしたが、命に別条はないという。",
    "文部科学省は、全国の小中学校での調査結果を発表した。不登校の児童生徒の数は過去最多となった。",
    "国内外の専門家が参加する会議が東京で開かれた。参加者は情報発信の重要性を確認したという。",
)


def test_a_garbled_copy_in_a_script_without_spaces_reads_less_naturally():
    # The fluency model's tokens there are characters: a run of kanji and kana was one token, a clause no other
    # text has, and its bigrams told nothing (the two copies scored within 0.001).
    others = [dedupe.Article(f"news-{k}", text) for k, text in enumerate(JAPANESE_NEWS)]
    result = dedupe.scan([*others, dedupe.Article("garbled", JAPANESE_GARBLED), dedupe.Article("original", JAPANESE)])
    [cluster] = result.clusters
    original, garbled = cluster.members
    assert original.id == "original" and original.score - garbled.score > 0.05
    assert "reads more naturally where the copies differ" in original.reasons
    assert "reads less naturally where the copies differ" in garbled.reasons


HINDI = (
    "नई दिल्ली में सोमवार को भारी बारिश के कारण कई सड़कों पर पानी भर गया। "
    "मौसम विभाग ने अगले दो दिनों तक और बारिश की चेतावनी जारी की है। "
    "नगर निगम के अधिकारियों ने बताया कि पानी निकालने के लिए पंपों को लगाया गया है। "
    "कई स्कूलों ने छात्रों की सुरक्षा को देखते हुए छुट्टी की घोषणा की।"
)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (JAPANESE, "地元の自治体は説明会を開き、住民の理解を求めた。"),
        (HINDI, " स्थानीय लोगों ने प्रशासन से जल निकासी व्यवस्था को सुधारने की मांग की।"),
    ],
    ids=["japanese", "hindi"],
)
def test_a_sentence_added_in_another_script_is_story_not_boilerplate(text: str, sentence: str):
    # Japanese: each character is a word there, so a clause of kanji and kana is not one "story word", and the added
    # sentence is not a short line at the edge of the text. Hindi: sentences end at a danda (।), and its words hold
    # vowel signs (combining marks): the text was one sentence, and its story words were cut at every mark.
    result = dedupe.scan([dedupe.Article("original", text), dedupe.Article("longer", text + sentence)])
    longer, original = result.clusters[0].members
    assert longer.id == "longer" and longer.score > original.score
    assert "adds 1 passage no other copy has" in longer.reasons
    assert not any("boilerplate" in reason for reason in longer.reasons)


def test_earliest_date_is_used_when_present():
    # Two identical texts: only the dates can tell them apart.
    articles = [
        dedupe.Article("later", ORIGINAL, date="2024-03-02"),
        dedupe.Article("earlier", ORIGINAL, date="2024-03-01"),
    ]
    cluster = dedupe.scan(articles).clusters[0]
    assert [m.id for m in cluster.members] == ["earlier", "later"]
    assert "earliest date" in cluster.members[0].reasons


def test_equal_dates_say_nothing():
    articles = [dedupe.Article(name, ORIGINAL, date="2024-03-01") for name in ("b", "a")]
    cluster = dedupe.scan(articles).clusters[0]
    assert not any("earliest date" in r for m in cluster.members for r in m.reasons)


def test_ties_go_to_the_smaller_id_whatever_the_input_order():
    for names in (("b", "a", "c"), ("c", "b", "a")):
        cluster = dedupe.scan([dedupe.Article(name, ORIGINAL) for name in names]).clusters[0]
        assert [m.id for m in cluster.members] == ["a", "b", "c"]
        assert len({m.score for m in cluster.members}) == 1


def test_metadata_does_not_outweigh_heavy_garbling():
    # A garbled copy dated earlier and credited to a wire agency still ranks below the clean text.
    articles = family("garbled", "original", dates={"garbled": "2024-03-01", "original": "2024-03-02"})
    articles[0] = dedupe.Article("garbled", "LONDON (Reuters) - " + GARBLED, date="2024-03-01", source="Reuters")
    assert ranked_ids(articles)[0] == "original"


def test_wire_agency_byline_is_a_reason():
    articles = [dedupe.Article("wire", "LONDON (Reuters) - " + ORIGINAL), dedupe.Article("paper", ORIGINAL)]
    cluster = dedupe.scan(articles).clusters[0]
    wire = next(m for m in cluster.members if m.id == "wire")
    assert "byline of a wire agency" in wire.reasons
    assert cluster.members[0].id == "wire"


def test_rank_members_works_without_a_corpus_model():
    a, b = dedupe.prepare(dedupe.Article("original", ORIGINAL)), dedupe.prepare(dedupe.Article("t", TRUNCATED))
    pair = dedupe.relate(a, b)
    assert pair is not None
    members = rank_members([a.article, b.article], {(pair.a, pair.b): pair})
    assert [m.rank for m in members] == [1, 2]
    assert members[0].id == "original"


def test_without_a_corpus_model_fluency_and_repetition_are_no_evidence():
    # A model of the cluster alone, with the cluster left out, counts nothing: ranking without a model must be
    # ranking with that model (the fluency evidence weighs 0, no line is repeated across the corpus).
    articles = [dedupe.Article("original", WITH_BOILERPLATE), dedupe.Article("garbled", GARBLED)]
    a, b = (dedupe.prepare(article) for article in articles)
    pair = dedupe.relate(a, b)
    assert pair is not None
    pairs = {(pair.a, pair.b): pair}
    own_model = LanguageModel.build(clean_text(article).text for article in articles)
    assert own_model.without(clean_text(article).text for article in articles).documents == 0
    evidence = gather_evidence(articles, pairs)
    assert evidence == gather_evidence(articles, pairs, own_model)
    assert all(found.fluency == 0 for found in evidence.values())
    assert rank_members(articles, pairs) == rank_members(articles, pairs, own_model)


def test_reasons_describe_the_evidence_in_plain_language():
    found = Evidence(
        matched_passages=10,
        corrupted_passages=7,
        markers={"broken-join": 4, "dangling-fragment": 2, "detached-quote": 1},
        corruption=0.9,
        completeness=0.96,
        added_passages=9,
    )
    said = reasons(found)
    assert said[0] == "7 corrupted passages (broken sentence joins: 4, fragments: 2, garbled quotes: 1)"
    assert "contains 96% of the other copies' text" in said
    assert "adds 9 passages no other copy has" in said
    assert score(found, RankWeights()) < score(Evidence(matched_passages=10, completeness=0.96), RankWeights())


# A short line of the story ("He declined to comment.") that a copy cut, and a story ending in a table of figures.
WITH_SHORT_LINE = ORIGINAL.replace("Local shop owners", "He declined to comment. Local shop owners")
TABLE = "\nYear Shr 2.45 dlrs vs 2.10 dlrs\nNet 61.7 mln vs 48.2 mln\nRevs 3.36 billion vs 3.02 billion"


def test_a_short_line_missing_from_the_middle_of_a_copy_counts_for_the_complete_text():
    # Page furniture frames a story; a short line between shared passages is story text the copy cut.
    articles = [dedupe.Article("full", WITH_SHORT_LINE), dedupe.Article("cut", ORIGINAL)]
    cluster = dedupe.scan(articles).clusters[0]
    assert [m.id for m in cluster.members] == ["full", "cut"]
    assert not any("boilerplate" in r for r in cluster.members[0].reasons)


def test_rows_of_figures_cut_from_the_end_of_a_copy_are_story_not_boilerplate():
    articles = [dedupe.Article("a-lead", ORIGINAL + TABLE.split("\nNet")[0]), dedupe.Article("table", ORIGINAL + TABLE)]
    cluster = dedupe.scan(articles).clusters[0]
    assert [m.id for m in cluster.members] == ["table", "a-lead"]
    assert not any("boilerplate" in r for r in cluster.members[0].reasons)


def test_short_lines_at_the_edges_without_figures_stay_boilerplate():
    model = LanguageModel.build([ORIGINAL])
    story = frozenset(model.hashes(ORIGINAL.casefold().split()))
    assert _split_added("Top Stories\nAdvertisement", story, model) == (0, 2)
    assert _split_added("Top Stories\nAdvertisement", story, model, interior=True) == (2, 0)
    assert _split_added("Revenue 3.36 billion vs 3.02 billion", story, model) == (3, 0)  # a row of figures


def test_sentences_judged_once_per_member_are_judged_as_afresh():
    # Short edge lines (boilerplate unless inside the story, where a line other pages repeat still is), a sign-up
    # line other pages repeat, a story sentence, a row of figures: each remembered sentence is judged as before,
    # whether first met at an edge or inside.
    site_line = "Sign up for our newsletter to get the latest news every morning."
    follow = "Follow us on Twitter and Facebook."
    pages = [f"{site_line} Story number {k} of the day is here. {follow}" for k in range(5)]
    model = LanguageModel.build([ORIGINAL, *pages])
    story = frozenset(model.hashes(ORIGINAL.casefold().split()))
    texts = [
        "Top Stories\nAdvertisement",
        follow,
        f"Top Stories\n{site_line}",
        ORIGINAL.split(". ")[0] + ".",
        "Revenue 3.36 billion vs 3.02 billion",
    ]
    assert _split_added(follow, story, model) == _split_added(follow, story, model, True) == (0, 3)
    assert _split_added(texts[2], story, model) == (0, 7) and _split_added(texts[2], story, model, True) == (1, 6)
    judged: dict = {}
    for interior in (False, True, False):
        for text in texts:
            assert _split_added(text, story, model, interior, judged) == _split_added(text, story, model, interior)
    assert len(judged) == 6


# "said" throughout; the copy changed one occurrence only (a synonym swap, a style edit applied in one place).
SAID = ORIGINAL.replace("Engineers told the council", "Engineers said").replace(
    "Council members from the opposition criticised", "Council members from the opposition said they criticised"
)
ONE_SAYS = SAID.replace("Engineers said", "Engineers says")


def usage(words_a: list[str], words_b: list[str], doc_a: list[str], doc_b: list[str]) -> float:
    return _usage(words_a, words_b, Occurrences(doc_a), Occurrences(doc_b))


@given(
    st.lists(st.sampled_from("ab.c"), max_size=30),
    st.lists(st.sampled_from("ab.c"), min_size=1, max_size=4),
)
def test_occurrences_count_every_run_overlaps_included(tokens, gram):
    naive = sum(1 for i in range(len(tokens) - len(gram) + 1) if tokens[i : i + len(gram)] == gram)
    counts = Occurrences(tokens)
    assert counts.count(gram) == naive
    assert counts.count(gram) == naive  # the positions found by the first count serve the next


@pytest.mark.parametrize("seed", range(4))
def test_a_long_texts_runs_are_counted_off_its_sorted_tokens(seed):
    # A long text's tokens, as text and as hashes (some of them 2**63 or more), are sorted by numpy for the counts.
    rng = random.Random(seed)
    text = rng.choices("ab.c", k=_SORTED_FROM + 100)
    hashes = word_hashes(text)
    for seq, counts in ((text, Occurrences(text)), (hashes.tolist(), Occurrences(hashes.tolist(), hashes))):
        for n in (1, 2, 3, 1, 2, 3):
            start = rng.randrange(len(seq) - n)
            gram = seq[start : start + n]
            naive = sum(1 for i in range(len(seq) - n + 1) if seq[i : i + n] == gram)
            assert counts.count(gram) == naive
        assert counts.count([seq[0], "absent"]) == 0


def test_usage_prefers_the_reading_the_text_uses_elsewhere():
    # The original reads "said" where the copy reads "says"; both texts use "said" elsewhere, neither "says".
    assert usage(["engineers", "said"], ["engineers", "says"], ["said"] * 3, ["said"] * 2) > 1.0
    assert usage(["engineers", "says"], ["engineers", "said"], ["said"] * 2, ["said"] * 3) < -1.0
    # A copy that changed every occurrence is consistent too: its usage says nothing.
    assert usage(["engineers", "said"], ["engineers", "says"], ["said"] * 3, ["says"] * 3) == 0.0


def test_a_copy_that_changed_one_occurrence_of_a_word_ranks_below_the_consistent_text():
    # Without the usage evidence the two tie and the smaller id ("a-copy") would win.
    articles = [dedupe.Article("a-copy", ONE_SAYS), dedupe.Article("b-original", SAID)]
    cluster = dedupe.scan(articles).clusters[0]
    assert [m.id for m in cluster.members] == ["b-original", "a-copy"]
    assert "where the copies differ, uses the wording the text uses elsewhere" in cluster.members[0].reasons
    assert "where the copies differ, changes wording the text keeps elsewhere" in cluster.members[1].reasons


def test_usage_compares_only_readings_that_are_alternatives():
    # A copy that dropped a phrase leaves the diff pairing it with a common word; how often the text uses "the"
    # says nothing about which copy is the author's.
    assert usage(["the", "think", "-", "tank", "said"], ["the", "the", "said"], ["the"] * 9, ["the"] * 9) == 0.0
    # Same letters, other form: "U.S." against "US" is a reading of the same word (the copy, b, writes "U.S."
    # twice elsewhere).
    us, u_s = ["us"], ["u", ".", "s", "."]
    assert usage([*u_s, "firms"], [*us, "firms"], u_s * 3, u_s * 2 + us) > 1.0


def test_replaced_stretches_lie_between_common_runs_on_both_sides():
    assert list(_replaced(list("abcd"), list("axcd"))) == [(1, 2, 1, 2)]
    assert list(_replaced(list("paq"), list("rasz"))) == [(0, 1, 0, 1), (2, 3, 2, 4)]  # at both edges
    # Words only one side has (a drop, an insertion) are no reading of the other's.
    assert list(_replaced(list("ab"), list("abc"))) == []
    assert list(_replaced(list("xab"), list("ab"))) == []
    assert list(_replaced(list("ab"), list("ab"))) == []


def test_seed_original_is_not_said_to_change_wording(seed_scan):
    # The machine rewrite 002 swaps in common words the original uses elsewhere ("military", "enemy", "the").
    cluster = next(c for c in seed_scan.clusters if any(m.id == seed_id("001") for m in c.members))
    original = next(m for m in cluster.members if m.id == seed_id("001"))
    assert "where the copies differ, changes wording the text keeps elsewhere" not in original.reasons


_PIECES = ["the", "U.S.", "said", "4,236,000", "co-op", "Reuters", "a", "x", "(AP)", '"', "--", ".", ",", "\n", " "]
# News punctuation beyond ASCII, which the compiled pass reads through the text's plain form.
_MARKS = ["\u201cNo\u201d", "don\u2019t", "\u2014", "\u00a0", "\u00a320", "\u2026", "\u200b", "\u2122"]


@given(
    st.lists(st.sampled_from(_PIECES + _MARKS), max_size=60),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400))),
)
def test_a_spans_tokens_and_story_words_are_those_of_its_text(pieces, spans):
    # Plain text reads a span's tokens off the whole text's: the same as reading the span's text, edges cutting
    # words included.
    text = " ".join(pieces)
    plain = _PlainText.of(dedupe.Article("a", text))
    assert plain.starts is not None
    assert [text[s:e].casefold() for s, e in zip(plain.starts, plain.ends or [], strict=True)] == tokens(text)
    assert plain.occurrences.tokens == word_hashes(tokens(text)).tolist()
    assert plain.story_words == frozenset(word_hashes(_STORY_WORD.findall(text.casefold())).tolist())
    for start, end in spans:
        span = (min(start, end, len(text)), min(max(start, end), len(text)))
        if span[0] < span[1]:
            seq = tokens(text[span[0] : span[1]])
            assert plain.tokens(span) == word_hashes(seq).tolist()
            read = plain.reader(span)
            assert read.text(0, len(seq)) == seq
            assert read.text(len(seq) // 3, len(seq) // 2) == seq[len(seq) // 3 : len(seq) // 2]
            # A word starts with a letter or digit: plain text counts them without their text.
            assert read.count_words(0, len(seq)) == sum(1 for t in seq if t[0].isalnum())
            assert read.count_words(len(seq) // 3, len(seq)) == sum(1 for t in seq[len(seq) // 3 :] if t[0].isalnum())
            assert plain.words(span) == len(_STORY_WORD.findall(text[span[0] : span[1]]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _MARKS) | st.text(st.sampled_from(PLAIN_CHARACTERS), max_size=6)))
def test_plain_texts_story_words_are_those_of_the_unicode_pattern(pieces):
    text = "".join(pieces)
    assert plain_form(text) is not None
    assert _PLAIN_STORY_WORD.findall(text.lower()) == _STORY_WORD.findall(text.casefold())


# Characters that leave a text without a plain form: a letter and a mark beyond ASCII, a character of four bytes in
# UTF-8, a control character, a lone surrogate.
_NOT_PLAIN = ["caf\u00e9", "\u6771\u4eac", "\U0001f600", "\x00", "\x7f", "\ud800"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_NOT_PLAIN) | st.text(st.sampled_from(PLAIN_CHARACTERS), max_size=6), max_size=30))
def test_the_compiled_pass_reads_every_plain_text_and_only_those(pieces):
    text = "".join(pieces)
    plain = _PlainText.of(dedupe.Article("a", text))
    assert plain.is_plain == (plain_form(text) is not None)
    assert plain.occurrences.tokens == word_hashes(tokens(text)).tolist()
    assert plain.story_words == frozenset(word_hashes(_STORY_WORD.findall(text.casefold())).tolist())
    if plain.is_plain:
        assert [text[s:e].casefold() for s, e in zip(plain.starts, plain.ends or [], strict=True)] == tokens(text)


def test_every_mark_with_a_stand_in_is_read_off_the_compiled_tokens():
    for mark in map(chr, STAND_INS):
        text = f"{mark}Yes{mark} it{mark}s 12{mark}5 the end.{mark}\n{mark}Next"
        plain = _PlainText.of(dedupe.Article("a", text))
        assert plain.starts is not None, repr(mark)
        assert plain.occurrences.tokens == word_hashes(tokens(text)).tolist(), repr(mark)
        assert plain.reader((0, len(text))).text(0, 3) == tokens(text)[:3], repr(mark)
        # A mark is no word, whatever its stand-in.
        words = sum(1 for t in tokens(text) if t[0].isalnum())
        assert plain.reader((0, len(text))).count_words(0, len(tokens(text))) == words, repr(mark)


def test_text_with_markup_or_beyond_ascii_is_read_span_by_span():
    for text in ("The <b>bridge</b> closes.", "Le pont ferme à Noël."):
        plain = _PlainText.of(dedupe.Article("a", text))
        assert plain.starts is None
        seq = tokens(plain.span_text((0, len(text))))
        assert plain.tokens((0, len(text))) == word_hashes(seq).tolist()
        assert plain.reader((0, len(text))).text(1, 3) == seq[1:3]
        assert plain.reader((0, len(text))).count_words(0, 3) == sum(1 for t in seq[:3] if t[0].isalnum())


def test_compared_pairs_are_every_two_of_a_small_cluster_and_ring_partners_of_a_large_one():
    small = [f"m{k:02d}" for k in range(PARTNERS + 1)]
    assert sorted(compared_pairs(small)) == [(a, b) for i, a in enumerate(small) for b in small[i + 1 :]]
    large = [f"m{k:02d}" for k in range(40)]
    pairs = compared_pairs(large)
    unordered = {frozenset(pair) for pair in pairs}
    assert len(unordered) == len(pairs) == 40 * PARTNERS // 2
    assert all(sum(member in pair for pair in unordered) == PARTNERS for member in large)
    assert {frozenset(pair) for pair in compared_pairs(large[::-1])} == unordered


def edited_copies(count: int) -> list[dedupe.Article]:
    """The original and `count - 1` copies of it, each with other words replaced."""
    words = ORIGINAL.split(" ")
    copies = [dedupe.Article("original", ORIGINAL)]
    for k in range(1, count):
        edited = list(words)
        for position in random.Random(k).sample(range(len(words)), 6):
            edited[position] = "harbourside"
        copies.append(dedupe.Article(f"copy-{k:02d}", " ".join(edited)))
    return copies


@pytest.mark.parametrize("size", [2, PARTNERS + 1, PARTNERS + 2, 40])
def test_is_compared_tells_the_compared_pairs_by_their_places(size: int):
    ids = [f"m{k:02d}" for k in range(size)]
    every = [(i, j) for i in range(size) for j in range(i + 1, size)]
    first, second = (np.asarray(side) for side in zip(*every, strict=True))
    told = is_compared(first, second, np.full(len(every), size))
    pairs = {frozenset(pair) for pair in compared_pairs(ids)}
    assert told.tolist() == [frozenset((ids[i], ids[j])) in pairs for i, j in every]


def test_tallies_of_consecutive_stretches_joined_are_the_tallies_of_all():
    # A large cluster is tallied in stretches by the workers: joined, they must be what one tally of every pair is,
    # value for value and in order (matched and corrupted spans, markers, unmatched counts, every list).
    members = [
        dedupe.Article(name, text)
        for name, text in (("garbled", GARBLED), ("original", ORIGINAL), ("boilerplate", WITH_BOILERPLATE))
    ] + edited_copies(PARTNERS + 4)[1:]
    result = dedupe.scan([*members, *family()])
    pairs = {(p.a, p.b): p for p in result.pairs}
    model = LanguageModel.build(article.text for article in [*members, *family()])
    compared = comparisons(members)
    whole = tally_evidence(members, pairs, model, compared)
    assert any(tally.corrupted for tally in whole.values()) and any(tally.unmatched for tally in whole.values())
    for cuts in ([1], [len(compared) // 3, len(compared) // 2], [len(compared) - 1]):
        bounds = [0, *cuts, len(compared)]
        parts = [tally_evidence(members, pairs, model, compared[a:b]) for a, b in itertools.pairwise(bounds)]
        assert join_tallies(parts) == whole
    assert evidence_from(members, whole, cleaned_texts(members)) == gather_evidence(members, pairs, model)


def test_a_large_cluster_is_ranked_on_the_compared_pairs_alone():
    # More members than PARTNERS + 1: the pairs not compared are not read, the original still ranks first, and
    # material one copy alone has is still told (unmatched in every pair compared, not in every pair).
    members = edited_copies(PARTNERS + 8)
    extra = "Harbour pilots said the ferry crossing would add forty minutes to the journeys of delivery lorries."
    members[9] = dedupe.Article(members[9].id, f"{members[9].text} {extra}")
    result = dedupe.scan(members)
    assert len(result.clusters) == 1 and len(result.clusters[0].members) == len(members)
    assert result.clusters[0].members[0].id == "original"
    added = next(m for m in result.clusters[0].members if m.id == members[9].id)
    assert "adds 1 passage no other copy has" in added.reasons
    pairs = {(p.a, p.b): p for p in result.pairs}
    compared = set(compared_pairs([a.id for a in members]))
    kept = {key: pair for key, pair in pairs.items() if key in compared or key[::-1] in compared}
    assert len(kept) < len(pairs)
    assert rank_members(members, pairs) == rank_members(members, kept)
