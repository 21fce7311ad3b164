"""Where a gate check spends its time: build an index (embedded SQLite) of the gate benchmark's corpus, then check
a stream against it under cProfile and print each stage's share, with the load average beside it.

    python -m benchmarks.profile_gate --articles 3000 --stream 300

The corpus and stream are those of benchmarks/gate.py. Checks only (nothing is added), so every check sees the
same index. The times are cProfile's (its overhead inflates Python-heavy stages more than compiled ones): read
the shares, and benchmarks/gate.py for latencies.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import tempfile
import time
from pathlib import Path

from benchmarks.gate import corpus
from dedupe.gate import Index
from dedupe.models import Article

# Stage -> the function whose cumulative time it is (file name suffix, function name).
STAGES = {
    "entry and keys of the incoming article": ("gate.py", "_incoming"),
    "store lookup (buckets and records)": ("store.py", "lookup"),
    "decode stored entries": ("entry.py", "decode"),
    "candidate rule (passage estimates)": ("gate.py", "_candidates"),
    "screen (Jaccard, sentence profiles)": ("gate.py", "_screen"),
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
    args = parser.parse_args()
    indexed, further = corpus(args.articles, args.stream)
    with tempfile.TemporaryDirectory(prefix="gate-profile-") as temp:
        location = Path(args.index or Path(temp) / "index")
        build = not location.exists()
        with Index.open(location) as index:
            if build:
                for start in range(0, len(indexed), 1000):
                    with index.batch():
                        for doc_id, text in indexed[start : start + 1000]:
                            index.add(Article(doc_id, text))
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
    row = {"articles": args.articles, "checks": len(further), "ms_per_check": round(seconds / len(further) * 1e3, 2)}
    for stage, (suffix, function) in STAGES.items():
        spent = sum(
            cumulative
            for (path, _, name), (*_, cumulative, _callers) in stats.items()
            if name == function and path.endswith(suffix)
        )
        row[stage] = f"{spent / total:.0%}"
    row["load"] = round(os.getloadavg()[0], 2)
    print(json.dumps(row, indent=1))


if __name__ == "__main__":
    main()
