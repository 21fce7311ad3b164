"""Passage alignment of two documents: which sentences correspond, and what changed in each.

The steps, in order (each needs the one before):

1. **Terms.** Each sentence becomes a set of content terms: its normalised words without function words, cut to
   their first five letters (a cheap stemmer: "officers" and "officer" meet, as do "capture" and "captured").
   Sets, not sequences, so reordered and machine-translated sentences still meet.
2. **Similar sentences.** The Dice coefficient of the term sets of every sentence pair sharing at least two terms,
   computed at once with numpy from an inverted index (no all-pairs Python loop).
3. **Passages** (what a reader sees): identical sentences first, then pairs at or above `min_similarity`, one to
   one, best first; a match then absorbs a free neighbouring sentence when that raises the similarity (one
   sentence split in two, or two merged into one), and a dangling fragment of a word or two ("Russian friends.")
   that follows it. Each passage is labelled from the word-level Indel similarity of its two sides and the
   garbling markers that fire on one side only. What is left are `only-in-a` / `only-in-b` stretches, except
   that a left-over sentence carrying garbling markers is its own one-sided `corrupted` passage.
4. **Passages merged into regions** (where reuse is): sentence pairs that are each other's best match start a
   region at `seed_similarity`, join one they lie within `region_gap` sentences of, and extend one they lie
   within `extend_gap` sentences of at `extend_similarity`, and a sentence in a region takes in its other parts
   next to it (a sentence split in several); nearby regions merge, small ones are dropped, overlaps on side a
   keep the best. A region that is mostly runs of `copy_words` words both sides share is a verbatim copy and
   takes the exact edges of those runs, matched one to one (a source that repeats the copied text lends one
   copy), split where the source side jumps between long copies (passages copied from different places); the
   ends of any other are trimmed to the first and last word pair the other side shares, then grown back to the
   edges of their sentences where that adds at most half of one, and such regions next to each other on side a
   join (a summary draws one paragraph from several places). A region is one reused passage that may span
   many sentences and several rewordings, reported once: this is what a plagiarism-detection benchmark scores
   (granularity near 1 needs one detection per reused passage), and it is a general mechanism, not a PAN rule.

Every span is mapped to the ORIGINAL text through `Document.to_original`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from dedupe import flat, kernels
from dedupe.config import AlignConfig
from dedupe.document import Document, prepare
from dedupe.fingerprint import word_hashes
from dedupe.markers import MarkerSites, PlainMarkers, heading_markers, markers_among, may_be_heading
from dedupe.models import Article, PassageMatch, Region, Span

# Function words carry no content: two sentences sharing only these are not the same sentence.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once
    only or other our ours out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours said says say mr mrs ms""".split()
)
# Terms are words cut to this many characters: on MSRP, prefixes of 4-5 characters separate paraphrases from
# unrelated sentences best (benchmarks/calibrate_labels.py).
STEM = 5


