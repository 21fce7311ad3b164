"""Build a scaled benchmark corpus from real news text, with its ground-truth duplicate pairs.

    python benchmarks/corpus.py --size 40k --seed 6

writes, under benchmarks/out/corpus-40k-s6/:
- corpus.jsonl      one {"id": <line number>, "text": ...} per line, in random order;
- truth.jsonl       one {"a", "b", "jaccard", "kind"} per pair with exact word-5-gram Jaccard >=
  --truth-floor;
- provenance.jsonl  one {"id", "origin", "base", "edits"} per document (what it is made of, every edit
  recorded);
- manifest.json     seed, sizes, parameters, counts, timings and the command.

Documents: every real article with at least 10 words (Reuters-21578 bodies and BBC News files), topped up with
synthesised bases (synth.py) when the corpus needs more bases than there are real articles, plus near-copies
of randomly chosen bases made with recorded edits (edits.py). The truth (truth.py) holds the copies and the
natural duplicates of the real corpora, all scored with exact Jaccard.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

import edits as edit_ops
from shingles import NGRAM, shingle_set, tokens
from sources import read_bbc, read_reuters
from synth import SentencePool
from truth import TruthPair, families, family_pairs, similar_pairs

REPO = Path(__file__).resolve().parents[1]
MIN_WORDS = 10
HEADLINE_WORDS = 12
console = Console(stderr=True)


@dataclass(slots=True)
class Doc:
    """A document before shuffling: where it came from, its base (for copies) and the edits that made it."""

    origin: str
    text: str
    base: int | None = None
    edits: list[dict[str, Any]] = field(default_factory=list)


def parse_size(value: str) -> int:
    """`40k`, `200k`, `1M` or a plain number of documents."""
    units = {"k": 1_000, "m": 1_000_000}
    text = value.strip().lower()
    try:
        if text[-1:] in units:
            return round(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--size {value!r}: use a number such as 40000, 40k or 1M") from error


def size_label(n: int) -> str:
    """The short name of a size: 40000 -> 40k, 1000000 -> 1M."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def progress() -> Progress:
    """A progress bar with count, rate and ETA on stderr."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def real_articles(data: Path) -> tuple[list[Doc], dict[str, int]]:
    """The real articles with at least MIN_WORDS words, and how many were read and skipped per source."""
    counts: dict[str, int] = {}
    docs: list[Doc] = []
    for name, articles in (
        ("reuters", read_reuters(data / "reuters-21578")),
        ("bbc", read_bbc(data / "bbc-news-2225")),
    ):
        kept = [Doc(a.origin, a.text) for a in articles if len(tokens(a.text)) >= MIN_WORDS]
        counts[f"{name}_read"] = len(articles)
        counts[f"{name}_skipped_under_{MIN_WORDS}_words"] = len(articles) - len(kept)
        docs.extend(kept)
    return docs, counts


def headlines(real: list[Doc]) -> list[str]:
    """Headline-like lines for re-headlined copies: the first words of each real article's first sentence."""
    lines = []
    for doc in real:
        words = doc.text.split("\n\n", 1)[0].split()[:HEADLINE_WORDS]
        lines.append(" ".join(words).rstrip(".,;:").upper() if len(words) >= 3 else "")
    return [line for line in lines if line]


