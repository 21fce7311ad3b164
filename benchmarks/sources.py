"""Real news articles from the shared data directory: Reuters-21578 bodies and BBC News files.

Nothing here is copied into the repository; the texts are read from `../shared/data` at run time.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

# Reuters-21578 is SGML that is not well-formed XML (README: "parse them with regex"); bodies are latin-1 with
# numeric entities such as `&#3;` (end of text) and `&lt;`.
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.DOTALL)
_NEWID = re.compile(r'NEWID="(\d+)"')
_REUTERS_OPEN = re.compile(r"<REUTERS\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A Reuters paragraph starts on a line indented by spaces; other line breaks are the wire's hard wrapping.
_PARAGRAPH_START = re.compile(r"\n[ \t]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Article:
    """One real article: where it came from and its text (paragraphs separated by a blank line)."""

    origin: str
    text: str


def _paragraphs(raw: str) -> str:
    """Join hard-wrapped wire lines into paragraphs separated by blank lines."""
    parts = (_SPACES.sub(" ", part).strip() for part in _PARAGRAPH_START.split(raw))
    return "\n\n".join(part for part in parts if part)


def read_reuters(directory: Path) -> list[Article]:
    """Read every non-empty `<BODY>` of Reuters-21578, in file and document order.

    Args:
        directory: the `reuters-21578` folder holding `reut2-NNN.sgm`.

    Returns:
        One article per body, origin `reuters:<NEWID>`.
    """
    files = sorted(directory.glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"{directory}: no reut2-*.sgm files (pass --data to name the shared data folder)")
    articles: list[Article] = []
    for path in files:
        sgml = path.read_text(encoding="latin-1")
        for element in _REUTERS_OPEN.split(sgml)[1:]:
            body = _BODY.search(element)
            newid = _NEWID.search(element)
            if body is None or newid is None:
                continue
            text = _paragraphs(_CONTROL.sub("", html.unescape(body.group(1))))
            if text:
                articles.append(Article(f"reuters:{newid.group(1)}", text))
    return articles


def read_bbc(directory: Path) -> list[Article]:
    """Read every BBC News article (headline, blank line, body), in category and file order.

    Args:
        directory: the `bbc-news-2225` folder (the files are under `bbc/<category>/NNN.txt`).

    Returns:
        One article per file, origin `bbc:<category>/<NNN>.txt`.
    """
    files = sorted((directory / "bbc").glob("*/*.txt"))
    if not files:
        raise FileNotFoundError(f"{directory}: no bbc/<category>/*.txt files (pass --data to name the data folder)")
    articles: list[Article] = []
    for path in files:
        raw = path.read_bytes()
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            # SOURCE.md: sport/199.txt is the one latin-1 file of the original release.
            decoded = raw.decode("latin-1")
        paragraphs = (_SPACES.sub(" ", line).strip() for line in decoded.splitlines())
        text = "\n\n".join(p for p in paragraphs if p)
        if text:
            articles.append(Article(f"bbc:{path.parent.name}/{path.name}", text))
    return articles
