"""The report: the JSON written a record at a time is the whole report dumped at once, byte for byte; the summary a
person reads first."""

from __future__ import annotations

import gc
import io
from pathlib import Path

import orjson
from rich.console import Console

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
