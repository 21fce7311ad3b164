"""Which copy in a cluster is the original: members ranked by faithfulness, each with plain-language reasons.

The evidence for each member comes from the aligned passages of every pair of members (`align.py`):
- corruption: aligned passages where this copy carries machine-garbling markers the other copy lacks;
- fluency: on the passages where two copies differ, which wording reads more like the rest of the corpus
  (`fluency.py`, a bigram model of the scanned corpus without the cluster);
- usage: where two copies word a stretch differently, which reading the copies' own text uses elsewhere (a copy
  that changed some occurrences of a word, a synonym or a spelling, is at odds with itself);
- agreement: with three or more copies, how close this copy is to all the others (independent copies of one
  original each agree with the original more than with each other);
- completeness: how much of the other copies' content this copy contains, where added lines that share no
  vocabulary with the story (navigation, sign-up lines, copyright) are boilerplate, not content;
- boilerplate: the share of this copy that is such added material;
- metadata, when present and never required: the earliest date; a wire agency named in the source or byline.

The score is a weighted sum; the weights were chosen by measurement on generated families of known lineage
(`benchmarks/lineage.py`, see benchmarks/README.md, "Faithfulness ranking (lineage)").
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import regex
from rapidfuzz.distance import Indel

from dedupe import kernels
from dedupe.document import clean_text, sentence_spans
from dedupe.fingerprint import READING, word_hashes
from dedupe.fluency import Counts, LanguageModel, bigrams, tokens
from dedupe.models import Article, Member, Pair, Span
from dedupe.normalize import SPACELESS, looks_like_html, strip_markup

# A wire agency credited in the first lines: "BEIRUT (Reuters) -", "(AP) --", "By ... for Agence France-Presse".
_WIRE = regex.compile(
    r"\((?:Reuters|AP|AFP|dpa|UPI|Xinhua|Bloomberg|PA|ANSA|EFE)\)"
    r"|\b(?:Associated Press|Agence France-Presse|Reuters)\b\s*[-\u2013\u2014]",
)
_WIRE_SOURCES = regex.compile(r"\b(?:reuters|associated press|ap|afp|agence france-presse|dpa|upi|xinhua)\b", regex.I)
# Added material (sentences no other copy has) is boilerplate, not story, when it has fewer than _MIN_STORY_WORDS
# story words (menus, "Advertisement") and sits at an edge of the text, or when other documents of the corpus hold
# at least _REPEATED_SHARE of its word 4-grams while less than _ON_TOPIC_SHARE of its story words occur in the
# other copies. Chosen on generated families (benchmarks/lineage.py --seed 1): story sentences have a median of
# 11 story words, boilerplate lines 5; see benchmarks/README.md.
_MIN_STORY_WORDS = 4
_REPEATED_SHARE = 0.5
_ON_TOPIC_SHARE = 0.3
# Fluency evidence counts in full from this many differing bigrams on; fewer differences say less.
_FLUENCY_FULL_AT = 40
# ... and from a corpus of this many documents (outside the cluster) on: a model of a handful of articles knows
# little of the language (the benchmark's corpora hold about 140).
_FLUENCY_FULL_CORPUS = 50
# A story word: four letters, digits or combining marks or more ("said", not "the"; a Hindi word with its vowel
# signs); in a script written without spaces, where normalize.WORD makes each character a word and a run of four
# is a phrase or a whole clause, one character.
_STORY_WORD = regex.compile(rf"[{SPACELESS}]|[[\p{{L}}\p{{N}}\p{{M}}]--[{SPACELESS}]]{{4,}}", regex.VERSION1)
# `_STORY_WORD` of plain text (`fingerprint.plain_form`: ASCII, and news punctuation, none of it a letter, digit or
# mark), lower-cased: the same words (tests/test_rank.py), found five times faster than by the Unicode pattern (32
# against 6 us a sentence).
_PLAIN_STORY_WORD = re.compile(r"[a-z0-9]{4,}")
# A figure as the aligner reads one (`kernels.FIGURE_JOINERS` join digits into one number).
_FIGURE = regex.compile(r"\p{N}+(?:[" + regex.escape(kernels.FIGURE_JOINERS) + r"]\p{N}+)*")
# A short line with this many figures is a row of a table of the story (results, earnings), not page furniture.
_ROW_FIGURES = 2
# Usage evidence (see `_usage`) looks at differently worded stretches of up to this many tokens ("U.S." is four)
# and saturates through tanh(usage / _USAGE_SCALE): one word the copies use 7 times elsewhere against none gives
# log 8 = 2.1, about 0.78 of the full weight. Chosen on benchmarks/lineage.py --seed 1 (flat from 1 to 4).
_USAGE_SPAN = 4
_USAGE_SCALE = 2.0
# A member of a large cluster is compared with this many others, not all: a cluster of m members has m(m - 1) / 2
# pairs, and a story carried by hundreds of sites made ranking the square of its size (400 copies: 51 s of an 80 s
# scan). Each member's evidence is a mean over its pairs, which this many estimate.
PARTNERS = 16

# The model of no corpus, for rankings without one (the gate's): one, so that its cache of token hashes
# (`LanguageModel.hashes`) serves every ranking of the process.
_NO_MODEL = LanguageModel(Counts())

# Readable names of the markers of `markers.py`, for reasons.
MARKER_NAMES = {
    "broken-join": "broken sentence joins",
    "dangling-fragment": "fragments",
    "lowercase-start": "lower-case sentence starts",
    "stray-punctuation": "stray punctuation",
    "detached-quote": "garbled quotes",
    "nonsense-join": "nonsense joins",
    "unit-garble": "garbled units",
    "doubled-word": "doubled words",
}


@dataclass(frozen=True, slots=True)
class RankWeights:
    """Weights of the evidence in a member's score (the score itself is only used to order members).

    Chosen on `benchmarks/lineage.py --seed 1` (tuning families, the held-out kinds excluded) by a grid search;
    see benchmarks/README.md. Kept here, not in config.py, because nothing but the ranking reads them.
    """

    corruption: float = 1.0
    fluency: float = 0.1
    usage: float = 0.25
    agreement: float = 4.0
    completeness: float = 1.0
    boilerplate: float = 4.0
    date: float = 0.5
    wire: float = 0.05


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the ranking knows about one member of a cluster."""

    # The member's own passages matched in some pair, those corrupted (on its side) and their markers, each passage
    # once however many other members it was compared with.
    matched_passages: int = 0
    corrupted_passages: int = 0
    markers: dict[str, int] = field(default_factory=dict)
    # Mean over the other members of the share of their content this member contains.
    completeness: float = 0.0
    # Passages of story text no other member has, and the share of this member's words that are boilerplate.
    added_passages: int = 0
    boilerplate: float = 0.0
    # Mean similarity to the other members, minus the cluster's mean (0 with two members).
    agreement: float = 0.0
    # Mean log-probability advantage of this member's wording where it differs from the others.
    fluency: float = 0.0
    # Where two copies word a passage differently: how much more the copies' own text elsewhere uses this member's
    # reading than the other's (the editor's criterion of the author's usage), summed per pair, averaged over pairs.
    usage: float = 0.0
    earliest: bool = False
    wire: bool = False

    # Corrupted passages in excess of the other copy's, per pair, through tanh(excess / 2), averaged over pairs:
    # 0 when clean, 0.46 for one excess passage, 0.91 for three (a few markers are conclusive; none is proof).
    corruption: float = 0.0