def relation(docs: list[Doc], a: int, b: int) -> str:
    """Kind label of a truth pair (document indices before shuffling)."""
    da, db = docs[a], docs[b]
    if da.base is None and db.base is None:
        return "natural"
    if db.base == a:
        return f"copy:{edit_ops.kind(db.edits)}"
    if da.base == b:
        return f"copy:{edit_ops.kind(da.edits)}"
    if da.base is not None and da.base == db.base:
        return "sibling"
    return "family"


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Build the corpus and its truth; write the four output files; return the manifest."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    rng = random.Random(args.seed)

    real, counts = real_articles(args.data)
    n_copies = round(args.size * args.copy_fraction)
    n_bases = args.size - n_copies
    if n_bases <= len(real):
        chosen = sorted(rng.sample(range(len(real)), n_bases))
        docs = [real[k] for k in chosen]
        n_synth = 0
    else:
        docs = list(real)
        n_synth = n_bases - len(real)
    n_real = len(docs)
    timings["read"] = time.perf_counter() - start

    with progress() as bar:
        if n_synth:
            pool = SentencePool([d.text for d in real])
            task = bar.add_task("synthesising bases", total=n_synth)
            for k in range(n_synth):
                docs.append(Doc("synth", pool.synthesise(rng)))
                if k % 5000 == 0:
                    bar.update(task, completed=k)
            bar.update(task, completed=n_synth)
        timings["synthesise"] = time.perf_counter() - start - sum(timings.values())

        heads = headlines(real)
        task = bar.add_task("making copies", total=n_copies)
        for k in range(n_copies):
            base = rng.randrange(n_bases)
            text, applied = edit_ops.make_copy(docs[base].text, rng, heads)
            docs.append(Doc(f"copy-of:{docs[base].origin}", text, base, applied))
            if k % 5000 == 0:
                bar.update(task, completed=k)
        bar.update(task, completed=n_copies)
        timings["copy"] = time.perf_counter() - start - sum(timings.values())

    # Truth: natural pairs among the real bases (exact, all pairs), then brute force inside each family.
    # Shingle sets are made when needed and dropped after: each document is in one family, and keeping a set
    # of 5-gram tuples for each of 1M documents would take tens of GB.
    def shingles_of(d: int) -> frozenset:
        return shingle_set(docs[d].text, NGRAM)

    # Real text is where boilerplate lives ("Qtly div 25 cts vs 25 cts prior"), so a copy of a real article,
    # cut short, can match another real article: all pairs among the real bases and their copies are scored
    # exactly. Synthesised bases and their copies are distinct by construction (synth.py; checked by
    # --verify-truth).
    scored = list(range(n_real)) + [d for d in range(n_bases, len(docs)) if docs[d].base < n_real]  # type: ignore[operator]
    natural = [
        (scored[i], scored[j], s) for i, j, s in similar_pairs([shingles_of(d) for d in scored], args.truth_floor)
    ]
    links = [(a, b) for a, b, _ in natural] + [(d, docs[d].base) for d in range(n_bases, len(docs))]
    roots = families(len(docs), links)  # type: ignore[arg-type]  # copies always have a base
    members: dict[int, list[int]] = {}
    for d, r in enumerate(roots):
        members.setdefault(r, []).append(d)
    groups = [m for m in members.values() if len(m) > 1]
    truth = family_pairs(groups, shingles_of, lambda a, b: relation(docs, a, b), args.truth_floor)
    timings["truth"] = time.perf_counter() - start - sum(timings.values())

    # Shuffle so that copies are not next to their bases; ids are the line numbers of the shuffled corpus.
    order = list(range(len(docs)))
    rng.shuffle(order)
    new_id = [0] * len(docs)
    for line, d in enumerate(order):
        new_id[d] = line
    truth_out = sorted(
        TruthPair(min(new_id[p.a], new_id[p.b]), max(new_id[p.a], new_id[p.b]), p.jaccard, p.kind) for p in truth
    )
    timings["shuffle"] = time.perf_counter() - start - sum(timings.values())
    verification = verify(docs, order, truth_out, args.truth_floor) if args.verify_truth else None
    timings["verify_truth"] = time.perf_counter() - start - sum(timings.values())

    args.out.mkdir(parents=True, exist_ok=True)
    corpus_bytes = write_outputs(args.out, docs, order, new_id, truth_out)
    timings["write"] = time.perf_counter() - start - sum(timings.values())

    kinds: dict[str, int] = {}
    for p in truth_out:
        kinds[p.kind.split(":")[0]] = kinds.get(p.kind.split(":")[0], 0) + 1
    manifest = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seed": args.seed,
        "size": args.size,
        "size_label": size_label(args.size),
        "parameters": {
            "copy_fraction": args.copy_fraction,
            "truth_floor": args.truth_floor,
            "ngram": NGRAM,
            "tokens": "lower-cased \\w+ runs",
            "min_words": MIN_WORDS,
        },
        "data": str(args.data),
        "counts": {
            **counts,
            "documents": len(docs),
            "real_bases": n_real,
            "synthesised_bases": n_synth,
            "copies": n_copies,
            "exact_pairs_among_real_bases_and_their_copies": len(natural),
            "families_of_two_or_more": len(groups),
            "largest_family": max((len(m) for m in groups), default=0),
            "truth_pairs": len(truth_out),
            "truth_pairs_by_relation": kinds,
            "truth_pairs_at_0.5": sum(p.jaccard >= 0.5 for p in truth_out),
            "truth_pairs_at_0.8": sum(p.jaccard >= 0.8 for p in truth_out),
        },
        "corpus_bytes": corpus_bytes,
        "verification": verification,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "python": platform.python_version(),
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def verify(docs: list[Doc], order: list[int], truth: list[TruthPair], floor: float) -> dict[str, Any]:
    """Exact all-pairs check of the whole corpus: pairs >= floor that the family truth does not hold."""
    sets = [shingle_set(docs[d].text, NGRAM) for d in order]
    every = similar_pairs(sets, floor)
    known = {(p.a, p.b) for p in truth}
    missing = [(a, b, round(s, 4)) for a, b, s in every if (a, b) not in known]
    return {
        "all_pairs_at_or_above_floor": len(every),
        "missing_from_truth": len(missing),
        "missing_at_0.5": sum(s >= 0.5 for _, _, s in missing),
        "missing_at_0.8": sum(s >= 0.8 for _, _, s in missing),
        "examples": missing[:10],
    }