@dataclass(frozen=True, slots=True)
class Alignment:
    """The passages of a document pair and how much of each side they account for.

    `passages` are the reader's view: matched sentences with labels, then the stretches only one side has.
    `regions` are the merged view: contiguous stretches of reuse that may hold many passages and small gaps.
    """

    passages: tuple[PassageMatch, ...]
    # Share of each side's words inside matched passages.
    coverage_a: float
    coverage_b: float
    # Words (on side a) of the longest matched passage that is verbatim or edited: evidence of reuse.
    longest_reuse: int
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True, slots=True)
class _Similar:
    """Sentence pairs sharing at least two terms, as parallel arrays (sentence in a, sentence in b, Dice)."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    # Share of the smaller sentence's terms found in the other (the overlap coefficient), and that size.
    contained: np.ndarray
    smaller: np.ndarray
    # True where the sentence in a is the smaller one (has no more terms than the one in b).
    a_smaller: np.ndarray


@dataclass(frozen=True, slots=True)
class _Sentences:
    """What alignment reads of each sentence of a document, computed once per document: a document is in many
    candidate pairs (76,708 screened pairs among 12,978 documents at 20,000), and per pair these were most of
    `align` (cProfile)."""

    # The words of each sentence and how many.
    words: list[tuple[str, ...]]
    lengths: list[int]
    # Sentences by their words (sentences with words only): where an identical sentence of the other side is found.
    copies: dict[tuple[str, ...], list[int]]
    # The `(term, sentence)` rows of `sentence_terms`, terms as `word_hashes` and the rows sorted by them, and the
    # number of terms of each sentence.
    term_hashes: np.ndarray
    term_sentences: np.ndarray
    term_counts: np.ndarray
    # The figures of sentences (`sentence_figures`), found when a sentence pair first needs them: few sentences get
    # that far, and finding them for every sentence was 6% of `align`.
    known_figures: dict[int, frozenset[str]]

    def figures(self, doc: Document, index: int) -> frozenset[str]:
        """The figures of sentence `index` of `doc` (the document these sentences are of)."""
        found = self.known_figures.get(index)
        if found is None:
            first, last = doc.sentence_words[index].tolist()
            found = self.known_figures[index] = _figures(doc, first, last)
        return found


def _sentences(doc: Document) -> _Sentences:
    return doc.derived("align sentences", _read_sentences)


def _read_sentences(doc: Document) -> _Sentences:
    words = [doc.words[first:last] for first, last in doc.sentence_words.tolist()]
    copies: dict[tuple[str, ...], list[int]] = {}
    for j, sentence in enumerate(words):
        if sentence:
            copies.setdefault(sentence, []).append(j)
    terms = doc.derived("terms", sentence_terms)
    counts = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    hashes = word_hashes([t for sentence_terms_ in terms for t in sentence_terms_])
    order = np.argsort(hashes, kind="stable")
    return _Sentences(
        words=words,
        lengths=[len(sentence) for sentence in words],
        copies=copies,
        term_hashes=hashes[order],
        term_sentences=np.repeat(np.arange(len(terms), dtype=np.int64), counts)[order],
        term_counts=counts,
        known_figures={},
    )


@dataclass(slots=True)
class _Match:
    """A matched passage under construction: sentence ranges `[a0, a1]`, `[b0, b1]` (inclusive)."""

    a0: int
    a1: int
    b0: int
    b1: int
    score: float


def align_texts(text_a: str, text_b: str, config: AlignConfig | None = None) -> Alignment:
    """Align two plain texts (or HTML): the convenience form of `align`.

    >>> alignment = align_texts("The cat sat on the mat today.", "The cat sat on the mat today.")
    >>> [p.label for p in alignment.passages]
    ['verbatim']
    """
    return align(prepare(Article("a", text_a)), prepare(Article("b", text_b)), config)


def align(a: Document, b: Document, config: AlignConfig | None = None, *, regions: bool = True) -> Alignment:
    """Aligned and unaligned passages of `a` and `b`, with spans into each article's ORIGINAL text.

    Matched passages come in the order of `a`, then the stretches only `a` has, then those only `b` has.
    Empty documents align to nothing: every sentence of the other side is `only-in-*`. With `regions` False the
    merged regions are not computed (verification needs only the passages).
    """
    return match(a, b, config).alignment(regions=regions)


@dataclass(frozen=True, slots=True)
class Matching:
    """The sentence matches of two documents and the measures verification decides on, before any passage is
    built: most pairs a scan verifies turn out unrelated, and for them the passages (labels, garbling markers,
    left-over stretches) were a third of `align` (cProfile of the 5,998 pairs verified among 5,000 documents)."""

    a: Document
    b: Document
    config: AlignConfig
    # The term similarities of the two documents' sentence pairs (for regions), None until regions need them.
    similar: _Similar | None
    matches: tuple[_Match, ...]
    # The word-level Indel similarity of each match's two sides.
    scores: tuple[float, ...]
    coverage_a: float
    coverage_b: float
    # Words (on side a) of the longest match that is verbatim or edited: evidence of reuse.
    longest_reuse: int

    def alignment(self, *, regions: bool = True) -> Alignment:
        """The passages (and, with `regions`, the merged regions) of these matches: `align`'s result."""
        a, b, config = self.a, self.b, self.config
        passages = [_label(a, b, m, score, config) for m, score in zip(self.matches, self.scores, strict=True)]
        passages.extend(_unmatched(a, {i for m in self.matches for i in range(m.a0, m.a1 + 1)}, "a"))
        passages.extend(_unmatched(b, {j for m in self.matches for j in range(m.b0, m.b1 + 1)}, "b"))
        return Alignment(
            passages=tuple(passages),
            coverage_a=self.coverage_a,
            coverage_b=self.coverage_b,
            longest_reuse=self.longest_reuse,
            regions=_regions(a, b, self._similar(), config) if regions else (),
        )

    def _similar(self) -> _Similar:
        if self.similar is not None:
            return self.similar
        return _similar_sentences(_sentences(self.a), _sentences(self.b))


def match(
    a: Document, b: Document, config: AlignConfig | None = None, sentence_matches: np.ndarray | None = None
) -> Matching:
    """The sentence matches of `a` and `b` (steps 1 to 3 without the labels) and their coverage of each side.

    `sentence_matches`: the matches as `matching.match_pairs` finds them in compiled code, rows `(a0, a1, b0, b1)`
    (tests/test_matching.py proves them this function's own); then only their scores and figures are computed.
    """
    config = config or AlignConfig()
    similar = None
    if sentence_matches is None:
        terms_a, terms_b = a.derived("terms", sentence_terms), b.derived("terms", sentence_terms)
        similar = _similar_sentences(_sentences(a), _sentences(b))
        matches = _match_sentences(a, b, terms_a, terms_b, similar, config)
    else:
        # (A match's term similarity only ordered the matching; the compiled matching does not return it.)
        matches = [_Match(a0, a1, b0, b1, math.nan) for a0, a1, b0, b1 in sentence_matches.tolist()]
    # The scores on the word hashes, by one compiled call (rapidfuzz's Indel similarity of each match's words).
    bounds = (
        np.array([(m.a0, m.a1, m.b0, m.b1) for m in matches], dtype=np.int64).reshape(-1, 4)
        if sentence_matches is None
        else sentence_matches.astype(np.int64)  # (the rows the matches were read from)
    )
    found = kernels.passage_scores(a.word_hashes, a.sentence_words, b.word_hashes, b.sentence_words, bounds)
    scores = tuple(found.tolist())
    # Compared as the passages give their scores, rounded (`_label`).
    reused = [m for m, score in zip(matches, scores, strict=True) if round(score, 4) >= config.edited_similarity]
    longest_reuse = max((_words_in(a, m.a0, m.a1) for m in reused), default=0)
    return Matching(
        a=a,
        b=b,
        config=config,
        similar=similar,
        matches=tuple(matches),
        scores=scores,
        coverage_a=_coverage(a, {i for m in matches for i in range(m.a0, m.a1 + 1)}),
        coverage_b=_coverage(b, {j for m in matches for j in range(m.b0, m.b1 + 1)}),
        longest_reuse=longest_reuse,
    )


def sentence_terms(doc: Document) -> list[frozenset[str]]:
    """The content terms of each sentence of `doc` (see the module docstring, step 1)."""
    result: list[frozenset[str]] = []
    for first, last in doc.sentence_words:
        result.append(frozenset(w[:STEM] for w in doc.words[first:last] if w not in STOPWORDS))
    return result


# Wire style spells out small numbers ("three cts"), so these count as figures too (English only).
NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred".split()
)


def sentence_figures(doc: Document) -> list[frozenset[str]]:
    """The figures of each sentence of `doc`, a figure of several words (`figure_marks`) as one string."""
    return [_figures(doc, first, last) for first, last in doc.sentence_words.tolist()]


