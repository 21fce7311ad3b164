"""Where a gate check spends its time: build an index (embedded SQLite) of the gate benchmark's corpus, then check
a stream against it under cProfile and print each stage's share, with the load average beside it.

    python -m benchmarks.profile_gate --articles 3000 --stream 300
    python -m benchmarks.profile_gate --articles 20000 --stream 2000 --index DIR --timed
    python -m benchmarks.profile_gate --articles 100000 --stream 2000 --index DIR --timed --added 2000 --commit-every 1
    python -m benchmarks.profile_gate --articles 1000000 --stream 2000 --index DIR --timed --checks-only

The corpus and stream are those of benchmarks/gate.py. Checks only (nothing is added), so every check sees the
same index. The times are cProfile's (its overhead inflates Python-heavy stages more than compiled ones): read
the shares, and benchmarks/gate.py for latencies.

`--timed` measures instead of profiling: the stream replayed as benchmarks/gate.py replays it (check-and-add,
policy new, one durable commit per 100 or `--commit-every`), on a copy of the index (so every run starts from the
same one; `--added N` first adds N other articles to the copy one by one, as a running gate has added them since
its newest keys were last written into runs, which the bulk load leaves with none), after
the start-up `dedupe gate` makes (the check's kernels loaded, start-up's objects frozen out of the collector), each
stage timed by a clock around its function, in wall and in CPU time of the thread (which a loaded machine inflates
less): milliseconds per stream article, the step latencies, and those of the checks with nothing to verify. The
stages are found by name, so the same script times older code put first on PYTHONPATH (run it from outside the
checkout then: `python -m` puts the current directory first; the row names the dedupe it ran). `--checks-only`
checks the stream against the index itself instead, adding nothing and copying nothing: at 1M indexed the copy's
10 GB beside the index's own crowd the page cache, and the timed streams of one snapshot varied by a fifth.
`--typeset` sets the corpus and the stream with curly quotes and dashes, as most news is published
(benchmarks/typography.py; give the index its own directory).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import json
import os
import pstats
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.gate import WORD, bodies, corpus, percentiles, swap_words
from benchmarks.typography import typeset
from dedupe import gate
from dedupe.gate import Index
from dedupe.models import Article

# Stage -> the function whose cumulative time it is (file name suffix, function name).
STAGES = {
    "entry and keys of the incoming article": ("gate.py", "_incoming"),
    "store lookup (buckets and records)": ("store.py", "lookup"),
    "decode stored entries": ("entry.py", "decode"),
    "candidate rule (passage estimates)": ("gate.py", "_candidates"),
    "screen (Jaccard, sentence profiles)": ("gate.py", "_screen"),
    "screen (compiled matching on the texts)": ("gate.py", "_relatable"),
    "prepare stored articles for relate": ("gate.py", "_stored"),
    "prepare the incoming article": ("gate.py", "prepared"),
    "relate (align)": ("verify.py", "relate"),
    "rank the matches": ("gate.py", "_original"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--stream", type=int, default=300)
    parser.add_argument("--index", help="an index directory to reuse (built there when missing)")
    parser.add_argument("--timed", action="store_true", help="time each stage of a check-and-add stream instead")
    parser.add_argument("--added", type=int, default=0, help="--timed: articles added one by one before the stream")
    parser.add_argument("--commit-every", type=int, default=100, help="--timed: the stream's group commit")
    parser.add_argument("--checks-only", action="store_true", help="--timed: check the stream on the index, no adds")
    parser.add_argument("--typeset", action="store_true", help="curly quotes and dashes in every text")
    args = parser.parse_args()
    indexed, further = corpus(args.articles, args.stream)
    if args.typeset:
        indexed = [(doc_id, typeset(text)) for doc_id, text in indexed]
        further = [(doc_id, typeset(text), kind) for doc_id, text, kind in further]
    with tempfile.TemporaryDirectory(prefix="gate-profile-") as temp:
        location = Path(args.index or Path(temp) / "index")
        if not location.exists():
            with Index.open(location) as index:
                index.add_many(Article(doc_id, text) for doc_id, text in indexed)
        if args.timed and args.checks_only:
            row = timed(location, further, add=False)
        elif args.timed:
            shutil.copytree(location, Path(temp) / "copy")
            add_one_by_one(Path(temp) / "copy", args.added)
            row = timed(Path(temp) / "copy", further, args.commit_every)
        else:
            row = profiled(location, further)
    row = {
        "dedupe": str(Path(gate.__file__).parent),
        "articles": args.articles,
        **({"added": args.added, "commit_every": args.commit_every} if args.timed and not args.checks_only else {}),
        **({"checks_only": True} if args.timed and args.checks_only else {}),
        **({"typeset": True} if args.typeset else {}),
        "checks": len(further),
        **row,
        "load": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(row, indent=1))


def profiled(location: Path, further: list[tuple[str, str, str]]) -> dict[str, Any]:
    with Index.open(location) as index:
        index.check(Article("warm-up", further[0][1]))
        profile = cProfile.Profile()
        clock = time.perf_counter()
        profile.enable()
        for doc_id, text, _kind in further:
            index.check(Article(doc_id, text))
        profile.disable()
        seconds = time.perf_counter() - clock
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = sum(
        cumulative
        for (path, _, name), (*_, cumulative, _callers) in stats.items()
        if name == "check" and path.endswith("gate.py")
    )
    row: dict[str, Any] = {"ms_per_check": round(seconds / len(further) * 1e3, 2)}
    for stage, (suffix, function) in STAGES.items():
        spent = sum(
            cumulative
            for (path, _, name), (*_, cumulative, _callers) in stats.items()
            if name == function and path.endswith(suffix)
        )
        row[stage] = f"{spent / total:.0%}"
    return row


# Stage -> (owner, attribute) wrapped with clocks in --timed mode; the store's by class name, once it is open.
TIMED = {
    "entry and keys": (gate.Index, "_incoming"),
    "decode stored entries": (gate, "decode"),
    "decode stored sentences": (gate, "decode_sentences"),
    "candidate rule": (gate.Index, "_candidates"),
    "screen": (gate.Index, "_screen"),
    "matching screen": (gate.Index, "_relatable"),
    "prepare stored articles": (gate.Index, "_stored"),
    "relate": (gate, "relate"),
    "rank the matches": (gate, "_original"),
}


def add_one_by_one(location: Path, count: int) -> None:
    """Add `count` articles to the index, each by `Index.add` (commits of 100), unlike the bulk load's: variants of
    the corpus's sources with half their words swapped, as the indexed articles are, under ids of their own."""
    base = bodies()
    vocabulary = sorted({w for b in base for w in WORD.findall(b)})
    with Index.open(location) as index:
        for first in range(0, count, 100):
            with index.batch():
                for k in range(first, min(first + 100, count)):
                    text = swap_words(base[k % len(base)], 0.5, random.Random(10**6 + k), vocabulary)
                    index.add(Article(f"added-{k}", text))


