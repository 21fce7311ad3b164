"""Signs of machine garbling in a passage: the evidence behind the `corrupted` label.

Each marker is a named pattern over the passage text. They come from what machine translation round trips do to
news copy (seed 002 against 001 shows each of them): sentences split mid-clause, fragments left dangling, quotes
and dashes detached from their words, units translated without their numbers.
"""

from __future__ import annotations

import regex

# Words whose period is no sentence end, so a lower-case word after them is no broken join.
_ABBREVIATION = (
    r"(?<!\b(?i:mr|mrs|ms|dr|st|gen|gov|sen|rep|inc|corp|ltd|co|vs|etc|no"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[.!?])"
)

MARKERS: dict[str, regex.Pattern[str]] = {
    # "three Syrian sources said. to Reuters": a full stop inside a clause.
    # (The pattern starts at the stop and looks back, so a search skips ahead fast: starting at every letter
    # was the aligner's hot spot on long documents.)
    "broken-join": regex.compile(rf"[.!?](?<=\p{{L}}{{2}}[.!?]){_ABBREVIATION}\s+\p{{Ll}}"),
    # "...home to his navy and air base. Russian friends." / "...in the country. right.": a tail of one or two
    # words after the sentence has ended.
    "dangling-fragment": regex.compile(r"[.!?]\s+[\"'\u201c\u201d]?\p{L}+(?:\s\p{L}+)?[.!?]\s*$"),
    # A sentence that starts with a word in lower case ("eBay" and "iPhone" are names, not garbling).
    "lowercase-start": regex.compile(r"^[\"'\u201c\u2018(]?\p{Ll}+\b"),
    # ". ." or ", ." : punctuation doubled around a space.
    "stray-punctuation": regex.compile(r"[.,;:!?]\s+[.,;:!?]"),
    # "\u201craise Syria \u201d": a closing quote cut off from its word. (Like broken-join and the next two, the
    # pattern starts at its rarest character and looks back: three times faster on PAN 2013 sentences, and the
    # same texts match, checked on 26,000 of them and 300,000 random strings.)
    "detached-quote": regex.compile(r"[\u201d\u2019\"](?<=\w\s+[\u201d\u2019\"])(?=[\s.,;:!?]|$)"),
    # "told reporters -statement": a dash glued to the next word only.
    "nonsense-join": regex.compile(r"[-\u2013\u2014](?<=\p{L}\s+[-\u2013\u2014])\p{L}"),
    # "within miles (km) of Homs": a unit conversion that lost its numbers.
    "unit-garble": regex.compile(
        r"\((?:km|kms|kilomet(?:re|er)s?|miles?|mi|m|metres?|meters?|ft|feet|kg|kilograms?|lbs?|pounds?)\)",
        regex.IGNORECASE,
    ),
    # "the the": a doubled word.
    "doubled-word": regex.compile(r"\s(?<=\b(\p{L}{2,})\s)\s*\1\b", regex.IGNORECASE),
}


def garble_markers(text: str, *, document_start: bool = False, repeats: bool = True) -> tuple[str, ...]:
    """Names of the markers that fire on `text`, in a fixed order.

    With `document_start`, `text` opens its document, where a lower-case start is a metadata line ("date
    2024-12-07") or a name, not a broken sentence. `repeats=False` says the caller knows that no word of `text`
    follows itself (align.py reads it off the word hashes): `doubled-word`, over half of the search time on news
    sentences, then cannot fire and is not searched for.
    """
    return tuple(
        name
        for name, pattern in MARKERS.items()
        if (repeats or name != "doubled-word")
        and pattern.search(text)
        and not (document_start and name == "lowercase-start")
    )


# A heading: a short line in capitals with no sentence punctuation ("ISLAMIC STATE", "STORY OFFICER").
_HEADING = regex.compile(r"^[\p{Lu}\p{N}][\p{Lu}\p{N}\s'&,-]{2,60}$")
_HEADING_WORD = regex.compile(r"\p{Lu}{3,}")


def heading_markers(sentence: str, following: str) -> tuple[str, ...]:
    """`garbled-heading` when `sentence` is a heading with a word the text after it never uses.

    A news subhead announces what follows ("ISLAMIC STATE" before "...the Islamic State group..."); a heading
    that machine translation garbled ("STORY OFFICER") names something the section does not talk about. Words
    are compared on their first five letters, so "OFFICER" is found in "officers".
    """
    if not _HEADING.match(sentence.strip()):
        return ()
    later = following.casefold()
    words = [w.casefold()[:5] for w in _HEADING_WORD.findall(sentence)]
    if words and any(w not in later for w in words):
        return ("garbled-heading",)
    return ()
