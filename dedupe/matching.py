"""The aligner's sentence matching (`align.match`), compiled, for many document pairs at once.

Most pairs a scan verifies turn out unrelated (three in four among 20,000 generated documents, four in five of the
gate's checks at 1M: benchmarks/README.md), and most of them hold a sentence pair the aligner would match, so no
bound on single sentences rules them out. What decides is the matching as a whole: its coverage of each side and
its longest verbatim or edited match (`verify.classify`). This module computes those three figures by the same
steps as `align.match` (identical sentences first, then the best pairs one to one, growth over split sentences,
dangling fragments, verbatim runs joined, word-level Indel scores) on 64-bit hashes of the words, terms and
figures, so that the screen sends on to alignment only pairs that can relate. tests/test_matching.py proves the
figures equal `align.match`'s; only a collision of two 64-bit hashes could make them differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit, prange

from dedupe.config import ScanConfig
from dedupe.flat import DOCUMENTS, Layout, spread
from dedupe.kernels import (
    _indel_similarity,
    _pack,
    _same_words,
    _shared,
    _shared_bound,
    _sorted_unique,
    _stable_order,
    sentence_hashes,
    set_sketches,
    set_slots,
)
from dedupe.profiles import CorpusFeatures

_U64 = np.uint64
# Thresholds compared on rounded figures in `align` (coverage and scores to 4 places) are compared here this much
# lower on the exact ones, so that rounding can only keep a pair.
_ROUNDING = 1e-4


@dataclass(frozen=True, slots=True)
class Sentences:
    """What the matching reads of each sentence of many documents: document d's sentences are rows
    `sentence_bounds[d]:sentence_bounds[d + 1]` and its words `words[word_bounds[d]:word_bounds[d + 1]]`."""

    sentence_bounds: np.ndarray
    word_bounds: np.ndarray
    # Per word: its 64-bit hash.
    words: np.ndarray
    # Per sentence: its first word (an index into `words`), its word count, a hash of its word sequence, whether
    # its text ends in ".", "!" or "?", and its sorted sets of term and figure hashes as `(values, bounds)`.
    starts: np.ndarray
    lengths: np.ndarray
    sequence: np.ndarray
    terminal: np.ndarray
    term_values: np.ndarray
    term_bounds: np.ndarray
    figure_values: np.ndarray
    figure_bounds: np.ndarray
    # Per sentence: the sketch of its term set (`kernels.set_sketches`: three words of bits and a count), which
    # bounds the terms two sentences share. (numba's cache of this module's kernels is checked against this file
    # only: a change to the inlined `_shared_bound` or `_shared` must touch this file too.)
    term_sketches: np.ndarray
    layout: ClassVar[Layout] = Layout(
        {
            "sentence_bounds": (DOCUMENTS, "sentences"),
            "word_bounds": (DOCUMENTS, "words"),
            "term_bounds": ("sentences", "terms"),
            "figure_bounds": ("sentences", "figures"),
        },
        {
            "words": "words",
            "starts": "sentences",
            "lengths": "sentences",
            "sequence": "sentences",
            "terminal": "sentences",
            "term_values": "terms",
            "figure_values": "figures",
            "term_sketches": "sentences",
        },
        pointers={"starts": "words"},
    )


def sentences(features: CorpusFeatures) -> Sentences:
    """The matching's view of documents given by their word features."""
    starts, lengths, sequence, term_values, term_bounds, figure_values, figure_bounds = _sentence_sets(
        features.hashes,
        features.terms,
        features.figures,
        features.word_bounds,
        features.ranges,
        features.sentence_bounds,
    )
    return Sentences(
        features.sentence_bounds,
        features.word_bounds,
        features.hashes,
        starts,
        lengths,
        sequence,
        features.terminal,
        term_values,
        term_bounds,
        figure_values,
        figure_bounds,
        set_sketches(term_values, term_bounds),
    )


