"""Choose the ranking's weights on tuning families: a grid search over `RankWeights` on evidence written by
`lineage.py --evidence`, leaving out the held-out kinds. Prints the best weights and their per-kind accuracy.

    python benchmarks/lineage.py --families 1200 --seed 1 --evidence /tmp/evidence-seed1.jsonl
    python benchmarks/lineage_tune.py /tmp/evidence-seed1.jsonl   # grid search, then an ablation of the defaults
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections import defaultdict
from dataclasses import asdict, fields, replace
from pathlib import Path

from dedupe.rank import Evidence, RankWeights, score
from lineage import HELDOUT_KINDS

GRID = {
    "corruption": (0.5, 1.0, 2.0),
    "fluency": (0.05, 0.1, 0.25),
    "usage": (0.1, 0.25, 0.5),
    "agreement": (2.0, 4.0, 8.0),
    "completeness": (0.5, 1.0, 2.0),
    "boilerplate": (2.0, 4.0, 8.0),
    "date": (0.25, 0.5, 1.0),
}


def load(path: Path) -> list[dict]:
    rows = []
    for line in path.open():
        row = json.loads(line)
        if "evidence" in row:
            row["evidence"] = {k: Evidence(**v) for k, v in row["evidence"].items()}
            rows.append(row)
    return rows


def judge(rows: list[dict], weights: RankWeights) -> dict[str, tuple[float, float]]:
    """(top-1, pairwise) per kind and overall, ties counted as errors."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        scores = defaultdict(lambda: -1e9, {k: score(e, weights) for k, e in row["evidence"].items()})
        best = max(scores.values())
        top = scores[row["original"]] == best and list(scores.values()).count(best) == 1
        right = sum(1 for a, b in row["order"] if scores[a] > scores[b])
        for name in (row["kind"], "all"):
            t = tally[name]
            t[0] += top
            t[1] += 1
            t[2] += right
            t[3] += len(row["order"])
    return {k: (t[0] / t[1], t[2] / t[3] if t[3] else 0.0) for k, t in tally.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("evidence", type=Path)
    args = parser.parse_args()
    rows = [r for r in load(args.evidence) if r["kind"] not in HELDOUT_KINDS]
    names = list(GRID)
    best: tuple[float, RankWeights] | None = None
    for values in itertools.product(*(GRID[n] for n in names)):
        weights = RankWeights(**dict(zip(names, values, strict=True)))
        result = judge(rows, weights)
        # Top-1 first; pairwise order breaks ties between weightings.
        key = result["all"][0] + 0.1 * result["all"][1]
        if best is None or key > best[0]:
            best = (key, weights)
    assert best is not None
    print("best weights:", asdict(best[1]))
    for kind, (top1, pairwise) in sorted(judge(load(args.evidence), best[1]).items()):
        print(f"  {kind:18s} top-1 {top1:.3f}  pairwise {pairwise:.3f}")
    print("defaults:", asdict(RankWeights()))
    print("ablation on the defaults (top-1; each signal's weight set to 0 in turn):")
    rows = load(args.evidence)
    kinds = sorted({r["kind"] for r in rows})
    print("| without | " + " | ".join(kinds) + " | all |")
    print("|---" * (len(kinds) + 2) + "|")
    for signal in ["(none)", *(f.name for f in fields(RankWeights))]:
        weights = RankWeights() if signal == "(none)" else replace(RankWeights(), **{signal: 0.0})
        result = judge(rows, weights)
        print(f"| {signal} | " + " | ".join(f"{result[k][0]:.3f}" for k in [*kinds, "all"]) + " |")


if __name__ == "__main__":
    main()