def figure_marks(doc: Document, first: int = 0, last: int | None = None) -> list[int]:
    """Per word of `doc.words[first:last]`: whether it states a figure (a word with a digit, or a number word).

    `kernels.FIGURE_PART` marks a figure word joined to the figure word before it by one of
    `kernels.FIGURE_JOINERS` with no space: "4,236,000", "12.5" and "3/4" are three and two words but one figure
    each, so two earnings lines do not agree on "000" and two bond notices on the "8" of "1-3/8" and "5/8".
    `kernels.FIGURE_START` marks any other figure word, 0 a word that is no figure.
    """
    last = len(doc.words) if last is None else last
    text = doc.clean.text
    marks: list[int] = []
    for k in range(first, last):
        word = doc.words[k]
        # `isalpha` first: no character is both alphabetic and a digit (checked over all of Unicode), and most
        # words are letters only, so the per-character test runs on few words (it was 14% of `align` on PAN 2013).
        if not (word in NUMBER_WORDS or (not word.isalpha() and any(c.isdigit() for c in word))):
            marks.append(0)
            continue
        # Offsets are read only after a figure word: most figures stand alone.
        joined = k > first and marks[-1] != 0
        if joined:
            start = int(doc.word_starts[k])
            joined = int(doc.word_ends[k - 1]) == start - 1 and text[start - 1] in kernels.FIGURE_JOINERS
        marks.append(kernels.FIGURE_PART if joined else kernels.FIGURE_START)
    return marks


def _figures(doc: Document, first: int, last: int) -> frozenset[str]:
    figures: list[str] = []
    for word, mark in zip(doc.words[first:last], figure_marks(doc, first, last), strict=True):
        if mark == kernels.FIGURE_PART:
            figures[-1] += " " + word
        elif mark:
            figures.append(word)
    return frozenset(figures)


def figures_agree(x: frozenset[str], y: frozenset[str], min_shared: float) -> bool:
    """False when both sentences state figures and share less than `min_shared` of the smaller set of them.

    A copy, even garbled or translated, keeps a sentence's figures; reports written to one template (earnings,
    dividends, bond issues, results) share their words and differ in their figures, so their sentences are not
    the same passage.
    """
    if not x or not y:
        return True
    return len(x & y) >= min_shared * min(len(x), len(y))


def term_similarity(x: frozenset[str], y: frozenset[str]) -> float:
    """Dice coefficient of two term sets, in [0, 1] (0 when both are empty)."""
    if not x and not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _similar_sentences(a: _Sentences, b: _Sentences) -> _Similar:
    """Dice of every sentence pair sharing two or more terms (`kernels.shared_terms`, a merge of the two
    documents' term rows)."""
    index_a, index_b, shared = kernels.shared_terms(
        a.term_hashes, a.term_sentences, b.term_hashes, b.term_sentences, len(b.term_counts)
    )
    size_a, size_b = a.term_counts[index_a], b.term_counts[index_b]
    score = 2 * shared / (size_a + size_b)
    smaller = np.minimum(size_a, size_b)
    return _Similar(index_a, index_b, score, shared / smaller, smaller, size_a <= size_b)


