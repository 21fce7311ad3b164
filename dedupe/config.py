"""Frozen settings, validated on construction: the one home of every default.

Defaults are chosen for news and need no tuning. Where a number comes from a measurement, the comment names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dedupe.errors import ConfigError


@dataclass(frozen=True, slots=True)
class MinHashConfig:
    """How documents (or passages) become MinHash signatures and LSH buckets."""

    num_perm: int = 128
    seed: int = 1
    # LSH similarity threshold the banding is tuned for (the candidate stage, not the verdict).
    threshold: float = 0.5
    # Weight of false positives against false negatives when choosing bands. Every candidate is verified exactly,
    # so a false positive costs only time: at 0.1 a pair at the threshold collides with probability 0.87 and one
    # 0.05 above it with 0.95-0.97 (0.40-0.72 at the even weighting of datasketch's default).
    false_positive_weight: float = 0.1

    def __post_init__(self) -> None:
        if not 2 <= self.num_perm <= 1024:
            raise ConfigError(f"num_perm must be between 2 and 1024, got {self.num_perm}")
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"threshold must be strictly between 0 and 1, got {self.threshold}")
        if not 0.0 < self.false_positive_weight < 1.0:
            raise ConfigError(
                f"false_positive_weight must be strictly between 0 and 1, got {self.false_positive_weight}"
            )


@dataclass(frozen=True, slots=True)
class PassageEvidence:
    """When colliding passages make two documents a candidate pair: on the colliding passages' MinHash estimates
    at the candidate stage (within `candidates.ESTIMATE_MARGIN`), then on exact word-set Jaccard (`verify.screen`).

    Measured on 500 BBC articles (benchmarks/README.md): LSH alone made 40,494 of 124,750 document pairs candidates
    because sentences share common words; requiring two passage matches of `min_jaccard`, or one of
    `strong_jaccard`, left 95, while the garbled seed pair keeps 16 matches and the seeds' shared sentence 1.0.
    """

    # Garbled sentences of seed 002 have word Jaccard >= 0.46 with their 001 originals.
    min_jaccard: float = 0.35
    min_matches: int = 2
    # One near-verbatim shared sentence is enough (partial reuse).
    strong_jaccard: float = 0.7


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """When two sentences count as the same passage, how a passage is labelled, how passages merge into regions.

    Similarities are Dice coefficients of content-term sets (`dedupe.align.term_similarity`), except
    `edited_similarity`, which is on the word-level Indel similarity. Calibration: benchmarks/calibrate_labels.py
    (MSRP) and benchmarks/pan_alignment.py (PAN 2013 training corpus).
    """

    # Term similarity for two sentences to be aligned as a passage. On MSRP (benchmarks/calibrate_labels.py)
    # paraphrases against unrelated sentences separate best at 0.27 (accuracy 0.999) and against related
    # non-paraphrases at 0.55 (0.726); 0.45 aligns 95.8% of paraphrases and 0.05% of unrelated pairs (accuracy
    # 0.853 against both, best 0.863) and keeps machine-translated sentences, which score below human
    # paraphrases (seed 002's first sentence: 0.456 against 001's).
    min_similarity: float = 0.45
    # At or above this word-level Indel similarity (and below 1.0) a matched passage is `edited`, below it
    # `rewritten`: 0.88 separates one or two small edits of MSRP sentences from MSRP paraphrases with accuracy
    # 0.980 (benchmarks/calibrate_labels.py).
    edited_similarity: float = 0.88
    # Sentences shorter than this many words are never aligned on their own (fragments, datelines).
    min_words: int = 4
    # Two sentences that both state figures align only when they share this share of the smaller set of figures
    # (`dedupe.align.figures_agree`). Without it, 5,556 of 5,613 near-duplicates found among 3,000 Reuters stories
    # were different companies' earnings or dividend reports written to one template (benchmarks/README.md).
    # A figure is a whole number as written ("4,236,000", "1-3/8" is two: `align.figure_marks`); counted in digit
    # groups, the templates still agreed on "000" and "8": 418 near-duplicates there then, 303 now.
    min_shared_figures: float = 0.6
    # A free neighbouring sentence joins a match when it raises the match's similarity by this much.
    split_gain: float = 0.02
    # Regions (PAN 2013 training corpus, benchmarks/pan_alignment.py; grid in benchmarks/README.md): a sentence pair
    # starts a region at this term similarity when each sentence is the other's best match...
    seed_similarity: float = 0.45
    # ...and extends a region at this one, again as a mutual best match. Strong pairs join a region within
    # `region_gap` sentences of it (both sides), weak ones only within `extend_gap`: a loosely similar pair is
    # evidence right next to a region and chance further off (PAN training sample, 400 pairs a folder: gap 2
    # instead of 4 gives overall plagdet 0.886 -> 0.891, 02 0.964 -> 0.972, 13 -> 5 of 400 negative pairs
    # flagged; 200 pairs a folder: 0.888 -> 0.894 with 2, 0.891 with 3, 0.877 with 0 or 1).
    extend_similarity: float = 0.3
    region_gap: int = 4
    extend_gap: int = 2
    # A region needs this many words on each side, and this many similar sentence pairs.
    region_min_words: int = 20
    region_min_pairs: int = 1
    # A passage copied into a longer sentence shares most of its terms but has a low Dice: as region evidence,
    # a pair also scores `contained_weight` x the share of the smaller sentence's terms found in the other, when
    # that sentence has `contained_min_terms` terms or more (PAN training sample: +0.003 plagdet, mostly on 02).
    contained_min_terms: int = 5
    contained_weight: float = 0.65
    # A region at least `copy_share` of whose words lie in runs of `copy_words` words both sides have is a
    # verbatim copy: its edges are those of the copied runs, exact to the word (PAN sample: 02 plagdet
    # 0.93 -> 0.95, recall 1.00).
    copy_words: int = 8
    copy_share: float = 0.5
    # Copied runs that follow each other on side a are one passage while side b follows within `copy_jump` words
    # of the same gap; where side b jumps between two stretches of `copy_split_words` or more, two passages
    # copied from different places meet and are reported apart (PAN 2013, whole corpus: 02 plagdet
    # 0.9685 -> 0.9779 with runs matched one to one; on 200 pairs a folder, 40 and 60 split only 02's adjacent
    # cases, 20 also translated and summarised keyword lists: 04 0.889 -> 0.880, 05 0.351 -> 0.324).
    copy_jump: int = 20
    copy_split_words: int = 40

    def __post_init__(self) -> None:
        for name in ("min_similarity", "edited_similarity", "seed_similarity", "extend_similarity"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if self.copy_words < 1:
            raise ConfigError(f"copy_words must be at least 1, got {self.copy_words}")
        if not 0.0 <= self.min_shared_figures <= 1.0:
            raise ConfigError(f"min_shared_figures must be in [0, 1], got {self.min_shared_figures}")
        if not 0.0 <= self.contained_weight <= 1.0:
            raise ConfigError(f"contained_weight must be in [0, 1], got {self.contained_weight}")
        for name in (
            "min_words",
            "region_gap",
            "extend_gap",
            "region_min_words",
            "region_min_pairs",
            "contained_min_terms",
            "copy_jump",
            "copy_split_words",
        ):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, got {getattr(self, name)}")


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Settings of `dedupe scan`; `identity` names them in every output."""

    # Word 5-grams are the usual shingle for near-duplicate news (Broder 1997; text-dedup's default).
    shingle: int = 5
    document: MinHashConfig = field(default_factory=MinHashConfig)
    # Passage level: sentences as sets of words. True garbled sentence pairs of the seeds have word Jaccard
    # >= 0.46, and only 9 of 16,855 unrelated seed sentence pairs reach 0.3. Bands (32 x 4) collide a 0.46 pair
    # with probability 0.77 and a 0.2 pair with 0.05; a garbled copy has many such sentences, so some collide.
    passage: MinHashConfig = field(
        default_factory=lambda: MinHashConfig(num_perm=128, threshold=0.4, false_positive_weight=0.5)
    )
    evidence: PassageEvidence = field(default_factory=PassageEvidence)
    align: AlignConfig = field(default_factory=AlignConfig)
    # A pair is a near-duplicate (same article) when its exact word-5-gram Jaccard reaches `near_jaccard`, when
    # aligned passages cover `near_coverage` of BOTH articles (an updated or garbled version), or `contained_coverage`
    # of the shorter one (a cut or excerpted copy). On BBC News (benchmarks/bbc_eval.py) covering both sides keeps
    # follow-up stories that reuse a few background paragraphs (coverage 0.41 / 0.33) as partial reuse, and all 129
    # same-headline re-publications as duplicates; the garbled seed pair covers 0.55 / 0.47.
    near_jaccard: float = 0.5
    near_coverage: float = 0.4
    contained_coverage: float = 0.8
    # ...and, when the alignment decides, the two share `min_shared_names` of the smaller set of proper names
    # (names.py), if both have `min_names` or more. On 3,000 Reuters stories this turned 54 of 303 near-duplicates
    # into partial reuse or nothing, all notices of other issuers filled in from one template (eurobonds, SEC
    # filings: 0 to 5 of 7 to 13 names shared); nine in ten pairs of Jaccard >= 0.5 there share 0.75 or more, the
    # garbled seed pair 0.67 (benchmarks/README.md, "Templated notices: proper names").
    min_shared_names: float = 0.5
    min_names: int = 3
    # A pair with aligned passages below that coverage is partial reuse when a passage has this many words.
    reuse_min_words: int = 8
    # A passage bucket holding more than this many documents is boilerplate, not evidence of reuse.
    max_bucket: int = 64
    # Processes that verify candidates and rank clusters (0: one per core). Results do not depend on it, so it is
    # not in `identity`.
    workers: int = 0

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise ConfigError(f"workers must be 0 (one per core) or more, got {self.workers}")
        if self.shingle < 1:
            raise ConfigError(f"shingle must be at least 1 word, got {self.shingle}")
        for name in ("near_jaccard", "near_coverage", "contained_coverage", "min_shared_names"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if self.min_names < 1:
            raise ConfigError(f"min_names must be at least 1, got {self.min_names}")
        if self.max_bucket < 2:
            raise ConfigError(f"max_bucket must be at least 2, got {self.max_bucket}")

    @property
    def identity(self) -> str:
        """A readable name of the settings that shape results, e.g. `w5-p128-t0.50-s64-s0.30`."""
        d, p = self.document, self.passage
        return f"w{self.shingle}-p{d.num_perm}-t{d.threshold:.2f}-sp{p.num_perm}-st{p.threshold:.2f}"
