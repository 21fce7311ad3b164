from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import orjson
import pytest

import dedupe
from dedupe.errors import InputError
from dedupe.ingest import Fields, IngestLog, read_articles
from dedupe.report import write_json


def test_directory_ids_are_relative_paths_and_other_files_are_ignored(tmp_path: Path):
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "a.txt").write_text("Alpha story.", encoding="utf-8")
    (tmp_path / "b.html").write_text("<p>Beta</p>", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    articles = list(read_articles([tmp_path]))
    assert [a.id for a in articles] == ["b.html", "wire/a.txt"]
    assert articles[0].markup and not articles[1].markup


def test_json_lines_records_keep_metadata_and_extra_fields(tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": 7, "text": "Body", "title": "T", "date": "2024-12-07", "lang": "en"}\n', encoding="utf-8")
    (article,) = read_articles([feed])
    assert (article.id, article.title, article.date, article.extra) == ("7", "T", "2024-12-07", {"lang": "en"})


def test_bad_json_lines_are_skipped_with_their_line_and_reason(tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "text": "ok"}\nnot json\n{"id": "c", "body": "x"}\n\n{"id": "a", "text": "again"}\n')
    log = IngestLog()
    assert [a.id for a in read_articles([feed], log)] == ["a"]
    reasons = [str(s) for s in log.skipped]
    assert reasons[1] == f'{feed} line 3: missing field "text" (use --text-field to name it)'
    assert reasons[0].startswith(f"{feed} line 2: invalid JSON")
    assert reasons[2] == f'{feed}: duplicate id "a" (ids must be unique)'


def test_text_field_can_be_renamed(tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "c", "body": "x"}\n', encoding="utf-8")
    assert [a.text for a in read_articles([feed], fields=Fields(text="body"))] == ["x"]


def test_a_json_file_may_hold_an_array_or_one_pretty_printed_object(tmp_path: Path):
    (tmp_path / "many.json").write_text('[{"id": "1", "text": "one"}, {"id": "2", "text": "two"}]')
    (tmp_path / "one.json").write_text('{\n  "id": "3",\n  "text": "three"\n}\n')
    assert [a.id for a in read_articles([tmp_path])] == ["1", "2", "3"]


def test_undecodable_bytes_fall_back_to_cp1252_with_a_warning(tmp_path: Path):
    (tmp_path / "old.txt").write_bytes("caf\u00e9 \u201cnews\u201d".encode("cp1252"))
    log = IngestLog()
    (article,) = read_articles([tmp_path], log)
    assert article.text == "caf\u00e9 \u201cnews\u201d"
    assert log.warnings == [f"{tmp_path / 'old.txt'}: not valid UTF-8 (byte 3); decoded as cp1252"]


def test_a_byte_order_mark_declares_utf16_or_utf32(tmp_path: Path):
    text = "Caf\u00e9 \u201cnews\u201d \u2014 \u4e2d\u6587\n"
    for encoding in ("utf-8", "utf-16", "utf-16-be", "utf-32", "utf-32-be"):
        mark = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
        (tmp_path / f"{encoding}.txt").write_bytes(mark + text.encode(encoding))
    (tmp_path / "feed.jsonl").write_text(
        '{"id": "a", "text": "one\u2028two"}\n\n{"oops\n{"id": "b", "text": "\u00e9"}\n', encoding="utf-16"
    )
    log = IngestLog()
    articles = list(read_articles([tmp_path], log))
    assert [(a.id, a.text) for a in articles] == [("a", "one\u2028two"), ("b", "\u00e9")] + [
        (f"{encoding}.txt", text) for encoding in ("utf-16-be", "utf-16", "utf-32-be", "utf-32", "utf-8")
    ]
    assert not log.warnings
    assert [(s.line, s.reason.split(" (")[0]) for s in log.skipped] == [(3, "invalid JSON")]


def test_an_html_page_is_read_in_the_charset_its_meta_declares(tmp_path: Path):
    russian = "<p>\u041c\u043e\u0441\u043a\u0432\u0430 \u2014 \u043d\u043e\u0432\u043e\u0441\u0442\u0438</p>"
    japanese = "<p>\u6771\u4eac\u306e\u30cb\u30e5\u30fc\u30b9</p>"
    pages = {
        "a.html": ('<html><head><meta charset="windows-1251"></head><body>' + russian, "cp1251"),
        "b.htm": (
            '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' + japanese,
            "shift_jis",
        ),
        # Declared latin-1 but written in UTF-8 (a common mistake): UTF-8 goes first.
        "c.html": ('<meta charset="iso-8859-1">' + russian, "utf-8"),
    }
    for name, (html, encoding) in pages.items():
        (tmp_path / name).write_bytes(html.encode(encoding))
    (tmp_path / "d.html").write_bytes(('<meta charset="no-such-codec">' + "caf\u00e9").encode("cp1252"))
    (tmp_path / "e.html").write_bytes(b'<meta charset="utf-16le">caf\xe9')  # an odd length: no UTF-16
    log = IngestLog()
    texts = {a.id: a.text for a in read_articles([tmp_path], log)}
    assert texts == {name: html for name, (html, _) in pages.items()} | {
        "d.html": '<meta charset="no-such-codec">caf\u00e9',
        "e.html": '<meta charset="utf-16le">caf\u00e9',
    }
    assert log.warnings == [
        f"{tmp_path / 'd.html'}: not valid UTF-8 (byte 33); decoded as cp1252",
        f"{tmp_path / 'e.html'}: not valid UTF-8 (byte 28) nor its declared utf-16-le; decoded as cp1252",
    ]


def test_a_file_with_nul_bytes_and_no_byte_order_mark_is_skipped_as_binary(tmp_path: Path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "story.txt").write_text("A story.", encoding="utf-8")
    (tmp_path / "tool.txt").write_bytes(b"\xff\xfe\x00\x01\x02")  # a UTF-16 mark, then no UTF-16
    log = IngestLog()
    assert [a.id for a in read_articles([tmp_path], log)] == ["story.txt"]
    assert [(s.path, s.reason) for s in log.skipped] == [
        (str(tmp_path / "photo.txt"), "binary data, not text (a NUL byte at byte 8)"),
        (str(tmp_path / "tool.txt"), "binary data, not text (a NUL byte at byte 2)"),
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="file names that are not UTF-8 need a byte-named file system")
def test_a_file_name_that_is_not_utf8_becomes_an_id_any_output_can_hold(tmp_path: Path):
    folder = os.fsencode(tmp_path)
    Path(os.fsdecode(folder + b"/caf\xe9.txt")).write_text("A story about a caf\u00e9.", encoding="utf-8")
    Path(os.fsdecode(folder + b"/\xff.txt")).write_bytes(b"")
    result = dedupe.scan([tmp_path])
    assert [a.id for a in result.documents] == ["caf\\xe9.txt"]
    assert [s.path for s in result.skipped] == [f"{tmp_path}/\\xff.txt"]
    out = io.BytesIO()
    write_json(result, out)  # lone surrogates would make orjson refuse the report
    assert orjson.loads(out.getvalue())["documents"][0]["id"] == "caf\\xe9.txt"


def test_a_json_lines_file_is_read_line_by_line_with_one_warning_for_bytes_not_utf8(tmp_path: Path):
    feed = tmp_path / "feed.jsonl"
    first = '{"id": "a", "text": "caf\u00e9"}\n'.encode()
    old = '{"id": "b", "text": "\u201cnews\u201d"}\n'.encode("cp1252")
    feed.write_bytes(b"\xef\xbb\xbf" + first + old + old.replace(b'"b"', b'"c"') + b"{oops\n")
    log = IngestLog()
    assert [(a.id, a.text) for a in read_articles([feed], log)] == [
        ("a", "caf\u00e9"),
        ("b", "\u201cnews\u201d"),
        ("c", "\u201cnews\u201d"),
    ]
    # The first bad byte, counted in the file: the BOM, line 1, then `{"id": "b", "text": "`.
    assert log.warnings == [f"{feed}: not valid UTF-8 (byte {3 + len(first) + 21}); decoded as cp1252"]
    assert [(s.line, s.reason.split(" (")[0]) for s in log.skipped] == [(4, "invalid JSON")]


def test_a_json_lines_record_may_hold_line_separators_that_are_not_newlines(tmp_path: Path):
    # JSON strings may hold U+2028 and U+2029 unescaped (orjson writes them so); they do not end a line.
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(orjson.dumps({"id": "a", "text": "one\u2028two\u2029three\x85four"}) + b"\n")
    log = IngestLog()
    assert [a.text for a in read_articles([feed], log)] == ["one\u2028two\u2029three\x85four"]
    assert log.skipped == []


def test_empty_files_are_counted_not_lost(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    log = IngestLog()
    assert list(read_articles([tmp_path], log)) == []
    assert [s.reason for s in log.skipped] == ["empty file"]


def test_stdin_is_read_as_json_lines(monkeypatch):
    # A byte order mark first, as Windows pipelines write one.
    monkeypatch.setattr("sys.stdin", io.StringIO('\ufeff{"id": "s", "text": "from stdin"}\n{"id": "t", "text": "x"}\n'))
    assert [a.id for a in read_articles(["-"])] == ["s", "t"]


def test_a_missing_path_is_an_input_error_naming_it():
    with pytest.raises(InputError, match=r"^missing/: no such file or directory$"):
        list(read_articles(["missing/"]))
