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
    # >= 0.46; only 9 of 16,855 unrelated sentence pairs reach 0.3 (tmp measurement, kept in tests/test_seeds.py).
    # Every passage candidate is aligned, which costs more than a Jaccard check: even weighting there.
    passage: MinHashConfig = field(
        default_factory=lambda: MinHashConfig(num_perm=64, threshold=0.3, false_positive_weight=0.5)
    )
    align: AlignConfig = field(default_factory=AlignConfig)
    # A pair is a near-duplicate (same article) when its exact word-5-gram Jaccard reaches this, or when aligned
    # passages cover `near_coverage` of the shorter article.
    near_jaccard: float = 0.5
    near_coverage: float = 0.4
    # A pair with aligned passages below that coverage is partial reuse when a passage has this many words.
    reuse_min_words: int = 8
    # A passage bucket holding more than this many documents is boilerplate, not evidence of reuse.
    max_bucket: int = 64
    # Processes that verify candidates (0: one per core). Results do not depend on it, so it is not in `identity`.
    workers: int = 0

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise ConfigError(f"workers must be 0 (one per core) or more, got {self.workers}")
        if self.shingle < 1:
            raise ConfigError(f"shingle must be at least 1 word, got {self.shingle}")
        for name in ("near_jaccard", "near_coverage"):
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
