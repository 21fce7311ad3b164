"""Passage alignment of two documents: which sentences correspond, and what changed in each.

Sentences are compared as word sequences (normalised words, so quotes, case and markup do not count) with the
Indel similarity of rapidfuzz; each sentence of one side is matched to at most one of the other, best first.
Matched passages are labelled, unmatched stretches reported as `only-in-a` / `only-in-b`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from dedupe.config import AlignConfig
from dedupe.document import Document
from dedupe.markers import garble_markers
from dedupe.models import PassageMatch, Span


@dataclass(frozen=True, slots=True)
class _Match:
    a: int  # sentence index in a
    b: int  # sentence index in b
    score: float


@dataclass(frozen=True, slots=True)
class Alignment:
    """The passages of a document pair and how much of each side they account for."""

    passages: tuple[PassageMatch, ...]
    # Share of each side's words inside matched passages.
    coverage_a: float
    coverage_b: float
    # Words (on side a) of the longest matched passage that is verbatim or edited: evidence of reuse.
    longest_reuse: int


def align(a: Document, b: Document, config: AlignConfig | None = None) -> Alignment:
    """Aligned and unaligned passages of `a` and `b`, with spans into each article's ORIGINAL text.

    Matched passages come in the order of `a`, then the stretches only `a` has, then those only `b` has.
    """
    config = config or AlignConfig()
    matches = _match_sentences(a, b, config)
    passages: list[PassageMatch] = []
    longest_reuse = 0
    for run in _verbatim_runs(a, b, matches):
        passage = _label(a, b, run, config)
        passages.append(passage)
        if passage.score >= config.edited_similarity:
            longest_reuse = max(longest_reuse, sum(_length(a, m.a) for m in run))
    matched_a = {m.a for m in matches}
    matched_b = {m.b for m in matches}
    passages.extend(_unmatched(a, matched_a, "only-in-a"))
    passages.extend(_unmatched(b, matched_b, "only-in-b"))
    return Alignment(
        passages=tuple(passages),
        coverage_a=_coverage(a, matched_a),
        coverage_b=_coverage(b, matched_b),
        longest_reuse=longest_reuse,
    )


def _length(doc: Document, sentence: int) -> int:
    first, last = doc.sentence_words[sentence]
    return int(last - first)


def _coverage(doc: Document, matched: set[int]) -> float:
    if not doc.words:
        return 0.0
    return round(sum(_length(doc, i) for i in matched) / len(doc.words), 4)


def sentence_words(doc: Document, index: int) -> tuple[str, ...]:
    first, last = doc.sentence_words[index]
    return doc.words[first:last]


def _match_sentences(a: Document, b: Document, config: AlignConfig) -> list[_Match]:
    """One-to-one sentence matches at or above `min_similarity`, best first, ordered by position in `a`."""
    words_a = [sentence_words(a, i) for i in range(len(a.sentences))]
    words_b = [sentence_words(b, j) for j in range(len(b.sentences))]
    sets_b = [frozenset(w) for w in words_b]
    scored: list[_Match] = []
    for i, wa in enumerate(words_a):
        if len(wa) < config.min_words:
            continue
        set_a = frozenset(wa)
        for j, wb in enumerate(words_b):
            # Two sentences above the similarity floor must share a good part of their words.
            if len(wb) < config.min_words or len(set_a & sets_b[j]) * 2 < config.min_similarity * min(
                len(set_a), len(sets_b[j])
            ):
                continue
            score = Indel.normalized_similarity(wa, wb, score_cutoff=config.min_similarity)
            if score:
                scored.append(_Match(i, j, score))
    scored.sort(key=lambda m: (-m.score, m.a, m.b))
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen: list[_Match] = []
    for match in scored:
        if match.a not in used_a and match.b not in used_b:
            used_a.add(match.a)
            used_b.add(match.b)
            chosen.append(match)
    return sorted(chosen, key=lambda m: m.a)


def _verbatim_runs(a: Document, b: Document, matches: list[_Match]) -> list[list[_Match]]:
    """Group matches into passages: consecutive verbatim sentences on both sides form one passage."""
    runs: list[list[_Match]] = []
    for match in matches:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and previous.score == 1.0
            and match.score == 1.0
            and match.a == previous.a + 1
            and match.b == previous.b + 1
        ):
            runs[-1].append(match)
        else:
            runs.append([match])
    return runs


def _label(a: Document, b: Document, run: list[_Match], config: AlignConfig) -> PassageMatch:
    span_a = _sentences_span(a, run[0].a, run[-1].a)
    span_b = _sentences_span(b, run[0].b, run[-1].b)
    score = min(m.score for m in run)
    text_a = a.clean.text[span_a[0] : span_a[1]]
    text_b = b.clean.text[span_b[0] : span_b[1]]
    # A marker counts only when the other side is free of it: the original may use a dash the same way.
    markers_a = set(garble_markers(text_a))
    markers_b = set(garble_markers(text_b))
    only_a, only_b = markers_a - markers_b, markers_b - markers_a
    side: str | None = None
    if only_a or only_b:
        label = "corrupted"
        side = "b" if len(only_b) >= len(only_a) else "a"
    elif score == 1.0:
        label = "verbatim"
    elif score >= config.edited_similarity:
        label = "edited"
    else:
        label = "rewritten"
    markers = tuple(sorted(only_b if side == "b" else only_a)) if side else ()
    return PassageMatch(a.to_original(span_a), b.to_original(span_b), label, round(score, 4), markers, side)


def _sentences_span(doc: Document, first: int, last: int) -> Span:
    return doc.sentences[first][0], doc.sentences[last][1]


def _unmatched(doc: Document, matched: set[int], label: str) -> list[PassageMatch]:
    """Stretches of consecutive unmatched sentences, one passage each."""
    passages: list[PassageMatch] = []
    run_start: int | None = None
    for index in range(len(doc.sentences) + 1):
        free = index < len(doc.sentences) and index not in matched
        if free and run_start is None:
            run_start = index
        elif not free and run_start is not None:
            span = doc.to_original(_sentences_span(doc, run_start, index - 1))
            passages.append(
                PassageMatch(span if label == "only-in-a" else None, span if label == "only-in-b" else None, label, 0.0)  # type: ignore[arg-type]
            )
            run_start = None
    return passages
