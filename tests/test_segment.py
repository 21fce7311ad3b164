from __future__ import annotations

import pytest

from dedupe.segment import sentences


def split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One here. Two there.", ["One here.", "Two there."]),
        ("He said \u201cgo.\u201d Then left.", ["He said \u201cgo.\u201d", "Then left."]),
        ("A U.S.-backed force. The U.S. Secretary spoke.", ["A U.S.-backed force.", "The U.S. Secretary spoke."]),
        ("Mr. Abdi spoke. Dr. No left.", ["Mr. Abdi spoke.", "Dr. No left."]),
        ("sources said. to Reuters on Friday.", ["sources said. to Reuters on Friday."]),
        ("Line one\nLine two\n\nPara two.", ["Line one", "Line two", "Para two."]),
        (
            "A line wrapped\nin the middle. And one to\nThe end.",
            ["A line wrapped\nin the middle.", "And one to\nThe end."],
        ),
        ("STORY OFFICER\nThe rebel sweep.", ["STORY OFFICER", "The rebel sweep."]),
        ("\u6771\u4eac\u3002\u5927\u962a\u3002", ["\u6771\u4eac\u3002", "\u5927\u962a\u3002"]),
        ("   ", []),
    ],
    ids=[
        "plain",
        "quote",
        "initials",
        "titles",
        "broken-join-kept",
        "lines",
        "soft-wraps",
        "heading-line",
        "cjk",
        "blank",
    ],
)
def test_sentences(text, expected):
    assert split(text) == expected
