"""The `dedupe` command: options -> config -> library call -> report. No logic of its own.

Exit codes: 0 the command ran (whatever it found); 1 an error (bad input, unreadable file); 2 a usage error;
3 duplicates found and `--fail-on` asked to fail on them; 4 only partial reuse found and `--fail-on reuse`;
130 interrupted (Ctrl-C).
`dedupe check`: 0 new, 3 exact or near duplicate, 4 partial reuse, 1 error.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from dedupe import kernels
from dedupe.align import align
from dedupe.config import MinHashConfig, ScanConfig
from dedupe.document import prepare
from dedupe.errors import DedupeError
from dedupe.gate import BULK_BATCH, MAX_MATCHES, Added, Index, Verdict, load_compacts
from dedupe.ingest import Fields, IngestLog, parse_line, read_article, read_articles
from dedupe.near_duplicates import NearDuplicates, near_duplicates
from dedupe.report import alignment_dict, render, render_alignment, write_json
from dedupe.scan import ScanResult, scan
from dedupe.store import format_version

EXIT_ERROR = 1
EXIT_DUPLICATES = 3
EXIT_REUSE = 4
# The shell's convention for a process ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130

app = typer.Typer(
    help="Find near-copies of news articles and explain them.",
    no_args_is_help=True,
    add_completion=False,
    # Locals hold whole articles: never print them in a traceback.
    pretty_exceptions_show_locals=False,
)


@app.callback()
def dedupe_app() -> None:
    """Find near-copies of news articles and explain them: duplicates, garbled rewrites, reused passages."""
    if not kernels.compiled_before():
        typer.echo("First run after install: compiling the fast paths once (about a minute).", err=True)


class FailOn(str, Enum):
    never = "never"
    duplicates = "duplicates"
    reuse = "reuse"


index_app = typer.Typer(
    help="Build and maintain a persistent index for `dedupe check`, `dedupe gate` and `dedupe serve`.",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")

IndexOption = Annotated[
    str,
    typer.Option(
        "--index",
        help="Index directory (SQLite; index add, gate and serve create it) or redis://host:port/db URL.",
    ),
]
TextField = Annotated[str, typer.Option(help="JSON field that holds the article text.")]
MaxMatches = Annotated[
    int, typer.Option(min=0, help="Matches a verdict shows, strongest first (0: all; verifying every one costs more).")
]
IdField = Annotated[str, typer.Option(help="JSON field that holds the article id.")]


class PolicyName(str, Enum):
    new = "new"
    reuse = "reuse"
    all = "all"


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary where library errors become `Error: ...` on stderr and exit code 1."""
    try:
        yield
    except DedupeError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        # Ctrl-C on a long scan: no traceback, no partial report, the shell's code for SIGINT.
        typer.echo("Interrupted: nothing was written.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None


class RateColumn(ProgressColumn):
    """Items per second, blank until rich has two reports to estimate it from (a stage reported once has none)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:>7.0f}/s", style="dim")


@contextmanager
def progress_bar(enabled: bool) -> Iterator[object]:
    """A rich progress bar on stderr (only on a terminal), fed by the library's progress callback."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        # The library calls this once per chunk of work, so every call is shown.
        bar.update(tasks[stage], completed=done)

    with bar:
        yield update


@app.command("scan")
def scan_command(
    paths: Annotated[
        list[str], typer.Argument(help="Directories, files (.txt .md .html .json .jsonl), or - for JSONL on stdin.")
    ],
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON (schema in README).")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    fail_on: Annotated[
        FailOn, typer.Option(help="Exit 3 when duplicates are found (`reuse`: also 4 for partial reuse only).")
    ] = FailOn.never,
    threshold: Annotated[
        float, typer.Option(min=0.05, max=0.99, help="Document-level LSH threshold (candidates only).")
    ] = 0.5,
    text_field: Annotated[str, typer.Option(help="JSON field that holds the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSON field that holds the article id.")] = "id",
    passages: Annotated[bool, typer.Option(help="Show each pair's passages in the terminal report.")] = True,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    workers: Annotated[int, typer.Option(min=0, help="Processes for verification and ranking (0: one per core).")] = 0,
) -> None:
    """Find clusters of copies, what changed in each, and which copy is the original."""
    config = ScanConfig(document=MinHashConfig(threshold=threshold), workers=workers)
    with user_errors(), progress_bar(progress) as callback:
        result = scan(paths, config, fields=Fields(id=id_field, text=text_field), progress=callback)  # type: ignore[arg-type]
    _write(result, json_output, output, passages)
    raise typer.Exit(exit_code(result, fail_on))


