"""The `dedupe` command: options -> config -> library call -> report. No logic of its own.

Exit codes: 0 the command ran (whatever it found); 1 an error (bad input, unreadable file); 2 a usage error;
3 duplicates found and `--fail-on` asked to fail on them; 4 only partial reuse found and `--fail-on reuse`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from dedupe.config import MinHashConfig, ScanConfig
from dedupe.errors import DedupeError
from dedupe.ingest import Fields
from dedupe.report import render, to_json
from dedupe.scan import ScanResult, scan

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


class FailOn(str, Enum):
    never = "never"
    duplicates = "duplicates"
    reuse = "reuse"


@contextmanager
def user_errors() -> Iterator[None]:
    """The one boundary where library errors become `Error: ...` on stderr and exit code 1."""
    try:
        yield
    except DedupeError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


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
        TextColumn("{task.speed:>7.0f}/s", style="dim"),
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
    workers: Annotated[int, typer.Option(min=0, help="Processes for verification (0: one per core).")] = 0,
) -> None:
    """Find clusters of copies, what changed in each, and which copy is the original."""
    config = ScanConfig(document=MinHashConfig(threshold=threshold), workers=workers)
    try:
        with user_errors(), progress_bar(progress) as callback:
            result = scan(paths, config, fields=Fields(id=id_field, text=text_field), progress=callback)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        # Ctrl-C: a partial scan would be a misleading report, so nothing is written.
        typer.echo("Interrupted: the scan was stopped and its partial results discarded.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    _write(result, json_output, output, passages)
    raise typer.Exit(exit_code(result, fail_on))


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
        data = to_json(result)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            output.write_bytes(data)
        return
    if output is None:
        render(result, Console(), passages)
        return
    with output.open("w", encoding="utf-8") as handle:
        render(result, Console(file=handle, width=120), passages)


def main() -> None:
    app()