def timed(
    location: Path, further: list[tuple[str, str, str]], commit_every: int = 100, *, add: bool = True
) -> dict[str, Any]:
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    calls: dict[str, int] = {}

    def wrap(owner: Any, name: str, stage: str) -> None:
        function: Callable[..., Any] = getattr(owner, name)

        def clocked(*args: Any, **kwargs: Any) -> Any:
            started, started_cpu = time.perf_counter(), time.thread_time()
            calls[stage] = calls.get(stage, 0) + 1
            try:
                return function(*args, **kwargs)
            finally:
                wall[stage] = wall.get(stage, 0.0) + time.perf_counter() - started
                cpu[stage] = cpu.get(stage, 0.0) + time.thread_time() - started_cpu

        setattr(owner, name, clocked)

    for stage, (owner, name) in TIMED.items():
        if hasattr(owner, name):  # older code may lack a stage
            wrap(owner, name, stage)
    with Index.open(location) as index:
        store = type(index._store)
        wrap(store, "lookup", "store lookup")
        wrap(store, "insert", "store insert")
        # As `dedupe gate` starts (cli._long_running): the kernels loaded (`Index.warm`, or one check in older code),
        # then start-up's objects frozen out of the collector's reach.
        if hasattr(index, "warm"):
            index.warm()
        else:
            index.check(Article("warm-up", further[0][1]))
        gc.freeze()
        wall.clear()
        cpu.clear()
        calls.clear()
        steps, quiet, verdicts, verified = [], [], {}, []
        clock = time.perf_counter()
        for first in range(0, len(further), commit_every):
            with index.batch() if add else contextlib.nullcontext():
                for doc_id, text, _kind in further[first : first + commit_every]:
                    related = calls.get("relate", 0)
                    started = time.perf_counter()
                    article = Article(doc_id, text)
                    verdict = (index.check_and_add(article) if add else index.check(article)).verdict
                    steps.append(time.perf_counter() - started)
                    verified.append(calls.get("relate", 0) - related)
                    if not verified[-1]:
                        quiet.append(steps[-1])
                    verdicts[verdict] = verdicts.get(verdict, 0) + 1
        seconds = time.perf_counter() - clock
    per = 1e3 / len(further)
    return {
        "stream_articles_per_s": round(len(further) / seconds, 1),
        "step": percentiles(steps),
        "nothing_to_verify": {"checks": len(quiet), **(percentiles(quiet) if quiet else {})},
        "pairs_verified_per_article": {
            "mean": round(sum(verified) / len(verified), 2),
            "p50": sorted(verified)[len(verified) // 2],
            "p99": sorted(verified)[int(0.99 * len(verified))],
            "max": max(verified),
        },
        "calls_per_article": {stage: round(n / len(further), 2) for stage, n in sorted(calls.items())},
        "ms_per_article_wall": {stage: round(spent * per, 3) for stage, spent in sorted(wall.items())},
        "ms_per_article_cpu": {stage: round(spent * per, 3) for stage, spent in sorted(cpu.items())},
        "verdicts": verdicts,
    }


if __name__ == "__main__":
    main()