def _match_sentences(
    a: Document,
    b: Document,
    terms_a: list[frozenset[str]],
    terms_b: list[frozenset[str]],
    similar: _Similar,
    config: AlignConfig,
) -> list[_Match]:
    """One-to-one sentence matches, best first, grown over split/merged sentences and dangling fragments."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches: list[_Match] = []
    sentences_a, sentences_b = _sentences(a), _sentences(b)
    # Identical sentences first, whatever their length: a copy is always found. The k-th sentence of a with some
    # words takes the k-th sentence of b with the same words.
    taken: dict[tuple[str, ...], int] = {}
    for i, words in enumerate(sentences_a.words):
        same = sentences_b.copies.get(words)
        if same and taken.get(words, 0) < len(same):
            j = same[taken.get(words, 0)]
            taken[words] = taken.get(words, 0) + 1
            used_a.add(i)
            used_b.add(j)
            matches.append(_Match(i, i, j, j, 1.0))
    candidates = np.flatnonzero(similar.score >= config.min_similarity)
    order = candidates[np.lexsort((similar.b[candidates], similar.a[candidates], -similar.score[candidates]))]
    for k in order.tolist():
        i, j = int(similar.a[k]), int(similar.b[k])
        if i in used_a or j in used_b:
            continue
        if min(sentences_a.lengths[i], sentences_b.lengths[j]) < config.min_words:
            continue
        if not figures_agree(sentences_a.figures(a, i), sentences_b.figures(b, j), config.min_shared_figures):
            continue
        used_a.add(i)
        used_b.add(j)
        matches.append(_Match(i, i, j, j, float(similar.score[k])))
    for match in matches:
        _grow_over_splits(match, terms_a, terms_b, used_a, used_b, config)
    for match in matches:
        _absorb_fragments(match, a, b, used_a, used_b, config)
    matches.sort(key=lambda m: (m.a0, m.b0))
    return _join_verbatim_runs(a, b, matches)


def _grow_over_splits(
    match: _Match,
    terms_a: list[frozenset[str]],
    terms_b: list[frozenset[str]],
    used_a: set[int],
    used_b: set[int],
    config: AlignConfig,
) -> None:
    """Extend a match by a free neighbouring sentence on either side while that raises its similarity.

    This is how one sentence split in two (or two merged into one) is aligned: the second half, alone, is too
    different from the whole to be matched, but adding it to the first half brings the pair closer.
    """
    while True:
        current = term_similarity(_union(terms_a, match.a0, match.a1), _union(terms_b, match.b0, match.b1))
        best: tuple[float, str, int] | None = None
        for side, first, last, terms, used in (
            ("a", match.a0, match.a1, terms_a, used_a),
            ("b", match.b0, match.b1, terms_b, used_b),
        ):
            for neighbour in (first - 1, last + 1):
                if not 0 <= neighbour < len(terms) or neighbour in used:
                    continue
                lo, hi = min(first, neighbour), max(last, neighbour)
                grown = (
                    term_similarity(_union(terms_a, lo, hi), _union(terms_b, match.b0, match.b1))
                    if side == "a"
                    else term_similarity(_union(terms_a, match.a0, match.a1), _union(terms_b, lo, hi))
                )
                if grown >= current + config.split_gain and (best is None or grown > best[0]):
                    best = (grown, side, neighbour)
        if best is None:
            match.score = current
            return
        _, side, neighbour = best
        if side == "a":
            used_a.add(neighbour)
            match.a0, match.a1 = min(match.a0, neighbour), max(match.a1, neighbour)
        else:
            used_b.add(neighbour)
            match.b0, match.b1 = min(match.b0, neighbour), max(match.b1, neighbour)


def _absorb_fragments(
    match: _Match, a: Document, b: Document, used_a: set[int], used_b: set[int], config: AlignConfig
) -> None:
    """Take in a free sentence of fewer than `min_words` words that ends a matched one ("Russian friends.").

    Such a fragment is the tail of the sentence before it, cut off by a stray full stop; on its own it can be
    matched to nothing, and reported apart it would hide the garbling. The marker `dangling-fragment` then fires
    on the passage.
    """
    for doc, used, side in ((a, used_a, "a"), (b, used_b, "b")):
        last = match.a1 if side == "a" else match.b1
        following = last + 1
        if following >= len(doc.sentences) or following in used:
            continue
        _start, end = doc.sentences[following]
        if _sentences(doc).lengths[following] >= config.min_words or doc.clean.text[end - 1] not in ".!?":
            continue
        used.add(following)
        if side == "a":
            match.a1 = following
        else:
            match.b1 = following


def _join_verbatim_runs(a: Document, b: Document, matches: list[_Match]) -> list[_Match]:
    """Consecutive verbatim matches, adjacent on both sides, form one passage."""
    joined: list[_Match] = []
    for match in matches:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.score == 1.0
            and match.score == 1.0
            and match.a0 == previous.a1 + 1
            and match.b0 == previous.b1 + 1
            and _words(a, match.a0, match.a1) == _words(b, match.b0, match.b1)
            and _words(a, previous.a0, previous.a1) == _words(b, previous.b0, previous.b1)
        ):
            previous.a1, previous.b1 = match.a1, match.b1
        else:
            joined.append(match)
    return joined


def _label(a: Document, b: Document, match: _Match, score: float, config: AlignConfig) -> PassageMatch:
    """Label a matched passage from its word-level similarity `score` and the markers one side alone carries."""
    span_a = _sentences_span(a, match.a0, match.a1)
    span_b = _sentences_span(b, match.b0, match.b1)
    # A marker counts only when the other side is free of it: the original may use a dash the same way. Two sides
    # of the same text, both opening their document or neither, carry the same markers: none is searched for (a
    # copy's passages are most often verbatim).
    only_a: set[str] = set()
    only_b: set[str] = set()
    same_text = a.clean.text[span_a[0] : span_a[1]] == b.clean.text[span_b[0] : span_b[1]]
    if not same_text or (match.a0 == 0) != (match.b0 == 0):
        markers_a = set(_passage_markers(a, match.a0, match.a1))
        markers_b = set(_passage_markers(b, match.b0, match.b1))
        only_a, only_b = markers_a - markers_b, markers_b - markers_a
    label = passage_label(score, bool(only_a or only_b), config)
    side = None
    markers: tuple[str, ...] = ()
    if label == "corrupted":
        side = "b" if len(only_b) >= len(only_a) else "a"
        markers = tuple(sorted(only_b if side == "b" else only_a))
    return PassageMatch(a.to_original(span_a), b.to_original(span_b), label, round(score, 4), markers, side)


def _passage_markers(doc: Document, first: int, last: int) -> tuple[str, ...]:
    """The garbling markers of sentences `first..last` of `doc`, kept with the document: most passages are one
    sentence, matched again in every pair the document is in (the regex searches were 10 of 92 s of `align` at
    20,000 documents, cProfile)."""
    known: dict[tuple[int, int], tuple[str, ...]] = doc.derived("passage markers", lambda _: {})
    found = known.get((first, last))
    if found is None:
        if first == last and doc.plain:
            # (A sentence's: all of them were found at once. A compiled call per passage cost more than its scan.)
            found = doc.derived("sentence markers", _plain_sentence_markers)[first]
        else:
            start, end = _sentences_span(doc, first, last)
            found = _garble_markers(doc, start, end, document_start=first == 0)
        known[first, last] = found
    return found


def _garble_markers(doc: Document, start: int, end: int, *, document_start: bool) -> tuple[str, ...]:
    """`garble_markers` of the clean text's `[start, end)`, by the document's finder (`_marker_finder`;
    tests/test_align.py checks the result against the patterns)."""
    finder: PlainMarkers | MarkerSites = doc.derived("marker finder", _marker_finder)
    return finder.garble_markers(start, end, document_start=document_start)


def _marker_finder(doc: Document) -> PlainMarkers | MarkerSites:
    """What finds the garbling markers of stretches of the clean text: for text with a plain form (nearly all news:
    ASCII, or ASCII and news punctuation), a compiled scan (`markers.PlainMarkers`); for other text, the patterns,
    searched for only where their sites are (`markers.MarkerSites`).

    The doubled-word marker needs a run of two or more letters between non-word characters, then white space,
    then the same letters in any case: in ASCII text, two consecutive words of the tokeniser (`[a-z0-9]+` runs of
    the lower-cased text) that are equal, so of equal hash, and the sites of ASCII text are told its doubled words.
    Other text is always searched for them."""
    text = doc.clean.text
    if doc.plain:
        return PlainMarkers.of(text)
    if not text.isascii():
        return MarkerSites.of(text)
    repeated = np.flatnonzero(doc.word_hashes[1:] == doc.word_hashes[:-1])
    starts, ends = doc.word_starts[repeated].tolist(), doc.word_ends[repeated + 1].tolist()
    return MarkerSites.of(text, zip(starts, ends, strict=True))


def passage_label(score: float, garbled: bool, config: AlignConfig | None = None) -> str:
    """The label of a matched passage: `corrupted` when one side carries garbling markers, else by similarity.

    `score` is the word-level Indel similarity of the two sides (1.0: the same words in the same order).
    """
    config = config or AlignConfig()
    if garbled:
        return "corrupted"
    if score >= 1.0:
        return "verbatim"
    if score >= config.edited_similarity:
        return "edited"
    return "rewritten"


def _unmatched(doc: Document, matched: set[int], side: str) -> list[PassageMatch]:
    """Stretches of consecutive unmatched sentences, one passage each.

    A left-over sentence with garbling markers becomes a one-sided `corrupted` passage of its own: it has no
    counterpart, but the reader should still see that it is garbled (a mistranslated heading, a broken join).
    """
    label = "only-in-a" if side == "a" else "only-in-b"
    passages: list[PassageMatch] = []
    run: list[int] = []
    # Kept with the document: a document in many pairs has the same sentences left over in most of them.
    markers_of: dict[int, tuple[str, ...]] = doc.derived("markers", lambda _: {})
    known: dict[tuple[int, int, str], PassageMatch] = doc.derived(f"only-in-{side}", lambda _: {})

    def one_sided(first: int, last: int, label: str, markers: tuple[str, ...]) -> PassageMatch:
        found = known.get((first, last, label))
        if found is None:
            found = known[first, last, label] = _one_sided(doc, _sentences_span(doc, first, last), side, label, markers)
        return found

    def close_run() -> None:
        if run:
            passages.append(one_sided(run[0], run[-1], label, ()))
            run.clear()

    for index in range(len(doc.sentences)):
        if index in matched:
            close_run()
            continue
        markers = markers_of.get(index)
        if markers is None:
            markers = markers_of[index] = _markers_of(doc, index)
        if markers:
            close_run()
            passages.append(one_sided(index, index, "corrupted", markers))
        else:
            run.append(index)
    close_run()
    return passages


def _markers_of(doc: Document, index: int) -> tuple[str, ...]:
    start, end = doc.sentences[index]
    sentence = doc.clean.text[start:end]
    if doc.plain:
        found = doc.derived("sentence markers", _plain_sentence_markers)[index]
    else:
        found = markers_among(sentence, doc.derived("sentence searches", _sentence_searches)[index])
    if may_be_heading(sentence):
        following = doc.clean.text[end : doc.sentences[min(index + 3, len(doc.sentences) - 1)][1]]
        found += heading_markers(sentence, following)
    return found


def _plain_sentence_markers(doc: Document) -> list[tuple[str, ...]]:
    """The garbling markers of each sentence of `doc`, a text with a plain form, by one compiled call."""
    finder: PlainMarkers = doc.derived("marker finder", _marker_finder)
    return finder.span_markers(doc.sentences, [index == 0 for index in range(len(doc.sentences))])


def _sentence_searches(doc: Document) -> list[tuple[str, ...]]:
    """The garbling markers to search for in each sentence of `doc`, a text without a plain form
    (`MarkerSites.sentence_searches`)."""
    sites: MarkerSites = doc.derived("marker finder", _marker_finder)
    return sites.sentence_searches(doc.sentences)


def _one_sided(doc: Document, span: Span, side: str, label: str, markers: tuple[str, ...]) -> PassageMatch:
    original = doc.to_original(span)
    return PassageMatch(
        original if side == "a" else None,
        original if side == "b" else None,
        label,  # type: ignore[arg-type]
        0.0,
        markers,
        side if markers else None,  # type: ignore[arg-type]
    )


def _regions(a: Document, b: Document, similar: _Similar, config: AlignConfig) -> tuple[Region, ...]:
    """Similar sentence pairs merged into contiguous regions of reuse (see the module docstring, step 4).

    Evidence: sentence pairs in which each sentence is the other's best match (documents on one topic share many
    loosely similar sentences; a copied sentence's best match is its original). Pairs at or above
    `seed_similarity` start regions, in the order of `a`; a pair joins a region when both its sentences lie
    within `region_gap` sentences of the region's extent. Pairs down to `extend_similarity` then only extend
    regions they lie within `extend_gap` sentences of. A sentence in a region then takes in its other parts
    within `extend_gap` (pairs down to `extend_similarity` that are the best match of their smaller sentence:
    one sentence split in several). Regions that come within `region_gap` of each other on both sides merge. A
    region is kept when it holds `region_min_words` words on each side, and where regions overlap on side `a`
    the one with the most evidence wins: one stretch of text has one source. A verbatim copy takes the edges of
    its copied words (`_copies`); the ends of any other region are trimmed to the first and last word pair the
    other side shares, and must still hold `region_min_words` words on each side; they are then reported to
    their sentence edges where that adds at most half of the sentence (`_sentence_edges`), and such regions
    within `extend_gap` sentences of each other on side a join, wherever their sources lie.
    """
    # Regions start from strong evidence only; weaker pairs then extend them (hysteresis, as in edge detection):
    # a loosely similar pair is evidence next to a region, and chance anywhere else.
    strong = _best_seeds(similar, config.seed_similarity, config)
    weak = [s for s in _best_seeds(similar, config.extend_similarity, config) if s[2] < config.seed_similarity]
    open_regions: list[list[float]] = []  # [a0, a1, b0, b1, score sum, count]
    for seed in strong:
        if not _extend(open_regions, seed, config.region_gap):
            open_regions.append([seed[0], seed[0], seed[1], seed[1], seed[2], 1])
    grown = True
    while grown and weak:
        grown = False
        left = []
        for seed in weak:
            if _extend(open_regions, seed, config.extend_gap):
                grown = True
            else:
                left.append(seed)
        weak = left
    # A sentence split in several, or several merged into one (random obfuscation does both): each part's best
    # match is the whole, but the whole has one best part, so the other parts are no mutual best match. Once the
    # whole is in a region, its other parts next to the region join it (PAN training sample of 400 pairs a folder:
    # overall plagdet 0.891 -> 0.895, 03 0.888 -> 0.897, 02 0.972 -> 0.975; 8 of 400 negative pairs flagged, not 5).
    _add_parts(open_regions, _parts(similar, config.extend_similarity, config), config.extend_gap)
    candidates = [
        r
        for r in _merge_overlapping(open_regions, config.region_gap)
        if min(_words_in(a, int(r[0]), int(r[1])), _words_in(b, int(r[2]), int(r[3]))) >= config.region_min_words
        and r[5] >= config.region_min_pairs
    ]
    # The most evidence first; a region overlapping a kept one on side a is dropped.
    candidates.sort(key=lambda r: -r[4])
    kept: list[list[float]] = []
    for region in candidates:
        if all(region[1] < other[0] or other[1] < region[0] for other in kept):
            kept.append(region)
    kept.sort()
    if not kept:
        return ()
    n = config.copy_words
    grams_a = a.derived(f"grams{n}", lambda doc: _word_ngrams(doc.word_hashes, n))
    grams_b = b.derived(f"grams{n}", lambda doc: _word_ngrams(doc.word_hashes, n))
    # Word ranges on each side, evidence, pairs, last sentence on side a, whether the region is a verbatim copy.
    found: list[tuple[tuple[int, int], tuple[int, int], float, int, int, bool]] = []
    for a0, a1, b0, b1, total, count in kept:
        a0, a1, b0, b1 = int(a0), int(a1), int(b0), int(b1)
        copies = _copies(a, b, (a0, a1, b0, b1), grams_a, grams_b, config)
        if copies is None:
            words_a, words_b = _words(a, a0, a1), _words(b, b0, b1)
            pieces = [(_trim(a, a0, a1, _bigrams(words_b)), _trim(b, b0, b1, _bigrams(words_a)))]
        else:
            pieces = [((wa0, wa1), (wb0, wb1)) for wa0, wa1, wb0, wb1 in copies]
        for words_in_a, words_in_b in pieces:
            # The minimum size holds for the words between the region's first and last evidence: trimmed, a region
            # may be a few words ("elderly women."). On the PAN training sample of 200 pairs a folder: overall
            # plagdet 0.863 -> 0.874, 02 0.953 -> 0.961.
            if min(words_in_a[1] - words_in_a[0], words_in_b[1] - words_in_b[0]) < config.region_min_words:
                continue
            if copies is None:
                words_in_a, words_in_b = _sentence_edges(a, *words_in_a), _sentence_edges(b, *words_in_b)
                # Reworded regions within `extend_gap` sentences of each other on side a are one passage wherever
                # their sources lie: a summary or a compilation draws one paragraph from several places (PAN 2013
                # training corpus, whole: 05 plagdet 0.350 -> 0.444, granularity 1.32 -> 1.14; overall 0.8963 ->
                # 0.9034; 03 0.9031 -> 0.9017 and 04 0.8994 -> 0.8984, where adjacent cases have other sources).
                # Verbatim copies keep theirs: those were split where their source jumps.
                previous = found[-1] if found else None
                if previous is not None and not previous[5] and a0 - previous[4] - 1 <= config.extend_gap:
                    words_in_a = (previous[0][0], words_in_a[1])
                    words_in_b = (min(previous[1][0], words_in_b[0]), max(previous[1][1], words_in_b[1]))
                    found[-1] = (words_in_a, words_in_b, previous[2] + total, previous[3] + count, a1, False)
                    continue
            found.append((words_in_a, words_in_b, total, int(count), a1, copies is not None))
    regions: list[Region] = []
    for words_in_a, words_in_b, total, count, _, _ in found:
        span_a, span_b = _words_span(a, *words_in_a), _words_span(b, *words_in_b)
        regions.append(Region(a.to_original(span_a), b.to_original(span_b), round(total / count, 4), count))
    return tuple(regions)


def _word_ngrams(hashes: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit hash of every run of `n` consecutive words (empty when there are fewer words)."""
    if len(hashes) < n:
        return np.zeros(0, dtype=np.uint64)
    combined = hashes[: len(hashes) - n + 1].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, n):
            combined = combined * np.uint64(0x9E3779B97F4A7C15) + hashes[offset : len(hashes) - n + 1 + offset]
    return combined


