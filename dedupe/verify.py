"""Verification: a candidate pair becomes a `Pair` with a relation and its evidence, or nothing."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from dedupe import flat, kernels, matching, pages
from dedupe.align import Matching, match
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import ShingleSets
from dedupe.models import Pair, Relation
from dedupe.names import names_agree
from dedupe.profiles import Profiles, corpus_features
from dedupe.profiles import profiles as profiles_of

# Pairs the screen's kernel takes at a time, between progress reports (about 0.4 s on 2 cores).
_SCREEN_BLOCK = 100_000
# Documents per range of the screen's grid (`_grid`). The word features, sentence sets and profiles the screen
# holds are about 6 KB a document: a block of two ranges holds up to 2.4 GB of them. (Ranges of 250,000 made the
# screen the 1,000,000-document scan's peak, 6.0 GB; in five of 200,000 it is 5.1 GB, in as long: benchmarks/
# README.md, thirty-sixth round.)
_SCREEN_RANGE = 200_000
# Candidate pairs the grid assigns to blocks, or turns into rows of a block's features, at a time.
_GRID_SLICE = 10_000_000


def shingle_overlap(a: Document, b: Document) -> tuple[float, float, float]:
    """Exact Jaccard of the two shingle sets and the containment of each in the other."""
    if len(a.shingles) == 0 or len(b.shingles) == 0:
        return 0.0, 0.0, 0.0
    shared = kernels.shared_count(a.shingles, b.shingles)
    union = len(a.shingles) + len(b.shingles) - shared
    return shared / union, shared / len(a.shingles), shared / len(b.shingles)


def classify(a: Document, b: Document, jaccard: float, matching: Matching, config: ScanConfig) -> Relation | None:
    """The relation of two documents, or None when they are not copies of each other.

    - exact-duplicate: the same words in the same order (markup, case, quotes and spacing aside);
    - near-duplicate: the same article, edited, updated, cut or garbled: shingle Jaccard at least `near_jaccard`,
      or aligned passages covering `near_coverage` of both articles or `contained_coverage` of the shorter one
      (garbled copies share few 5-grams, so the alignment decides) while the two name the same people, places
      and firms (`names.names_agree`: notices filled in from one template align as well, but name others);
    - partial-reuse: less than that, but one passage of `reuse_min_words` words or more is verbatim or edited.
    """
    words_a, words_b = a.word_hashes, b.word_hashes
    if len(words_a) and np.array_equal(words_a, words_b):  # (64-bit hashes of the words: the same words)
        return "exact-duplicate"
    shorter_coverage = matching.coverage_a if len(words_a) <= len(words_b) else matching.coverage_b
    covered = min(matching.coverage_a, matching.coverage_b) >= config.near_coverage
    if jaccard >= config.near_jaccard or (
        (covered or shorter_coverage >= config.contained_coverage)
        and names_agree(a, b, config.min_shared_names, config.min_names)
    ):
        return "near-duplicate"
    if matching.longest_reuse >= config.reuse_min_words:
        return "partial-reuse"
    return None


def relate(
    a: Document, b: Document, config: ScanConfig | None = None, sentence_matches: np.ndarray | None = None
) -> Pair | None:
    """Verify a candidate pair: measure it exactly, align it, and give it a relation (None: unrelated).
    `sentence_matches`: its sentence matches as the screen found them (`Screened.matches`), not to find again."""
    config = config or ScanConfig()
    jaccard, containment_ab, containment_ba = shingle_overlap(a, b)
    matching = match(a, b, config.align, sentence_matches)
    relation = classify(a, b, jaccard, matching, config)
    if relation is None:
        return None
    # Passages only for a related pair: most pairs verified are not.
    alignment = matching.alignment(regions=False)
    return Pair(
        a=a.id,
        b=b.id,
        relation=relation,
        jaccard=round(jaccard, 4),
        containment_ab=round(containment_ab, 4),
        containment_ba=round(containment_ba, 4),
        passages=alignment.passages,
        coverage_a=alignment.coverage_a,
        coverage_b=alignment.coverage_b,
    )


@dataclass(frozen=True, slots=True, eq=False)
class SentenceMatches(Sequence[np.ndarray]):
    """The sentence matches of many pairs in one array: pair k's are rows `rows[bounds[k]:bounds[k + 1]]`
    (`matching.Matches.of`). One array, not one per pair: at 1,000,000 documents the screen keeps 2.4 million."""

    rows: np.ndarray
    bounds: np.ndarray

    def __len__(self) -> int:
        return len(self.bounds) - 1

    @overload
    def __getitem__(self, k: int) -> np.ndarray: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[np.ndarray]: ...
    def __getitem__(self, k: int | slice) -> np.ndarray | Sequence[np.ndarray]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if not -len(self) <= k < len(self):
            raise IndexError(f"pair {k} of {len(self)}")
        k %= len(self)
        return self.rows[self.bounds[k] : self.bounds[k + 1]]

    def __iter__(self) -> Iterator[np.ndarray]:
        rows, bounds = self.rows, self.bounds.tolist()
        return (rows[first:last] for first, last in itertools.pairwise(bounds))

    def taken(self, ks: np.ndarray) -> SentenceMatches:
        """The matches of pairs `ks`, in that order, in a copy of their own."""
        counts = self.bounds[ks + 1] - self.bounds[ks]
        return SentenceMatches.joined(self.rows[flat.spread(self.bounds[ks], counts)], counts)

    @classmethod
    def joined(cls, rows: np.ndarray, counts: np.ndarray) -> SentenceMatches:
        """Matches given as pairs' `rows`, one pair's after another, and how many each pair has."""
        bounds = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=bounds[1:])
        return cls(rows, bounds)


@dataclass(frozen=True, slots=True)
class Screened:
    """The candidates that go on to alignment (`keep`, per candidate), and the sentence matches of each kept one,
    in order, which `relate` then need not find again."""

    keep: np.ndarray
    matches: SentenceMatches


def screen(
    corpus: Corpus, candidates: np.ndarray, config: ScanConfig, progress: Callable[[int], None] | None = None
) -> Screened:
    """Which candidate pairs of a scan go on to alignment, with their sentence matches.

    A pair goes on when its shingle Jaccard reaches `near_jaccard`, or when its sentences give passage evidence
    (`ScanConfig.evidence`), one sentence pair could be aligned as a passage at all (`Profiles.screen`: the
    aligner's own condition for matching two sentences of `min_words` words or more; the gate applies this much to
    its entries), and the aligner's whole sentence matching, compiled (`matching.may_relate`), covers enough of
    the pair or holds a long enough reused passage for `classify` to relate it. All of it is decided in compiled
    code from the texts, so the many pairs LSH proposes for sharing common sentence words (templated wire copy,
    one edited sentence of another story) cost no alignment; tests/test_profiles.py and tests/test_matching.py
    prove that a pair ruled out would verify as unrelated. The pairs kept on their Jaccard are matched too, so
    that every kept pair comes with its matches. `progress(done)` as blocks of pairs are screened.

    A large corpus is screened in blocks of a grid (`_grid`), so that the word features of only two ranges of its
    documents are held at a time, and a block's pairs a slice at a time (`_Block.parts`).
    """
    kept = _Kept()
    done = 0
    for block, features in _blocks(corpus, candidates, config):
        positions = _positions(features.documents)
        for part in block.parts():
            rows = _rows(positions, candidates[part])
            _screen_pairs(features, rows, part, config, kept, _after(done, progress))
            done += len(part)
        del features, positions  # before the next block's are computed
    pages.give_back()  # the last features' memory, kept in the heap (pages.kept)
    return kept.screened(len(candidates))


def _after(done: int, progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """`progress` counting from `done`."""
    return None if progress is None else lambda count: progress(done + count)


class _Kept:
    """The pairs the screen keeps, as it finds them (in the grid's order): their candidate indexes, and their
    sentence matches copied out of the matching's buffers, which hold room for every pair matched."""

    def __init__(self) -> None:
        self._indexes: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._rows: list[np.ndarray] = []

    def add(self, indexes: np.ndarray, found: matching.Matches, ks: np.ndarray) -> None:
        """Candidates `indexes`, kept with the matches of pairs `ks` of `found`."""
        rows, counts = found.taken(ks)
        self._indexes.append(indexes)
        self._counts.append(counts)
        self._rows.append(rows)

    def screened(self, candidates: int) -> Screened:
        """What was kept of `candidates` candidates, in their order."""
        indexes = np.concatenate([np.zeros(0, dtype=np.int64), *self._indexes])
        counts = np.concatenate([np.zeros(0, dtype=np.int64), *self._counts])
        rows = np.concatenate([np.zeros((0, 4), dtype=np.int32), *self._rows])
        self._indexes, self._counts, self._rows = [], [], []
        order = np.argsort(indexes, kind="stable")
        keep = np.zeros(candidates, dtype=bool)
        keep[indexes] = True
        return Screened(keep, SentenceMatches.joined(rows, counts).taken(order))


@dataclass(frozen=True, slots=True)
class _Features:
    """What the screen reads of some documents of a corpus (`documents`, ascending): their shingle sets, the
    matching's sentences and the sentence profiles, document k's at row k."""

    documents: np.ndarray
    shingles: ShingleSets
    sentences: matching.Sentences
    profiles: Profiles

    @classmethod
    def of(cls, corpus: Corpus, documents: np.ndarray, config: ScanConfig) -> _Features:
        """The features of `corpus`'s `documents` (ascending)."""
        with pages.kept():  # the kernels' arrays, freed and allocated again as each step reads the last's (pages.kept)
            features = corpus_features(corpus, documents)
            sentences = matching.sentences(features)
            profiles = profiles_of(features, config.align.min_words)
            del features  # in the block, so that its memory is reused and given back at the end
            # From the words found (the sentences keep their hashes), once the rest of their features are let go:
            # reading the texts again took 17 s of the 1,000,000-document screen (benchmarks/README.md, thirty-first
            # round).
            shingles = ShingleSets.of_words(sentences.words, sentences.word_bounds, config.shingle)
        return cls(documents, shingles, sentences, profiles)

    @staticmethod
    def cut(whole: list[_Features], first: int, last: int) -> _Features:
        """The features of the documents numbered `first..last - 1` in the corpus, copied out of the one features
        in `whole`, which is emptied and let go an array at a time (`flat.documents`)."""
        features = whole.pop()
        low, high = np.searchsorted(features.documents, (first, last)).tolist()
        documents = features.documents[low:high].copy()
        columns = {name: [getattr(features, name)] for name in _FLAT_FIELDS}
        del features
        return _Features(documents, **{name: flat.documents(whole, low, high) for name, whole in columns.items()})

    @staticmethod
    def joined(parts: list[_Features]) -> _Features:
        """The features of `parts` (in ascending order of their documents), joined; `parts` is emptied, and each
        part let go as it is joined (`flat.joined`)."""
        documents = np.concatenate([part.documents for part in parts])
        columns = {name: [getattr(part, name) for part in parts] for name in _FLAT_FIELDS}
        parts.clear()
        joined: dict[str, Any] = {}
        for name, column in columns.items():
            joined[name] = flat.joined(column)
            # A part computed in a `pages.kept` block leaves its memory in the heap as it is let go: given back a
            # field at a time, the join of two ranges at 1,000,000 documents holds about 1 GB less at its end.
            pages.give_back()
        return _Features(documents, **joined)


# The fields of `_Features` that are flat structures (`flat.py`).
_FLAT_FIELDS = ("shingles", "sentences", "profiles")


def _blocks(corpus: Corpus, candidates: np.ndarray, config: ScanConfig) -> Iterator[tuple[_Block, _Features]]:
    """The blocks of `_grid`, each with the features of its documents. The grid orders its blocks so that most
    share a range with the one before (`_chained`): that range's features are kept, cut out of the block's, and
    joined to the next range's, so a range's are computed once per run of blocks that hold it. The features of a
    range are those of all its documents in any candidate pair."""
    if len(candidates) == 0:
        return
    present = np.zeros(len(corpus), dtype=bool)
    present[candidates.ravel()] = True
    size = _range_size(len(corpus))
    chain = _chained(-(-len(corpus) // size))
    held: dict[int, _Features] = {}
    for block in _grid(candidates, len(corpus)):
        ranges = block.ranges
        held = {r: kept for r, kept in held.items() if r in ranges}
        parts = [held.pop(r) if r in held else _Features.of(corpus, _range(present, r, size), config) for r in ranges]
        features = parts[0] if len(parts) == 1 else _Features.joined(parts)
        del parts
        yield block, features
        whole = [features]
        del features  # the cut lets it go as it copies
        following = chain[chain.index(ranges) + 1] if len(ranges) == 2 and ranges != chain[-1] else ()
        for r in set(ranges) & set(following):  # one range at most: two blocks never hold the same two
            held[r] = _Features.cut(whole, r * size, (r + 1) * size)
        del whole


def _range(present: np.ndarray, r: int, size: int) -> np.ndarray:
    """The documents of range `r` (of `size` documents) that are `present`."""
    return np.flatnonzero(present[r * size : (r + 1) * size]) + r * size


def _range_size(documents: int) -> int:
    """Documents per range of the screen's grid: `documents` cut evenly into ranges of at most `_SCREEN_RANGE`."""
    return -(-documents // -(-documents // _SCREEN_RANGE)) if documents else 1


@dataclass(frozen=True, slots=True)
class _Block:
    """A block of the screen's grid: the candidates whose `codes` (their two ranges as one number, `_grid`) are
    among `wanted`, which need the features of `ranges` (one or two); with no `codes`, every candidate (`count`)."""

    ranges: tuple[int, ...]
    count: int
    codes: np.ndarray | None = None
    wanted: tuple[int, ...] = ()

    def parts(self) -> Iterator[np.ndarray]:
        """The indexes of the block's candidates, ascending, found a slice of `_GRID_SLICE` candidates at a time:
        a block at 1,000,000 documents holds up to 60 million pairs, whose indexes are not held at once."""
        if self.codes is None:
            for first in range(0, self.count, _GRID_SLICE):
                yield np.arange(first, min(first + _GRID_SLICE, self.count), dtype=np.int64)
            return
        for first in range(0, len(self.codes), _GRID_SLICE):
            codes = self.codes[first : first + _GRID_SLICE]
            # Compared with each wanted code (three at most): np.isin took ten times as long (0.12 s a slice).
            found = np.flatnonzero(functools.reduce(np.logical_or, [codes == code for code in self.wanted]))
            if len(found):
                yield found + first

    def indexes(self) -> np.ndarray:
        """All the block's candidate indexes at once."""
        return np.concatenate([np.zeros(0, dtype=np.int64), *self.parts()])


def _grid(candidates: np.ndarray, documents: int) -> Iterator[_Block]:
    """The blocks of `candidates`, each holding pairs of one or two ranges of documents.

    The documents of `documents` are cut into ranges of at most `_SCREEN_RANGE`, and a block holds the pairs between
    two ranges, with those within either range that no earlier block took (a range's own pairs need no features
    but its own, so they ride with the first block that computes them). Blocks come in an order where each shares
    a range with the one before as often as can be (for four ranges: 0-1, 0-2, 0-3, 1-3, 1-2, 2-3), so that the
    screen computes a range's features once per run of blocks holding it: eleven ranges' worth for 1,000,000
    documents in five ranges, where computing both ranges of every block was twenty. Holding every document's at
    once would take about 6 GB for 1,000,000.
    """
    size = _range_size(documents)
    ranges = -(-documents // size)
    if ranges <= 1:
        yield _Block((0,), len(candidates))
        return
    # Each pair's two ranges as one small code, computed a slice at a time (no 64-bit temporary of every pair).
    codes = np.empty(len(candidates), dtype=np.uint16 if ranges * ranges <= 1 << 16 else np.uint32)
    for first in range(0, len(candidates), _GRID_SLICE):
        pairs = candidates[first : first + _GRID_SLICE]
        low = np.minimum(pairs[:, 0], pairs[:, 1]) // size
        high = np.maximum(pairs[:, 0], pairs[:, 1]) // size
        codes[first : first + len(pairs)] = low * ranges + high
    counts = np.bincount(codes, minlength=ranges * ranges)
    within = np.zeros(ranges, dtype=bool)  # whether a range's own pairs went with a block already
    for low, high in _chained(ranges):
        wanted = tuple([low * ranges + high] + [r * ranges + r for r in (low, high) if not within[r]])
        within[[low, high]] = True
        count = int(counts[list(wanted)].sum())
        if count:
            yield _Block((low, high), count, codes, wanted)


def _chained(ranges: int) -> list[tuple[int, int]]:
    """Every two of `ranges` ranges, each pair after one it shares a range with where any is left."""
    left = [(low, high) for low in range(ranges) for high in range(low + 1, ranges)]
    order = left[:1]
    del left[:1]
    while left:
        shared = [k for k, pair in enumerate(left) if set(pair) & set(order[-1])]
        order.append(left.pop(shared[0] if shared else 0))
    return order


def _positions(documents: np.ndarray) -> np.ndarray:
    """Where each of `documents` (ascending) is in them, by document number: rows of the features of `documents`
    by a table the size of the corpus, not a binary search (0.2 s against 7-8.5 s for the 13.4 million candidate
    pairs of 200,000 documents, a sixth of their screen)."""
    position = np.empty(int(documents[-1]) + 1 if len(documents) else 0, dtype=np.int64)
    position[documents] = np.arange(len(documents))
    return position


def _rows(positions: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The document `pairs` as rows of the features whose `positions` these are, 32-bit where they fit."""
    small = len(positions) <= np.iinfo(np.int32).max
    return positions[pairs].astype(np.int32 if small else np.int64)


def _screen_pairs(
    features: _Features,
    rows: np.ndarray,
    indexes: np.ndarray,
    config: ScanConfig,
    kept: _Kept,
    progress: Callable[[int], None] | None,
) -> None:
    """`screen` on pairs given as `rows` of `features` (candidates `indexes`), `_SCREEN_BLOCK` at a time: what
    it keeps goes to `kept`."""
    threshold = min(config.near_jaccard, config.document.threshold)
    sentences, profiles = features.sentences, features.profiles
    for start in range(0, len(rows), _SCREEN_BLOCK):
        block = rows[start : start + _SCREEN_BLOCK]
        here = indexes[start : start + _SCREEN_BLOCK]
        near = features.shingles.jaccard_at_least(block, threshold)
        kept.add(here[near], matching.match_pairs(block[near], sentences, config), np.arange(int(near.sum())))
        rest = np.flatnonzero(~near)
        passed = rest[profiles.screen(block[rest], config)]
        found = matching.match_pairs(block[passed], sentences, config)
        related = np.flatnonzero(matching.may_relate(block[passed], sentences, config, found))
        kept.add(here[passed[related]], found, related)
        if progress is not None:
            progress(start + len(block))
