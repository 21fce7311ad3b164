"""Rendering a scan: JSON for machines (orjson), a readable terminal report (rich) for people."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

import orjson
import regex
from rapidfuzz.distance import Indel
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment, Segments
from rich.style import Style
from rich.table import Table
from rich.text import Text

from dedupe import __version__, collector
from dedupe.align import Alignment
from dedupe.models import Article, Cluster, Pair, PassageMatch, Region
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
    # A small dict for every passage of every pair, all kept: with the collector on, its full collections walked them
    # again and again (2.3 of the 2.7 s of a 40,000-document report; benchmarks/README.md, forty-second round).
    with collector.paused():
        return {name: list(value) if isinstance(value, Iterator) else value for name, value in _fields(result)}


def _fields(result: ScanResult) -> list[tuple[str, Any]]:
    """The report's fields in order, its long lists as iterators of records."""
    return [
        ("version", __version__),
        ("config", result.config.identity),
        ("documents", map(_document, result.documents)),
        ("clusters", map(_cluster, result.clusters)),
        ("pairs", map(_pair, result.pairs)),
        ("skipped", ({"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped)),
        ("warnings", list(result.warnings)),
        ("stats", result.stats),
    ]


def to_json(result: ScanResult) -> bytes:
    out = io.BytesIO()
    write_json(result, out)
    return out.getvalue()


def write_json(result: ScanResult, out: BinaryIO) -> None:
    """Write `to_dict(result)` as indented JSON (orjson's `OPT_INDENT_2`, newline-terminated), a record at a time:
    the same bytes, without the whole report in memory (as dicts, then as bytes, that was a 1,000,000-document
    scan's peak: 16 GB for its 2.4 million pairs).

    A record dumped alone is indented as at the top level; inside the report's lists it sits two levels down, so
    each of its line breaks takes four more spaces (JSON strings hold no raw line break, so every one is layout).
    """
    fields = _fields(result)
    out.write(b"{\n")
    for number, (name, value) in enumerate(fields, start=1):
        out.write(b"  " + orjson.dumps(name) + b": ")
        if isinstance(value, Iterator):
            opening = b"["
            for record in value:
                out.write(opening + b"\n    " + _indented(record, b"    "))
                opening = b","
            out.write(b"[]" if opening == b"[" else b"\n  ]")
        else:
            out.write(_indented(value, b"  "))
        out.write(b",\n" if number < len(fields) else b"\n")
    out.write(b"}\n")


def _indented(value: Any, margin: bytes) -> bytes:
    """`value` as indented JSON whose lines after the first start `margin` further in."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + margin)


def _cluster(cluster: Cluster) -> dict[str, Any]:
    members = [{"id": m.id, "rank": m.rank, "score": m.score, "reasons": list(m.reasons)} for m in cluster.members]
    return {"id": cluster.id, "representative": cluster.representative, "members": members}


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


def _counted(count: int, noun: str) -> str:
    """`count` in bold and the noun after it, plural unless one ("1 cluster", "2 clusters")."""
    return f"[bold]{count}[/] {noun}{'' if count == 1 else 's'}"


def render(result: ScanResult, console: Console, passages: bool = True) -> None:
    """Print the scan for a person: a summary, the clusters with their ranking, then each pair's passages."""
    index_of = {article_id: index for index, article_id in enumerate(result.documents.ids())}
    duplicates = sum(p.relation != "partial-reuse" for p in result.pairs)
    implied = int(result.stats.get("pairs_implied", 0))
    console.print(
        f"{_counted(len(result.documents), 'article')}, {_counted(len(result.clusters), 'cluster')}, "
        f"{_counted(duplicates, 'duplicate pair')}, {_counted(len(result.pairs) - duplicates, 'partial-reuse pair')}"
        + (f", [bold]{implied}[/] more in large families shown through their hub" if implied else "")
        + f" [dim]({result.config.identity})[/]"
    )
    for cluster in result.clusters:
        rows = [
            (str(member.rank), _printable(member.id), f"{member.score:.2f}", "; ".join(member.reasons))
            for member in cluster.members
        ]
        drawn = _drawn_table(cluster.id, rows, console.width)
        console.print(_table(cluster.id, rows) if drawn is None else Segments(drawn), soft_wrap=drawn is not None)
    for pair in result.pairs:
        # A pair at a time, as styled pieces of text written as they are (`Segments`), its passages' lines cut to the
        # console's width: printing each line (its markup parsed, its numbers highlighted, the line wrapped) took most
        # of the 46 s the report of 20,000 articles took to print, where the scan took 6 (benchmarks/README.md).
        shown = passages and pair.passages
        texts = (result.documents[index_of[pair.a]].text, result.documents[index_of[pair.b]].text) if shown else None
        console.print(Segments(_pair_segments(pair, texts, console.width)), soft_wrap=True)
    for kind, notes in (("skipped", map(str, result.skipped)), ("warning", result.warnings)):
        for note in notes:
            console.print(Text.assemble((kind, "yellow"), " ", _printable(note)), highlight=False)


_COLUMNS = (("rank", "right"), ("article", "left"), ("score", "right"), ("why", "left"))


def _table(cluster_id: int, rows: list[tuple[str, str, str, str]]) -> Table:
    """A cluster's table: its members' rank, id, score and reasons."""
    table = Table(title=f"Cluster {cluster_id}", title_justify="left", show_lines=False)
    for name, justify in _COLUMNS:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*map(Text, row))  # cells as text: no markup to parse (and no emoji codes read in an id)
    return table


def _drawn_table(cluster_id: int, rows: list[tuple[str, str, str, str]], width: int) -> list[Segment] | None:
    """The lines rich draws for `_table(cluster_id, rows)` on a console `width` cells wide, drawn directly, or None
    where its layout is not the simple one drawn here: every column as wide as its widest cell, but the reasons
    narrowed (if the table is too wide) and still the widest, their words one space apart and none wider than that.
    Rich measures, pads and wraps every cell of every table for its general layout: 80% of the time the report of
    20,000 articles took to print was its 3,299 tables (benchmarks/README.md)."""
    if not all(cell.isprintable() for row in rows for cell in row[:3]):
        return None  # a tab or a line break in an id: rich lays it out
    widths = [max(cell_len(name), *(cell_len(row[k]) for row in rows)) for k, (name, _) in enumerate(_COLUMNS)]
    # Each cell has a space on either side and a border after it; one more border opens each line.
    room = width - sum(widths[:3]) - 3 * len(_COLUMNS) - 1
    if widths[3] > room:
        if room <= max(widths[:3]):
            return None  # rich would narrow other columns too
        widths[3] = room  # rich narrows the widest column first
    title = f"Cluster {cluster_id}"
    table_width = sum(widths) + 3 * len(_COLUMNS) + 1
    if len(title) > table_width:
        return None
    wrapped = []
    for row in rows:
        lines = _wrapped(row[3], widths[3])
        if lines is None:
            return None
        wrapped.append(lines)
    line, header = Segment.line(), _STYLES["header"]
    pad = Segment(" ", header)
    pieces = [
        Segment(title.ljust(table_width), _STYLES["title"]),
        line,
        Segment("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"),
        line,
    ]
    for (name, justify), column_width in zip(_COLUMNS, widths, strict=True):
        # As rich writes a header cell: its padding and its text styled apart.
        pieces += [Segment("┃"), pad, Segment(_justified(name, column_width, justify), header), pad]
    pieces += [Segment("┃"), line, Segment("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"), line]
    for row, reasons in zip(rows, wrapped, strict=True):
        for number, text in enumerate(reasons):
            cells = (*row[:3], text) if number == 0 else ("", "", "", text)
            shown = (_justified(c, w, j) for c, w, (_, j) in zip(cells, widths, _COLUMNS, strict=True))
            pieces += [Segment("│ " + " │ ".join(shown) + " │"), line]
    pieces += [Segment("└" + "┴".join("─" * (w + 2) for w in widths) + "┘"), line]
    return pieces


def _justified(text: str, width: int, justify: str) -> str:
    padding = " " * (width - cell_len(text))
    return padding + text if justify == "right" else text + padding


def _wrapped(text: str, width: int) -> list[str] | None:
    """`text`'s lines wrapped at `width` cells as rich wraps them (a word goes to the next line when it does not
    fit), or None unless its words are one space apart and each fits on a line (rich folds a longer one)."""
    if not text.isascii() or not text.isprintable() or "  " in text or text != text.strip():
        return None
    lines: list[str] = []
    current = ""
    for word in text.split(" ") if text else ():
        if len(word) > width:
            return None
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current]


def _pair_segments(pair: Pair, texts: tuple[str, str] | None, width: int) -> list[Segment]:
    """A pair's lines in the terminal report: a blank line, the pair, then (given both articles' `texts`) each
    passage's label line and a line for each side it has: where it is, and as much of its text as fits in `width`
    (at most `_SNIPPET` characters)."""
    line = Segment.line()
    pieces = [
        line,
        Segment(pair.relation, _STYLES[pair.relation]),
        Segment(
            f" {_printable(pair.a)} ~ {_printable(pair.b)}  jaccard {pair.jaccard:.2f}, "
            f"coverage {pair.coverage_a:.0%} / {pair.coverage_b:.0%}"
        ),
        line,
    ]
    for passage in pair.passages if texts is not None else ():
        pieces += [
            Segment("  "),
            Segment(f"{passage.label:>10}", _STYLES[passage.label]),
            Segment(f" {passage.score:.2f}"),
        ]
        if passage.markers:
            pieces += [Segment(" "), Segment(", ".join(passage.markers), _STYLES["marker"])]
        pieces.append(line)
        for name, span, text in (("a", passage.a_span, texts[0]), ("b", passage.b_span, texts[1])):
            if span is not None:
                where = f"      {name} [{span[0]}:{span[1]}] "
                room = min(_SNIPPET, max(_MIN_SNIPPET, width - len(where)))
                pieces += [Segment(where + _printable(_snippet(text[span[0] : span[1]], room)), _STYLES["side"]), line]
    return pieces


# The styles of the report's lines, parsed once.
_STYLES = {
    name: Style.parse(style)
    for name, style in {
        **_RELATION_STYLE,
        **_LABEL_STYLE,
        "marker": "red",
        "side": "dim",
        "title": "italic",  # a table's title and header, as rich's default theme styles them
        "header": "bold",
    }.items()
}
# Control characters but white space, dropped from an article's id and text where a report writes them as they are
# (an escape sequence in an article would otherwise restyle the terminal).
_CONTROL = dict.fromkeys(c for c in [*range(32), 127] if not chr(c).isspace())


def _printable(text: str) -> str:
    return text.translate(_CONTROL)


# A passage's text in the terminal report: at most this many characters, and at least this many on a narrow console.
_SNIPPET = 100
_MIN_SNIPPET = 20


def _snippet(text: str, width: int = _SNIPPET) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def alignment_dict(alignment: Alignment, a: str, b: str) -> dict[str, Any]:
    """An alignment as plain data: passages in the shape of scan's `pairs[].passages`, plus regions."""
    return {
        "version": __version__,
        "a": a,
        "b": b,
        "coverage_a": alignment.coverage_a,
        "coverage_b": alignment.coverage_b,
        "longest_reuse": alignment.longest_reuse,
        "passages": [passage_dict(p) for p in alignment.passages],
        "regions": [_region(r) for r in alignment.regions],
    }


def _region(region: Region) -> dict[str, Any]:
    return {"a_span": list(region.a_span), "b_span": list(region.b_span), "score": region.score, "pairs": region.pairs}


# Display tokens: a word with the punctuation around it, compared without case and punctuation.
_TOKEN = regex.compile(r"\S+")
_FOLD = regex.compile(r"[^\p{L}\p{N}]+")


def render_alignment(alignment: Alignment, a: Article, b: Article, console: Console) -> None:
    """Print an alignment interleaved: each passage's label, then side a and side b, changed words highlighted
    (words only in a struck through in red, words only in b in green)."""
    console.print(
        Text.assemble(
            (_printable(a.id), "bold"),
            " ~ ",
            (_printable(b.id), "bold"),
            f": {_count(len(alignment.passages), 'passage')}, "
            f"coverage {alignment.coverage_a:.0%} / {alignment.coverage_b:.0%}, "
            f"{_count(len(alignment.regions), 'region')} of reuse",
        )
    )
    for passage in alignment.passages:
        style = _LABEL_STYLE[passage.label]
        markers = f" [red]{', '.join(passage.markers)}[/] (side {passage.corrupted_side})" if passage.markers else ""
        where = " ".join(
            f"{name}[{span[0]}:{span[1]}]" for name, span in (("a", passage.a_span), ("b", passage.b_span)) if span
        )
        score = f" {passage.score:.2f}" if passage.a_span and passage.b_span else ""
        console.print(f"\n[{style}]{passage.label}[/]{score}{markers} [dim]{where}[/]")
        text_a = _printable(a.text[passage.a_span[0] : passage.a_span[1]]) if passage.a_span else ""
        text_b = _printable(b.text[passage.b_span[0] : passage.b_span[1]]) if passage.b_span else ""
        if text_a and text_b:
            line_a, line_b = _highlight(text_a, text_b)
        else:
            line_a, line_b = Text(" ".join(text_a.split())), Text(" ".join(text_b.split()))
        for name, line in (("a", line_a), ("b", line_b)):
            if line.plain:
                console.print(Text.assemble((f"  {name} | ", "dim"), line))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _highlight(text_a: str, text_b: str) -> tuple[Text, Text]:
    """Both sides as rich Text with the words the other side lacks highlighted (a word-level diff)."""
    tokens_a, tokens_b = _TOKEN.findall(text_a), _TOKEN.findall(text_b)
    keys_a = [_FOLD.sub("", t).casefold() for t in tokens_a]
    keys_b = [_FOLD.sub("", t).casefold() for t in tokens_b]
    line_a, line_b = Text(), Text()
    for tag, a0, a1, b0, b1 in Indel.opcodes(keys_a, keys_b).as_list():
        if tag == "equal":
            line_a.append(" ".join(tokens_a[a0:a1]) + " ")
            line_b.append(" ".join(tokens_b[b0:b1]) + " ")
            continue
        if a1 > a0:
            line_a.append(" ".join(tokens_a[a0:a1]), style="bold red strike")
            line_a.append(" ")
        if b1 > b0:
            line_b.append(" ".join(tokens_b[b0:b1]), style="bold green")
            line_b.append(" ")
    line_a.rstrip()
    line_b.rstrip()
    return line_a, line_b