def _copies(
    a: Document,
    b: Document,
    region: tuple[int, int, int, int],
    grams_a: np.ndarray,
    grams_b: np.ndarray,
    config: AlignConfig,
) -> list[tuple[int, int, int, int]] | None:
    """For a region (sentences `a0..a1`, `b0..b1`) that is mostly a verbatim copy: the word ranges
    `[a0, a1), [b0, b1)` of its copied stretches, exact to the word. None when less than `copy_share` of the
    region's words on side a lie in runs of `copy_words` words copied from its side b (a rewording).

    The runs are matched one to one (longest first, none overlapping another on either side), so a source that
    repeats the copied text lends one copy, not the stretch spanning all of them. Runs that follow each other on
    side a make one stretch while side b follows too, within `copy_jump` words of the same gap: where the source
    side jumps between two stretches of `copy_split_words` or more, two passages copied from different places
    meet, and each is reported on its own. Shorter pieces in another order (a keyword list, a reordered
    sentence) stay one passage. Each stretch then follows its copy word by word past its runs.
    """
    n = config.copy_words
    first_a, last_a, first_b, last_b = region
    start_a, end_a = int(a.sentence_words[first_a][0]), int(a.sentence_words[last_a][1])
    start_b, end_b = int(b.sentence_words[first_b][0]), int(b.sentence_words[last_b][1])
    runs = _runs(grams_a[start_a : max(start_a, end_a - n + 1)], grams_b[start_b : max(start_b, end_b - n + 1)], n)
    chosen: list[tuple[int, int, int]] = []
    for i, j, length in sorted(runs, key=lambda r: (-r[2], r[0], r[1]))[:_MAX_RUNS]:
        if all((i + length <= ci or ci + cl <= i) and (j + length <= cj or cj + cl <= j) for ci, cj, cl in chosen):
            chosen.append((i, j, length))
    if end_a <= start_a or sum(r[2] for r in chosen) < config.copy_share * (end_a - start_a):
        return None
    stretches: list[list[int]] = []  # [a0, a1, b0, b1] relative to the region's first words
    for i, j, length in sorted(chosen):
        if stretches:
            last = stretches[-1]
            gap_a, gap_b = i - last[1], j - last[3]
            follows = gap_b >= 0 and abs(gap_b - gap_a) <= config.copy_jump
            if follows or min(last[1] - last[0], length) < config.copy_split_words:
                last[1], last[3] = max(last[1], i + length), max(last[3], j + length)
                last[2] = min(last[2], j)
                continue
        stretches.append([i, i + length, j, j + length])
    hashes_a, hashes_b = a.word_hashes, b.word_hashes
    result = []
    for i0, i1, j0, j1 in stretches:
        wa0, wa1, wb0, wb1 = start_a + i0, start_a + i1, start_b + j0, start_b + j1
        # The copy may go on past the region's sentences or past the last whole run: follow it word by word.
        while wa0 > 0 and wb0 > 0 and hashes_a[wa0 - 1] == hashes_b[wb0 - 1]:
            wa0, wb0 = wa0 - 1, wb0 - 1
        while wa1 < len(hashes_a) and wb1 < len(hashes_b) and hashes_a[wa1] == hashes_b[wb1]:
            wa1, wb1 = wa1 + 1, wb1 + 1
        result.append((wa0, wa1, wb0, wb1))
    return result


