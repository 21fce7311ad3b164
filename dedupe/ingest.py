"""Reading articles: files, directories, JSON Lines and stdin in; `Article` records out, streamed.

Nothing is dropped silently: every input that yields no article is recorded in `IngestLog.skipped` with the
reason, and every lossy decode in `IngestLog.warnings`.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

import orjson

from dedupe.errors import InputError
from dedupe.models import Article, Skipped

TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})
JSON_SUFFIXES = frozenset({".json"}) | JSON_LINES_SUFFIXES
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
_METADATA = ("title", "date", "source", "url")
_BOM = b"\xef\xbb\xbf"
# Byte order marks of the encodings a file may declare by one (Windows tools save "Unicode" text as UTF-16 with
# one). UTF-32's little-endian mark begins with UTF-16's, so it is tried first.
_DECLARED = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# An HTML page's declared encoding: `<meta charset=...>` or `<meta http-equiv="Content-Type" content="...;
# charset=...">`, looked for in the first 1,024 bytes, as the HTML standard's prescan does.
_META_CHARSET = re.compile(rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_PRESCAN = 1024
_Line = TypeVar("_Line", str, bytes)


@dataclass(slots=True)
class IngestLog:
    """What reading skipped and what it had to guess, for the report."""

    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def skip(self, path: str, reason: str, line: int | None = None) -> None:
        self.skipped.append(Skipped(path, reason, line))


@dataclass(frozen=True, slots=True)
class Fields:
    """Which JSON fields hold the id and the text."""

    id: str = "id"
    text: str = "text"


def read_articles(
    sources: Iterable[str | Path], log: IngestLog | None = None, fields: Fields | None = None
) -> Iterator[Article]:
    """Yield the articles of every source: a directory (recursively), a file, or `-` for JSON Lines on stdin.

    Raises:
        InputError: a source that does not exist. Problems inside a source are logged and skipped instead.
    """
    log = log if log is not None else IngestLog()
    fields = fields or Fields()
    seen: set[str] = set()
    for source in sources:
        for article in _read_source(str(source), log, fields):
            if article.id in seen:
                log.skip(article.path or article.id, f'duplicate id "{article.id}" (ids must be unique)')
                continue
            seen.add(article.id)
            yield article


def _read_source(source: str, log: IngestLog, fields: Fields) -> Iterator[Article]:
    if source == "-":
        yield from read_json_lines(sys.stdin, "<stdin>", log, fields)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            log.warnings.append(f"{shown(source)}: no {', '.join(sorted(SUFFIXES))} files found")
        for file in files:
            yield from read_file(file, shown(file.relative_to(path).as_posix()), log, fields)
    elif path.is_file():
        yield from read_file(path, shown(path.name), log, fields)
    else:
        raise InputError("no such file or directory", path=shown(source))


def read_file(path: Path, doc_id: str, log: IngestLog, fields: Fields | None = None) -> Iterator[Article]:
    """The articles of one file: one per text or HTML file, one per record of a JSON or JSON Lines file."""
    fields = fields or Fields()
    if path.suffix.lower() in JSON_LINES_SUFFIXES:
        yield from _read_json_lines_file(path, log, fields)
        return
    where = shown(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        log.skip(where, f"cannot read: {error.strerror}")
        return
    suffix = path.suffix.lower()
    text = _by_mark(data)
    if text is None:
        if (nul := data.find(b"\x00")) >= 0:
            log.skip(where, f"binary data, not text (a NUL byte at byte {nul})")
            return
        text = decode(data, where, log, charset=_html_charset(data) if suffix in HTML_SUFFIXES else None)
    if suffix in JSON_SUFFIXES:
        # A .json file holds one object or an array of them; one that does not parse whole is read as JSON Lines.
        document = _parse_whole(text)
        if document is not None:
            yield from _read_json_document(document, where, log, fields)
        else:
            yield from read_json_lines(text.splitlines(), where, log, fields)
        return
    if not text.strip():
        log.skip(where, "empty file")
        return
    yield Article(id=doc_id, text=text, path=where, markup=suffix in HTML_SUFFIXES)


def _read_json_lines_file(path: Path, log: IngestLog, fields: Fields) -> Iterator[Article]:
    """The articles of a JSON Lines file, read a line at a time.

    Holding the file's bytes, its decoded text and its lines at once peaked at four times the file's size (4.4 GB
    for a 1 GB corpus of 1,000,000 articles), and the lines freed among the texts kept left the heap fragmented.
    Lines end at "\\n" only (`str.splitlines` also splits at U+2028, which JSON strings may hold). A line that is
    not UTF-8 is decoded as `decode` decodes a file, with one warning for the file.
    """
    where = shown(path)
    try:
        with path.open("rb") as head:
            encoding = _declared(head.read(4))
        file = path.open("rb") if encoding is None else path.open(encoding=encoding, newline="\n")
    except OSError as error:
        log.skip(where, f"cannot read: {error.strerror}")
        return
    if encoding is not None:  # rare: read as text, an undecodable line ends the file with the reason
        with file:
            try:
                yield from read_json_lines(file, where, log, fields)
            except UnicodeDecodeError as error:
                log.skip(where, f"not valid {encoding} after its byte order mark ({error.reason})")
        return
    warnings = log
    offset = 0
    with file:
        for number, line in enumerate(file, start=1):
            start, offset = offset, offset + len(line)
            unmarked = _unmarked(line, number)
            line, start = unmarked, start + len(line) - len(unmarked)
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    text = decode(line, where, warnings, at=start)
                    warnings = IngestLog()  # one warning a file, as for a file read whole
                    yield from read_json_lines([text], where, log, fields, first=number)
                else:
                    log.skip(where, f"invalid JSON ({error.msg})", number)
                continue
            article = _from_record(record, where, number, log, fields)
            if article is not None:
                yield article


def decode(data: bytes, where: str, log: IngestLog, at: int = 0, charset: str | None = None) -> str:
    """UTF-16 or UTF-32 when a byte order mark says so; else UTF-8 (with or without BOM); else the `charset` the
    file declares (an HTML page's); else cp1252, else latin-1, with a warning naming the file (and the first bad
    byte, counted from `at`, where `data` starts in the file). UTF-8 goes before the declared charset: pages
    declaring latin-1 while written in UTF-8 are common, and text that decodes as UTF-8 is almost never another
    encoding."""
    text = _by_mark(data)
    if text is not None:
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if charset is not None:
            try:
                return data.decode(charset)
            except UnicodeDecodeError:
                pass
        fallback = "cp1252"
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            fallback = "latin-1"
            text = data.decode(fallback)
        declared = f" nor its declared {charset}" if charset is not None else ""
        log.warnings.append(f"{where}: not valid UTF-8 (byte {at + error.start}){declared}; decoded as {fallback}")
        return text


def shown(path: str | Path) -> str:
    """A path as text any output can hold: the bytes of a file name that are not UTF-8 (which Python keeps as lone
    surrogates, refused by JSON and by UTF-8 output) written as `\\xNN` escapes; every other name unchanged."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _declared(data: bytes) -> str | None:
    """The encoding `data`'s byte order mark declares, if it has a UTF-16 or UTF-32 one."""
    return next((encoding for mark, encoding in _DECLARED if data.startswith(mark)), None)


