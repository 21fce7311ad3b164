"""Word n-gram shingles and exact Jaccard: the similarity that the benchmark truth is defined on.

Tokens are the `\\w+` runs of the lower-cased text; a shingle is a run of `n` consecutive tokens. A text with
fewer than `n` tokens has one shingle, all of its tokens (the usual convention, so short texts are not all
"empty").
"""

from __future__ import annotations

import re

NGRAM = 5
_WORD = re.compile(r"\w+")

Shingle = tuple[str, ...]


def tokens(text: str) -> list[str]:
    """The lower-cased `\\w+` tokens of `text`."""
    return _WORD.findall(text.lower())


def shingle_set(text: str, n: int = NGRAM) -> frozenset[Shingle]:
    """The set of word n-grams of `text` (see the module docstring for short texts)."""
    words = tokens(text)
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(zip(*(words[k:] for k in range(n)), strict=False))


def jaccard(a: frozenset[Shingle], b: frozenset[Shingle]) -> float:
    """Exact Jaccard similarity |a & b| / |a | b|; two empty sets are identical (1.0)."""
    if not a and not b:
        return 1.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def shingle_strings(text: str, n: int = NGRAM) -> list[str]:
    """The distinct word n-grams of `text` as space-joined strings (the form the peers' APIs take)."""
    words = tokens(text)
    if len(words) < n:
        return [" ".join(words)] if words else []
    return list(dict.fromkeys(map(" ".join, zip(*(words[k:] for k in range(n)), strict=False))))
