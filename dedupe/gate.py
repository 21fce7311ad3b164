"""The ingestion gate: is an incoming article new, a copy, or a reuse of something indexed? With evidence.

Composition of the scan's own stages and rules, nothing re-implemented: the article's index entry (entry.py:
shingles and sentence profile, by the scan's functions) -> MinHash signatures and LSH band keys at document and
passage level (the scan's settings) -> a store lookup of the articles sharing a bucket -> the scan's candidate
rule (a shared document bucket, or colliding passages whose MinHash estimate gives evidence) -> the scan's screen
(`Profiles.screen` on the stored entries, then the compiled matching, `matching.may_relate`, on the texts) ->
`relate` on the few pairs left (the stored article first, as the scan orders an earlier article; a pair that
could relate only as a near-duplicate by its coverage is first checked for the names `verify.classify` requires)
-> the faithfulness ranking. So the verdict for two articles is the relation the scan gives the same two
articles, and only pairs that reach `relate` or the names cost a prepared `Document`.

A check is a few small compiled calls on one article: they run on the calling thread (`_call`), because
waking numba's worker threads costs more than the work (9 ms against 0.05 ms per call, measured on the loaded
2-core machine; benchmarks/README.md, "Ingestion gate").
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numba
import numpy as np

from dedupe import kernels, pages
from dedupe.candidates import band_keys, estimated_evidence, optimal_bands
from dedupe.config import MinHashConfig, ScanConfig
from dedupe.document import Corpus, Document, prepare
from dedupe.entry import Entries, Sentences, decode, decode_sentences, measure, measure_many
from dedupe.errors import StoreError
from dedupe.fingerprint import MinHasher
from dedupe.matching import match_pairs, may_be_near, sentences
from dedupe.models import Article, Pair
from dedupe.names import names_agree
from dedupe.profiles import corpus_features
from dedupe.rank import rank_members
from dedupe.report import passage_dict
from dedupe.sets import contains, distinct
from dedupe.store import (
    FORMAT_VERSIONS,
    Compacted,
    Found,
    KeyRows,
    Keys,
    Store,
    decode_article,
    encode_article,
    is_redis,
    open_store,
    stored_articles,
)
from dedupe.verify import relate

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
# Articles `add_many` measures and commits at a time: the compiled batch paths reach their speed well below this, and
# a crash loses at most one group (about 35 MB of records and 3M band keys on news).
BULK_BATCH = 10_000
# Matches are ranked by their Jaccard rounded to 4 places: candidates this close to one shown may tie it.
_ROUNDING = 1e-4
# Stands for the incoming article in the ranking, so an id shared with a stored article cannot confuse it.
_INCOMING = "\x00incoming"
# Matches a verdict carries by default: the strongest few are the evidence a pipeline acts on, and a story with many
# indexed copies would otherwise cost an alignment per copy (see `Index.open`).
MAX_MATCHES = 5
# What `Index.warm` checks: a wire report (as if indexed twice, the second time edited) and a rewrite of it with a
# passage of its own (and curly quotes), so that every stage of a check runs, verification and the ranking of two
# matches included.
_WARM_TEXTS = (
    "The city council voted on Tuesday to close the old harbour bridge to heavy lorries from next month. "
    "Engineers found cracks in two of the supporting piers during an inspection in the spring. "
    "Repairs are expected to take about eighteen months and to cost 4.2 million euros, the council said. "
    "Buses and delivery vans will be sent over the ring road while the work goes on.",
    "The city council voted on Tuesday to shut the old harbour bridge to heavy lorries from next month. "
    "Engineers found cracks in two of the supporting piers during an inspection earlier this year. "
    "Repairs are expected to take about eighteen months and to cost 4.2 million euros, the council said.",
    "On Tuesday the city council voted to close the old harbour bridge to heavy lorries from next month. "
    "Engineers found cracks in two of the supporting piers during an inspection in the spring. "
    "Repairs are expected to take about eighteen months and to cost 4.2 million euros, the council said. "
    "Shop owners near the bridge said they feared \u201closing customers\u201d during the long closure.",
)


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
    # Candidates left unverified because no match they could give would be among `matches` (`Index.open`).
    unverified: int = 0

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
            "unverified": self.unverified,
        }
        if self.added is not None:
            data["added"] = self.added
        return data


@dataclass(slots=True)
class _Incoming:
    """An article being checked: its entry (encoded and decoded), band keys, passage signatures and band keys
    (one row per passage), and its `Document` once something needs it."""

    article: Article
    entries: Entries
    entry: bytes
    keys: Keys
    signatures: np.ndarray
    passage_keys: np.ndarray
    document: Document | None

    def prepared(self, shingle: int) -> Document:
        if self.document is None:
            self.document = prepare(self.article, shingle)
        return self.document


@dataclass(frozen=True, slots=True)
class Added:
    """What `Index.add_many` did: how many articles it added, and the ids it left alone because they were already
    indexed (or came earlier in the same call)."""

    added: int = 0
    present: tuple[str, ...] = ()

    def __add__(self, other: Added) -> Added:
        return Added(self.added + other.added, self.present + other.present)


@dataclass(frozen=True, slots=True)
class Upgraded:
    """What `upgrade` did: how many articles it indexed again, the format they were read from, where the upgraded
    index is, and where the old one was kept (an index upgraded in place; None when there was nothing to do or the
    upgraded index was written elsewhere)."""

    articles: int
    read_format: str
    location: str
    kept: str | None = None


class Index:
    """A persistent index of articles that checks each incoming one against everything indexed.

    Open with `Index.open(directory_or_redis_url)`; use as a context manager to close it.
    """

    def __init__(self, store: Store, config: ScanConfig, max_matches: int | None = MAX_MATCHES) -> None:
        if max_matches is not None and max_matches < 1:
            raise ValueError(f"max_matches must be at least 1 (or None for all), not {max_matches}")
        self.config = config
        self.max_matches = max_matches
        self._store = store
        self._document_hasher = MinHasher(config.document.num_perm, config.document.seed)
        self._passage_hasher = MinHasher(config.passage.num_perm, config.passage.seed)
        self._prepared: OrderedDict[int, Document] = OrderedDict()

    @classmethod
    def open(
        cls,
        location: str | Path,
        config: ScanConfig | None = None,
        run_articles: int | None = None,
        max_matches: int | None = MAX_MATCHES,
        create: bool = True,
    ) -> Index:
        """Open (or create) the index in directory `location` (SQLite), or at a `redis://host:port/db` URL
        (`#name` at the end keeps several indexes apart on one Redis). `run_articles` (SQLite): how many articles'
        band keys gather in the database before they are written as a sorted run (`store.RUN_ARTICLES`).
        `create=False` (SQLite): a directory without an index is an error rather than a new, empty index.

        A verdict carries the `max_matches` strongest matches (None: every match). Candidates are verified in
        order of their exact shingle Jaccard, and verification stops once no candidate left could displace one of
        those (an exact duplicate has Jaccard 1; a near-duplicate or partial reuse below the weakest shown match
        sorts after it), so the verdict and the matches shown are those of verifying every candidate; the
        `original` is the most faithful of the matches shown.

        Raises:
            StoreError: the index cannot be opened, was written by an incompatible version, or with other settings,
                or is not there and `create` is False.
        """
        config = config or ScanConfig()
        store = open_store(location, config.identity, config.max_bucket, run_articles, create)
        return cls(store, config, max_matches)

    @staticmethod
    def upgrade(
        location: str | Path,
        to: str | Path | None = None,
        config: ScanConfig | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Upgraded:
        """Index the articles of an index written by an older dedupe (a format `store.UPGRADABLE` names) again, from
        their stored texts and metadata, with this version's entries and band keys, in the order they were added.

        In place (a directory, `to` None): the new index is built beside it (`DIR.upgrading`), then the old one is
        renamed `DIR.formatN` and the new one takes its name; the old one is kept until you delete it. With `to` (a new
        directory or an empty Redis index), the old index is left as it is. Stop every process that writes to the old
        index first: articles added during the upgrade would not be in the new one. `progress(done, total)` after each
        batch of articles.

        Raises:
            StoreError: the index cannot be read or is of a format that cannot be upgraded, `to` is not empty, or
                `DIR.formatN` exists already.
        """
        source = str(location)
        in_place = to is None
        if in_place and is_redis(source):
            raise StoreError(f"{source}: a Redis index is upgraded into a new one: name it with --to")
        with stored_articles(source) as stored:
            target: str | Path
            if in_place:
                if stored.format == str(FORMAT_VERSIONS["sqlite"]):
                    return Upgraded(0, stored.format, source)
                directory = Path(source).resolve()
                kept = directory.with_name(f"{directory.name}.format{stored.format}")
                if kept.exists():
                    raise StoreError(f"{kept}: exists already (an earlier upgrade's copy?); move it away first")
                target = directory.with_name(f"{directory.name}.upgrading")
                shutil.rmtree(target, ignore_errors=True)  # what an interrupted upgrade left
            else:
                target = to
            with Index.open(target, config) as index:
                if index.stats()["articles"]:
                    raise StoreError(f"{target}: not empty; an index is upgraded into a new one")
                done = 0

                def added(batch: Added) -> None:
                    nonlocal done
                    done += batch.added + len(batch.present)
                    if progress is not None:
                        progress(done, stored.count)

                count = index.add_many(stored.articles, progress=added).added
        if not in_place:
            return Upgraded(count, stored.format, str(target))
        directory.rename(kept)
        Path(target).rename(directory)
        return Upgraded(count, stored.format, source, str(kept))

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
        with _call():
            incoming = self._incoming(article)
            return self._judge(incoming, self._store.lookup(incoming.keys))

    def warm(self) -> None:
        """Load the compiled kernels of every stage of a check now (from numba's on-disk cache, about a second once
        per process), instead of in the first checks that need them: a check of a built-in article against two
        built-in copies of it, judged as if they were indexed, and one store lookup. Nothing is added or kept. And
        the store's files are mapped in now (`SQLiteStore.warm`). `dedupe gate` and `dedupe serve` warm their index
        before their first check."""
        self._store.warm()
        with _call():
            stored = [self._incoming(Article(f"\x00warm-{k}", text)) for k, text in enumerate(_WARM_TEXTS[:2])]
            incoming = self._incoming(Article("\x00warm", _WARM_TEXTS[2]))
            self._store.lookup(incoming.keys)
            # Negative sequence numbers: no indexed article has one, so no prepared document of the index is
            # confused with them, and those prepared here are dropped after.
            seqs = [-1 - k for k in range(len(stored))]
            found = Found(
                {seq: s.entry for seq, s in zip(seqs, stored, strict=True)},
                # The first shares a document bucket, the second passage buckets only: both candidate rules run.
                frozenset(seqs[:1]),
                np.concatenate([s.keys.passage for s in stored]),
                np.repeat(np.array(seqs, dtype=np.int64), [len(s.keys.passage) for s in stored]),
                records={seq: encode_article(s.article, s.entry) for seq, s in zip(seqs, stored, strict=True)},
            )
            try:
                self._judge(incoming, found)
            finally:
                for seq in seqs:
                    self._prepared.pop(seq, None)

    def add(self, article: Article) -> bool:
        """Add `article` without checking it; False (and nothing changed) when its id is already indexed."""
        with _call():
            incoming = self._incoming(article)
            return self._store.insert(article, incoming.entry, incoming.keys, None) == "added"

    def add_many(
        self,
        articles: Iterable[Article],
        batch: int = BULK_BATCH,
        progress: Callable[[Added], None] | None = None,
        compact: bool | None = None,
    ) -> Added:
        """Add many articles without checking them (loading an archive): the index `add` of each in turn would
        build, much faster.

        Articles are taken `batch` at a time: their entries and band keys are computed together by the scan's
        compiled batch paths (on every core), and each batch is one durable commit (SQLite: its records in one
        transaction, its band keys written straight into a sorted run; Redis: two round trips). As with `add`, an id
        already indexed (or met earlier in `articles`) is left alone, and buckets are capped in the order the
        articles come. A crash keeps every batch whose commit ended. `progress(done)` is called after each commit
        with that batch's result. Then the index is compacted (`Index.compact`) when `compact` is True, or, when it
        is None, if this call at least doubled it: a load is followed by checks, which compaction makes faster.

        Returns:
            How many articles were added, and the ids left alone.
        """
        if batch < 1:
            raise ValueError(f"batch must be at least 1, not {batch}")
        indexed = self._store.stats()["articles"] if compact is None else 0
        total = Added()
        iterator = iter(articles)
        with pages.ordinary():  # a batch's arrays are large (pages.py)
            while chunk := list(itertools.islice(iterator, batch)):
                entries, keys = self._incoming_many(chunk)
                added = self._store.insert_many(chunk, entries, keys)
                done = Added(sum(added), tuple(a.id for a, new in zip(chunk, added, strict=True) if not new))
                total += done
                if progress is not None:
                    progress(done)
        if compact or (compact is None and load_compacts(indexed, total.added)):
            self.compact()
        return total

    def check_and_add(self, article: Article, policy: Policy = "new") -> Verdict:
        """Check `article` and add it when `policy` admits its verdict, atomically: two workers racing with copies
        of one article never both see `new`. An article whose id is already indexed is never added again."""
        admitted = POLICIES[policy]
        with _call():
            incoming = self._incoming(article)
            # Optimistic: the check runs without the write lock (outside a `batch`), and the add is refused when an
            # article joined one of its buckets since the lookup; then the check is repeated with it.
            for _ in range(_RETRIES):
                found = self._store.lookup(incoming.keys)
                verdict = self._judge(incoming, found)
                if verdict.verdict not in admitted:
                    return dataclasses.replace(verdict, added=False)
                outcome = self._store.insert(article, incoming.entry, incoming.keys, found)
                if outcome != "conflict":
                    return dataclasses.replace(verdict, added=outcome == "added")
        raise StoreError(f'article "{article.id}": {_RETRIES} concurrent adds to its buckets in a row; try again')

    def remove(self, article_id: str) -> bool:
        """Remove an article by id; False when it is not indexed."""
        article = self._store.get(article_id)
        if article is None:
            return False
        with _call():
            keys = self._incoming(article).keys
        return self._store.delete(article_id, keys)

    def compact(self) -> Compacted:
        """Merge the index's sorted runs of band keys into one per level, and its entry segments into one, in one
        durable commit (SQLite; a Redis index has none): each check then searches one run per level (at 1M indexed
        the lookup took 0.43 instead of 0.72 ms, and compacting 30 s; benchmarks/README.md). Adds go on writing
        runs, merged as they grow; `add_many` compacts after a load, and `stats` counts the runs. Other processes
        go on checking meanwhile (an add waits for the commit)."""
        return self._store.compact()

    def stats(self) -> dict[str, Any]:
        """Backend, location, article count, size in bytes, format version and settings."""
        return {**self._store.stats(), "format": FORMAT_VERSIONS[self._store.backend], "config": self.config.identity}

    def _incoming(self, article: Article) -> _Incoming:
        """The article's entry and its document and passage band keys (the scan's signatures and bands)."""
        config = self.config
        entries, document = measure(article, config)
        shingles = entries.shingles.values
        signature = self._document_hasher.signatures([shingles]) if len(shingles) else None
        passages = entries.passage_sets(0, config.align.min_words)
        signatures = (
            self._passage_hasher.signatures(passages)
            if passages
            else np.zeros((0, config.passage.num_perm), dtype=np.uint32)
        )
        passage_keys = _salted(signatures, config.passage)
        keys = Keys(document=distinct(_salted(signature, config.document)), passage=distinct(passage_keys))
        return _Incoming(article, entries, entries.encode(), keys, signatures, passage_keys, document)

    def _incoming_many(self, articles: Sequence[Article]) -> tuple[list[bytes], KeyRows]:
        """The encoded entries and the band keys of many articles: what `_incoming` gives each, computed together."""
        config = self.config
        entries = measure_many(articles, config)
        shingles, profiles = entries.shingles, entries.profiles
        # A text without shingles has no document keys (`_incoming`: no signature).
        documents = np.flatnonzero(np.diff(shingles.bounds) > 0)
        signatures = kernels.minhash(
            shingles.values.astype(np.uint32, copy=False), shingles.bounds, *self._document_hasher.permutations
        )
        document_rows = _key_rows(_salted(signatures[documents], config.document), documents)
        # Every sentence's word set is MinHashed at once; the passages are those of `min_words` words or more.
        passages = np.flatnonzero(profiles.lengths >= config.align.min_words)
        signatures = kernels.minhash(
            profiles.word_values.astype(np.uint32, copy=False),
            profiles.word_bounds,
            *self._passage_hasher.permutations,
        )
        owners = np.repeat(np.arange(len(articles)), np.diff(profiles.sentence_bounds))
        passage_rows = _key_rows(_salted(signatures[passages], config.passage), owners[passages])
        return entries.encode_each(), KeyRows(document_rows, passage_rows)

    def _judge(self, incoming: _Incoming, found: Found) -> Verdict:
        seqs = np.array(sorted(found.entries), dtype=np.int64)
        matches: list[Match] = []
        unverified = 0
        if len(seqs):
            # Blob 0 is the incoming article's entry, blob k + 1 that of the stored article seqs[k]. Most bucket
            # members fail the candidate rule, which reads sentences only: the rest are decoded whole for the screen.
            blobs = [incoming.entry, *(found.entries[seq] for seq in seqs.tolist())]
            stored = self._candidates(incoming, found, seqs, decode_sentences(blobs))
            entries = decode([blobs[0], *(blobs[k + 1] for k in stored.tolist())], self.config.align.min_words)
            pairs = np.stack([np.arange(1, len(stored) + 1), np.zeros_like(stored)], axis=1)
            jaccards = entries.shingles.jaccard(pairs)
            kept = np.flatnonzero(self._screen(entries, pairs, jaccards))
            # Strongest first: by Jaccard, then the earlier article.
            kept = kept[np.lexsort((stored[kept], -jaccards[kept]))]
            # The texts only of those left: an article removed since the lookup is left out with its record.
            records = self._records(found, [int(seqs[stored[k]]) for k in kept.tolist()])
            kept = np.array([k for k in kept.tolist() if int(seqs[stored[k]]) in records], dtype=np.int64)
            within = self._within_reach(jaccards[kept])
            unverified += len(kept) - within
            kept = kept[:within]
            kept_seqs = [int(seqs[stored[k]]) for k in kept.tolist()]
            articles = [decode_article(records[seq]) for seq in kept_seqs]
            jaccards = jaccards[kept]  # of the pairs left, in verification order from here on
            relatable, near, by_names, sentence_matches = self._relatable(incoming, kept_seqs, articles, jaccards)
            strongest_left = _strongest_left(jaccards, relatable, near)
            named = False
            for position, (seq, article) in enumerate(zip(kept_seqs, articles, strict=True)):
                if not named and self._full(matches) and not self._settled(matches, strongest_left[position]):
                    # The cap is reached but a candidate left could still be a near-duplicate by its coverage: which
                    # of them name the same people and firms decides it, at the cost of preparing them (as verifying
                    # them would), not of aligning them.
                    near = self._named(incoming, kept_seqs, articles, jaccards, near & relatable, position)
                    strongest_left = _strongest_left(jaccards, relatable, near)
                    named = True
                if self._settled(matches, strongest_left[position]):
                    unverified += len(kept) - position
                    break
                if not relatable[position]:
                    continue
                if self._settled(matches, _best_rank(float(jaccards[position]), bool(near[position]))):
                    # A candidate after this one could still be shown, but not this one (a partial reuse at most,
                    # below the weakest shown): left unverified, as those after a settled cap are.
                    unverified += 1
                    continue
                stored_document, document = self._stored(seq, article), incoming.prepared(self.config.shingle)
                if by_names[position] and not self._names_agree(stored_document, document):
                    continue  # it could relate only as a near-duplicate, and names others: `relate` would find nothing
                pair = relate(stored_document, document, self.config, sentence_matches[position])
                if pair is not None:
                    matches.append(Match(article, pair))
        if not matches:
            return Verdict(incoming.article.id, "new", unverified=unverified)
        matches.sort(key=_strongest_first)
        matches = matches[: self.max_matches]
        document = incoming.prepared(self.config.shingle)
        return Verdict(
            document.id, matches[0].pair.relation, tuple(matches), _original(document, matches), unverified=unverified
        )

    def _records(self, found: Found, seqs: list[int]) -> dict[int, bytes]:
        """The records of the stored articles `seqs`: those the lookup read, and the rest from the store."""
        records = {seq: found.records[seq] for seq in seqs if seq in found.records}
        missing = [seq for seq in seqs if seq not in records]
        return {**records, **self._store.records(missing)} if missing else records

    def _within_reach(self, jaccards: np.ndarray) -> int:
        """How many of the candidates (their Jaccards, strongest first) could be among the matches shown: all, unless
        `max_matches` of them reach `near_jaccard`, which makes them near-duplicates at least whatever their
        alignment. A candidate of lower Jaccard could then be shown only as an exact duplicate, which takes a
        Jaccard of 1: those after the last that could tie the `max_matches`-th (`_strongest_first` rounds it) need
        no screening. (A story the wires sent to many outlets has many such copies.)"""
        count = self.max_matches
        if count is None or len(jaccards) <= count or jaccards[count - 1] < self.config.near_jaccard:
            return len(jaccards)
        return int(np.count_nonzero(jaccards >= jaccards[count - 1] - _ROUNDING))

    def _full(self, matches: list[Match]) -> bool:
        return self.max_matches is not None and len(matches) >= self.max_matches

    def _named(
        self,
        incoming: _Incoming,
        seqs: list[int],
        articles: list[Article],
        jaccards: np.ndarray,
        near: np.ndarray,
        first: int,
    ) -> np.ndarray:
        """`near` with the candidates from position `first` on that could be near-duplicates only by their coverage
        (a Jaccard below `near_jaccard`) kept so only when they name the same people and firms as the incoming
        article (`names.names_agree`, as `verify.classify` requires of them). Candidates that cannot relate are
        left out of `near` by the caller, so none is prepared for nothing."""
        config = self.config
        near = near.copy()
        document = incoming.prepared(config.shingle)
        for position in range(first, len(seqs)):
            if near[position] and jaccards[position] < config.near_jaccard:
                stored = self._stored(seqs[position], articles[position])
                near[position] = self._names_agree(stored, document)
        return near

    def _names_agree(self, stored: Document, document: Document) -> bool:
        return names_agree(stored, document, self.config.min_shared_names, self.config.min_names)

    def _settled(self, matches: list[Match], strongest_left: tuple[int, float] | None) -> bool:
        """Whether the `max_matches` strongest of `matches` stay so against every candidate left, of which the
        strongest could rank `strongest_left` at best (`_strongest_left`; None: none can relate). Ties go on
        verifying."""
        if not self._full(matches):
            return False
        if strongest_left is None:
            return True
        weakest_shown = sorted(matches, key=_strongest_first)[self.max_matches - 1].pair
        return strongest_left > (_STRENGTH[weakest_shown.relation], -weakest_shown.jaccard)

    def _candidates(self, incoming: _Incoming, found: Found, seqs: np.ndarray, sentences: Sentences) -> np.ndarray:
        """Which of the stored articles `seqs` (indexes into them) the scan would make candidates: those sharing a
        document bucket, and those whose passages collide with the incoming article's in buckets that are not
        full, with MinHash estimates that give the evidence (`candidates.estimated_evidence`)."""
        config = self.config
        chosen = contains(np.sort(np.fromiter(found.documents, dtype=np.int64, count=len(found.documents))), seqs)
        passage_keys, passage_seqs = found.passage_keys, found.passage_seqs
        if chosen.any():
            # An article that shares a document bucket is a candidate already: its passages need not give evidence
            # (a story with 40 indexed copies had 50,000 passage memberships to sort, 11 of its 58 ms).
            others = ~contains(seqs[chosen], passage_seqs)
            passage_keys, passage_seqs = passage_keys[others], passage_seqs[others]
        if len(passage_seqs) and len(incoming.passage_keys):
            # Each membership of a passage bucket, once per passage (row) and band (column) of the incoming
            # article with that key: two of its passages can share a key.
            hits = kernels.passage_hits(incoming.passage_keys, passage_keys, passage_seqs, seqs)
            a, b = self._passage_hasher.permutations
            _, rows = optimal_bands(
                config.passage.threshold, config.passage.num_perm, config.passage.false_positive_weight
            )
            chosen |= kernels.colliding_passages(
                incoming.signatures,
                hits,
                sentences.sentence_bounds,
                sentences.lengths,
                sentences.word_values,
                sentences.word_bounds,
                config.align.min_words,
                rows,
                a,
                b,
                *estimated_evidence(config.evidence),
            )[1:]
        return np.flatnonzero(chosen)

    def _screen(self, entries: Entries, pairs: np.ndarray, jaccards: np.ndarray) -> np.ndarray:
        """The scan's screen (`verify.screen`) on entries: exact shingle Jaccard (`jaccards`, of each pair) at the
        threshold, or a sentence profile match (`Profiles.screen`)."""
        config = self.config
        keep = jaccards >= min(config.near_jaccard, config.document.threshold)
        rest = np.flatnonzero(~keep)
        if len(rest):
            keep[rest] = entries.profiles.screen(pairs[rest], config)
        return keep

    def _relatable(
        self, incoming: _Incoming, seqs: list[int], articles: list[Article], jaccards: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
        """Which stored articles (`seqs`, their `articles`) could relate to the incoming one (`verify.screen`'s last
        step): shingle Jaccard at `near_jaccard`, or an aligner's matching (`matching.may_relate`, computed from the
        texts: the entries keep no word order) that covers enough or reuses a long enough passage; which of them
        could be near-duplicates (that Jaccard, or coverage enough: `matching.may_be_near`); which could relate only
        so by their coverage, without that Jaccard or a long enough reuse (`verify.classify` then requires that the
        two name the same people); and the sentence matches of each (the stored article as side a), which `relate`
        then need not find again. Documents prepared already are not prepared again."""
        config = self.config
        if not seqs:
            return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), []
        prepared = {k: self._prepared[seq] for k, seq in enumerate(seqs) if seq in self._prepared}
        if incoming.document is not None:
            prepared[len(seqs)] = incoming.document
        corpus = Corpus([*articles, incoming.article], config.shingle, prepared)
        pairs = np.stack([np.arange(len(seqs)), np.full(len(seqs), len(seqs))], axis=1)
        view = sentences(corpus_features(corpus, np.arange(len(seqs) + 1)))
        found = match_pairs(pairs, view, config)
        by_jaccard = jaccards >= config.near_jaccard
        # `matching.may_relate`, in its two parts.
        by_coverage = may_be_near(pairs, view, config, found)
        reuses = found.longest_reuse >= config.reuse_min_words
        relatable = by_jaccard | by_coverage | reuses
        near = by_jaccard | by_coverage
        return relatable, near, by_coverage & ~by_jaccard & ~reuses, [found.of(k) for k in range(len(seqs))]

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


def load_compacts(indexed: int, added: int) -> bool:
    """Whether a load of `added` articles into an index that held `indexed` ends by compacting it (`Index.add_many`):
    when it at least doubled the index. Checks follow a load, and compaction, which rewrites the index once, makes
    them faster."""
    return added > 0 and added >= indexed


@contextmanager
def _call() -> Iterator[None]:
    """How a check, an add or a removal runs: its compiled calls on the calling thread only (numba's thread count is
    per thread), with numpy's huge pages off (pages.py)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        with pages.ordinary():
            yield
    finally:
        numba.set_num_threads(previous)


