"""Flat arrays of many documents (shingle sets, sentence sets, profiles): a run of documents cut out, runs joined.

Such a dataclass keeps its rows in levels: documents own rows of a lower level (sentences, words, shingles)
through a bounds array (`bounds[d]:bounds[d + 1]`), whose rows may own rows of a level below again (a sentence's
terms), and some arrays hold indexes into another level (a sentence's first word). Each such dataclass names the
level of each of its array fields in its `layout` (a `Layout`); `documents` and `joined` follow it, so the
screen can keep one range of documents' arrays from one block of its grid to the next and join another range to
them (`verify._grid`). Both take the arrays they are given and let each go once copied, so they need little more
room than the arrays take.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

_Flat = TypeVar("_Flat")
DOCUMENTS = "documents"


@dataclass(frozen=True, slots=True)
class Layout:
    """The levels of a flat dataclass's array fields.

    `bounds` maps each bounds field to `(owner, owned)`: row r of level `owner` owns rows `field[r]:field[r + 1]`
    of level `owned`; owners are listed before what they own, from `DOCUMENTS` down. `rows` maps every other
    array field to its level, and `pointers` those of them whose values are row numbers to that level. Fields
    that are not arrays (settings such as `min_words`) are kept as they are.
    """

    bounds: dict[str, tuple[str, str]]
    rows: dict[str, str]
    pointers: dict[str, str] = dataclasses.field(default_factory=dict)


def documents(whole: list[_Flat], first: int, last: int) -> _Flat:
    """Documents `first..last - 1` of the one dataclass in `whole` as a dataclass of their own, in copies (views
    would keep the whole alive). `whole` is emptied and each field's arrays are let go once cut: with no other
    reference to them held, cutting needs room for one field more than the whole takes."""
    kind = type(whole[0])
    layout = _layout(kind)
    fields = _fields(whole.pop(), layout)
    spans = {DOCUMENTS: (first, last)}
    for name, (owner, owned) in layout.bounds.items():
        start, end = spans[owner]
        bounds = fields[name][start : end + 1]
        spans[owned] = (int(bounds[0]), int(bounds[-1]))
        fields[name] = bounds - bounds[0]
        del bounds  # a view: it would hold the whole field
    for name, level in layout.rows.items():
        start, end = spans[level]
        rows = fields[name][start:end]
        fields[name] = rows - spans[layout.pointers[name]][0] if name in layout.pointers else rows.copy()
        del rows
    return kind(**fields)


def joined(parts: list[_Flat]) -> _Flat:
    """The documents of each of `parts` in turn, as one dataclass.

    `parts` is emptied and each field's arrays are let go once joined: with no other reference to the parts held,
    the join needs room for one field more than the parts take, not for all of them twice.
    """
    kind = type(parts[0])
    layout = _layout(kind)
    fields = [_fields(part, layout) for part in parts]
    parts.clear()
    # Where each part's rows of each level begin in the joined arrays.
    begins = {DOCUMENTS: np.cumsum([0] + [len(f[next(iter(layout.bounds))]) - 1 for f in fields])}
    for name, (_, owned) in layout.bounds.items():
        begins[owned] = np.cumsum([0] + [int(f[name][-1]) for f in fields])
    joined_fields = dict(fields[0])
    for name, (_, owned) in layout.bounds.items():
        pieces = [np.zeros(1, dtype=fields[0][name].dtype)]
        pieces += [f.pop(name)[1:] + begins[owned][k] for k, f in enumerate(fields)]
        joined_fields[name] = np.concatenate(pieces)
        del pieces
    for name in layout.rows:
        pieces = [f.pop(name) for f in fields]
        if name in layout.pointers:
            pieces = [piece + begins[layout.pointers[name]][k] for k, piece in enumerate(pieces)]
        joined_fields[name] = np.concatenate(pieces)
        del pieces
    return kind(**joined_fields)


def _layout(kind: type) -> Layout:
    """The `layout` a flat dataclass declares."""
    layout = getattr(kind, "layout", None)
    if not isinstance(layout, Layout):
        raise TypeError(f"{kind.__name__} declares no layout")
    return layout


def _fields(flat: Any, layout: Layout) -> dict[str, Any]:
    """The fields of `flat` by name, after checking that `layout` gives every array field a level."""
    fields = {f.name: getattr(flat, f.name) for f in dataclasses.fields(flat)}
    unplaced = [n for n, v in fields.items() if isinstance(v, np.ndarray) and n not in layout.bounds | layout.rows]
    if unplaced:
        raise TypeError(f"{type(flat).__name__}: no level for {', '.join(unplaced)}")
    return fields


def spread(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes `starts[k], starts[k] + 1, ..., starts[k] + counts[k] - 1` of each k, one run after another."""
    firsts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(starts - firsts, counts)
