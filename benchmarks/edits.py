"""Edits that turn an article into a near-copy, each one recorded with its parameters.

The damage imitates what happens to news text on its way between outlets and machines: wire copies with a new
headline, re-wrapped whitespace, dropped and swapped words, shuffled and cut sentences, and machine garble
(broken sentence joins, synonym-ish substitutions, doubled or dropped words, punctuation damage). Every edit
is a pure function of (text, random generator, parameters); `make_copy` returns the text and the list of edits
applied, so a copy can be reproduced and its kind reported.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Any

Edit = dict[str, Any]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_EDGE_PUNCT = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)

# Synonym-ish swaps seen in machine rewrites of news: near-synonyms and house-style variants. Small on
# purpose: it only has to change some 5-grams the way a paraphrasing tool would.
_SYNONYMS: dict[str, str] = {
    "said": "stated",
    "says": "states",
    "company": "firm",
    "shares": "stock",
    "rose": "climbed",
    "fell": "dropped",
    "pct": "percent",
    "percent": "pct",
    "government": "administration",
    "expected": "anticipated",
    "billion": "bln",
    "million": "mln",
    "mln": "million",
    "price": "cost",
    "prices": "costs",
    "increase": "rise",
    "new": "fresh",
    "about": "around",
    "after": "following",
    "but": "however",
    "because": "as",
    "big": "large",
    "help": "assist",
    "buy": "purchase",
    "sell": "offload",
    "talks": "negotiations",
    "official": "spokesman",
    "told": "informed",
    "year": "annum",
    "week": "period",
    "first": "initial",
    "also": "additionally",
    "will": "would",
    "would": "will",
    "people": "persons",
    "market": "marketplace",
    "bank": "lender",
    "quarter": "three months",
    "profit": "earnings",
}


def _paragraphs(text: str) -> list[list[str]]:
    return [p.split(" ") for p in text.split("\n\n")]


def _join(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(words) for words in paragraphs if words)


def _sentences(text: str) -> list[str]:
    return [s for p in text.split("\n\n") for s in _SENTENCE_END.split(p) if s]


def rewrap(text: str, rng: random.Random) -> tuple[str, Edit]:
    """Exact copy with the paragraph breaks changed (whitespace only: identical word sequence)."""
    joined = " ".join(text.split("\n\n")) if rng.random() < 0.5 else text.replace(" ", "  ")
    return joined, {"op": "rewrap"}


def reheadline(text: str, rng: random.Random, headlines: Sequence[str]) -> tuple[str, Edit]:
    """Wire copy under a new headline: another article's headline-like first sentence is prepended."""
    headline = headlines[rng.randrange(len(headlines))]
    return f"{headline}\n\n{text}", {"op": "reheadline", "headline_words": len(headline.split())}


def word_drop(text: str, rng: random.Random, rate: float) -> tuple[str, Edit]:
    """Drop each word with probability `rate`."""
    paragraphs = [[w for w in words if rng.random() >= rate] for words in _paragraphs(text)]
    return _join(paragraphs), {"op": "word_drop", "rate": rate}


def word_swap(text: str, rng: random.Random, rate: float) -> tuple[str, Edit]:
    """Swap a word with its right neighbour with probability `rate` (within a paragraph)."""
    paragraphs = _paragraphs(text)
    for words in paragraphs:
        k = 0
        while k < len(words) - 1:
            if rng.random() < rate:
                words[k], words[k + 1] = words[k + 1], words[k]
                k += 1
            k += 1
    return _join(paragraphs), {"op": "word_swap", "rate": rate}


def sentence_shuffle(text: str, rng: random.Random, fraction: float) -> tuple[str, Edit]:
    """Move a `fraction` of the sentences to random new places; the result is one paragraph per sentence."""
    sentences = _sentences(text)
    moved = max(1, round(fraction * len(sentences))) if len(sentences) > 1 else 0
    picked = sorted(rng.sample(range(len(sentences)), moved))
    chosen = set(picked)
    kept = [s for k, s in enumerate(sentences) if k not in chosen]
    for k in picked:
        kept.insert(rng.randrange(len(kept) + 1), sentences[k])
    return "\n\n".join(kept), {"op": "sentence_shuffle", "fraction": fraction, "moved": moved}


def truncate(text: str, rng: random.Random, keep: float) -> tuple[str, Edit]:
    """Keep the first `keep` fraction of the words (at least 10), as a wire story cut for length."""
    del rng  # deterministic given `keep`; the argument keeps one signature for all edits
    paragraphs = _paragraphs(text)
    total = sum(len(words) for words in paragraphs)
    budget = max(10, round(keep * total))
    out: list[list[str]] = []
    for words in paragraphs:
        if budget <= 0:
            break
        out.append(words[:budget])
        budget -= len(words)
    return _join(out), {"op": "truncate", "keep": keep}