def write_outputs(out: Path, docs: list[Doc], order: list[int], new_id: list[int], truth: list[TruthPair]) -> int:
    """Write corpus.jsonl, provenance.jsonl and truth.jsonl; return the size of corpus.jsonl in bytes."""
    corpus_bytes = 0
    with (out / "corpus.jsonl").open("wb") as corpus, (out / "provenance.jsonl").open("wb") as provenance:
        for line, d in enumerate(order):
            doc = docs[d]
            row = orjson.dumps({"id": line, "text": doc.text}) + b"\n"
            corpus_bytes += len(row)
            corpus.write(row)
            base = None if doc.base is None else new_id[doc.base]
            provenance.write(orjson.dumps({"id": line, "origin": doc.origin, "base": base, "edits": doc.edits}) + b"\n")
    with (out / "truth.jsonl").open("wb") as handle:
        for p in truth:
            handle.write(orjson.dumps({"a": p.a, "b": p.b, "jaccard": round(p.jaccard, 6), "kind": p.kind}) + b"\n")
    return corpus_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, required=True, help="documents: 40k, 200k, 1M or a number")
    parser.add_argument("--seed", type=int, default=6, help="random seed (default 6)")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="shared data folder")
    parser.add_argument(
        "--out", type=Path, default=None, help="output folder (default benchmarks/out/corpus-SIZE-sSEED)"
    )
    parser.add_argument("--copy-fraction", type=float, default=0.3, help="share of documents that are edited copies")
    parser.add_argument("--truth-floor", type=float, default=0.3, help="smallest exact Jaccard kept in truth.jsonl")
    parser.add_argument(
        "--verify-truth",
        action="store_true",
        help="exact all-pairs check that the truth misses nothing (slow at 1M)",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.copy_fraction < 1:
        parser.error("--copy-fraction must be in [0, 1)")
    if not 0 < args.truth_floor <= 1:
        parser.error("--truth-floor must be in (0, 1]")
    if args.out is None:
        args.out = REPO / "benchmarks" / "out" / f"corpus-{size_label(args.size)}-s{args.seed}"
    # Millions of long-lived strings and sets, no reference cycles: the cyclic GC would only rescan them.
    gc.disable()
    manifest = build(args)
    console.print(json.dumps({k: manifest[k] for k in ("size", "counts", "verification", "timings_s")}, indent=2))
    console.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
