"""The ingestion gate: is an incoming article new, a copy, or a reuse of something indexed? With evidence.

Composition of the scan's own stages, nothing re-implemented: `prepare` -> MinHash signatures and LSH band keys at
document and passage level (the scan's settings) -> a store lookup of the articles sharing a bucket -> `relate` on
each (the stored article first, as the scan orders an earlier article) -> the faithfulness ranking. So the verdict
for two articles is the relation the scan gives the same two articles.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from dedupe.candidates import band_keys, optimal_bands
from dedupe.config import MinHashConfig, ScanConfig
from dedupe.document import Document, prepare
from dedupe.errors import StoreError
from dedupe.fingerprint import MinHasher
from dedupe.models import Article, Pair
from dedupe.rank import rank_members
from dedupe.report import passage_dict
from dedupe.scan import passage_hash_sets
from dedupe.store import FORMAT_VERSION, Features, Found, Keys, Store, decode_article, decode_features, open_store
from dedupe.verify import Screen, relate

VerdictName = Literal["new", "exact-duplicate", "near-duplicate", "partial-reuse"]
# Which verdicts `check_and_add` adds: only new articles, new ones and partial reuses, or everything.
Policy = Literal["new", "reuse", "all"]
POLICIES: dict[str, frozenset[str]] = {
    "new": frozenset({"new"}),
    "reuse": frozenset({"new", "partial-reuse"}),
    "all": frozenset({"new", "partial-reuse", "near-duplicate", "exact-duplicate"}),
}
_STRENGTH = {"exact-duplicate": 0, "near-duplicate": 1, "partial-reuse": 2}
# Band keys of different bands must never meet in one bucket: each band gets its own odd salt.
_BAND_SALT = np.uint64(0xD6E8FEB86659FD93)
# Prepared stored articles kept for verification (a stored article is prepared again when evicted).
_CACHE = 4096
# Concurrent adds to the same buckets make an insert retry its check; this many in a row is a hot spot.
_RETRIES = 100
# Stands for the incoming article in the ranking, so an id shared with a stored article cannot confuse it.
_INCOMING = "\x00incoming"


@dataclass(frozen=True, slots=True)
class Match:
    """A stored article related to the incoming one. The pair's `a` is the stored article, `b` the incoming one."""

    article: Article
    pair: Pair


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the gate decided about one article, with the matches that decided it (strongest first)."""

    id: str
    verdict: VerdictName
    matches: tuple[Match, ...] = ()
    # The most faithful of the matched stored articles (dedupe.rank), None when nothing matched.
    original: str | None = None
    # Whether `check_and_add` added the article (None for a plain check).
    added: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """The verdict JSON documented in README.md. `containment` is the share of the incoming article's word
        5-grams found in the match; passage spans: `a_span` in the match, `b_span` in the incoming article."""
        data: dict[str, Any] = {
            "id": self.id,
            "verdict": self.verdict,
            "matches": [
                {
                    "id": m.article.id,
                    "relation": m.pair.relation,
                    "jaccard": m.pair.jaccard,
                    "containment": m.pair.containment_ba,
                    "passages": [passage_dict(p) for p in m.pair.passages],
                }
                for m in self.matches
            ],
            "original": self.original,
        }
        if self.added is not None:
            data["added"] = self.added
        return data


class Index:
    """A persistent index of articles that checks each incoming one against everything indexed.

    Open with `Index.open(directory_or_redis_url)`; use as a context manager to close it.
    """

    def __init__(self, store: Store, config: ScanConfig) -> None:
        self.config = config
        self._store = store
        self._document_hasher = MinHasher(config.document.num_perm, config.document.seed)
        self._passage_hasher = MinHasher(config.passage.num_perm, config.passage.seed)
        self._prepared: OrderedDict[int, Document] = OrderedDict()

    @classmethod
    def open(cls, location: str | Path, config: ScanConfig | None = None) -> Index:
        """Open (or create) the index in directory `location` (SQLite), or at a `redis://host:port/db` URL
        (`#name` at the end keeps several indexes apart on one Redis).

        Raises:
            StoreError: the index cannot be opened, was written by an incompatible version, or with other settings.
        """
        config = config or ScanConfig()
        return cls(open_store(location, config.identity, config.max_bucket), config)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._store.close()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: every add inside is committed together when the block ends (SQLite; Redis commits each)."""
        with self._store.write():
            yield

    def check(self, article: Article) -> Verdict:
        """The verdict on `article` against the index, without adding it."""
        document = prepare(article, self.config.shingle)
        found = self._store.lookup(self.keys(document))
        return self._judge(document, found)

    def add(self, article: Article) -> bool:
        """Add `article` without checking it; False (and nothing changed) when its id is already indexed."""
        document = prepare(article, self.config.shingle)
        return self._store.insert(article, _features(document), self.keys(document), None) == "added"

    def check_and_add(self, article: Article, policy: Policy = "new") -> Verdict:
        """Check `article` and add it when `policy` admits its verdict, atomically: two workers racing with copies
        of one article never both see `new`. An article whose id is already indexed is never added again."""
        admitted = POLICIES[policy]
        document = prepare(article, self.config.shingle)
        keys = self.keys(document)
        with self._store.write():
            for _ in range(_RETRIES):
                found = self._store.lookup(keys)
                verdict = self._judge(document, found)
                if verdict.verdict not in admitted:
                    return dataclasses.replace(verdict, added=False)
                outcome = self._store.insert(article, _features(document), keys, found)
                if outcome != "conflict":
                    return dataclasses.replace(verdict, added=outcome == "added")
        raise StoreError(f'article "{article.id}": {_RETRIES} concurrent adds to its buckets in a row; try again')

    def remove(self, article_id: str) -> bool:
        """Remove an article by id; False when it is not indexed."""
        article = self._store.get(article_id)
        if article is None:
            return False
        return self._store.delete(article_id, self.keys(prepare(article, self.config.shingle)))

    def stats(self) -> dict[str, Any]:
        """Backend, location, article count, size in bytes, format version and settings."""
        return {**self._store.stats(), "format": FORMAT_VERSION, "config": self.config.identity}

    def keys(self, document: Document) -> Keys:
        """The document and passage band keys of a prepared article (the scan's signatures and bands)."""
        config = self.config
        signature = self._document_hasher.signatures([document.shingles]) if len(document.shingles) else None
        passages = passage_hash_sets(document, config)
        return Keys(
            document=_salted(signature, config.document),
            passage=_salted(self._passage_hasher.signatures(passages) if passages else None, config.passage),
        )

    def _judge(self, document: Document, found: Found) -> Verdict:
        matches = []
        screen = Screen(document, self.config) if found.candidates else None
        for seq, record in found.candidates.items():
            features = decode_features(record)
            if not screen.admits(features.word_hashes, features.sentence_words):  # type: ignore[union-attr]
                continue  # relate() would return None
            article = decode_article(record)
            pair = relate(self._stored(seq, article), document, self.config)
            if pair is not None:
                matches.append(Match(article, pair))
        if not matches:
            return Verdict(document.id, "new")
        matches.sort(key=lambda m: (_STRENGTH[m.pair.relation], -m.pair.jaccard, m.article.id))
        return Verdict(document.id, matches[0].pair.relation, tuple(matches), _original(document, matches))

    def _stored(self, seq: int, article: Article) -> Document:
        cached = self._prepared.get(seq)
        if cached is not None:
            self._prepared.move_to_end(seq)
            return cached
        prepared = prepare(article, self.config.shingle)
        self._prepared[seq] = prepared
        if len(self._prepared) > _CACHE:
            self._prepared.popitem(last=False)
        return prepared


def _features(document: Document) -> Features:
    return Features(document.word_hashes, document.sentence_words)


def _salted(signatures: np.ndarray | None, config: MinHashConfig) -> np.ndarray:
    if signatures is None:
        return np.zeros(0, dtype=np.uint64)
    bands, rows = optimal_bands(config.threshold, config.num_perm, config.false_positive_weight)
    keys = band_keys(signatures, bands, rows)
    with np.errstate(over="ignore"):
        salts = (np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT)[None, :]
    return np.unique(keys ^ salts)


def _original(document: Document, matches: list[Match]) -> str:
    """The most faithful matched article, by the scan's ranking of the incoming article and its matches."""
    pairs = {(m.article.id, _INCOMING): dataclasses.replace(m.pair, b=_INCOMING) for m in matches}
    incoming = dataclasses.replace(document.article, id=_INCOMING)
    ranked = rank_members([*(m.article for m in matches), incoming], pairs)
    return next(member.id for member in ranked if member.id != _INCOMING)