def _salted(signatures: np.ndarray | None, config: MinHashConfig) -> np.ndarray:
    """Band keys, one row per signature, salted per band so that keys of different bands never meet."""
    bands, rows = optimal_bands(config.threshold, config.num_perm, config.false_positive_weight)
    if signatures is None or not len(signatures):
        return np.zeros((0, bands), dtype=np.uint64)
    return band_keys(signatures, bands, rows) ^ _salts(bands)


@lru_cache
def _salts(bands: int) -> np.ndarray:
    """Each band's salt, as a row (read-only: shared by every call)."""
    with np.errstate(over="ignore"):
        salts = (np.arange(1, bands + 1, dtype=np.uint64) * _BAND_SALT)[None, :]
    salts.flags.writeable = False
    return salts


def _key_rows(keys: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """`KeyRows` of one level from band keys (a row of bands per signature) and the article of each signature
    (ascending): each `(key, article)` once, as `np.unique` of each article's keys gives them, sorted by key, then
    article."""
    flat = keys.ravel().view(np.int64)
    article = np.repeat(owners, keys.shape[1])
    # Stable: rows of one key keep their ascending articles (one sort, where a lexsort took three times as long).
    order = np.argsort(flat, kind="stable")
    flat, article = flat[order], article[order]
    first = np.ones(len(flat), dtype=bool)
    first[1:] = (flat[1:] != flat[:-1]) | (article[1:] != article[:-1])
    return np.stack([flat[first], article[first]], axis=1)


def _strongest_left(jaccards: np.ndarray, relatable: np.ndarray, near: np.ndarray) -> list[tuple[int, float] | None]:
    """For each position of candidates in verification order, how the strongest candidate from there on could rank
    at best (`_strongest_first`'s order on strength and Jaccard), None when none of them can relate: only a
    Jaccard of 1 can be an exact duplicate (the same words give the same shingles), only a candidate `near` can be
    a near-duplicate, any other at most a partial reuse."""
    best: list[tuple[int, float] | None] = [None] * (len(jaccards) + 1)
    for position in range(len(jaccards) - 1, -1, -1):
        best[position] = best[position + 1]
        if relatable[position]:
            rank = _best_rank(float(jaccards[position]), bool(near[position]))
            if best[position] is None or rank < best[position]:
                best[position] = rank
    return best


def _best_rank(jaccard: float, near: bool) -> tuple[int, float]:
    """How a candidate that can relate could rank at best (`_strongest_left`): by its Jaccard and whether it can be
    a near-duplicate."""
    relation = "exact-duplicate" if jaccard >= 1.0 else "near-duplicate" if near else "partial-reuse"
    return _STRENGTH[relation], -round(jaccard, 4)


def _strongest_first(match: Match) -> tuple[int, float, str]:
    return _STRENGTH[match.pair.relation], -match.pair.jaccard, match.article.id


def _original(document: Document, matches: list[Match]) -> str:
    """The most faithful matched article, by the scan's ranking of the incoming article and its matches. The
    incoming article is never the answer, so a single match is it without ranking (ranking costs 2-3 ms)."""
    if len(matches) == 1:
        return matches[0].article.id
    pairs = {(m.article.id, _INCOMING): dataclasses.replace(m.pair, b=_INCOMING) for m in matches}
    incoming = dataclasses.replace(document.article, id=_INCOMING)
    ranked = rank_members([*(m.article for m in matches), incoming], pairs)
    return next(member.id for member in ranked if member.id != _INCOMING)
