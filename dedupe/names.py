"""Proper names: what tells two filled-in copies of one template apart.

Wire services send many notices from one template ("X is issuing a 100 mln dlr eurobond due ... lead manager Y
said"): their boilerplate sentences align, and the aligned passages can cover half of each notice, yet they are
different stories about different issuers. A copy of an article (edited, cut, garbled by machine translation) keeps
the names of whom it is about; two notices of one template share the template's words and not its names.

A name here is a word that starts with a capital letter and is not the first word of its sentence (sentence starts
are capitalised anyway). Texts in scripts without case have none, and the rule that reads them
(`verify.classify`) then does not apply.
"""

from __future__ import annotations

import numpy as np

from dedupe.document import Document


def proper_names(document: Document) -> frozenset[str]:
    """The distinct names of a document (normalised words, as in `Document.words`), computed once per document."""
    return document.derived("names", _names)


def names_agree(a: Document, b: Document, min_shared: float, min_names: int) -> bool:
    """Whether two documents are about the same names: they share `min_shared` of the smaller set of names, or
    one of them has fewer than `min_names` names (too few to tell)."""
    names_a, names_b = proper_names(a), proper_names(b)
    smaller = min(len(names_a), len(names_b))
    return smaller < min_names or len(names_a & names_b) >= min_shared * smaller


# From this many words on, a plain text's names are found with numpy (about 20 us, then 0.03 us a word) rather than
# word by word (0.08 us a word): on the 20k twin's documents the two cost the same at about 250 words, and a 14 kB
# story's names took 215 us word by word against 55 (benchmarks/README.md, forty-fifth round).
_VECTORISED_FROM = 256


def _names(document: Document) -> frozenset[str]:
    if document.plain and len(document.word_starts) >= _VECTORISED_FROM:
        return _plain_names(document)
    text, starts = document.clean.text, document.word_starts.tolist()
    capitalised = [
        k
        for first, last in document.sentence_words.tolist()
        for k in range(first + 1, last)
        if text[starts[k]].isupper()
    ]
    if not document.plain:
        return frozenset(document.words[k] for k in capitalised)
    # A word the compiled tokeniser found is its text lower-cased (`document._plain_words`): slicing out the few
    # names costs less than making every word.
    ends = document.word_ends
    return frozenset(text[starts[k] : ends[k]].lower() for k in capitalised)


def _plain_names(document: Document) -> frozenset[str]:
    """`_names` of a document with a plain form, found among every word's first character at once: a word the
    compiled tokeniser found starts with an ASCII letter or digit, and is its text lower-cased
    (`document._plain_words`), so only the names are sliced out."""
    text, starts, ends = document.clean.text, document.word_starts, document.word_ends
    codes = (
        np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        if text.isascii()
        else np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    )
    first_letters = codes[starts]
    capitalised = (first_letters >= ord("A")) & (first_letters <= ord("Z"))
    # The words of each sentence after its first: +1 where such a stretch starts, -1 where it ends.
    bounds = document.sentence_words[document.sentence_words[:, 1] > document.sentence_words[:, 0] + 1]
    steps = np.bincount(bounds[:, 0] + 1, minlength=len(starts) + 1) - np.bincount(
        bounds[:, 1], minlength=len(starts) + 1
    )
    named = np.flatnonzero(capitalised & (np.cumsum(steps[: len(starts)]) > 0))
    return frozenset(
        text[start:end].lower() for start, end in zip(starts[named].tolist(), ends[named].tolist(), strict=True)
    )
