"""Passage alignment on the PAN 2013 text-alignment corpus: detections in PAN's format, and PAN's measures.

    python benchmarks/pan_alignment.py ../shared/data/pan13-train --out /tmp/pan13-detections

For every `susp src` line of CORPUS_DIR/pairs, aligns the suspicious document (side a) with the source (side b),
writes the alignment's regions as `<susp>-<src>.xml` in DETECTIONS_DIR (`detected-plagiarism` features, suspicious
offsets as `this_*`), then scores them against the truth XML files of the corpus folders (plagdet, precision,
recall, granularity; benchmarks/plagdet.py) overall and per folder. Works on any corpus in the same layout.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedupe import AlignConfig, Article, Document, align, prepare
from plagdet import Annotation, Scores, evaluate

_CORPUS: Path
_CONFIG: AlignConfig
_CACHE: OrderedDict[Path, Document] = OrderedDict()
# Documents kept prepared in each worker; pairs are sorted by suspicious document, so this mostly hits.
_CACHE_SIZE = 32


def read_text(path: Path) -> str:
    """The document's text: UTF-8, falling back to latin-1 (which decodes any byte)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _document(path: Path) -> Document:
    if path in _CACHE:
        _CACHE.move_to_end(path)
        return _CACHE[path]
    document = prepare(Article(path.name, read_text(path)))
    _CACHE[path] = document
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return document


def _init(corpus: Path, config: AlignConfig) -> None:
    global _CORPUS, _CONFIG
    _CORPUS, _CONFIG = corpus, config


def detect(pair: tuple[str, str]) -> tuple[tuple[str, str], list[Annotation]]:
    """The alignment's regions of one (suspicious, source) pair as PAN annotations."""
    susp, src = pair
    alignment = align(_document(_CORPUS / "susp" / susp), _document(_CORPUS / "src" / src), _CONFIG)
    return pair, [
        (r.a_span[0], r.a_span[1] - r.a_span[0], r.b_span[0], r.b_span[1] - r.b_span[0]) for r in alignment.regions
    ]


def detect_many(pairs: list[tuple[str, str]]) -> tuple[float, list[tuple[tuple[str, str], list[Annotation]]]]:
    """Detections of a chunk of pairs, with the CPU seconds they took (the machine may be shared)."""
    started = time.process_time()
    found = [detect(pair) for pair in pairs]
    return time.process_time() - started, found


def write_detections(out: Path, pair: tuple[str, str], detections: list[Annotation]) -> None:
    susp, src = pair
    root = ET.Element("document", reference=susp)
    for this_offset, this_length, source_offset, source_length in detections:
        ET.SubElement(
            root,
            "feature",
            name="detected-plagiarism",
            this_offset=str(this_offset),
            this_length=str(this_length),
            source_reference=src,
            source_offset=str(source_offset),
            source_length=str(source_length),
        )
    ET.ElementTree(root).write(out / f"{Path(susp).stem}-{Path(src).stem}.xml", encoding="utf-8")