# Runs kept per region, longest first: enough for any copy, and a bound on text that repeats itself.
_MAX_RUNS = 256
# An n-gram found more often than this in the other side's region is boilerplate, not evidence of one copy.
_MAX_REPEATS = 64


def _runs(grams_a: np.ndarray, grams_b: np.ndarray, n: int) -> list[tuple[int, int, int]]:
    """Maximal runs of `n`-grams shared at the same offset: `(start in a, start in b, words)`."""
    if not len(grams_a) or not len(grams_b):
        return []
    order = np.argsort(grams_b, kind="stable")
    sorted_b = grams_b[order]
    low = np.searchsorted(sorted_b, grams_a, side="left")
    counts = np.searchsorted(sorted_b, grams_a, side="right") - low
    counts[counts > _MAX_REPEATS] = 0
    total = int(counts.sum())
    if total == 0:
        return []
    i = np.repeat(np.arange(len(grams_a)), counts)
    j = order[flat.spread(low, counts)]
    diagonal = j - i
    by_diagonal = np.lexsort((i, diagonal))
    i, diagonal = i[by_diagonal], diagonal[by_diagonal]
    starts = np.flatnonzero(np.concatenate(([True], (diagonal[1:] != diagonal[:-1]) | (i[1:] != i[:-1] + 1))))
    ends = np.append(starts[1:], len(i)) - 1
    first = i[starts]
    return list(zip(first.tolist(), (first + diagonal[starts]).tolist(), (i[ends] - first + n).tolist(), strict=True))