def rank_members(
    members: Sequence[Article],
    pairs: Mapping[tuple[str, str], Pair],
    model: LanguageModel | None = None,
    weights: RankWeights | None = None,
) -> tuple[Member, ...]:
    """Rank the members of one cluster from most to least faithful, each with its reasons.

    Args:
        members: the cluster's articles.
        pairs: verified pairs between members, keyed by `(a, b)` as in the pair; those `compared_pairs` names are
            read (every two members of a cluster of at most `PARTNERS + 1`).
        model: a language model of the whole scanned corpus (`LanguageModel.build`); without one there is
            nothing to judge fluency against (a model of the cluster alone, the cluster left out, counts nothing),
            and neither fluency nor repetition across the corpus is evidence.
        weights: the weights of the evidence; the measured defaults when None.

    Ties (equal scores) go to the smaller id, so the order never depends on the input order.
    """
    return ranked(members, gather_evidence(members, pairs, model), weights)


def ranked(
    members: Sequence[Article], evidence: Mapping[str, Evidence], weights: RankWeights | None = None
) -> tuple[Member, ...]:
    """The members ranked on their `evidence` (`gather_evidence`), as `rank_members` ranks them."""
    weights = weights or RankWeights()
    # The weighted sum is unbounded; the logistic maps it onto the 0-1 scale of every other score, keeping the order.
    scored = sorted(
        ((round(_logistic(score(evidence[a.id], weights)), 4), a.id) for a in members), key=lambda s: (-s[0], s[1])
    )
    return tuple(
        Member(doc_id, rank, value, reasons(evidence[doc_id])) for rank, (value, doc_id) in enumerate(scored, start=1)
    )