def read_truth(corpus: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], list[Annotation]]]:
    """Which folder each pair belongs to, and its true cases (`plagiarism` features of the folder's XML)."""
    folder_of: dict[tuple[str, str], str] = {}
    cases: dict[tuple[str, str], list[Annotation]] = {}
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir() and (p / "pairs").exists()):
        for line in (folder / "pairs").read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            susp, src = line.split()
            folder_of[susp, src] = folder.name
            found: list[Annotation] = []
            truth = folder / f"{Path(susp).stem}-{Path(src).stem}.xml"
            if truth.exists():
                for feature in ET.parse(truth).getroot().iter("feature"):
                    if feature.get("name") == "plagiarism":
                        found.append(
                            tuple(
                                int(feature.get(k, 0))
                                for k in ("this_offset", "this_length", "source_offset", "source_length")
                            )  # type: ignore[misc]
                        )
            cases[susp, src] = found
    return folder_of, cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="corpus folder with pairs, susp/, src/ and truth folders")
    parser.add_argument("--out", type=Path, required=True, help="folder for the detection XML files")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs of every folder (quick runs)")
    parser.add_argument("--json", type=Path, default=None, help="append a JSON row of the results to this file")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override an AlignConfig setting"
    )
    args = parser.parse_args()
    corpus: Path = args.corpus
    config = AlignConfig(**dict(_setting(item) for item in args.set))
    folder_of, cases = read_truth(corpus)
    pairs = [tuple(line.split()) for line in (corpus / "pairs").read_text(encoding="utf-8").split("\n") if line.strip()]
    if args.limit:
        seen: dict[str, int] = {}
        limited = []
        for pair in pairs:
            folder = folder_of.get(pair, "")
            seen[folder] = seen.get(folder, 0) + 1
            if seen[folder] <= args.limit:
                limited.append(pair)
        pairs = limited
    pairs.sort()
    chunks = [pairs[i : i + 16] for i in range(0, len(pairs), 16)]
    args.out.mkdir(parents=True, exist_ok=True)
    detections: dict[tuple[str, str], list[Annotation]] = {}
    console = Console(stderr=True)
    started = time.perf_counter()
    cpu_seconds = 0.0
    with (
        Progress(
            TextColumn("aligning"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as bar,
        multiprocessing.Pool(args.workers, _init, (corpus, config)) as pool,
    ):
        task = bar.add_task("pairs", total=len(pairs))
        for cpu, results in pool.imap_unordered(detect_many, chunks):
            cpu_seconds += cpu
            for pair, found in results:
                detections[pair] = found
                write_detections(args.out, pair, found)
            bar.advance(task, len(results))
    elapsed = time.perf_counter() - started
    folders = sorted({folder_of.get(p, "?") for p in pairs})
    rows: dict[str, Scores] = {}
    for folder in folders:
        rows[folder] = evaluate((cases.get(p, []), detections[p]) for p in pairs if folder_of.get(p, "?") == folder)
    rows["overall"] = evaluate((cases.get(p, []), detections[p]) for p in pairs)
    flagged = {f: sum(1 for p in pairs if folder_of.get(p) == f and detections[p]) for f in folders}
    load = os.getloadavg()[0]
    table = Table(
        title=f"PAN text alignment ({config_identity(config)}): {len(pairs)} pairs in {elapsed:.1f} s wall, "
        f"{cpu_seconds:.1f} s CPU in {args.workers} workers, load average {load:.1f} at the end"
    )
    for column in ("folder", "pairs", "cases", "detections", "plagdet", "precision", "recall", "granularity"):
        table.add_column(column, justify="left" if column == "folder" else "right")
    for name, s in rows.items():
        n = sum(flagged.values()) if name == "overall" else flagged[name]
        total = len(pairs) if name == "overall" else sum(1 for p in pairs if folder_of.get(p) == name)
        no_cases = s.cases == 0
        table.add_row(
            name,
            str(total),
            str(s.cases),
            f"{s.detections} in {n} pairs",
            "-" if no_cases else f"{s.plagdet:.4f}",
            "-" if no_cases else f"{s.precision:.4f}",
            "-" if no_cases else f"{s.recall:.4f}",
            "-" if no_cases else f"{s.granularity:.4f}",
        )
    Console().print(table)
    if args.json:
        row = {
            "benchmark": "pan13",
            "corpus": str(corpus),
            "config": config_identity(config),
            "command": " ".join(sys.argv),
            "seconds": round(elapsed, 1),
            "cpu_seconds": round(cpu_seconds, 1),
            "load_average": round(load, 1),
            "workers": args.workers,
            "results": {k: _scores(v) for k, v in rows.items()},
        }
        with args.json.open("ab") as handle:
            handle.write(orjson.dumps(row) + b"\n")


def _setting(item: str) -> tuple[str, float | int]:
    """`seed_similarity=0.5` -> ("seed_similarity", 0.5); the type follows AlignConfig's default."""
    name, _, value = item.partition("=")
    default = getattr(AlignConfig(), name)
    return name, type(default)(value)


def _scores(s: Scores) -> dict[str, float]:
    return {
        "plagdet": round(s.plagdet, 4),
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4),
        "granularity": round(s.granularity, 4),
        "cases": s.cases,
        "detections": s.detections,
    }


def config_identity(config: AlignConfig) -> str:
    return (
        f"m{config.min_similarity:.2f}-s{config.seed_similarity:.2f}-e{config.extend_similarity:.2f}"
        f"-g{config.region_gap}-x{config.extend_gap}-w{config.region_min_words}-c{config.contained_weight:.2f}"
    )


if __name__ == "__main__":
    main()
