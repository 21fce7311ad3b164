"""Run every tool on the same corpus and settings, in one run, and compare them with ours.

    python benchmarks/compare.py --corpus benchmarks/out/corpus-40k-s6 --thresholds 0.8 0.5 --repeat 3

For each threshold, `--repeat` rounds; each round runs every tool once, ours first, in a fresh process in its
own venv (venvs.py), so a peer's time can be divided by ours from the same round (paired runs: slow spells of
a shared machine hit both). Per tool: median wall time of the rounds (process start to exit, as a user sees
it: reading the JSONL, the library import and the dedup), docs/s, MB/s, peak RSS (the largest process of the
run, from wait4), CPU time (user + sys of the run and its workers: > wall means both cores were used), the
runner's own stage times, and precision / recall / F1 of its pairs against truth.jsonl (scoring.py). The time
ratio is the median over rounds of tool wall / ours-docs wall. Rows go to a JSONL file (with the config
identity, e.g. `w5-p128-t0.80`, the commands, versions and machine) and a Markdown table to stdout and beside
the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scoring import Truth
from venvs import BENCH, PEERS, TOOLS, Tool, ensure

console = Console(stderr=True)
OURS = "ours-docs"
MISSING = 3  # a runner's exit status when its tool's API is not there (peers/ours.py before the API lands)


@dataclass(slots=True)
class Run:
    """One process run of one tool."""

    tool: str
    round: int
    exit_code: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    result: dict[str, Any] | None
    log: str


def machine() -> dict[str, Any]:
    """What the numbers were measured on, including how busy the machine was (it may be shared)."""
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0] if Path("/proc/meminfo").exists() else ""
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": meminfo.split(":", 1)[-1].strip(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def run_once(tool: Tool, corpus: Path, threshold: float, args: argparse.Namespace, round_: int, work: Path) -> Run:
    """Run one tool once; measure wall, CPU and peak RSS of its process tree with wait4."""
    stem = f"{tool.name}-t{threshold:.2f}-r{round_}"
    pairs, out, log = work / f"{stem}.pairs.tsv", work / f"{stem}.out", work / f"{stem}.log"
    command = [
        str(tool.python), str(PEERS / tool.runner), str(corpus / "corpus.jsonl"),
        "--threshold", str(threshold), "--num-perm", str(args.num_perm), "--ngram", str(args.ngram),
        "--workers", str(args.workers), "--pairs", str(pairs), "--variant", tool.variant,
    ]  # fmt: skip
    with out.open("wb") as stdout, log.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=work)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except KeyboardInterrupt:
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = out.read_text(encoding="utf-8").strip().splitlines()
    result = json.loads(lines[-1]) if process.returncode == 0 and lines else None
    if result is not None:
        result["command"] = " ".join(command)
    return Run(tool.name, round_, process.returncode, wall, usage.ru_utime + usage.ru_stime,
               usage.ru_maxrss / 1024, result, str(log))  # fmt: skip


def summarise(
    tool: Tool, runs: list[Run], ours: list[Run], truth: Truth, threshold: float, manifest: dict[str, Any]
) -> dict[str, Any]:
    """One JSON row for a tool at a threshold from its runs (and ours from the same rounds)."""
    ok = [r for r in runs if r.result is not None]
    identity = f"w{manifest['parameters']['ngram']}-p{ARGS.num_perm}-t{threshold:.2f}"
    row: dict[str, Any] = {"config": identity, "tool": tool.name, "corpus": manifest["size_label"],
                           "seed": manifest["seed"], "runs": len(runs), "ok_runs": len(ok)}  # fmt: skip
    if not ok and runs[0].exit_code == MISSING:
        row["skipped"] = Path(runs[0].log).read_text(errors="replace").strip()
        return row
    if not ok:
        row["error"] = f"exit {runs[0].exit_code}: " + Path(runs[0].log).read_text(errors="replace").strip()[-400:]
        return row
    wall = statistics.median(r.wall_s for r in ok)
    ours_by_round = {r.round: r.wall_s for r in ours if r.result is not None}
    ratios = [r.wall_s / ours_by_round[r.round] for r in ok if r.round in ours_by_round]
    score = truth.score(Path(ok[0].result["pairs"]), threshold)  # type: ignore[index]
    row.update({
        "version": ok[0].result["version"],  # type: ignore[index]
        "wall_s": round(wall, 3),
        "walls_s": [round(r.wall_s, 3) for r in ok],
        "docs_per_s": round(manifest["size"] / wall, 1),
        "mb_per_s": round(manifest["corpus_bytes"] / 1e6 / wall, 3),
        "cpu_s": round(statistics.median(r.cpu_s for r in ok), 3),
        "peak_rss_mb": round(statistics.median(r.peak_rss_mb for r in ok), 1),
        "stages_s": ok[-1].result["stages_s"],  # type: ignore[index]
        "ratio_to_ours": round(statistics.median(ratios), 3) if ratios else None,
        "pairs": score.found,
        "positives": score.positives,
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
        "f1": round(score.f1, 4),
        "outside_truth_positive": score.outside_truth_positive,
        "params": ok[0].result["params"],  # type: ignore[index]
        "command": ok[0].result["command"],  # type: ignore[index]
    })  # fmt: skip
    return row


def table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table of the rows."""
    head = (
        "| config | tool | version | wall s | x ours | docs/s | MB/s | CPU s | peak RSS MB "
        "| pairs | P | R | F1 |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    skipped = [f"- {r['tool']} left out: {r['skipped']}" for r in rows if "skipped" in r]
    for r in rows:
        if "skipped" in r:
            continue
        if "error" in r:
            lines.append(f"| {r['config']} | {r['tool']} | - | failed: {r['error'].splitlines()[-1][:80]} |"
                         + " |" * 9)  # fmt: skip
            continue
        ratio = "n/a" if r["ratio_to_ours"] is None else f"{r['ratio_to_ours']:.2f}"
        lines.append(
            f"| {r['config']} | {r['tool']} | {r['version']} | {r['wall_s']:.1f} | {ratio} "
            f"| {r['docs_per_s']:.0f} | {r['mb_per_s']:.2f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} "
            f"| {r['pairs']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |"
        )
    return "\n".join(lines + ([""] if skipped else []) + sorted(set(skipped)))


def main() -> int:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCH / "out" / "corpus-40k-s6", help="corpus.py output")
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.8, 0.5])
    parser.add_argument("--repeat", type=int, default=3, help="rounds per threshold (median; at least 3 advised)")
    parser.add_argument("--tools", nargs="+", default=[t.name for t in TOOLS], help="subset of tools to run")
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--ngram", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="processes/threads for tools that have them")
    parser.add_argument("--out", type=Path, default=None, help="rows JSONL (default benchmarks/out/results/...)")
    ARGS = args = parser.parse_args()
    args.corpus = args.corpus.resolve()
    unknown = set(args.tools) - {t.name for t in TOOLS}
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; choose from {[t.name for t in TOOLS]}")
    manifest = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # Absolute paths: each runner starts in its own work folder.
    default = BENCH / "out" / "results" / f"compare-{manifest['size_label']}-{stamp}.jsonl"
    out = (args.out or default).resolve()
    work = out.parent / f"{out.stem}-runs"
    work.mkdir(parents=True, exist_ok=True)
    command = " ".join([Path(sys.executable).name, *sys.argv])
    info = machine()

    tools: list[Tool] = []
    failed: dict[str, str] = {}
    for tool in (t for t in TOOLS if t.name in args.tools):
        try:
            with console.status(f"installing {tool.name} into its venv"):
                ensure(tool, work / "install.log")
            tools.append(tool)
        except RuntimeError as error:
            failed[tool.name] = str(error)
            console.print(f"[red]{error}")

    truth = Truth(args.corpus / "truth.jsonl", args.corpus / "corpus.jsonl")
    rows: list[dict[str, Any]] = []
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:  # fmt: skip
            task = progress.add_task("runs", total=len(args.thresholds) * args.repeat * len(tools))
            for threshold in args.thresholds:
                runs: dict[str, list[Run]] = {t.name: [] for t in tools}
                for round_ in range(args.repeat):
                    for tool in tools:
                        progress.update(task, description=f"t={threshold:.2f} round {round_ + 1} {tool.name}")
                        run = run_once(tool, args.corpus, threshold, args, round_, work)
                        runs[tool.name].append(run)
                        if run.exit_code != 0 and round_ == 0:
                            console.print(f"[yellow]{tool.name} exited {run.exit_code}: see {run.log}")
                        progress.advance(task)
                for tool in tools:
                    row = summarise(tool, runs[tool.name], runs.get(OURS, []), truth, threshold, manifest)
                    row.update({"compare_command": command, "machine": info})
                    rows.append(row)
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: writing the rows finished so far")
    for name, reason in failed.items():
        rows.append({"tool": name, "config": "-", "error": reason, "compare_command": command, "machine": info})
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")
    markdown = table(rows)
    out.with_suffix(".md").write_text(f"`{command}`\n\n{markdown}\n", encoding="utf-8")
    print(markdown)
    console.print(f"rows: {out}")
    return 0


ARGS: argparse.Namespace

if __name__ == "__main__":
    sys.exit(main())
