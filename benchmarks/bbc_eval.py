"""Near-duplicate precision and recall of `dedupe scan` on BBC News 2004-05 (silver labels).

The corpus has natural duplicates (../shared/data/bbc-news-2225/SOURCE.md): groups of identical articles and
articles re-published under the same headline with edits. Silver positives here: every pair of articles with the
same headline (line 1) — exact re-publications and edited updates alike. Pairs the scan reports beyond those are
listed for review: they are not necessarily wrong (a story re-published under a new headline is a true duplicate).

    python benchmarks/bbc_eval.py ../shared/data/bbc-news-2225 [--out benchmarks/out/bbc.json]
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import Counter, defaultdict
from pathlib import Path

import orjson

import dedupe


def load(corpus: Path) -> list[dedupe.Article]:
    log = dedupe.IngestLog()
    articles = []
    for article in dedupe.read_articles([corpus / "bbc"], log):
        if article.id.endswith(".txt") and article.id != "README.TXT":
            headline = article.text.split("\n", 1)[0].strip()
            articles.append(dedupe.Article(id=article.id, text=article.text, title=headline))
    return articles


def silver_pairs(articles: list[dedupe.Article]) -> set[tuple[str, str]]:
    by_headline: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        by_headline[article.title or ""].append(article.id)
    return {tuple(sorted(p)) for ids in by_headline.values() for p in itertools.combinations(ids, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    articles = load(args.corpus)
    started = time.perf_counter()
    result = dedupe.scan(articles)
    seconds = time.perf_counter() - started
    truth = silver_pairs(articles)
    found = {(p.a, p.b): p for p in result.pairs}
    duplicates = {k for k, p in found.items() if p.relation != "partial-reuse"}
    relations = Counter(p.relation for p in found.values())
    true_found = truth & duplicates
    print(f"{len(articles)} articles scanned in {seconds:.1f} s ({result.config.identity})")
    print(f"relations reported: {dict(relations)}")
    print(f"silver pairs (same headline): {len(truth)}; found as duplicates: {len(true_found)}")
    print(f"recall on silver: {len(true_found) / len(truth):.3f}")
    missed = sorted(truth - duplicates)
    print(f"missed silver pairs: {len(missed)}")
    for a, b in missed:
        relation = found[(a, b)].relation if (a, b) in found else "none"
        print(f"  {a} {b} -> {relation}")
    extra = sorted(duplicates - truth)
    print(f"duplicates beyond silver (review by hand): {len(extra)}")
    for key in extra:
        pair = found[key]
        print(
            f"  {key[0]} {key[1]} {pair.relation} J={pair.jaccard:.2f} cov={pair.coverage_a:.2f}/{pair.coverage_b:.2f}"
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(
            orjson.dumps(
                {
                    "config": result.config.identity,
                    "seconds": seconds,
                    "relations": relations,
                    "silver": len(truth),
                    "recall": len(true_found) / len(truth),
                    "missed": missed,
                    "beyond_silver": extra,
                    "stats": result.stats,
                },
                option=orjson.OPT_INDENT_2,
            )
        )


if __name__ == "__main__":
    main()
