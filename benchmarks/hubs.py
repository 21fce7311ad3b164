"""Large families verified through their hub against every pair verified, on real text: the same clusters and ranks?

    python -m benchmarks.hubs
    python -m benchmarks.hubs --families 50 --copies 80 --others 3000

Families: the first F Reuters-21578 bodies of 150 words or more (../shared/data), each in C copies with one word
in 40 replaced (`random.Random(1000 f + k)` for copy k of family f), among the next O bodies unchanged, shuffled
(`random.Random(7)`). The corpus is scanned twice in this process: as `dedupe.scan` does it (a family whose hub
has `scan.HUB_SATELLITES` document-level candidates or more verified through its hub), then with no hub found, so
that every candidate pair is verified. One JSON line: both times and pair counts, and whether the clusters, every
member's rank, score and reasons, and the relation of every pair the first scan reports are those of the second.
Run from outside a checkout with PYTHONPATH naming it to time that checkout's dedupe.
"""

from __future__ import annotations

import argparse
import importlib
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

import dedupe
from benchmarks.large_inputs import edited_copy
from benchmarks.sources import read_reuters

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
scan_module = importlib.import_module("dedupe.scan")  # `dedupe.scan` is the function


def corpus(families: int, copies: int, others: int) -> list[dedupe.Article]:
    bodies = [a.text for a in read_reuters(DATA / "reuters-21578") if len(a.text.split()) >= 150]
    articles = []
    for family, text in enumerate(bodies[:families]):
        for k in range(copies):
            copy = edited_copy(text, random.Random(family * 1000 + k))
            articles.append(dedupe.Article(f"f{family:03d}-{k:03d}", copy))
    articles += [dedupe.Article(f"o{i:05d}", text) for i, text in enumerate(bodies[families : families + others])]
    random.Random(7).shuffle(articles)
    return articles


@contextmanager
def no_hubs() -> Iterator[None]:
    found = scan_module.candidate_hubs
    scan_module.candidate_hubs = lambda *_: []
    try:
        yield
    finally:
        scan_module.candidate_hubs = found


def timed_scan(articles: list[dedupe.Article]) -> tuple[dedupe.ScanResult, float]:
    started = time.perf_counter()
    result = dedupe.scan(articles)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--copies", type=int, default=80)
    parser.add_argument("--others", type=int, default=3000)
    args = parser.parse_args()
    articles = corpus(args.families, args.copies, args.others)
    hubs, hubs_seconds = timed_scan(articles)
    with no_hubs():
        every, every_seconds = timed_scan(articles)
    ranks = {m.id: (m.rank, m.score, m.reasons) for c in hubs.clusters for m in c.members}
    relations = {(p.a, p.b): p.relation for p in every.pairs}
    row = {
        "articles": len(articles),
        "clusters": len(hubs.clusters),
        "seconds_hubs": round(hubs_seconds, 2),
        "seconds_every_pair": round(every_seconds, 2),
        "pairs_hubs": len(hubs.pairs),
        "pairs_implied": hubs.stats.get("pairs_implied", 0),
        "pairs_every_pair": len(every.pairs),
        "same_clusters": sorted(sorted(m.id for m in c.members) for c in hubs.clusters)
        == sorted(sorted(m.id for m in c.members) for c in every.clusters),
        "same_ranks": ranks == {m.id: (m.rank, m.score, m.reasons) for c in every.clusters for m in c.members},
        "same_relations": all(relations.get((p.a, p.b)) == p.relation for p in hubs.pairs),
        "dedupe": str(Path(dedupe.__file__).parent),
    }
    print(orjson.dumps(row).decode(), flush=True)


if __name__ == "__main__":
    main()