def compared_pairs(ids: Sequence[str]) -> list[tuple[str, str]]:
    """The pairs of members a ranking compares: every two of at most `PARTNERS + 1` members; of more, each member
    and the `PARTNERS` nearest it on a ring of the ids in sorted order (half on each side), so that every member has
    as many partners, whatever the order the members come in."""
    ordered = sorted(ids)
    count = len(ordered)
    if count <= PARTNERS + 1:
        return [(ordered[i], ordered[j]) for i in range(count) for j in range(i + 1, count)]
    # Steps of at most PARTNERS / 2 around a ring of more than PARTNERS + 1 never give one pair twice.
    return [(ordered[i], ordered[(i + step) % count]) for i in range(count) for step in range(1, PARTNERS // 2 + 1)]


def is_compared(first: np.ndarray, second: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Whether `compared_pairs` holds the pair of members at places `first` and `second` (in the sorted order of
    their cluster's ids) of a cluster of `size` members, for arrays of pairs."""
    distance = np.abs(first - second)
    return (size <= PARTNERS + 1) | (np.minimum(distance, size - distance) <= PARTNERS // 2)


def _logistic(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def score(found: Evidence, weights: RankWeights) -> float:
    """A member's faithfulness score: higher is more faithful."""
    return (
        -weights.corruption * found.corruption
        + weights.fluency * math.tanh(found.fluency)
        + weights.usage * math.tanh(found.usage / _USAGE_SCALE)
        + weights.agreement * found.agreement
        + weights.completeness * found.completeness
        - weights.boilerplate * found.boilerplate
        + weights.date * found.earliest
        + weights.wire * found.wire
    )


def reasons(found: Evidence) -> tuple[str, ...]:
    """Plain-language reasons, strongest evidence first."""
    said: list[str] = []
    if found.corrupted_passages:
        detail = ", ".join(
            f"{MARKER_NAMES.get(name, name)}: {count}"
            for name, count in sorted(found.markers.items(), key=lambda item: (-item[1], item[0]))
        )
        plural = "s" if found.corrupted_passages != 1 else ""
        said.append(f"{found.corrupted_passages} corrupted passage{plural} ({detail})")
    elif found.matched_passages:
        said.append("no corrupted passages")
    if found.fluency >= 0.1:
        said.append("reads more naturally where the copies differ")
    elif found.fluency <= -0.1:
        said.append("reads less naturally where the copies differ")
    if found.usage >= 0.5:
        said.append("where the copies differ, uses the wording the text uses elsewhere")
    elif found.usage <= -0.5:
        said.append("where the copies differ, changes wording the text keeps elsewhere")
    if found.agreement >= 0.02:
        said.append("closest to the other copies")
    said.append(f"contains {found.completeness:.0%} of the other copies' text")
    if found.added_passages:
        plural = "s" if found.added_passages != 1 else ""
        said.append(f"adds {found.added_passages} passage{plural} no other copy has")
    if found.boilerplate >= 0.01:
        said.append(f"{found.boilerplate:.0%} of its text is boilerplate or stray fragments")
    if found.earliest:
        said.append("earliest date")
    if found.wire:
        said.append("byline of a wire agency")
    return tuple(said)


# --- evidence -----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    matched: set[Span] = field(default_factory=set)  # own spans of matched passages
    corrupted: dict[Span, tuple[str, ...]] = field(default_factory=dict)  # own corrupted spans, their markers
    excess_corruption: list[float] = field(default_factory=list)
    completeness: list[float] = field(default_factory=list)
    similarity: list[float] = field(default_factory=list)
    fluency: list[float] = field(default_factory=list)
    usage: list[float] = field(default_factory=list)
    boilerplate_words: list[float] = field(default_factory=list)
    unmatched: dict[Span, int] = field(default_factory=dict)  # story passages unmatched, times unmatched


# The tally's lists of one value per pair compared, in the order of the pairs.
_TALLIED_VALUES = ("excess_corruption", "completeness", "similarity", "fluency", "usage", "boilerplate_words")


def gather_evidence(
    members: Sequence[Article], pairs: Mapping[tuple[str, str], Pair], model: LanguageModel | None = None
) -> dict[str, Evidence]:
    """The evidence for every member of one cluster, from the pairs `compared_pairs` names."""
    setting = _Setting.of(members, model)
    tallies = _tally(setting, pairs, comparisons(members, setting.partners))
    return evidence_from(members, tallies, {a.id: setting.texts[a.id].clean for a in members}, setting.partners)


def comparisons(members: Sequence[Article], partners: Mapping[str, set[str]] | None = None) -> list[tuple[str, str]]:
    """The pairs of members `compared_pairs` names, in the order their evidence is tallied: by the place of the
    first member, then of the second, in `members` (the order of a tally's values is that of its sums).
    `partners`: the members' partners when known already."""
    partners = partners or _partners(members)
    position = {a.id: i for i, a in enumerate(members)}
    return [
        (first.id, members[second].id)
        for i, first in enumerate(members)
        for second in sorted(position[other] for other in partners[first.id] if position[other] > i)
    ]


def tally_evidence(
    members: Sequence[Article],
    pairs: Mapping[tuple[str, str], Pair],
    model: LanguageModel | None,
    compared: Sequence[tuple[str, str]],
) -> dict[str, _Tally]:
    """The members' tallies from the pairs `compared` alone (a stretch of `comparisons(members)`, in order): a
    large cluster's stretches are tallied in parallel, then joined by `join_tallies`."""
    return _tally(_Setting.of(members, model), pairs, compared)


def join_tallies(parts: Sequence[Mapping[str, _Tally]]) -> dict[str, _Tally]:
    """The tallies of consecutive stretches of `comparisons(members)` joined, as one tally of them all would be."""
    joined = {member: _Tally() for member in parts[0]}
    for part in parts:
        for member, tally in part.items():
            into = joined[member]
            into.matched |= tally.matched
            into.corrupted.update(tally.corrupted)  # a later pair's markers for a span replace an earlier's
            for name in _TALLIED_VALUES:
                getattr(into, name).extend(getattr(tally, name))
            for span, times in tally.unmatched.items():
                into.unmatched[span] = into.unmatched.get(span, 0) + times
    return joined


def evidence_from(
    members: Sequence[Article],
    tallies: Mapping[str, _Tally],
    cleaned: Mapping[str, str],
    partners: Mapping[str, set[str]] | None = None,
) -> dict[str, Evidence]:
    """The members' evidence from their tallies; `cleaned`: each member's cleaned text (`document.clean_text`);
    `partners`: the members' partners when known already."""
    partners = partners or _partners(members)
    dated = [a.date for a in members if a.date]
    earliest = min(dated) if dated and len(set(dated)) > 1 else None
    mean_similarity = _mean([_mean(tallies[a.id].similarity) for a in members])
    evidence: dict[str, Evidence] = {}
    for article in members:
        tally = tallies[article.id]
        others = len(partners[article.id])
        evidence[article.id] = Evidence(
            matched_passages=len(tally.matched),
            corrupted_passages=len(tally.corrupted),
            corruption=round(_mean(tally.excess_corruption), 4),
            markers=dict(Counter(marker for markers in tally.corrupted.values() for marker in markers)),
            completeness=round(_mean(tally.completeness), 4),
            # Unmatched against every member compared: material no other copy has.
            added_passages=sum(1 for times in tally.unmatched.values() if times >= others),
            boilerplate=round(_mean(tally.boilerplate_words), 4),
            agreement=round(_mean(tally.similarity) - mean_similarity, 4) if len(members) > 2 else 0.0,
            fluency=round(_mean(tally.fluency), 4),
            usage=round(_mean(tally.usage), 4),
            earliest=earliest is not None and article.date == earliest,
            wire=_has_wire_byline(article, cleaned[article.id]),
        )
    return evidence


def cleaned_texts(members: Sequence[Article]) -> dict[str, str]:
    """Each member's cleaned text, as `evidence_from` reads it."""
    return {a.id: _clean(a) for a in members}


@dataclass(frozen=True, slots=True)
class _Setting:
    """What comparing members of one cluster reads besides the pairs: their texts, their partners, the story's
    vocabulary as each member's partners tell it (for telling added story text from boilerplate), and the model
    without them."""

    texts: dict[str, _PlainText]
    partners: dict[str, set[str]]
    others_words: dict[str, frozenset[int]]
    model: LanguageModel
    # Per member, its added sentences judged so far (`_split_added`): a member's unmatched text recurs in each of
    # its comparisons, and a long text's was judged again in each (22 of the 24 s of a 6.6 MB text's cluster).
    judged: dict[str, dict[str, _Judged]] = field(default_factory=dict)

    @classmethod
    def of(cls, members: Sequence[Article], model: LanguageModel | None) -> _Setting:
        texts = {a.id: _PlainText.of(a) for a in members}
        own_words = {a.id: texts[a.id].story_words for a in members}
        partners = _partners(members)
        others_words = {a.id: frozenset().union(*(own_words[other] for other in partners[a.id])) for a in members}
        left_out = model.without(texts[a.id].clean for a in members) if model is not None else _NO_MODEL
        return cls(texts, partners, others_words, left_out)


def _partners(members: Sequence[Article]) -> dict[str, set[str]]:
    """Each member's partners: those `compared_pairs` pairs it with."""
    partners: dict[str, set[str]] = {a.id: set() for a in members}
    for first_id, second_id in compared_pairs([a.id for a in members]):
        partners[first_id].add(second_id)
        partners[second_id].add(first_id)
    return partners


def _tally(
    setting: _Setting, pairs: Mapping[tuple[str, str], Pair], compared: Sequence[tuple[str, str]]
) -> dict[str, _Tally]:
    tallies = {member: _Tally() for member in setting.texts}
    for first_id, second_id in compared:
        pair = pairs.get((first_id, second_id)) or pairs.get((second_id, first_id))
        if pair is not None:
            _compare(pair, setting, tallies)
    return tallies


def _compare(pair: Pair, setting: _Setting, tallies: Mapping[str, _Tally]) -> None:
    """Add one pair's evidence to both members' tallies."""
    model = setting.model
    a, b = setting.texts[pair.a], setting.texts[pair.b]
    tally_a, tally_b = tallies[pair.a], tallies[pair.b]
    grams_a: set = set()
    grams_b: set = set()
    weighted = 0.0
    aligned_tokens = 0
    usage = 0.0
    aligned_words = {"a": 0, "b": 0}
    corrupted = {"a": 0, "b": 0}
    for passage in pair.passages:
        if passage.a_span is None or passage.b_span is None:
            continue
        tally_a.matched.add(passage.a_span)
        tally_b.matched.add(passage.b_span)
        if passage.corrupted_side is not None:
            tally, span = (tally_a, passage.a_span) if passage.corrupted_side == "a" else (tally_b, passage.b_span)
            tally.corrupted[span] = passage.markers
            corrupted[passage.corrupted_side] += 1
        words_a, words_b = a.tokens(passage.a_span), b.tokens(passage.b_span)
        aligned_words["a"] += a.words(passage.a_span)
        aligned_words["b"] += b.words(passage.b_span)
        aligned_tokens += len(words_a) + len(words_b)
        weighted += passage.score * (len(words_a) + len(words_b))
        if passage.score < 1.0:
            if model.documents:  # the differing bigrams, which only fluency reads (below)
                ga, gb = bigrams(words_a), bigrams(words_b)
                grams_a |= ga - gb
                grams_b |= gb - ga
            usage += _usage(
                words_a, words_b, a.occurrences, b.occurrences, a.reader(passage.a_span), b.reader(passage.b_span)
            )
    excess = corrupted["a"] - corrupted["b"]
    tally_a.excess_corruption.append(math.tanh(max(0, excess) / 2))
    tally_b.excess_corruption.append(math.tanh(max(0, -excess) / 2))
    similarity = weighted / aligned_tokens if aligned_tokens else 0.0
    tally_a.similarity.append(similarity)
    tally_b.similarity.append(similarity)
    tally_a.usage.append(usage)
    tally_b.usage.append(-usage)
    # A model that counts no document weighs fluency 0 (below): nothing to compute then.
    fluency_a, fluency_b = model.mean_associations(grams_a, grams_b) if model.documents else (None, None)
    if fluency_a is not None and fluency_b is not None:
        advantage = (
            (fluency_a - fluency_b)
            * min(1.0, (len(grams_a) + len(grams_b)) / _FLUENCY_FULL_AT)
            * min(1.0, model.documents / _FLUENCY_FULL_CORPUS)
        )
        tally_a.fluency.append(advantage)
        tally_b.fluency.append(-advantage)
    # Unmatched passages: story text one side lacks, or boilerplate one side added; judged sentence by sentence.
    extra = {"a": [0, 0], "b": [0, 0]}  # [story words, boilerplate words] only on that side
    aligned = {
        "a": _extent([p.a_span for p in pair.passages if p.a_span and p.b_span]),
        "b": _extent([p.b_span for p in pair.passages if p.a_span and p.b_span]),
    }
    for passage in pair.passages:
        side, span = ("a", passage.a_span) if passage.label == "only-in-a" else ("b", passage.b_span)
        if passage.label not in ("only-in-a", "only-in-b") or span is None:
            continue
        plain = a if side == "a" else b
        member = plain.article.id
        story_words, boilerplate_words = _split_added(
            plain.span_text(span),
            setting.others_words[member],
            model,
            _interior(span, aligned[side]),
            setting.judged.setdefault(member, {}),
            plain.is_plain,
        )
        extra[side][0] += story_words
        extra[side][1] += boilerplate_words
        if story_words > boilerplate_words:
            tally = tally_a if side == "a" else tally_b
            tally.unmatched[span] = tally.unmatched.get(span, 0) + 1
    # Completeness: the share of the other side's content (aligned + story text only it has) this side contains.
    for side, other, tally in (("a", "b", tally_a), ("b", "a", tally_b)):
        content = aligned_words[other] + extra[other][0]
        tally.completeness.append(aligned_words[other] / content if content else 1.0)
        own_total = aligned_words[side] + extra[side][0] + extra[side][1]
        tally.boilerplate_words.append(extra[side][1] / own_total if own_total else 0.0)


@dataclass(frozen=True, slots=True)
class _PlainText:
    """An article's original text, read through its spans: a span's tokens are their hashes (`word_hashes`, which
    the language model reads), and their text is read only where the usage evidence asks for it.

    What is read of a span is kept: the passages of a member recur in each of its pairs (and each pair reads
    them twice), and re-tokenising them was most of `_compare` (cProfile).
    """

    article: Article
    # The cleaned text (`document.clean_text`), and the hashes of its tokens (`fluency.tokens`) for the usage evidence.
    clean: str
    occurrences: Occurrences
    # The hashes of its story words (`_STORY_WORD`, as `LanguageModel.hashes` hashes them).
    story_words: frozenset[int]
    # Where the clean text is the article's own text and has a plain form (`fingerprint.plain_form`): where each of
    # its tokens starts and ends, how many of the tokens before each have four characters or more (story words),
    # and how many are words (not marks). A span's tokens, story words and words are then read off the whole
    # text's instead of found again in the span's text.
    starts: list[int] | None = None
    ends: list[int] | None = None
    long_before: list[int] | None = None
    words_before: list[int] | None = None
    _tokens: dict[Span, list[int]] = field(default_factory=dict, repr=False, compare=False)
    # The tokens' text of a span whose tokens were found in the span's text.
    _strings: dict[Span, list[str]] = field(default_factory=dict, repr=False, compare=False)
    _runs: dict[Span, tuple[int, int] | None] = field(default_factory=dict, repr=False, compare=False)
    _words: dict[Span, int] = field(default_factory=dict, repr=False, compare=False)
    # A span's text where markup had to be stripped from it: its tokens, its story words and the judging of added
    # text each asked for it, and each parsed its HTML again.
    _texts: dict[Span, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, article: Article) -> _PlainText:
        clean = _clean(article)
        # Plain text is tokenised once, by a compiled pass over its UTF-8: its tokens are the lower-cased text
        # between the offsets, news punctuation included (`fluency.tokens` of it; tests/test_rank.py), hashed as
        # the model hashes them. (Their text, sliced token by token, was a third of this.)
        plain, starts, ends, hashes, long_before, words_before, story = (
            kernels.text_tokens(np.frombuffer(clean.encode("utf-8", "surrogatepass"), dtype=np.uint8), READING)
            if clean is article.text
            else _NOT_READ
        )
        if not plain:
            story_words = frozenset(word_hashes(_STORY_WORD.findall(clean.casefold())).tolist())
            hashes = word_hashes(tokens(clean))
            return cls(article, clean, Occurrences(hashes.tolist(), hashes), story_words)
        return cls(
            article,
            clean,
            Occurrences(hashes.tolist(), hashes),
            frozenset(story.tolist()),
            starts.tolist(),
            ends.tolist(),
            long_before.tolist(),
            words_before.tolist(),
        )

    @property
    def is_plain(self) -> bool:
        """Whether the text is plain text (`fingerprint.plain_form`), and so is every span's."""
        return self.starts is not None

    def span_text(self, span: Span) -> str:
        found = self._texts.get(span)
        if found is None:
            raw = self.article.text[span[0] : span[1]]
            found = self._texts[span] = strip_markup(raw).text if self.article.markup or looks_like_html(raw) else raw
        return found

    def tokens(self, span: Span | None) -> list[int]:
        """The hashes of the span's tokens (the same list each time: not to be changed)."""
        if not span:
            return []
        found = self._tokens.get(span)
        if found is None:
            run = self._run(span)
            if run is None:
                seq = self._strings[span] = tokens(self.span_text(span))
                found = word_hashes(seq).tolist()
            else:
                found = self.occurrences.tokens[run[0] : run[1]]
            self._tokens[span] = found
        return found

    def reader(self, span: Span | None) -> _Reading:
        """How `_usage` reads the span's tokens (`tokens(span)`)."""

        def text(first: int, last: int) -> list[str]:
            if not span:
                return []
            run = self._run(span)
            if run is None:
                self.tokens(span)  # finds them in the span's text, and keeps their text
                return self._strings[span][first:last]
            assert self.starts is not None and self.ends is not None  # a run is read off them
            starts, ends = self.starts[run[0] + first : run[0] + last], self.ends[run[0] + first : run[0] + last]
            return [self.clean[start:end].lower() for start, end in zip(starts, ends, strict=True)]

        def count_words(first: int, last: int) -> int:
            run = self._run(span) if span else None
            if run is None or self.words_before is None:
                return _word_count(text(first, last))
            return self.words_before[run[0] + last] - self.words_before[run[0] + first]

        return _Reading(text, count_words)

    def words(self, span: Span | None) -> int:
        """How many story words (`_STORY_WORD`) the span has."""
        if not span:
            return 0
        found = self._words.get(span)
        if found is None:
            run = self._run(span)
            if run is None or self.long_before is None:
                found = len(_STORY_WORD.findall(self.span_text(span)))
            else:
                found = self.long_before[run[1]] - self.long_before[run[0]]
            self._words[span] = found
        return found

    def _run(self, span: Span) -> tuple[int, int] | None:
        """The tokens `[first, last)` of the whole text that are the span's own tokens, or None when the span's
        tokens must be found in its text: no offsets kept, a token cut by an edge of the span, or markup in it.
        (A span whose edges cut no token holds exactly the whole tokens that start in it, and white space.)"""
        if span in self._runs:
            return self._runs[span]
        run: tuple[int, int] | None = None
        if (
            self.starts is not None
            and self.ends is not None
            and not looks_like_html(self.article.text[span[0] : span[1]])
        ):
            first, last = bisect.bisect_left(self.starts, span[0]), bisect.bisect_left(self.starts, span[1])
            if not ((first and self.ends[first - 1] > span[0]) or (last and self.ends[last - 1] > span[1])):
                run = (first, last)
        self._runs[span] = run
        return run


# From this many tokens on, a text's tokens are sorted by numpy for the counts; a shorter text's are tallied and
# placed in Python, which costs less there (a text's tally and a few dozen counts: 75 against 138 us at 128 tokens,
# 563 against 319 at 3,000; they cross between 256 and 512).
_SORTED_FROM = 512


class Occurrences:
    """A text's tokens (their text, or their hashes), counting how often a run of them occurs. A run of one token is
    counted off a tally of all the tokens, made on the first count; a longer run is looked for only where its rarest
    token is; each run is counted once. The usage evidence counts in each member's whole text for every differently
    worded stretch of every passage: scanning the text each time was a sixth of the gate's ranking (cProfile), and
    looking where the run's first token is took a pair of 4.7 MB texts 60% of 88 s, a count for each of the
    thousands of changed words in the thousands of places "the" stands. A long text's tokens are sorted once by
    numpy, which gives the tally and where each token stands (gathered in a dict, the positions took the gate's
    ranking of a long story's half-reworded copies 11 of its 41 ms); a short text's are tallied by `Counter` and
    placed in a dict (`_SORTED_FROM`)."""

    __slots__ = ("_counts", "_order", "_places", "_sorted", "_tally", "_values", "tokens")

    def __init__(self, tokens: Sequence[Hashable], values: np.ndarray | None = None) -> None:
        """`values`: the tokens as an array, `np.array(tokens)` unless given (give hashes as their own array: numpy
        reads a list of integers of which some reach 2**63 as floats)."""
        self.tokens = tokens
        self._values = values
        self._tally: dict[Hashable, int] | None = None
        # A short text's positions of each token; a long text's token positions in the order of their values, and
        # the values in that order.
        self._places: dict[Hashable, list[int]] | None = None
        self._order: np.ndarray | None = None
        self._sorted: np.ndarray | None = None
        self._counts: dict[tuple[Hashable, ...], int] = {}

    def count(self, gram: Sequence[Hashable]) -> int:
        """Occurrences of the non-empty run `gram`, overlapping ones included."""
        run = tuple(gram)
        found = self._counts.get(run)
        if found is not None:
            return found
        if len(self.tokens) >= _SORTED_FROM:
            found = self._count_sorted(run)
        elif len(run) == 1:
            if self._tally is None:
                self._tally = Counter(self.tokens)
            found = self._tally[run[0]]
        else:
            if self._places is None:
                self._places = {}
                for position, token in enumerate(self.tokens):
                    self._places.setdefault(token, []).append(position)
            positions = [self._places.get(token, ()) for token in run]
            # Where the run starts if its rarest token (the k-th) stands at i.
            k = min(range(len(run)), key=lambda at: len(positions[at]))
            found = self._starting(run, k, positions[k])
        self._counts[run] = found
        return found

    def _count_sorted(self, run: tuple[Hashable, ...]) -> int:
        """`count` of a long text, off its tokens sorted once."""
        if self._tally is None or self._order is None or self._sorted is None:
            values = np.array(self.tokens) if self._values is None else self._values
            self._order = np.argsort(values, kind="stable")
            self._sorted = values[self._order]
            starts = np.flatnonzero(np.concatenate([[True], self._sorted[1:] != self._sorted[:-1]]))
            counts = np.diff(np.append(starts, len(values)))
            self._tally = dict(zip(self._sorted[starts].tolist(), counts.tolist(), strict=True))
        tally = self._tally
        k = min(range(len(run)), key=lambda at: tally.get(run[at], 0))
        if len(run) == 1 or run[k] not in tally:
            return tally.get(run[k], 0)
        first, last = np.searchsorted(self._sorted, run[k], "left"), np.searchsorted(self._sorted, run[k], "right")
        return self._starting(run, k, self._order[first:last].tolist())

    def _starting(self, run: tuple[Hashable, ...], k: int, positions: Sequence[int]) -> int:
        """How many times `run` occurs with its k-th token at one of `positions`."""
        n, seq = len(run), self.tokens
        return sum(1 for i in positions if i >= k and tuple(seq[i - k : i - k + n]) == run)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A passage's tokens as `_usage` reads them: `text(first, last)`, the text of tokens `first..last - 1`;
    `count_words(first, last)`, how many of them are words (start with a letter or digit; not only story words),
    which plain text tells without their text (`_PlainText.reader`)."""

    text: Callable[[int, int], list[str]]
    count_words: Callable[[int, int], int]

    @classmethod
    def of_text(cls, tokens: Sequence[str]) -> _Reading:
        """The reading of tokens that are their own text."""
        return cls(lambda first, last: list(tokens[first:last]), lambda first, last: _word_count(tokens[first:last]))


def _word_count(tokens: Sequence[str]) -> int:
    return sum(1 for t in tokens if t[0].isalnum())


def _alternatives(x: _Reading, i1: int, i2: int, y: _Reading, j1: int, j2: int) -> bool:
    """Whether two readings (tokens `i1..i2 - 1` of x, `j1..j2 - 1` of y) are alternatives for one another: as many
    words ("said"/"stated"), or the same letters ("U.S."/"US", "per cent"/"percent"). A diff also pairs a phrase
    with a common word ("think-tank" with "the", where a copy dropped words); counting how often the text uses "the"
    would then side with the copy. (Most stretches have as many words: their text is read only when not.)"""
    if x.count_words(i1, i2) == y.count_words(j1, j2):
        return True
    words_x = [t for t in x.text(i1, i2) if t[0].isalnum()]
    words_y = [t for t in y.text(j1, j2) if t[0].isalnum()]
    return "".join(words_x) == "".join(words_y)


def _usage(
    words_a: Sequence[Hashable],
    words_b: Sequence[Hashable],
    doc_a: Occurrences,
    doc_b: Occurrences,
    read_a: _Reading | None = None,
    read_b: _Reading | None = None,
) -> float:
    """Evidence for side a's readings in one aligned passage: for each short stretch worded differently (a reads x
    where b reads y, two alternatives), log((1 + uses of x in b) / (1 + uses of y in a)). Each copy's text
    elsewhere is the author's text too, so an original is consistent with itself where a copy changed some
    occurrences of a word (a synonym, a spelling) but not others; when a copy changed every occurrence, neither
    count sees it and the evidence is 0.

    The tokens are their text, or stand for it one to one (their hashes): then `read_a` reads `words_a`, and
    `read_b` b's.
    """
    read_a = read_a or _Reading.of_text(words_a)  # type: ignore[arg-type]
    read_b = read_b or _Reading.of_text(words_b)  # type: ignore[arg-type]
    total = 0.0
    for i1, i2, j1, j2 in _replaced(words_a, words_b):
        if i2 - i1 <= _USAGE_SPAN and j2 - j1 <= _USAGE_SPAN and _alternatives(read_a, i1, i2, read_b, j1, j2):
            total += math.log((1 + doc_b.count(words_a[i1:i2])) / (1 + doc_a.count(words_b[j1:j2])))
    return total


def _replaced(x: Sequence[Hashable], y: Sequence[Hashable]) -> Iterator[tuple[int, int, int, int]]:
    """The stretches `x[i1:i2]`, `y[j1:j2]` where both sequences have tokens between two runs of their longest common
    subsequence: rapidfuzz's Indel opcodes, compiled (difflib's matcher took 0.6 s of the 3.5 s that ranking the
    clusters of 20,000 documents took, replayed in one process)."""
    i = j = 0
    for tag, i1, i2, j1, j2 in Indel.opcodes(x, y).as_list():
        if tag == "equal":
            if i1 > i and j1 > j:
                yield i, i1, j, j1
            i, j = i2, j2
    if len(x) > i and len(y) > j:
        yield i, len(x), j, len(y)


def _extent(spans: Sequence[Span]) -> tuple[int, int] | None:
    """Where the first of `spans` to end ends and where the last to start starts (None: no spans)."""
    return (min(end for _, end in spans), max(start for start, _ in spans)) if spans else None


def _interior(span: Span, aligned: tuple[int, int] | None) -> bool:
    """Whether shared text lies both before and after `span`: the stretch sits inside the story. `aligned`: the
    `_extent` of the shared passages."""
    return aligned is not None and aligned[0] <= span[0] and aligned[1] >= span[1]


@dataclass(slots=True)
class _Judged:
    """What `_split_added` found of one sentence: its story words, whether it is a row of figures (asked only of
    a sentence with too few story words), and (once asked) whether other documents repeat it while it is off the
    story."""

    words: int
    figures: bool
    repeated: bool | None = None


def _split_added(
    text: str,
    story: frozenset[int],
    model: LanguageModel,
    interior: bool = False,
    judged: dict[str, _Judged] | None = None,
    plain: bool = False,
) -> tuple[int, int]:
    """Words of added material that are story text and words that are boilerplate, sentence by sentence.

    A sentence is boilerplate when it has fewer story words than a headline fragment, sits at an edge of the text
    and is not a row of figures (page furniture frames a story and carries no figures; a short line between
    shared passages is a line of the story that the other copy cut), or when other documents of the corpus repeat
    most of it while it shares little vocabulary with the story (site navigation, sign-up and copyright lines
    recur on every page of a site; a story's own sentences do not). `story`: the hashes of the story's words
    (`LanguageModel.hashes`). `plain`: the text is plain text (`fingerprint.plain_form`), which is read faster.
    """
    story_count = boilerplate_count = 0
    judged = {} if judged is None else judged
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        found = judged.get(sentence)
        if found is None:
            own = _PLAIN_STORY_WORD.findall(sentence.lower()) if plain else _STORY_WORD.findall(sentence.casefold())
            figures = len(own) < _MIN_STORY_WORDS and len(_FIGURE.findall(sentence)) >= _ROW_FIGURES
            found = judged[sentence] = _Judged(len(own), figures)
            # Only a sentence off the story can be repeated boilerplate. (A model that counts no document finds
            # nothing repeated: neither the share nor the sentence's cohesion with the story is computed then.)
            if not model.documents or _cohesion(own, story, model) >= _ON_TOPIC_SHARE:
                found.repeated = False
        short = found.words < _MIN_STORY_WORDS and not interior and not found.figures
        if not short and found.repeated is None:
            found.repeated = model.repeated_share(sentence, plain) >= _REPEATED_SHARE
        if short or found.repeated:
            boilerplate_count += found.words
        else:
            story_count += found.words
    return story_count, boilerplate_count


def _cohesion(words: list[str], story: frozenset[int], model: LanguageModel) -> float:
    """The share of a sentence's story words (`words`) that the story uses (`story`: their hashes)."""
    return sum(1 for h in model.hashes(words) if h in story) / len(words) if words else 0.0


# What `kernels.text_tokens` gives for text it does not read (markup stripped: its offsets are not the text's).
_NOT_READ = (False, *([np.zeros(0, dtype=np.int64)] * 6))


def _clean(article: Article) -> str:
    return clean_text(article).text


def _has_wire_byline(article: Article, clean: str) -> bool:
    if article.source and _WIRE_SOURCES.search(article.source):
        return True
    return _WIRE.search(clean[:400]) is not None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
