"""Near-duplicates `dedupe scan` reports among real Reuters stories, for review by hand (no labels exist).

Counts the relations over the first N stories and prints a sample of near-duplicates whose word-5-gram Jaccard is
below 0.5 (the ones the alignment decided), so a person can judge them.

    python benchmarks/reuters_near.py ../shared/data/reuters-21578 --stories 3000 --sample 6
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import dedupe
from sources import read_reuters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--stories", type=int, default=3000)
    parser.add_argument("--sample", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    articles = [dedupe.Article(id=a.origin, text=a.text) for a in read_reuters(args.corpus)[: args.stories]]
    started = time.perf_counter()
    result = dedupe.scan(articles)
    print(f"{len(articles)} stories scanned in {time.perf_counter() - started:.1f} s ({result.config.identity})")
    print(dict(Counter(p.relation for p in result.pairs)))
    low = [p for p in result.pairs if p.relation == "near-duplicate" and p.jaccard < 0.5]
    print(f"near-duplicates with Jaccard < 0.5: {len(low)}")
    texts = {a.id: a.text for a in articles}
    for pair in random.Random(args.seed).sample(low, min(args.sample, len(low))):
        print(f"--- {pair.a} ~ {pair.b} J={pair.jaccard} coverage {pair.coverage_a} / {pair.coverage_b}")
        print(" ".join(texts[pair.a].split())[:300])
        print("  ~ " + " ".join(texts[pair.b].split())[:300])


if __name__ == "__main__":
    main()