@dataclass(frozen=True, slots=True)
class Matches:
    """What `align.match` finds for each of many pairs: the coverage of each side and the longest reuse,
    unrounded, and its sentence matches."""

    coverage_a: np.ndarray
    coverage_b: np.ndarray
    longest_reuse: np.ndarray
    # Pair k's matches are rows `rows[slots[k]:slots[k] + counts[k]]`.
    rows: np.ndarray
    slots: np.ndarray
    counts: np.ndarray

    def of(self, k: int) -> np.ndarray:
        """Pair k's sentence matches as rows `(a0, a1, b0, b1)`: inclusive ranges of sentence indexes within each
        document, in order of a (`align.Matching.matches`)."""
        return self.rows[self.slots[k] : self.slots[k] + self.counts[k]]

    def taken(self, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sentence matches of pairs `ks`, one after another in a copy of their own, and how many each has."""
        counts = self.counts[ks]
        return self.rows[spread(self.slots[ks], counts)], counts


def match_pairs(pairs: np.ndarray, sentences: Sentences, config: ScanConfig) -> Matches:
    """`align.match` of each row `(i, j)` of `pairs` (documents of `sentences`, i as side a). A match counts as
    reuse at an Indel score of `edited_similarity` less the rounding margin (`align` compares the score rounded to
    4 places)."""
    a = config.align
    return Matches(
        *_match_pairs(
            np.ascontiguousarray(pairs, dtype=np.int64),
            sentences.sentence_bounds,
            sentences.word_bounds,
            sentences.words,
            sentences.starts,
            sentences.lengths,
            sentences.sequence,
            sentences.terminal,
            sentences.term_values,
            sentences.term_bounds,
            sentences.figure_values,
            sentences.figure_bounds,
            sentences.term_sketches,
            a.min_words,
            a.min_similarity,
            a.min_shared_figures,
            a.split_gain,
            a.edited_similarity - _ROUNDING,
        )
    )


def may_relate(pairs: np.ndarray, sentences: Sentences, config: ScanConfig, found: Matches | None = None) -> np.ndarray:
    """Whether each pair's matching (`found`, or `match_pairs` of them) could make it related without a high
    shingle Jaccard (`verify.classify`): coverage enough for a near-duplicate (whose names are then checked in
    Python) or a long enough reused match. False means `relate` would find the pair unrelated unless its Jaccard
    reaches `near_jaccard`."""
    if found is None:
        found = match_pairs(pairs, sentences, config)
    return may_be_near(pairs, sentences, config, found) | (found.longest_reuse >= config.reuse_min_words)


def may_be_near(pairs: np.ndarray, sentences: Sentences, config: ScanConfig, found: Matches) -> np.ndarray:
    """Whether each pair's matching `found` covers enough of it for `verify.classify` to make it a near-duplicate
    without a high shingle Jaccard (its names are checked in Python). False means `relate` gives the pair at most
    partial reuse unless its Jaccard reaches `near_jaccard`."""
    words = np.diff(sentences.word_bounds)
    a_shorter = words[pairs[:, 0]] <= words[pairs[:, 1]]
    shorter = np.where(a_shorter, found.coverage_a, found.coverage_b)
    return (np.minimum(found.coverage_a, found.coverage_b) >= config.near_coverage - _ROUNDING) | (
        shorter >= config.contained_coverage - _ROUNDING
    )


@njit(parallel=True, cache=True)
def _sentence_sets(
    hashes: np.ndarray,
    terms: np.ndarray,
    figures: np.ndarray,
    word_bounds: np.ndarray,
    ranges: np.ndarray,
    sentence_bounds: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Per sentence: first word, word count, word-sequence hash (0 when empty), and the sorted unique 64-bit term
    and figure hashes as `(values, bounds)` (`kernels.sentence_hashes`, which the profiles keep in 32 bits)."""
    n = len(word_bounds) - 1
    m = len(ranges)
    starts = np.empty(m, dtype=np.int64)
    lengths = np.empty(m, dtype=np.int64)
    for d in range(n):
        for s in range(sentence_bounds[d], sentence_bounds[d + 1]):
            starts[s] = word_bounds[d] + ranges[s, 0]
            lengths[s] = ranges[s, 1] - ranges[s, 0]
    sequence = np.zeros(m, dtype=np.uint64)
    term_slots, figure_slots = set_slots(terms, figures, starts, lengths)
    term_scratch = np.empty(term_slots[m], dtype=np.uint64)
    figure_scratch = np.empty(figure_slots[m], dtype=np.uint64)
    term_sizes = np.zeros(m, dtype=np.int64)
    figure_sizes = np.zeros(m, dtype=np.int64)
    for s in prange(m):
        h, t, f = sentence_hashes(
            hashes,
            terms,
            figures,
            starts[s],
            starts[s] + lengths[s],
            term_scratch[term_slots[s] : term_slots[s + 1]],
            figure_scratch[figure_slots[s] : figure_slots[s + 1]],
            _U64(0),
        )
        sequence[s] = h if lengths[s] else _U64(0)
        term_sizes[s] = _sorted_unique(term_scratch[term_slots[s] : term_slots[s] + t])
        figure_sizes[s] = _sorted_unique(figure_scratch[figure_slots[s] : figure_slots[s] + f])
    term_values, term_bounds = _pack(term_scratch, term_slots, term_sizes)
    figure_values, figure_bounds = _pack(figure_scratch, figure_slots, figure_sizes)
    return starts, lengths, sequence, term_values, term_bounds, figure_values, figure_bounds


@njit(cache=True)
def _union(values: np.ndarray, bounds: np.ndarray, first: int, last: int, out: np.ndarray) -> int:
    """The union of the sets of sentences `first..last` (inclusive) into `out`, sorted; returns its size."""
    count = 0
    for s in range(first, last + 1):
        for k in range(bounds[s], bounds[s + 1]):
            out[count] = values[k]
            count += 1
    if last > first:
        count = _sorted_unique(out[:count])
    return count


@njit(cache=True)
def _dice(
    values: np.ndarray, bounds: np.ndarray, a0: int, a1: int, b0: int, b1: int, x: np.ndarray, y: np.ndarray
) -> float:
    """`align.term_similarity` of the term unions of sentences `a0..a1` and `b0..b1`."""
    nx = _union(values, bounds, a0, a1, x)
    ny = _union(values, bounds, b0, b1, y)
    if nx + ny == 0:
        return 0.0
    return 2 * _shared(x, 0, nx, y, 0, ny) / (nx + ny)


@njit(cache=True)
def _figures_agree(values: np.ndarray, bounds: np.ndarray, s: int, u: int, min_shared: float) -> bool:
    f0, f1, g0, g1 = bounds[s], bounds[s + 1], bounds[u], bounds[u + 1]
    if f1 == f0 or g1 == g0:
        return True
    return _shared(values, f0, f1, values, g0, g1) >= min_shared * min(f1 - f0, g1 - g0)


@njit(parallel=True, cache=True)
def _match_pairs(
    pairs: np.ndarray,
    sentence_bounds: np.ndarray,
    word_bounds: np.ndarray,
    words: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    sequence: np.ndarray,
    terminal: np.ndarray,
    term_values: np.ndarray,
    term_bounds: np.ndarray,
    figure_values: np.ndarray,
    figure_bounds: np.ndarray,
    term_sketches: np.ndarray,
    min_words: int,
    min_similarity: float,
    min_shared_figures: float,
    split_gain: float,
    reuse_similarity: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    coverage_a = np.zeros(len(pairs), dtype=np.float64)
    coverage_b = np.zeros(len(pairs), dtype=np.float64)
    longest = np.zeros(len(pairs), dtype=np.int64)
    counts = np.zeros(len(pairs), dtype=np.int64)
    # A pair has at most as many matches as its shorter side has sentences: room for that many rows each.
    slots = np.zeros(len(pairs) + 1, dtype=np.int64)
    for row in range(len(pairs)):
        i, j = pairs[row, 0], pairs[row, 1]
        room = min(sentence_bounds[i + 1] - sentence_bounds[i], sentence_bounds[j + 1] - sentence_bounds[j])
        slots[row + 1] = slots[row] + room
    rows = np.empty((slots[len(pairs)], 4), dtype=np.int32)
    for row in prange(len(pairs)):
        coverage_a[row], coverage_b[row], longest[row], counts[row] = _match(
            sentence_bounds[pairs[row, 0]],
            sentence_bounds[pairs[row, 0] + 1],
            sentence_bounds[pairs[row, 1]],
            sentence_bounds[pairs[row, 1] + 1],
            word_bounds[pairs[row, 0] + 1] - word_bounds[pairs[row, 0]],
            word_bounds[pairs[row, 1] + 1] - word_bounds[pairs[row, 1]],
            words,
            starts,
            lengths,
            sequence,
            terminal,
            term_values,
            term_bounds,
            figure_values,
            figure_bounds,
            term_sketches,
            min_words,
            min_similarity,
            min_shared_figures,
            split_gain,
            reuse_similarity,
            rows[slots[row] : slots[row + 1]],
        )
    return coverage_a, coverage_b, longest, rows, slots, counts


@njit(cache=True)
def _identical(sa: int, na: int, sb: int, nb: int, lengths: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """For each sentence of a (rows `sa:sa + na`), the sentence of b (rows `sb:sb + nb`) identical to it, -1 for
    none: the k-th sentence of a with some words takes the k-th of b with the same words (word count and sequence
    hash). The two documents' sentences are met in order of their hashes (ties in place order): looking through b
    for each sentence of a made two long texts' pair square in their lengths (a 14 kB story against 52 copies:
    10 of the 27 ms of their matching)."""
    same = np.full(na, -1, dtype=np.int64)
    order_a, order_b = _stable_order(sequence[sa : sa + na]), _stable_order(sequence[sb : sb + nb])
    p = q = 0
    while p < na and q < nb:
        value, other = sequence[sa + order_a[p]], sequence[sb + order_b[q]]
        if other < value:
            q += 1
        elif value < other:
            p += 1
        else:
            p_end, q_end = p + 1, q + 1
            while p_end < na and sequence[sa + order_a[p_end]] == value:
                p_end += 1
            while q_end < nb and sequence[sb + order_b[q_end]] == value:
                q_end += 1
            for x in range(p, p_end):
                i = order_a[x]
                if lengths[sa + i] == 0:
                    continue
                k = 0  # the sentences of a before this one with the same words
                for earlier in range(p, x):
                    k += lengths[sa + order_a[earlier]] == lengths[sa + i]
                for y in range(q, q_end):
                    if lengths[sb + order_b[y]] == lengths[sa + i]:
                        if k == 0:
                            same[i] = order_b[y]
                            break
                        k -= 1
            p, q = p_end, q_end
    return same


@njit(cache=True)
def _grown(values: np.ndarray, least: int, most: int) -> np.ndarray:
    """`values` in an array twice as long, or `least` long if that is longer (and at most `most`), its elements
    copied."""
    bigger = np.empty(min(max(2 * len(values), least), most), dtype=values.dtype)
    bigger[: len(values)] = values
    return bigger


@njit(cache=True)
def _scoring_pairs(
    first: int,
    sa: int,
    na: int,
    sb: int,
    nb: int,
    term_values: np.ndarray,
    term_bounds: np.ndarray,
    term_sketches: np.ndarray,
    min_similarity: float,
    candidates_i: np.ndarray,
    candidates_j: np.ndarray,
    candidate_scores: np.ndarray,
    c: int,
) -> tuple[int, int]:
    """The sentence pairs of a's sentences `first`.. (rows `sa:sa + na`) with b's (`sb:sb + nb`) that share two
    terms or more at `min_similarity`, written from place `c` of the candidate arrays as `(i, j, score)`; stops at
    the first sentence of a whose row might not fit. Returns that sentence (na when done) and the count written."""
    for i in range(first, na):
        if c + nb > len(candidates_i):
            return i, c
        s = sa + i
        size_s = term_bounds[s + 1] - term_bounds[s]
        if size_s < 2:
            continue
        for j in range(nb):
            u = sb + j
            size_u = term_bounds[u + 1] - term_bounds[u]
            if size_u < 2 or 2 * min(size_s, size_u) < min_similarity * (size_s + size_u) - 1e-9:
                continue
            # The sketches bound what the two share: most sentence pairs of a pair share too few terms to score.
            bound = _shared_bound(term_sketches, s, u)
            if bound < 2 or 2 * bound < min_similarity * (size_s + size_u) - 1e-9:
                continue
            shared = _shared(
                term_values, term_bounds[s], term_bounds[s + 1], term_values, term_bounds[u], term_bounds[u + 1]
            )
            if shared < 2:
                continue
            score = 2 * shared / (size_s + size_u)
            if score >= min_similarity:
                candidates_i[c], candidates_j[c], candidate_scores[c] = i, j, score
                c += 1
    return na, c


@njit(cache=True)
def _match(
    sa: int,
    sa_end: int,
    sb: int,
    sb_end: int,
    words_a: int,
    words_b: int,
    words: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    sequence: np.ndarray,
    terminal: np.ndarray,
    term_values: np.ndarray,
    term_bounds: np.ndarray,
    figure_values: np.ndarray,
    figure_bounds: np.ndarray,
    term_sketches: np.ndarray,
    min_words: int,
    min_similarity: float,
    min_shared_figures: float,
    split_gain: float,
    reuse_similarity: float,
    joined: np.ndarray,
) -> tuple[float, float, int, int]:
    """`align.match` of one pair (sentences `sa:sa_end` against `sb:sb_end`, global rows), step by step as
    `align._match_sentences` takes them; returns `(coverage_a, coverage_b, longest_reuse, matches)` and writes the
    matches to the first rows of `joined` as `(a0, a1, b0, b1)`, inclusive sentence ranges within each document,
    in order of a."""
    na, nb = sa_end - sa, sb_end - sb
    used_a = np.zeros(na, dtype=np.bool_)
    used_b = np.zeros(nb, dtype=np.bool_)
    # Matches as rows (a0, a1, b0, b1), sentence indexes within each document, and their scores.
    found = np.empty((min(na, nb), 4), dtype=np.int64)
    scores = np.empty(min(na, nb), dtype=np.float64)
    count = 0
    # Identical sentences first, in order of a.
    identical = _identical(sa, na, sb, nb, lengths, sequence)
    for i in range(na):
        same = identical[i]
        if same >= 0:
            used_a[i] = used_b[same] = True
            found[count, 0] = found[count, 1] = i
            found[count, 2] = found[count, 3] = same
            scores[count] = 1.0
            count += 1
    # Then sentence pairs sharing two terms or more at `min_similarity`, best first (ties in order of a, then b).
    # Room grows as needed, a row of a at a time: most sentence pairs score too low, and na * nb slots for two long
    # texts would not fit.
    room = min(na * nb, 16 + na + nb)
    candidates_i = np.empty(room, dtype=np.int64)
    candidates_j = np.empty(room, dtype=np.int64)
    candidate_scores = np.empty(room, dtype=np.float64)
    i = c = 0
    while True:
        i, c = _scoring_pairs(
            i,
            sa,
            na,
            sb,
            nb,
            term_values,
            term_bounds,
            term_sketches,
            min_similarity,
            candidates_i,
            candidates_j,
            candidate_scores,
            c,
        )
        if i == na:
            break
        candidates_i = _grown(candidates_i, c + nb, na * nb)
        candidates_j = _grown(candidates_j, c + nb, na * nb)
        candidate_scores = _grown(candidate_scores, c + nb, na * nb)
    order = _stable_order(-candidate_scores[:c])
    for k in order:
        i, j = candidates_i[k], candidates_j[k]
        if used_a[i] or used_b[j] or min(lengths[sa + i], lengths[sb + j]) < min_words:
            continue
        if not _figures_agree(figure_values, figure_bounds, sa + i, sb + j, min_shared_figures):
            continue
        used_a[i] = used_b[j] = True
        found[count, 0] = found[count, 1] = i
        found[count, 2] = found[count, 3] = j
        scores[count] = candidate_scores[k]
        count += 1
    # Growth over split or merged sentences (`align._grow_over_splits`), on the unions of term sets.
    x = np.empty(term_bounds[sa_end] - term_bounds[sa] + 1, dtype=term_values.dtype)
    y = np.empty(term_bounds[sb_end] - term_bounds[sb] + 1, dtype=term_values.dtype)
    for m in range(count):
        while True:
            a0, a1, b0, b1 = found[m, 0], found[m, 1], found[m, 2], found[m, 3]
            current = _dice(term_values, term_bounds, sa + a0, sa + a1, sb + b0, sb + b1, x, y)
            best, best_side, best_neighbour = 0.0, -1, -1
            for side in range(2):
                first, last, n = (a0, a1, na) if side == 0 else (b0, b1, nb)
                for neighbour in (first - 1, last + 1):
                    if not 0 <= neighbour < n or (used_a[neighbour] if side == 0 else used_b[neighbour]):
                        continue
                    lo, hi = min(first, neighbour), max(last, neighbour)
                    if side == 0:
                        grown = _dice(term_values, term_bounds, sa + lo, sa + hi, sb + b0, sb + b1, x, y)
                    else:
                        grown = _dice(term_values, term_bounds, sa + a0, sa + a1, sb + lo, sb + hi, x, y)
                    if grown >= current + split_gain and (best_side < 0 or grown > best):
                        best, best_side, best_neighbour = grown, side, neighbour
            if best_side < 0:
                scores[m] = current
                break
            if best_side == 0:
                used_a[best_neighbour] = True
                found[m, 0], found[m, 1] = min(a0, best_neighbour), max(a1, best_neighbour)
            else:
                used_b[best_neighbour] = True
                found[m, 2], found[m, 3] = min(b0, best_neighbour), max(b1, best_neighbour)
    # A free fragment of fewer than `min_words` words that ends in a full stop joins the match before it.
    for m in range(count):
        following = found[m, 1] + 1
        if (
            following < na
            and not used_a[following]
            and lengths[sa + following] < min_words
            and terminal[sa + following]
        ):
            used_a[following] = True
            found[m, 1] = following
        following = found[m, 3] + 1
        if (
            following < nb
            and not used_b[following]
            and lengths[sb + following] < min_words
            and terminal[sb + following]
        ):
            used_b[following] = True
            found[m, 3] = following
    # In order of a (each sentence of a is in one match at most), consecutive verbatim matches become one.
    by_a = _stable_order(found[:count, 0])
    joined_scores = np.empty(count, dtype=np.float64)
    n_joined = 0
    for m in by_a:
        a0, a1, b0, b1 = found[m, 0], found[m, 1], found[m, 2], found[m, 3]
        if n_joined > 0:
            p = n_joined - 1
            if (
                joined_scores[p] == 1.0
                and scores[m] == 1.0
                and a0 == joined[p, 1] + 1
                and b0 == joined[p, 3] + 1
                and _same_words(
                    words,
                    starts[sa + a0],
                    starts[sa + a1] + lengths[sa + a1],
                    starts[sb + b0],
                    starts[sb + b1] + lengths[sb + b1],
                )
                and _same_words(
                    words,
                    starts[sa + joined[p, 0]],
                    starts[sa + joined[p, 1]] + lengths[sa + joined[p, 1]],
                    starts[sb + joined[p, 2]],
                    starts[sb + joined[p, 3]] + lengths[sb + joined[p, 3]],
                )
            ):
                joined[p, 1], joined[p, 3] = a1, b1
                continue
        joined[n_joined, 0], joined[n_joined, 1], joined[n_joined, 2], joined[n_joined, 3] = a0, a1, b0, b1
        joined_scores[n_joined] = scores[m]
        n_joined += 1
    # Coverage: the words of matched sentences; reuse: the longest match on side a whose words score as edited.
    covered_a = 0
    covered_b = 0
    longest = 0
    row = np.empty(words_b + 1, dtype=np.int64)
    for m in range(n_joined):
        a0, a1, b0, b1 = joined[m, 0], joined[m, 1], joined[m, 2], joined[m, 3]
        for i in range(a0, a1 + 1):
            covered_a += lengths[sa + i]
        for j in range(b0, b1 + 1):
            covered_b += lengths[sb + j]
        x0, x1 = starts[sa + a0], starts[sa + a1] + lengths[sa + a1]
        y0, y1 = starts[sb + b0], starts[sb + b1] + lengths[sb + b1]
        span = x1 - x0
        # The Indel similarity is at most 2 min / (|x| + |y|): compute it only where the match could be longest.
        if span <= longest or 2 * min(span, y1 - y0) < reuse_similarity * (span + y1 - y0):
            continue
        if _same_words(words, x0, x1, y0, y1) or _indel_similarity(words, x0, x1, y0, y1, row) >= reuse_similarity:
            longest = span
    return (
        covered_a / words_a if words_a else 0.0,
        covered_b / words_b if words_b else 0.0,
        longest,
        n_joined,
    )
