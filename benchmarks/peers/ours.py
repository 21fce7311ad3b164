"""dedupe (this project), run in the repository's own venv.

Variants (--variant):
- `docs`: `dedupe.find_near_duplicates(texts, threshold=..., num_perm=128, ngram=5)`, the same document-level
  job as the peers; it returns (i, j, jaccard) triples;
- `scan`: `dedupe.scan(articles, ScanConfig(...))`, the full scan (passage candidates, verification, alignment
  labels, ranking); its exact- and near-duplicate pairs are scored like the peers' document pairs.
"""

from __future__ import annotations

import sys
from multiprocessing import forkserver

import dedupe
from protocol import Stages, parse_args, read_texts, report

DUPLICATES = frozenset({"exact-duplicate", "near-duplicate"})


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    variant = args.variant or "docs"
    stages = Stages()
    with stages("read"):
        texts = read_texts(args.corpus)
    if variant == "docs":
        inner: dict[str, float] = {}
        with stages("find_near_duplicates"):
            found = dedupe.find_near_duplicates(
                texts, threshold=args.threshold, num_perm=args.num_perm, ngram=args.ngram, stats=inner
            )
        pairs = [(i, j) for i, j, _ in found]
        stages.seconds.update({f"dedupe.{k}": round(v, 4) for k, v in inner.items()})
    else:
        config = dedupe.ScanConfig(
            shingle=args.ngram, document=dedupe.MinHashConfig(num_perm=args.num_perm, threshold=args.threshold)
        )
        articles = [dedupe.Article(id=str(i), text=text) for i, text in enumerate(texts)]
        with stages("scan"):
            result = dedupe.scan(articles, config)
        pairs = [(int(p.a), int(p.b)) for p in result.pairs if p.relation in DUPLICATES]
        stages.seconds.update({f"dedupe.{k}": round(float(v), 4) for k, v in result.stats.items() if "seconds" in k})
        _reap_worker_server()
    report(args, f"ours-{variant}", dedupe.__version__, ((min(p), max(p)) for p in pairs), stages, {})
    return 0


def _reap_worker_server() -> None:
    """Stop and wait for the server the scan's worker processes forked from (`dedupe.workers`): it waited for the
    workers, so their CPU time and peak memory then count in this process's, which compare.py reads from wait4.
    Left running, it would exit after us, unwaited, and the workers would count nowhere. (A private stdlib call,
    in the benchmark only.)"""
    server = getattr(forkserver, "_forkserver", None)
    if server is not None and hasattr(server, "_stop"):
        server._stop()


if __name__ == "__main__":
    sys.exit(main())
