"""Verification: a candidate pair becomes a `Pair` with a relation and its evidence, or nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from dedupe import kernels, matching
from dedupe.align import Matching, match
from dedupe.config import ScanConfig
from dedupe.document import Corpus, Document
from dedupe.fingerprint import shingle_sets
from dedupe.models import Pair, Relation
from dedupe.names import names_agree
from dedupe.profiles import corpus_features
from dedupe.profiles import profiles as profiles_of

# Pairs the screen's kernel takes at a time, between progress reports (about 0.4 s on 2 cores).
_SCREEN_BLOCK = 100_000
# Documents per range of the screen's grid (`_grid`). The word features, sentence sets and profiles the screen
# holds are about 6 KB a document: a block of two ranges holds up to 3 GB of them.
_SCREEN_RANGE = 250_000
# Candidate pairs the grid assigns to blocks at a time.
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
    if a.words and a.words == b.words:
        return "exact-duplicate"
    shorter_coverage = matching.coverage_a if len(a.words) <= len(b.words) else matching.coverage_b
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


@dataclass(frozen=True, slots=True)
class Screened:
    """The candidates that go on to alignment (`keep`, per candidate), and the sentence matches of each kept one,
    in order (`matching.Matches.of`), which `relate` then need not find again."""

    keep: np.ndarray
    matches: list[np.ndarray]


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
    documents are held at a time.
    """
    keep = np.zeros(len(candidates), dtype=bool)
    matched: dict[int, np.ndarray] = {}
    done = 0
    for block in _grid(candidates, len(corpus)):
        screened = _screen_pairs(corpus, candidates[block], config, _after(done, progress))
        keep[block] = screened.keep
        matched.update(zip(block[screened.keep].tolist(), screened.matches, strict=True))
        done += len(block)
    return Screened(keep, [matched[k] for k in np.flatnonzero(keep).tolist()])


def _after(done: int, progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """`progress` counting from `done`."""
    return None if progress is None else lambda count: progress(done + count)


def _grid(candidates: np.ndarray, documents: int) -> Iterator[np.ndarray]:
    """The indexes of `candidates` in blocks: the documents of `documents` are cut into ranges of at most
    `_SCREEN_RANGE`, and a block holds the pairs between two ranges, with those within either range that no earlier
    block took (a range's own pairs need no features but its own, so they ride with the first block that computes
    them). Features are computed again for each block a range is in (three times over for 1,000,000 documents in
    four ranges; four times when the pairs within a range were blocks of their own), against holding those of
    every document at once (about 6 GB for 1,000,000)."""
    ranges = -(-documents // _SCREEN_RANGE)
    if ranges <= 1:
        yield np.arange(len(candidates))
        return
    size = -(-documents // ranges)
    # Each pair's two ranges as one small code, computed a slice at a time (no 64-bit temporary of every pair).
    codes = np.empty(len(candidates), dtype=np.uint16 if ranges * ranges <= 1 << 16 else np.uint32)
    for first in range(0, len(candidates), _GRID_SLICE):
        pairs = candidates[first : first + _GRID_SLICE]
        low = np.minimum(pairs[:, 0], pairs[:, 1]) // size
        high = np.maximum(pairs[:, 0], pairs[:, 1]) // size
        codes[first : first + len(pairs)] = low * ranges + high
    within = np.zeros(ranges, dtype=bool)  # whether a range's own pairs went with a block already
    for low in range(ranges):
        for high in range(low + 1, ranges):
            wanted = [low * ranges + high] + [r * ranges + r for r in (low, high) if not within[r]]
            within[[low, high]] = True
            block = np.flatnonzero(np.isin(codes, wanted))
            if len(block):
                yield block


def _renumbered(pairs: np.ndarray, documents: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct documents of `pairs` (indexes below `documents`) and `pairs` as positions in them. By a
    table the size of the corpus, not `np.unique` and a binary search: 0.2 s against 7-8.5 s for the 13.4 million
    candidate pairs of 200,000 documents, a sixth of their screen."""
    present = np.zeros(documents, dtype=bool)
    present[pairs.ravel()] = True
    distinct = np.flatnonzero(present)
    position = np.empty(documents, dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    return distinct, position[pairs]


def _screen_pairs(
    corpus: Corpus, candidates: np.ndarray, config: ScanConfig, progress: Callable[[int], None] | None
) -> Screened:
    """`screen` on pairs whose documents' features are all computed at once."""
    if len(candidates) == 0:
        return Screened(np.zeros(0, dtype=bool), [])
    documents, rows = _renumbered(candidates, len(corpus))
    texts = [corpus.text(i) for i in documents.tolist()]
    keep = shingle_sets(texts, config.shingle).jaccard_at_least(
        rows, min(config.near_jaccard, config.document.threshold)
    )
    del texts
    features = corpus_features(corpus, documents)
    sentences = matching.sentences(features)
    profiles = profiles_of(features, config.align.min_words)
    del features  # what the sentences and profiles do not share of it (terms, figures) is let go
    matched: dict[int, np.ndarray] = {}

    near = np.flatnonzero(keep)
    found = matching.match_pairs(rows[near], sentences, config)
    matched.update((candidate, found.of(k)) for k, candidate in enumerate(near.tolist()))
    rest = np.flatnonzero(~keep)
    for start in range(0, len(rest), _SCREEN_BLOCK):
        block = rest[start : start + _SCREEN_BLOCK]
        passed = block[profiles.screen(rows[block], config)]
        found = matching.match_pairs(rows[passed], sentences, config)
        related = matching.may_relate(rows[passed], sentences, config, found)
        keep[passed] = related
        # (Copied: the block's buffer of matches, mostly of pairs ruled out, is then let go.)
        matched.update((int(passed[k]), found.of(k).copy()) for k in np.flatnonzero(related).tolist())
        if progress is not None:
            progress(len(candidates) - len(rest) + start + len(block))
    if progress is not None and len(rest) == 0:
        progress(len(candidates))
    return Screened(keep, [matched[k] for k in np.flatnonzero(keep).tolist()])
