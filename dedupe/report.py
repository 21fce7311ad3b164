"""Rendering a scan: JSON for machines (orjson), a readable terminal report (rich) for people."""

from __future__ import annotations

from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dedupe import __version__
from dedupe.models import Article, Pair, PassageMatch
from dedupe.scan import ScanResult

_LABEL_STYLE = {
    "verbatim": "green",
    "edited": "cyan",
    "rewritten": "blue",
    "corrupted": "red",
    "only-in-a": "dim",
    "only-in-b": "dim",
}
_RELATION_STYLE = {"exact-duplicate": "bold red", "near-duplicate": "bold yellow", "partial-reuse": "magenta"}


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The scan as plain data (the JSON contract documented in README.md)."""
    return {
        "version": __version__,
        "config": result.config.identity,
        "documents": [_document(a) for a in result.documents],
        "clusters": [
            {
                "id": c.id,
                "representative": c.representative,
                "members": [
                    {"id": m.id, "rank": m.rank, "score": m.score, "reasons": list(m.reasons)} for m in c.members
                ],
            }
            for c in result.clusters
        ],
        "pairs": [_pair(p) for p in result.pairs],
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped],
        "warnings": list(result.warnings),
        "stats": result.stats,
    }


def to_json(result: ScanResult) -> bytes:
    return orjson.dumps(to_dict(result), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def passage_dict(passage: PassageMatch) -> dict[str, Any]:
    return {
        "a_span": list(passage.a_span) if passage.a_span else None,
        "b_span": list(passage.b_span) if passage.b_span else None,
        "label": passage.label,
        "score": passage.score,
        "markers": list(passage.markers),
        "corrupted_side": passage.corrupted_side,
    }


def _document(article: Article) -> dict[str, Any]:
    record: dict[str, Any] = {"id": article.id, "chars": len(article.text)}
    for name in ("title", "date", "source", "url"):
        if (value := getattr(article, name)) is not None:
            record[name] = value
    return record


def _pair(pair: Pair) -> dict[str, Any]:
    return {
        "a": pair.a,
        "b": pair.b,
        "relation": pair.relation,
        "jaccard": pair.jaccard,
        "containment_ab": pair.containment_ab,
        "containment_ba": pair.containment_ba,
        "coverage_a": pair.coverage_a,
        "coverage_b": pair.coverage_b,
        "passages": [passage_dict(p) for p in pair.passages],
    }


def render(result: ScanResult, console: Console, passages: bool = True) -> None:
    """Print the scan for a person: a summary, the clusters with their ranking, then each pair's passages."""
    texts = {a.id: a.text for a in result.documents}
    duplicates = sum(p.relation != "partial-reuse" for p in result.pairs)
    console.print(
        f"[bold]{len(result.documents)}[/] articles, [bold]{len(result.clusters)}[/] clusters, "
        f"[bold]{duplicates}[/] duplicate pairs, [bold]{len(result.pairs) - duplicates}[/] partial-reuse pairs "
        f"[dim]({result.config.identity})[/]"
    )
    for cluster in result.clusters:
        table = Table(title=f"Cluster {cluster.id}", title_justify="left", show_lines=False)
        table.add_column("rank", justify="right")
        table.add_column("article")
        table.add_column("score", justify="right")
        table.add_column("why")
        for member in cluster.members:
            table.add_row(str(member.rank), escape(member.id), f"{member.score:.2f}", escape("; ".join(member.reasons)))
        console.print(table)
    for pair in result.pairs:
        console.print(
            f"\n[{_RELATION_STYLE[pair.relation]}]{pair.relation}[/] {escape(pair.a)} ~ {escape(pair.b)}  "
            f"jaccard {pair.jaccard:.2f}, coverage {pair.coverage_a:.0%} / {pair.coverage_b:.0%}"
        )
        if passages:
            for passage in pair.passages:
                _render_passage(console, passage, texts[pair.a], texts[pair.b])
    for skipped in result.skipped:
        console.print(f"[yellow]skipped[/] {escape(str(skipped))}")
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}")


def _render_passage(console: Console, passage: PassageMatch, text_a: str, text_b: str) -> None:
    style = _LABEL_STYLE[passage.label]
    markers = f" [red]{', '.join(passage.markers)}[/]" if passage.markers else ""
    console.print(f"  [{style}]{passage.label:>10}[/] {passage.score:.2f}{markers}")
    for name, span, text in (("a", passage.a_span, text_a), ("b", passage.b_span, text_b)):
        if span is not None:
            console.print(
                f"      {name} [{span[0]}:{span[1]}] {escape(_snippet(text[span[0] : span[1]]))}", style="dim"
            )


def _snippet(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