def _html_charset(data: bytes) -> str | None:
    """The encoding an HTML page declares in a `<meta>` of its first bytes, when Python knows it."""
    found = _META_CHARSET.search(data[:_PRESCAN])
    if found is None:
        return None
    try:
        return codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return None


def _by_mark(data: bytes) -> str | None:
    """`data` decoded as its UTF-16 or UTF-32 byte order mark declares; None without one, or when `data` does not
    decode so (then the mark was the start of text in another encoding, or of binary data)."""
    encoding = _declared(data)
    if encoding is None:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def read_json_lines(
    lines: Iterable[str] | TextIO, where: str, log: IngestLog, fields: Fields, first: int = 1
) -> Iterator[Article]:
    """One article per JSON object line (`parse_line`); blank lines are passed over, bad lines logged with their
    number (the first line is number `first`)."""
    for number, line in enumerate(lines, start=first):
        line = _unmarked(line, number)
        if not line.strip():
            continue
        try:
            article = _article_of(line, where, number, fields)
        except InputError as error:
            log.skip(where, error.reason, number)
            continue
        yield article


def parse_line(line: str | bytes, where: str, number: int, fields: Fields | None = None) -> Article:
    """The article of one JSON Lines line (a byte order mark before line 1, as Windows pipelines write one, is
    passed over).

    Raises:
        InputError: the line is not a JSON object with a non-empty text (the message names the line).
    """
    return _article_of(_unmarked(line, number), where, number, fields or Fields())


def _unmarked(line: _Line, number: int) -> _Line:
    """Line `number` without the UTF-8 byte order mark that may come before the first line."""
    if number != 1:
        return line
    return line.removeprefix(_BOM) if isinstance(line, bytes) else line.removeprefix("\ufeff")


def _article_of(line: str | bytes, where: str, number: int, fields: Fields) -> Article:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise InputError(f"invalid JSON ({error.msg})", where, number) from None
    log = IngestLog()
    article = _from_record(record, where, number, log, fields)
    if article is None:
        raise InputError(log.skipped[0].reason, where, number)
    return article


def _parse_whole(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _read_json_document(document: Any, where: str, log: IngestLog, fields: Fields) -> Iterator[Article]:
    records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        article = _from_record(record, where, number, log, fields, unit="record")
        if article is not None:
            yield article


def _from_record(
    record: Any, where: str, number: int, log: IngestLog, fields: Fields, unit: str = "line"
) -> Article | None:
    # JSON Lines errors carry the line number; records of a JSON array say which record.
    line, prefix = (number, "") if unit == "line" else (None, f"record {number}: ")
    if not isinstance(record, dict):
        log.skip(where, f"{prefix}expected a JSON object, got {type(record).__name__}", line)
        return None
    text = record.get(fields.text)
    if not isinstance(text, str):
        problem = "missing field" if fields.text not in record else "not a string: field"
        log.skip(where, f'{prefix}{problem} "{fields.text}" (use --text-field to name it)', line)
        return None
    if not text.strip():
        log.skip(where, f"{prefix}empty text", line)
        return None
    raw_id = record.get(fields.id)
    doc_id = str(raw_id) if raw_id is not None else f"{Path(where).name}:{number}"
    extra = {k: v for k, v in record.items() if k not in (fields.id, fields.text, *_METADATA)}
    metadata = {k: str(record[k]) for k in _METADATA if record.get(k) is not None}
    return Article(id=doc_id, text=text, path=where, extra=extra, **metadata)


def read_article(source: str | Path, fields: Fields | None = None) -> Article:
    """The one article of a file (the first record of a JSON or JSON Lines file).

    Raises:
        InputError: the file does not exist or holds no article (the reason says why).
    """
    log = IngestLog()
    article = next(read_articles([source], log, fields), None)
    if article is None:
        reason = log.skipped[0].reason if log.skipped else "no article in it"
        raise InputError(reason, shown(source))
    return article