def _synonym(word: str) -> str | None:
    lead, core, tail = _EDGE_PUNCT.match(word).groups()  # type: ignore[union-attr]  # the pattern always matches
    swap = _SYNONYMS.get(core.lower())
    if swap is None:
        return None
    if core[:1].isupper():
        swap = swap[:1].upper() + swap[1:]
    return f"{lead}{swap}{tail}"


def garble(text: str, rng: random.Random, rate: float) -> tuple[str, Edit]:
    """Machine-garble-like damage, each kind at probability `rate` per word or sentence end.

    Kinds: broken sentence joins (the full stop removed and the next word lower-cased), synonym-ish swaps,
    doubled words, dropped words, and punctuation damage (commas dropped or misplaced).
    """
    counts = {"broken_join": 0, "synonym": 0, "doubled": 0, "dropped": 0, "punctuation": 0}
    paragraphs = _paragraphs(text)
    out: list[list[str]] = []
    for words in paragraphs:
        garbled: list[str] = []
        for word in words:
            roll = rng.random()
            if roll < rate / 4:
                counts["dropped"] += 1
                continue
            if roll < rate / 2:
                counts["doubled"] += 1
                garbled.extend((word, word))
                continue
            if roll < rate:
                swap = _synonym(word)
                if swap is not None:
                    counts["synonym"] += 1
                    word = swap
            if word.endswith((".", "!", "?")) and rng.random() < rate:
                counts["broken_join"] += 1
                word = word[:-1]
                garbled.append(word)
                garbled.append("\x00lower")  # marks the next word to lower-case
                continue
            if word.endswith(",") and rng.random() < rate:
                counts["punctuation"] += 1
                word = word[:-1]
            elif rng.random() < rate / 4:
                counts["punctuation"] += 1
                word = f"{word},"
            garbled.append(word)
        joined: list[str] = []
        lower_next = False
        for word in garbled:
            if word == "\x00lower":
                lower_next = True
                continue
            joined.append(word[:1].lower() + word[1:] if lower_next else word)
            lower_next = False
        out.append(joined)
    return _join(out), {"op": "garble", "rate": rate, **counts}


# Copy recipes and their weights: what share of copies get which kind of damage. The intensity ranges spread
# the copies' exact Jaccard over roughly 0.2-1.0, so both benchmark thresholds (0.8 and 0.5) have positives
# and near misses.
_SINGLE: dict[str, tuple[float, Callable[[random.Random], dict[str, float]]]] = {
    "rewrap": (0.10, lambda rng: {}),
    "reheadline": (0.10, lambda rng: {}),
    "word_drop": (0.14, lambda rng: {"rate": round(rng.uniform(0.01, 0.15), 3)}),
    "word_swap": (0.12, lambda rng: {"rate": round(rng.uniform(0.01, 0.12), 3)}),
    "sentence_shuffle": (0.10, lambda rng: {"fraction": round(rng.uniform(0.1, 0.6), 3)}),
    "truncate": (0.14, lambda rng: {"keep": round(rng.uniform(0.35, 0.95), 3)}),
    "garble": (0.18, lambda rng: {"rate": round(rng.uniform(0.02, 0.2), 3)}),
}
_MIXED_WEIGHT = 0.12


def _apply(
    op: str, text: str, rng: random.Random, params: dict[str, float], headlines: Sequence[str]
) -> tuple[str, Edit]:
    if op == "rewrap":
        return rewrap(text, rng)
    if op == "reheadline":
        return reheadline(text, rng, headlines)
    function: Callable[..., tuple[str, Edit]] = {
        "word_drop": word_drop,
        "word_swap": word_swap,
        "sentence_shuffle": sentence_shuffle,
        "truncate": truncate,
        "garble": garble,
    }[op]
    return function(text, rng, **params)


def make_copy(text: str, rng: random.Random, headlines: Sequence[str]) -> tuple[str, list[Edit]]:
    """Make one near-copy of `text` with a randomly chosen recipe.

    Args:
        text: the base article.
        rng: the corpus generator (the only source of randomness, so a seed reproduces the copy).
        headlines: headline-like sentences to put on re-headlined wire copies.

    Returns:
        The copy and the edits applied, in order.
    """
    names = list(_SINGLE)
    weights = [_SINGLE[name][0] for name in names]
    ops = rng.sample(names[2:], rng.choice((2, 3))) if rng.random() < _MIXED_WEIGHT else rng.choices(names, weights)
    edits: list[Edit] = []
    for op in ops:
        text, edit = _apply(op, text, rng, _SINGLE[op][1](rng), headlines)
        edits.append(edit)
    return text, edits


def kind(edits: Sequence[Edit]) -> str:
    """A short label for a list of edits, such as `word_drop+garble`."""
    return "+".join(edit["op"] for edit in edits)
