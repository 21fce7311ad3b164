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
    """When colliding passages make two documents a candidate pair (checked on exact word-set Jaccard).

    Measured on 500 BBC articles (benchmarks/README.md): LSH alone made 40,494 of 124,750 document pairs candidates
    because sentences share common words; requiring two passage matches of `min_jaccard`, or one of
    `strong_jaccard`, left 95, while the garbled seed pair keeps 16 matches and the seeds' shared sentence 1.0.
    """

    # Garbled sentences of seed 002 have word Jaccard >= 0.46 with their 001 originals.
    min_jaccard: float = 0.35
    min_matches: int = 2
    # One near-verbatim shared sentence is enough (partial reuse).
    strong_jaccard: float = 0.7

    def enough(self, jaccards: list[float]) -> bool:
        return len(jaccards) >= self.min_matches or max(jaccards, default=0.0) >= self.strong_jaccard


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """When two sentences count as the same passage, and how a matched passage is labelled."""

    # Token-level Indel similarity for two sentences to be aligned. On the seeds, garbled 002 sentences score
    # >= 0.52 against their 001 originals, while the best of 16,855 unrelated sentence pairs scores 0.47.
    min_similarity: float = 0.5
    # At or above this similarity (and below 1.0) a matched passage is `edited`, below it `rewritten`.
    edited_similarity: float = 0.8
    # Sentences shorter than this many words are never aligned on their own (fragments, datelines).
    min_words: int = 4


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
    # A pair with aligned passages below that coverage is partial reuse when a passage has this many words.
    reuse_min_words: int = 8
    # A passage bucket holding more than this many documents is boilerplate, not evidence of reuse.
    max_bucket: int = 64

    def __post_init__(self) -> None:
        if self.shingle < 1:
            raise ConfigError(f"shingle must be at least 1 word, got {self.shingle}")
        for name in ("near_jaccard", "near_coverage", "contained_coverage"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if self.max_bucket < 2:
            raise ConfigError(f"max_bucket must be at least 2, got {self.max_bucket}")

    @property
    def identity(self) -> str:
        """A readable name of the settings that shape results, e.g. `w5-p128-t0.50-s64-s0.30`."""
        d, p = self.document, self.passage
        return f"w{self.shingle}-p{d.num_perm}-t{d.threshold:.2f}-sp{p.num_perm}-st{p.threshold:.2f}"
