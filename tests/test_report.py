"""The report: the JSON written a record at a time is the whole report dumped at once, byte for byte; the summary a
person reads first."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import orjson
from rich.console import Console
from rich.segment import Segments

import dedupe
from dedupe import report
from dedupe.align import align_texts
from dedupe.report import render, to_dict, to_json, write_json
from tests.conftest import SEEDS


def _dumped_whole(result: dedupe.ScanResult) -> bytes:
    return orjson.dumps(to_dict(result), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def test_the_streamed_report_is_the_whole_report_dumped(tmp_path: Path):
    for name in ("bad.jsonl", "empty.txt", "odd.txt"):
        (tmp_path / name).write_bytes({"bad.jsonl": b"{oops\n", "empty.txt": b" \n", "odd.txt": b"caf\xe9 news"}[name])
    for source in (SEEDS, tmp_path):
        result = dedupe.scan([source])
        streamed = io.BytesIO()
        write_json(result, streamed)
        assert streamed.getvalue() == to_json(result) == _dumped_whole(result)
    assert result.skipped and result.warnings  # the last scan exercised the other lists
    orjson.loads(streamed.getvalue())


def test_an_empty_scan_writes_empty_lists():
    result = dedupe.scan([dedupe.Article("only", "One article, nothing to compare it with.")])
    assert result.pairs == () and result.clusters == ()
    assert to_json(result) == _dumped_whole(result)
    assert b'"pairs": [],' in to_json(result)


def test_the_report_as_data_is_built_with_the_collector_paused(monkeypatch):
    result = dedupe.scan([SEEDS])
    during: list[bool] = []
    pair = report._pair
    monkeypatch.setattr(report, "_pair", lambda p: during.append(gc.isenabled()) or pair(p))
    assert gc.isenabled()
    assert to_dict(result)["pairs"] == [pair(p) for p in result.pairs]
    assert during == [False] * len(result.pairs) and during
    assert gc.isenabled()  # as it was before


def test_the_summary_counts_in_the_singular_and_the_plural():
    out = io.StringIO()
    render(dedupe.scan([SEEDS]), Console(file=out, width=200), passages=False)
    # The seeds: one family of two copies, and one pair sharing a sentence.
    assert out.getvalue().startswith("5 articles, 1 cluster, 1 duplicate pair, 1 partial-reuse pair ")


def test_the_terminal_report_shows_each_passage_with_its_spans_and_text_as_written():
    story = (
        "The council approved the [bold] harbour plan :smile: on Tuesday\x1b[31m after a long debate. "
        "Work on the new quay will start in the spring and take two years. "
        "The mayor said the town had waited for this decision for a decade. "
        "Fishermen welcomed the vote but asked for help with the cost of moving their boats."
    )
    copy = story.replace("two years", "three years") + " Residents can see the plans at the town hall."
    result = dedupe.scan([dedupe.Article("story [b] :smile:", story), dedupe.Article("copy", copy)])
    out = io.StringIO()
    render(result, Console(file=out, width=300), passages=True)
    lines = out.getvalue().splitlines()
    (pair,) = result.pairs
    texts = {"a": story, "b": copy} if pair.a != "copy" else {"a": copy, "b": story}
    assert sum("story [b] :smile:" in line for line in lines) == 2  # in its cluster's table and in the pair's line
    assert {p.label for p in pair.passages} == {"verbatim", "only-in-a", "only-in-b"}
    for passage in pair.passages:
        assert f"  {passage.label:>10} {passage.score:.2f}" in lines
        for side, span in (("a", passage.a_span), ("b", passage.b_span)):
            if span is not None:
                snippet = report._snippet(texts[side][span[0] : span[1]].replace("\x1b", ""))
                assert f"      {side} [{span[0]}:{span[1]}] {snippet}" in lines
    # Neither markup nor an emoji code, and no control character written to the terminal.
    assert any("[bold] harbour plan :smile: on Tuesday[31m after" in line for line in lines)
    assert "\x1b" not in out.getvalue()
    narrow = io.StringIO()
    render(result, Console(file=narrow, width=60), passages=True)
    sides = [line for line in narrow.getvalue().splitlines() if line.startswith(("      a [", "      b ["))]
    assert len(sides) == sum((p.a_span is not None) + (p.b_span is not None) for p in pair.passages)
    assert all(len(line) <= 60 for line in sides)  # each side's text cut to fit on its line


def test_skipped_inputs_and_warnings_name_their_files_as_written(tmp_path: Path):
    (tmp_path / "bad [b].jsonl").write_bytes(b"{oops\n")
    (tmp_path / "odd :smile:.txt").write_bytes(b"caf\xe9 news")
    out = io.StringIO()
    render(dedupe.scan([tmp_path]), Console(file=out, width=300))
    lines = out.getvalue().splitlines()
    assert any(line.startswith("skipped ") and "bad [b].jsonl line 1" in line for line in lines)
    assert any(line.startswith("warning ") and "odd :smile:.txt" in line for line in lines)


def test_an_alignment_names_its_articles_and_shows_their_text_as_written():
    first = "The council approved the harbour plan on Tuesday\x1b[31m after a long and heated debate in the hall."
    second = first.replace("long and heated", "long") + " Work starts in the spring."
    out = io.StringIO()
    articles = dedupe.Article("a [b] :smile:", first), dedupe.Article("b", second)
    report.render_alignment(align_texts(first, second), *articles, Console(file=out))
    assert out.getvalue().startswith("a [b] :smile: ~ b: ")
    assert "\x1b" not in out.getvalue() and "Tuesday[31m after" in out.getvalue()


def test_cluster_tables_drawn_directly_are_those_rich_draws():
    """Simple cluster tables are drawn by the report itself (rich's layout of thousands of them took most of a large
    report's time), the others by rich: on every console, what is drawn is what rich draws, byte for byte."""
    why = "no corrupted passages; where the copies differ, uses the wording the text uses elsewhere; contains 57% of it"
    tables = {
        "two members": [("1", "001.txt", "0.68", why), ("2", "002.txt", "0.37", "5 corrupted passages")],
        "wide characters, no reasons": [("1", "記事-一.txt", "0.50", why), ("10", "x", "0.10", "")],
        "long ids": [("1", "an-article-id-as-long-as-a-title-" * 2, "0.50", why), ("2", "b", "0.40", why)],
        "a tab in an id": [("1", "tab\there", "0.50", why)],
        "a word longer than a line": [("1", "a", "0.50", "x" * 90)],
    }
    drawn: dict[str, int] = dict.fromkeys(tables, 0)
    for name, rows in tables.items():
        for width in (200, 100, 72, 40):
            for colour in (False, True):
                options = {"width": width, "force_terminal": colour, "color_system": "truecolor" if colour else None}
                expected, shown = io.StringIO(), io.StringIO()
                Console(file=expected, **options).print(report._table(7, rows))
                segments = report._drawn_table(7, rows, width)
                if segments is not None:
                    Console(file=shown, **options).print(Segments(segments), soft_wrap=True)
                    assert shown.getvalue() == expected.getvalue(), (name, width, colour)
                    drawn[name] += 1
    # The simple ones drawn directly at every width they fit; rich lays out the others.
    assert drawn == {
        "two members": 8,
        "wide characters, no reasons": 6,
        "long ids": 2,
        "a tab in an id": 0,
        "a word longer than a line": 2,
    }
