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