@app.command("near")
def near_command(
    paths: Annotated[
        list[str], typer.Argument(help="Directories, files (.txt .md .html .json .jsonl), or - for JSONL on stdin.")
    ],
    threshold: Annotated[
        float, typer.Option(min=0.05, max=1.0, help="Word n-gram Jaccard at or above which two articles pair.")
    ] = 0.8,
    ngram: Annotated[int, typer.Option(min=1, max=16, help="Words per shingle.")] = 5,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON (schema in README).")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the pairs to this file.")] = None,
    fail_on_duplicates: Annotated[bool, typer.Option(help="Exit 3 when any pair is found.")] = False,
    text_field: Annotated[str, typer.Option(help="JSON field that holds the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="JSON field that holds the article id.")] = "id",
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
) -> None:
    """Document-level near-duplicates only: pairs whose exact word n-gram Jaccard reaches the threshold.

    The job every MinHash tool does: no passages, no ranking. One `id_a id_b jaccard` line per pair, tab-separated.
    """
    with user_errors(), progress_bar(progress) as callback:
        result = near_duplicates(
            paths,
            threshold,
            ngram,
            fields=Fields(id=id_field, text=text_field),
            progress=callback,  # type: ignore[arg-type]
        )
    data = _near_json(result, threshold, ngram) if json_output else _near_lines(result)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
    if not json_output:
        for skipped in result.skipped:
            typer.echo(f"skipped {skipped}", err=True)
        for warning in result.warnings:
            typer.echo(f"warning: {warning}", err=True)
        typer.echo(f"{len(result.pairs)} pairs among {result.documents} articles", err=True)
    raise typer.Exit(EXIT_DUPLICATES if fail_on_duplicates and result.pairs else 0)


def _near_lines(result: NearDuplicates) -> bytes:
    return "".join(f"{a}\t{b}\t{jaccard:.4f}\n" for a, b, jaccard in result.pairs).encode()


def _near_json(result: NearDuplicates, threshold: float, ngram: int) -> bytes:
    data = {
        "threshold": threshold,
        "ngram": ngram,
        "documents": result.documents,
        "pairs": [{"a": a, "b": b, "jaccard": jaccard} for a, b, jaccard in result.pairs],
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped],
        "warnings": list(result.warnings),
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


@app.command("align")
def align_command(
    a: Annotated[str, typer.Argument(help="First article (.txt .md .html, or a JSON/JSONL file's first record).")],
    b: Annotated[str, typer.Argument(help="Second article.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print the passages as JSON (schema in README).")] = False,
) -> None:
    """Align two articles: which passages correspond, what changed in each, what only one side has."""
    with user_errors():
        article_a, article_b = read_article(a), read_article(b)
        alignment = align(prepare(article_a), prepare(article_b))
    if json_output:
        data = alignment_dict(alignment, article_a.id, article_b.id)
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
        sys.stdout.flush()
        return
    render_alignment(alignment, article_a, article_b, Console())


def exit_code(result: ScanResult, fail_on: FailOn) -> int:
    """0, or 3/4 when `--fail-on` asks to fail on what the scan found."""
    if fail_on is FailOn.never:
        return 0
    if any(p.relation != "partial-reuse" for p in result.pairs):
        return EXIT_DUPLICATES
    if fail_on is FailOn.reuse and result.pairs:
        return EXIT_REUSE
    return 0


def _write(result: ScanResult, json_output: bool, output: Path | None, passages: bool) -> None:
    if json_output:
        if output is None:
            write_json(result, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            with output.open("wb") as handle:
                write_json(result, handle)
        return
    if output is None:
        render(result, Console(), passages)
        return
    with output.open("w", encoding="utf-8") as handle:
        render(result, Console(file=handle, width=120), passages)


@index_app.command("add")
def index_add(
    paths: Annotated[list[str], typer.Argument(help="Directories, files, or - for JSONL on stdin.")],
    index: IndexOption,
    text_field: TextField = "text",
    id_field: IdField = "id",
) -> None:
    """Add articles to the index without checking them (ids already indexed are reported and left alone)."""
    log = IngestLog()
    total, seen = Added(), 0

    def progress(done: Added) -> None:
        nonlocal seen
        for doc_id in done.present:
            typer.echo(f'already indexed: "{doc_id}"', err=True)
        seen += done.added + len(done.present)
        if seen % BULK_BATCH == 0:
            typer.echo(f"{seen} articles read", err=True)

    with user_errors(), Index.open(index) as gate:
        indexed = gate.stats()["articles"]
        # In batches: computed together on every core, one durable commit each (Index.add_many).
        articles = read_articles(paths, log, Fields(id=id_field, text=text_field))
        total = gate.add_many(articles, progress=progress, compact=False)
        if load_compacts(indexed, total.added):
            typer.echo("compacting the index (its sorted runs merged into one per level)", err=True)
            gate.compact()
    _report_log(log)
    present = len(total.present)
    typer.echo(f"added {total.added} articles ({present} already indexed, {len(log.skipped)} skipped)", err=True)


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Ids of the articles to remove.")], index: IndexOption
) -> None:
    """Remove articles from the index by id (exit 1 when an id is not indexed)."""
    missing = []
    with user_errors(), Index.open(index, create=False) as gate:
        missing = [doc_id for doc_id in ids if not gate.remove(doc_id)]
    for doc_id in missing:
        typer.echo(f'Error: "{doc_id}" is not in the index', err=True)
    typer.echo(f"removed {len(ids) - len(missing)} articles", err=True)
    raise typer.Exit(EXIT_ERROR if missing else 0)


@index_app.command("stats")
def index_stats(index: IndexOption) -> None:
    """Print the index's backend, location, article count, size, format version and settings as JSON."""
    with user_errors(), Index.open(index, create=False) as gate:
        stats = gate.stats()
    _print_json(stats)


@index_app.command("compact")
def index_compact(
    index: IndexOption,
    json_output: Annotated[bool, typer.Option("--json", help="Print what was done as JSON.")] = False,
) -> None:
    """Merge the index's sorted runs into one per level (checks search every run), after a load or many adds."""
    with user_errors(), Index.open(index, create=False) as gate:
        compacted = gate.compact()
    if json_output:
        _print_json(dataclasses.asdict(compacted))
    else:
        (runs, runs_after), (segments, segments_after) = compacted.runs, compacted.segments
        typer.echo(f"{index}: {runs} runs -> {runs_after}, {segments} entry segments -> {segments_after}", err=True)


@index_app.command("upgrade")
def index_upgrade(
    index: IndexOption,
    to: Annotated[
        str | None,
        typer.Option(help="Write the upgraded index there (a new directory or Redis URL); the old one is left alone."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print what was done as JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Index again, from their stored texts, the articles of an index an older dedupe wrote (the old index is kept
    as DIR.formatN, or left alone with --to). Stop the processes that write to it first."""
    with user_errors(), progress_bar(progress) as callback:
        update = None if callback is None else lambda done, total: callback("upgrade", done, total)  # type: ignore[operator]
        upgraded = Index.upgrade(index, to, progress=update)
    if json_output:
        _print_json(dataclasses.asdict(upgraded))
    elif upgraded.read_format == str(format_version(index)) and to is None:
        typer.echo(f"{index}: already format {upgraded.read_format}; nothing to do", err=True)
    else:
        kept = f"; the old index is kept at {upgraded.kept}" if upgraded.kept else ""
        written = format_version(upgraded.location)
        typer.echo(
            f"indexed {upgraded.articles} articles again (format {upgraded.read_format} -> {written}) "
            f"at {upgraded.location}{kept}",
            err=True,
        )


@app.command("check")
def check_command(
    file: Annotated[
        str, typer.Argument(help="An article file (.txt .md .html .json .jsonl), or - for JSONL on stdin.")
    ],
    index: IndexOption,
    json_output: Annotated[bool, typer.Option("--json", help="Print each verdict as one JSON line.")] = False,
    max_matches: MaxMatches = MAX_MATCHES,
    text_field: TextField = "text",
    id_field: IdField = "id",
) -> None:
    """Check articles against the index without adding them. Exit 0 new, 3 duplicate, 4 partial reuse, 1 error."""
    log = IngestLog()
    verdicts: list[Verdict] = []
    with user_errors(), Index.open(index, max_matches=max_matches or None, create=False) as gate:
        for article in read_articles([file], log, Fields(id=id_field, text=text_field)):
            verdict = gate.check(article)
            verdicts.append(verdict)
            if json_output:
                _print_json(verdict.to_dict(), indent=False)
            else:
                typer.echo(_describe(verdict))
    _report_log(log)
    if not verdicts:
        typer.echo(f"Error: {file}: no article to check", err=True)
        raise typer.Exit(EXIT_ERROR)
    names = {v.verdict for v in verdicts}
    raise typer.Exit(
        EXIT_DUPLICATES
        if names & {"exact-duplicate", "near-duplicate"}
        else EXIT_REUSE
        if "partial-reuse" in names
        else 0
    )


@app.command("gate")
def gate_command(
    index: IndexOption,
    policy: Annotated[
        PolicyName, typer.Option(help="Add `new` articles only, also partial `reuse`, or `all`.")
    ] = PolicyName.new,
    commit_every: Annotated[
        int, typer.Option(min=1, help="Group commit: verdicts are printed after every N articles are committed.")
    ] = 1,
    max_matches: MaxMatches = MAX_MATCHES,
    text_field: TextField = "text",
    id_field: IdField = "id",
) -> None:
    """Read JSONL articles on stdin; print one verdict per line on stdout; add each the policy admits.

    Each add is atomic with its check; a line that is no article gets a verdict "error" and the stream goes on.
    """
    fields = Fields(id=id_field, text=text_field)
    lines = enumerate(iter(sys.stdin.buffer.readline, b""), start=1)
    with user_errors(), Index.open(index, max_matches=max_matches or None) as gate:
        _long_running(gate)
        done = False
        while not done:
            chunk: list[tuple[int, bytes]] = []
            for number, line in lines:
                if line.strip():
                    chunk.append((number, line))
                if len(chunk) >= commit_every:
                    break
            else:
                done = True
            if not chunk:
                continue
            # The lines are read before the write lock is taken, so other workers are not blocked on our stdin. A
            # group commit holds the lock for its chunk; one article at a time is checked without it (optimistic).
            with gate.batch() if commit_every > 1 else nullcontext():
                outputs = [_gate_line(gate, line, number, fields, policy.value) for number, line in chunk]
            # Printed only after the commit: a verdict on stdout means its add is durable.
            sys.stdout.buffer.write(b"".join(outputs))
            sys.stdout.flush()


def _gate_line(gate: Index, line: bytes, number: int, fields: Fields, policy: str) -> bytes:
    try:
        article = parse_line(line, "<stdin>", number, fields)
    except DedupeError as error:
        return orjson.dumps({"line": number, "verdict": "error", "error": str(error)}) + b"\n"
    return orjson.dumps(gate.check_and_add(article, policy).to_dict()) + b"\n"  # type: ignore[arg-type]


@app.command("serve")
def serve_command(
    index: IndexOption,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default; put a proxy in front).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    max_bytes: Annotated[int, typer.Option(min=1, help="Largest request body accepted (413 beyond).")] = 1 << 20,
    max_matches: MaxMatches = MAX_MATCHES,
) -> None:
    """Serve check, add, check-and-add, remove, health and stats over HTTP (JSON; OpenAPI at /docs)."""
    import uvicorn

    from dedupe.service import create_app

    with user_errors(), Index.open(index, max_matches=max_matches or None) as gate:
        _long_running(gate)
        uvicorn.run(create_app(gate, max_bytes), host=host, port=port, log_level="info")


def _long_running(index: Index) -> None:
    """Before a stream of checks: the compiled kernels of a check are loaded (`Index.warm`), and then the objects of
    start-up (imported modules and numba's compiler state, about 120,000), which never die, are moved out of the
    collector's reach. A full collection walked them all: 66-92 ms paused a check at 100,000 indexed (two in 2,000
    checks), 19 ms once they were frozen; before, the first checks paused longer still while the kernels loaded
    (benchmarks/README.md, "Ingestion gate")."""
    index.warm()
    gc.freeze()


def _describe(verdict: Verdict) -> str:
    if not verdict.matches:
        return f"{verdict.verdict}\t{verdict.id}"
    best = verdict.matches[0]
    more = f" and {verdict.unverified} more candidates" if verdict.unverified else ""
    return (
        f"{verdict.verdict}\t{verdict.id}\tof {best.article.id} (jaccard {best.pair.jaccard:.2f}, "
        f"{len(verdict.matches)} matches{more}, original {verdict.original})"
    )


def _print_json(data: object, indent: bool = True) -> None:
    option = orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if indent else 0)
    sys.stdout.buffer.write(orjson.dumps(data, option=option))
    sys.stdout.flush()


def _report_log(log: IngestLog) -> None:
    for skipped in log.skipped:
        typer.echo(f"skipped {skipped}", err=True)
    for warning in log.warnings:
        typer.echo(f"warning {warning}", err=True)


def main() -> None:
    app()