def _bigrams(words: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def _trim(doc: Document, first: int, last: int, other: set[tuple[str, str]]) -> tuple[int, int]:
    """The word range of sentences `first..last` without the words at either end that share no word pair with
    the other side: a loosely similar sentence at a region's edge is often no part of it, and a passage glued
    into a longer sentence starts inside it."""
    start = int(doc.sentence_words[first][0])
    end = int(doc.sentence_words[last][1])
    words = doc.words
    while start < end - 2 and (words[start], words[start + 1]) not in other:
        start += 1
    while end - 1 > start + 1 and (words[end - 2], words[end - 1]) not in other:
        end -= 1
    return start, end


def _sentence_edges(doc: Document, start: int, end: int) -> tuple[int, int]:
    """Words `[start, end)` grown to the edges of their first and last sentences where that adds at most half
    of the sentence: a reworded sentence (random obfuscation, a translation) shares few word pairs, and seldom
    its first or last, yet it is reused whole; a passage starting inside a sentence leaves most of it unshared.
    PAN 2013 training corpus, whole: overall plagdet 0.8879 -> 0.8963, 03 0.8894 -> 0.9031 (recall 0.839 ->
    0.874), 04 0.8876 -> 0.8994, 02 0.9779 -> 0.9771. Its cases start and end at sentence edges in most pairs;
    on 200 pairs a folder, growing over a third of a sentence gave 0.904, 0.7 of it 0.901, whole sentences
    always 0.897 (against 0.905 for half; these three with the minimum size checked after growing)."""
    firsts, lasts = doc.sentence_words[:, 0], doc.sentence_words[:, 1]
    at = int(np.searchsorted(firsts, start, side="right")) - 1
    if at >= 0 and start < lasts[at] and 2 * (start - firsts[at]) <= lasts[at] - firsts[at]:
        start = int(firsts[at])
    at = int(np.searchsorted(lasts, end - 1, side="right"))
    if at < len(lasts) and firsts[at] < end and 2 * (lasts[at] - end) <= lasts[at] - firsts[at]:
        end = int(lasts[at])
    return start, end


def _words_span(doc: Document, start: int, end: int) -> Span:
    """The clean-text span of words `[start, end)`; a range that starts or ends a sentence takes in the
    sentence's punctuation too (its closing full stop, an opening quote)."""
    span_start, span_end = doc.word_span(start, end)
    firsts, lasts = doc.sentence_words[:, 0], doc.sentence_words[:, 1]
    at = int(np.searchsorted(firsts, start))
    if at < len(firsts) and firsts[at] == start:
        span_start = doc.sentences[at][0]
    at = int(np.searchsorted(lasts, end))
    if at < len(lasts) and lasts[at] == end:
        span_end = doc.sentences[at][1]
    return span_start, span_end


def _extend(regions: list[list[float]], seed: tuple[int, int, float], gap: int) -> bool:
    """Add `seed` to the last region it lies within `gap` sentences of on both sides; False when none."""
    i, j, score = seed
    for region in reversed(regions):
        if region[0] - gap - 1 <= i <= region[1] + gap + 1 and region[2] - gap - 1 <= j <= region[3] + gap + 1:
            region[0], region[1] = min(region[0], i), max(region[1], i)
            region[2], region[3] = min(region[2], j), max(region[3], j)
            region[4] += score
            region[5] += 1
            return True
    return False


def _add_parts(regions: list[list[float]], parts: list[tuple[int, int, float, bool]], gap: int) -> None:
    """Add each part `(i, j, score, a_is_part)` to a region that holds its whole and lies within `gap` sentences
    of the part, until no part is added."""
    grown = True
    while grown:
        grown = False
        for i, j, score, a_is_part in parts:
            # Region columns: [a0, a1, b0, b1, ...]; `side` is the part's side, `other` the whole's.
            part, whole, side, other = (i, j, 0, 2) if a_is_part else (j, i, 2, 0)
            for region in reversed(regions):
                if (
                    region[other] <= whole <= region[other + 1]
                    and not region[side] <= part <= region[side + 1]
                    and region[side] - gap - 1 <= part <= region[side + 1] + gap + 1
                ):
                    region[side], region[side + 1] = min(region[side], part), max(region[side + 1], part)
                    region[4] += score
                    region[5] += 1
                    grown = True
                    break


def _best(similar: _Similar, threshold: float, config: AlignConfig) -> tuple[np.ndarray, ...]:
    """The pairs whose evidence reaches `threshold`: their sentence in a, in b, the evidence, whether the pair is
    the best match of its sentence in a (ties included), of its sentence in b, and whether the sentence in a is the
    smaller one."""
    evidence = np.where(
        similar.smaller >= config.contained_min_terms,
        np.maximum(similar.score, similar.contained * config.contained_weight),
        similar.score,
    )
    keep = evidence >= threshold
    index_a, index_b, score = similar.a[keep], similar.b[keep], evidence[keep]
    if not len(score):
        empty = np.zeros(0, dtype=bool)
        return index_a, index_b, score, empty, empty, empty
    best_a = np.zeros(int(index_a.max()) + 1)
    np.maximum.at(best_a, index_a, score)
    best_b = np.zeros(int(index_b.max()) + 1)
    np.maximum.at(best_b, index_b, score)
    return index_a, index_b, score, score >= best_a[index_a], score >= best_b[index_b], similar.a_smaller[keep]


def _best_seeds(similar: _Similar, threshold: float, config: AlignConfig) -> list[tuple[int, int, float]]:
    """Pairs at or above `threshold` in which each sentence is the other's best match (ties included)."""
    index_a, index_b, score, best_of_a, best_of_b, _ = _best(similar, threshold, config)
    best = best_of_a & best_of_b
    return sorted(zip(index_a[best].tolist(), index_b[best].tolist(), score[best].tolist(), strict=True))


def _parts(similar: _Similar, threshold: float, config: AlignConfig) -> list[tuple[int, int, float, bool]]:
    """Pairs at or above `threshold` that are the best match of their smaller sentence (the part), and whether
    that part is the sentence in a."""
    index_a, index_b, score, best_of_a, best_of_b, a_smaller = _best(similar, threshold, config)
    best = np.where(a_smaller, best_of_a, best_of_b)
    return sorted(
        zip(index_a[best].tolist(), index_b[best].tolist(), score[best].tolist(), a_smaller[best].tolist(), strict=True)
    )


def _merge_overlapping(regions: list[list[float]], gap: int) -> list[list[float]]:
    """Merge regions that overlap, or lie within `gap` sentences of each other, on both sides."""
    merged: list[list[float]] = []
    for region in sorted(regions):
        for other in merged:
            if (
                region[0] <= other[1] + gap + 1
                and other[0] <= region[1] + gap + 1
                and region[2] <= other[3] + gap + 1
                and other[2] <= region[3] + gap + 1
            ):
                other[0], other[1] = min(other[0], region[0]), max(other[1], region[1])
                other[2], other[3] = min(other[2], region[2]), max(other[3], region[3])
                other[4] += region[4]
                other[5] += region[5]
                break
        else:
            merged.append(list(region))
    return merged


def _union(terms: list[frozenset[str]], first: int, last: int) -> frozenset[str]:
    return terms[first] if first == last else frozenset().union(*terms[first : last + 1])


def _words(doc: Document, first: int, last: int) -> tuple[str, ...]:
    start = int(doc.sentence_words[first][0])
    end = int(doc.sentence_words[last][1])
    return doc.words[start:end]


def _words_in(doc: Document, first: int, last: int) -> int:
    return int(doc.sentence_words[last][1] - doc.sentence_words[first][0])


def _coverage(doc: Document, matched: set[int]) -> float:
    if not len(doc.word_hashes):
        return 0.0
    bounds = doc.sentence_words.tolist()
    return round(sum(bounds[i][1] - bounds[i][0] for i in matched) / len(doc.word_hashes), 4)


def _sentences_span(doc: Document, first: int, last: int) -> Span:
    return doc.sentences[first][0], doc.sentences[last][1]
