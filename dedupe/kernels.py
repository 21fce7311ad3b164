"""The hot loops, compiled with numba: word hashing, the ASCII tokeniser, shingling and MinHash.

Each kernel computes exactly what its plain definition in `fingerprint.py` / `normalize.py` says, only faster:
- `hash_words`: the 64-bit hash of each word's UTF-8 bytes (FNV-1a, then the MurmurHash3 `fmix64` finaliser so
  that the high 32 bits used by shingles are well mixed);
- `ascii_signatures`: for text whose words are ASCII, the words `[a-z0-9]+` of the lower-cased text (what the
  Unicode word pattern finds there), hashed as above, folded into word k-gram shingles as `shingle_hashes` does,
  and MinHashed as `MinHasher` does, in one pass with no intermediate arrays; tests/test_kernels.py proves the
  equality on random text;
- `plain_form`: news punctuation (curly quotes, dashes, ...) read as ASCII stand-ins, one byte for a character, so
  that the ASCII kernels read such text as the regex definitions do;
- `minhash`: datasketch's `affine32` MinHash of many hash sets (premix `fmix32`, then `a * h + b mod 2**32`).

Loops over documents run in parallel (`prange`); each document is independent, so results do not depend on the
number of threads.
"""

from __future__ import annotations

import atexit
import gc
import os

# numba runs parallel loops on OpenMP threads, which by default spin while they wait. On a machine shared with
# other work (this project's 2 cores under a load of 3-4), spinning threads starve the ones with work: one kernel
# took 0.06 s or 6 s by turns; waiting passively it takes 0.13-0.15 s every time (benchmarks/README.md). Set before
# numba starts its thread pool; a value the user set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import math
from pathlib import Path

import numpy as np
from numba import njit, prange

from dedupe.segment import CONTINUING_TABLE

# Once a kernel has loaded, numba's compiler state holds about 100,000 objects the garbage collector tracks (against
# 15,000 in a gaoya run), alive until the process ends. The interpreter's last collections walk all of them: 0.3-0.5 s
# of every process's exit, 0.03 s when they are frozen first (benchmarks/README.md, "fifth round"). So they are frozen
# at exit and the operating system reclaims the memory. atexit handlers, `weakref.finalize` callbacks and the flushing
# of stdout and stderr still run; what is skipped is finalising objects still alive or in unreachable cycles at exit,
# which Python does not promise to do.
atexit.register(gc.freeze)

_U64 = np.uint64


def compiled_before() -> bool:
    """Whether numba has compiled these kernels in this installation already. The first run after an install
    compiles them (about a minute on 2 cores) and caches them beside this file; where that folder cannot be
    written numba caches elsewhere, and this says True rather than guess."""
    folder = Path(__file__).parent / "__pycache__"
    if not os.access(folder if folder.exists() else folder.parent, os.W_OK):
        return True
    # `plain_word_features` is compiled by every scan and gate check, never at import.
    return any(folder.glob("kernels.plain_word_features-*.nbi"))


_FNV_OFFSET = _U64(0xCBF29CE484222325)
_FNV_PRIME = _U64(0x100000001B3)
# An odd 64-bit multiplier (from splitmix64) folds word hashes into an order-sensitive shingle hash.
SHINGLE_MULTIPLIER = _U64(0x9E3779B97F4A7C15)
_MASK32 = _U64(0xFFFFFFFF)
EMPTY = np.uint32(0xFFFFFFFF)


@njit(inline="always", cache=True)
def _fmix64(h: np.uint64) -> np.uint64:
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB9FE1A85EC53)
    h ^= h >> _U64(33)
    return h


@njit(inline="always", cache=True)
def _fmix32(h: np.uint64) -> np.uint64:
    """MurmurHash3's 32-bit finaliser on the low 32 bits of `h` (datasketch's premix)."""
    h ^= h >> _U64(16)
    h = (h * _U64(0x85EBCA6B)) & _MASK32
    h ^= h >> _U64(13)
    h = (h * _U64(0xC2B2AE35)) & _MASK32
    h ^= h >> _U64(16)
    return h


@njit(cache=True)
def hash_words(data: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The hash of each word; word i is the UTF-8 bytes `data[bounds[i]:bounds[i + 1]]`."""
    out = np.empty(len(bounds) - 1, dtype=np.uint64)
    for i in range(len(bounds) - 1):
        h = _FNV_OFFSET
        for j in range(bounds[i], bounds[i + 1]):
            h = (h ^ _U64(data[j])) * _FNV_PRIME
        out[i] = _fmix64(h)
    return out


@njit(inline="always", cache=True)
def _is_word_byte(c: np.uint8) -> bool:
    return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122)


@njit(inline="always", cache=True)
def _fold_and_hash(h: np.uint64, c: np.uint8) -> np.uint64:
    """FNV-1a step for the ASCII word byte `c`, lower-cased first (the words' hashes are of case-folded text)."""
    if 65 <= c <= 90:
        c += 32
    return (h ^ _U64(c)) * _FNV_PRIME


@njit(cache=True)
def _ascii_word_hashes(data: np.ndarray, start: int, end: int, out: np.ndarray, ends: np.ndarray | None = None) -> int:
    """Hash the words `[A-Za-z0-9]+` of `data[start:end]`, lower-cased, into `out`; returns how many. With `ends`,
    each word's end offset (in `data`) goes there too (numba compiles the version without it apart).

    Any other byte separates words, UTF-8 bytes above 127 included: on text whose words are all ASCII this finds
    what the regex path finds."""
    count = 0
    h = _FNV_OFFSET
    inside = False
    for j in range(start, end + 1):
        if j < end and _is_word_byte(data[j]):
            h = _fold_and_hash(h, data[j])
            inside = True
        elif inside:
            out[count] = _fmix64(h)
            if ends is not None:
                ends[count] = j
            count += 1
            h = _FNV_OFFSET
            inside = False
    return count


@njit(inline="always", cache=True)
def _shingle(words: np.ndarray, first: int, k: int) -> np.uint64:
    combined = words[first]
    for offset in range(1, k):
        combined = combined * SHINGLE_MULTIPLIER + words[first + offset]
    return combined >> _U64(32)


@njit(inline="always", cache=True)
def _update(signature: np.ndarray, a: np.ndarray, b: np.ndarray, value: np.uint64) -> None:
    # uint32 throughout: the multiply wraps mod 2**32 as datasketch's does, and the loop vectorises 8 lanes wide
    # (6x faster than the same loop in uint64, measured).
    premixed = np.uint32(_fmix32(value))
    for p in range(len(signature)):
        signature[p] = min(signature[p], np.uint32(a[p] * premixed + b[p]))


@njit(parallel=True, cache=True)
def ascii_signatures(
    data: np.ndarray, offsets: np.ndarray, k: int, a: np.ndarray, b: np.ndarray, reading: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MinHash signatures of the word k-gram shingles of many documents whose words are ASCII, each one's word
    count, and whether each is known to have ASCII words only (`_marks_only`: ASCII and news punctuation; the
    others' rows hold only if their words are ASCII all the same).

    Document d is the bytes `data[offsets[d]:offsets[d + 1]]`. A document shorter than k words is one shingle
    of all its words; one without words gets the empty signature (all ones).
    """
    n = len(offsets) - 1
    signatures = np.empty((n, len(a)), dtype=np.uint32)
    counts = np.empty(n, dtype=np.int64)
    known = np.empty(n, dtype=np.bool_)
    for d in prange(n):
        start, end = offsets[d], offsets[d + 1]
        known[d] = _marks_only(data, start, end, reading)
        words = np.empty((end - start) // 2 + 1, dtype=np.uint64)
        count = _ascii_word_hashes(data, start, end, words)
        counts[d] = count
        signature = signatures[d]
        signature[:] = EMPTY
        width = min(k, count)
        for first in range(count - width + 1 if count else 0):
            _update(signature, a, b, _shingle(words, first, width))
    return signatures, counts, known


# Up to this many values, `_sort` sorts by insertion: numba's sort spent about 400 ns setting up on a set of any
# size, and most sets the kernels sort per sentence, document or pair are small (a sentence's words, terms and
# figures are 1 to 30). On random values insertion sorted 12 in 200 ns against 770, 64 in 1.6 us against 3.3, and
# came even at about 160 (scratch measurement, fortieth round).
_INSERTION_SORT_MAX = 64
# Beyond this many 32-bit hashes, `_sort_hashes` sorts by radix (64: 0.7 us, against 1.6 by insertion).
_RADIX_SORT_MIN = 32


@njit(cache=True)
def _sort(values: np.ndarray) -> None:
    """Sort `values` in place: by insertion when there are few (`_INSERTION_SORT_MAX`), else by numba's sort."""
    if len(values) > _INSERTION_SORT_MAX:
        values.sort()
        return
    for i in range(1, len(values)):
        value = values[i]
        j = i - 1
        while j >= 0 and values[j] > value:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = value


@njit(cache=True)
def _stable_order(keys: np.ndarray) -> np.ndarray:
    """`np.argsort(keys, kind="mergesort")`: the order of `keys`, ties in place order; by insertion when there are
    few (`_INSERTION_SORT_MAX`), where numba's argsort spent about a microsecond setting up (the compiled
    matching orders each pair's scored sentence pairs and its matches, a few each)."""
    n = len(keys)
    if n > _INSERTION_SORT_MAX:
        return np.argsort(keys, kind="mergesort")
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        j = i - 1
        while j >= 0 and keys[order[j]] > keys[i]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = i
    return order


@njit(cache=True)
def _sort_hashes(values: np.ndarray) -> None:
    """Sort 32-bit unsigned `values` in place: more than `_RADIX_SORT_MIN` of them by four passes of an 8-bit radix
    sort, where numba's sort took 5.9 us for 160 random hashes (a document's shingles) and this 1.2 (400: 17.6
    against 2.5 us; scratch measurement, fortieth round)."""
    n = len(values)
    if n <= _RADIX_SORT_MIN:
        _sort(values)
        return
    counts = np.zeros((4, 256), dtype=np.int64)
    for i in range(n):
        value = values[i]
        for digit in range(4):
            counts[digit, (value >> np.uint32(8 * digit)) & np.uint32(255)] += 1
    source = values
    target = np.empty(n, dtype=values.dtype)
    for digit in range(4):
        total = 0
        for b in range(256):
            count = counts[digit, b]
            counts[digit, b] = total
            total += count
        shift = np.uint32(8 * digit)
        for i in range(n):
            b = (source[i] >> shift) & np.uint32(255)
            target[counts[digit, b]] = source[i]
            counts[digit, b] += 1
        source, target = target, source
    # An even number of passes: the sorted values are back in `values`.


@njit(cache=True)
def _sorted_unique(values: np.ndarray) -> int:
    """Sort `values` in place and move its distinct values to the front; returns how many there are."""
    _sort(values)
    return _distinct_to_front(values)


@njit(cache=True)
def _distinct_to_front(values: np.ndarray) -> int:
    """Move the distinct values of the sorted `values` to its front; returns how many there are."""
    if len(values) == 0:
        return 0
    count = 1
    for i in range(1, len(values)):
        if values[i] != values[count - 1]:
            values[count] = values[i]
            count += 1
    return count


@njit(inline="always", cache=True)
def _shingles_into(words: np.ndarray, count: int, k: int, out: np.ndarray) -> int:
    """The unique sorted 32-bit k-gram hashes of `words[:count]` (one of all of them when there are fewer than k)
    written to the front of `out`, which has room for `count`; returns how many there are."""
    width = min(k, count)
    for first in range(count - width + 1):
        out[first] = np.uint32(_shingle(words, first, width))
    _sort_hashes(out[: count - width + 1])
    return _distinct_to_front(out[: count - width + 1])


@njit(cache=True)
def shingle_set(words: np.ndarray, k: int) -> np.ndarray:
    """`fingerprint.shingle_hashes` of one document's word hashes: its unique sorted 32-bit k-gram hashes."""
    if len(words) == 0:
        return np.zeros(0, dtype=np.uint32)
    values = np.empty(len(words), dtype=np.uint32)
    return values[: _shingles_into(words, len(words), k, values)].copy()


@njit(parallel=True, cache=True)
def _pack(scratch: np.ndarray, slots: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sets filled in parallel into fixed slots (set i is `scratch[slots[i]:slots[i] + sizes[i]]`), packed into
    `(values, bounds)`: set i is `values[bounds[i]:bounds[i + 1]]`."""
    n = len(sizes)
    bounds = np.zeros(n + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(sizes)
    values = np.empty(bounds[n], dtype=scratch.dtype)
    for i in prange(n):
        values[bounds[i] : bounds[i + 1]] = scratch[slots[i] : slots[i] + sizes[i]]
    return values, bounds


@njit(parallel=True, cache=True)
def ascii_shingle_sets(
    data: np.ndarray, offsets: np.ndarray, k: int, reading: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The unique sorted 32-bit shingle hashes of many documents whose words are ASCII (as `shingle_hashes` gives
    them).

    Returns `(values, bounds, known)`: document d's set is `values[bounds[d]:bounds[d + 1]]`, and `known[d]` says
    whether it is known to have ASCII words only (as `ascii_signatures`).
    """
    n = len(offsets) - 1
    # A document of b bytes has at most b // 2 + 1 words, so at most that many shingles: slots of that size are
    # filled in parallel, then packed.
    slots = np.zeros(n + 1, dtype=np.int64)
    for d in range(n):
        slots[d + 1] = slots[d] + (offsets[d + 1] - offsets[d]) // 2 + 1
    scratch = np.empty(slots[n], dtype=np.uint32)
    sizes = np.zeros(n, dtype=np.int64)
    known = np.empty(n, dtype=np.bool_)
    for d in prange(n):
        start, end = offsets[d], offsets[d + 1]
        known[d] = _marks_only(data, start, end, reading)
        words = np.empty((end - start) // 2 + 1, dtype=np.uint64)
        count = _ascii_word_hashes(data, start, end, words)
        if count:
            sizes[d] = _shingles_into(words, count, k, scratch[slots[d] : slots[d + 1]])
    values, bounds = _pack(scratch, slots, sizes)
    return values, bounds, known


@njit(parallel=True, cache=True)
def word_shingle_sets(hashes: np.ndarray, word_bounds: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The unique sorted 32-bit shingle hashes of many documents given by their word hashes (document d's are
    `hashes[word_bounds[d]:word_bounds[d + 1]]`), as `shingle_hashes` gives them: `(values, bounds)`, document d's
    set `values[bounds[d]:bounds[d + 1]]`."""
    n = len(word_bounds) - 1
    slots = np.zeros(n + 1, dtype=np.int64)
    for d in range(n):
        count = word_bounds[d + 1] - word_bounds[d]
        slots[d + 1] = slots[d] + (count - min(k, count) + 1 if count else 0)
    scratch = np.empty(slots[n], dtype=np.uint32)
    sizes = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        count = word_bounds[d + 1] - word_bounds[d]
        if count:
            sizes[d] = _shingles_into(
                hashes[word_bounds[d] : word_bounds[d + 1]], count, k, scratch[slots[d] : slots[d + 1]]
            )
    return _pack(scratch, slots, sizes)


@njit(inline="always", cache=True)
def _shared(a: np.ndarray, x: int, x_end: int, b: np.ndarray, y: int, y_end: int) -> int:
    """How many values `a[x:x_end]` and `b[y:y_end]` (each sorted and unique) share; `a` and `b` may be one array."""
    # Without branches on the comparison, which the processor cannot predict: a merge step then takes a few cycles,
    # not a mispredicted branch's (the screen of the first range's 9.7 million candidates of 1,000,000
    # documents: 9.2 -> 8.4 s).
    shared = 0
    while x < x_end and y < y_end:
        p, q = a[x], b[y]
        shared += p == q
        x += p <= q
        y += p >= q
    return shared


@njit(parallel=True, cache=True)
def jaccard_at_least(values: np.ndarray, bounds: np.ndarray, pairs: np.ndarray, threshold: float) -> np.ndarray:
    """Whether sets i and j (sorted and unique) have Jaccard >= `threshold` (> 0), for each row `(i, j)` of
    `pairs`, decided as `ShingleSets.jaccard` computes it. The merge stops as soon as the values left cannot bring
    the shared count to what the threshold needs: most pairs of a screen share a few values and stop early."""
    out = np.zeros(len(pairs), dtype=np.bool_)
    for row in prange(len(pairs)):
        i, j = pairs[row, 0], pairs[row, 1]
        x, x_end, y, y_end = bounds[i], bounds[i + 1], bounds[j], bounds[j + 1]
        total = (x_end - x) + (y_end - y)
        if x == x_end or y == y_end:
            continue
        # Jaccard s / (total - s) reaches the threshold from s = threshold * total / (1 + threshold) on; one less
        # than that, rounded down, is a count no pair that passes can lack (rounding can only keep a pair going).
        needed = int(np.floor(threshold * total / (1.0 + threshold))) - 1
        shared = 0
        while x < x_end and y < y_end:
            if shared + min(x_end - x, y_end - y) < needed:
                break
            # Without branches on the comparison (`_shared`): 2.3 -> 1.8 s for 9.7 million candidates.
            p, q = values[x], values[y]
            shared += p == q
            x += p <= q
            y += p >= q
        else:
            out[row] = shared / max(total - shared, 1) >= threshold
    return out


@njit(parallel=True, cache=True)
def intersections(values: np.ndarray, bounds: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """How many values sets i and j share, for each row `(i, j)` of `pairs` (sets sorted and unique)."""
    out = np.zeros(len(pairs), dtype=np.int64)
    for row in prange(len(pairs)):
        i, j = pairs[row, 0], pairs[row, 1]
        out[row] = _shared(values, bounds[i], bounds[i + 1], values, bounds[j], bounds[j + 1])
    return out


@njit(parallel=True, cache=True)
def minhash(values: np.ndarray, bounds: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signatures of many sets of 32-bit hashes; set i is `values[bounds[i]:bounds[i + 1]]`."""
    n = len(bounds) - 1
    signatures = np.empty((n, len(a)), dtype=np.uint32)
    for i in prange(n):
        signature = signatures[i]
        signature[:] = EMPTY
        for j in range(bounds[i], bounds[i + 1]):
            _update(signature, a, b, _U64(values[j]))
    return signatures


@njit(inline="always", cache=True)
def _code_point(data: np.ndarray, j: int) -> tuple[int, int]:
    """The code point of the UTF-8 character at `data[j]` and where the next one starts; -1 for one of four bytes
    (beyond the 65,536 of a reading table)."""
    c = data[j]
    if c < 0x80:
        return np.int64(c), j + 1
    if c < 0xE0:
        return (np.int64(c & 0x1F) << 6) | np.int64(data[j + 1] & 0x3F), j + 2
    if c < 0xF0:
        return (np.int64(c & 0x0F) << 12) | (np.int64(data[j + 1] & 0x3F) << 6) | np.int64(data[j + 2] & 0x3F), j + 3
    return -1, j + 4


@njit(cache=True)
def plain_form(data: np.ndarray, reading: np.ndarray) -> np.ndarray | None:
    """The plain form (`fingerprint.plain_form`) of a text given as UTF-8, one byte for each character: plain ASCII
    as it is, and `reading[c]` for code point c from 128 to 65,535 (the ASCII stand-in for news punctuation, 0 for
    any other character); None when the text has a character with no such reading. (Replacing each mark by a
    regex callback took 12 us for a 1 KB text with curly quotes, this 5 us with the call.)"""
    forms = np.empty(len(data), dtype=np.uint8)
    at = j = 0
    while j < len(data):
        if data[j] < 0x80:
            if not _is_plain(data[j]):
                return None
            forms[at] = data[j]
            j += 1
        else:
            code, j = _code_point(data, j)
            if code < 0 or reading[code] == 0:
                return None
            forms[at] = reading[code]
        at += 1
    return forms[:at]


@njit(cache=True)
def _plain_text(data: np.ndarray, start: int, end: int, reading: np.ndarray) -> np.ndarray | None:
    """The plain form (`plain_form`) of the UTF-8 text `data[start:end]`: the slice itself when it is plain ASCII
    (nearly all news text is), else the form made, or None when the text has none. The kernels reading plain
    text take texts as they are held and find their forms here, in parallel, where a Python call per text found
    them (a third of the fingerprint stage's time outside its kernels, typeset)."""
    for j in range(start, end):
        c = data[j]
        if c >= 0x80:
            return plain_form(data[start:end], reading)
        if not _is_plain(c):
            return None
    return data[start:end]


@njit(inline="always", cache=True)
def _marks_only(data: np.ndarray, start: int, end: int, reading: np.ndarray) -> bool:
    """Whether every character of the UTF-8 text `data[start:end]` beyond ASCII has a `reading` (news punctuation,
    `plain_form`): then its words are all ASCII, as `_ascii_word_hashes` needs."""
    j = start
    while j < end:
        if data[j] < 0x80:
            j += 1
            continue
        code, j = _code_point(data, j)
        if code < 0 or reading[code] == 0:
            return False
    return True


# The plain-ASCII sentence splitter below is `segment.sentences` restricted to text whose every byte is printable
# ASCII, tab, line feed or carriage return (`_is_plain`): there every white-space definition in play (regex's `\s`,
# `str.isspace`) agrees on the four white-space bytes, and the Unicode classes of the boundary pattern reduce to
# ASCII ranges. tests/test_kernels.py checks the spans against `sentences` on random text.
_CLOSERS = b"\"')]"
_OPENERS = b"\"'(["
_ENDS = b".!?"


@njit(inline="always", cache=True)
def _is_plain(c: np.uint8) -> bool:
    return (32 <= c < 127) or c == 9 or c == 10 or c == 13


@njit(inline="always", cache=True)
def _is_space(c: np.uint8) -> bool:
    return c == 32 or c == 9 or c == 10 or c == 13


@njit(inline="always", cache=True)
def _is_regex_word(c: np.uint8) -> bool:
    # regex `\w` on ASCII: letters, digits and the underscore.
    return _is_word_byte(c) or c == 95


@njit(inline="always", cache=True)
def _is_one_of(c: np.uint8, chars: np.ndarray) -> bool:
    for x in chars:  # noqa: SIM110 (a plain loop compiles; a generator in any() does not)
        if c == x:
            return True
    return False


@njit(cache=True)
def _is_abbreviation(t: np.ndarray, start: int, end: int, abbreviations: np.ndarray) -> bool:
    """`segment._is_abbreviation`: the last word before `end` (within 12 bytes) ends in a period and is a known
    abbreviation or a single capital. `abbreviations` holds lower-case words, one per row, zero-padded."""
    low = max(start, end - 12)
    e = end
    while e > low and not _is_regex_word(t[e - 1]):
        e -= 1
    if e <= low or e >= end or t[e] != 46:  # 46: "."
        return False
    b = e
    while b > low and _is_regex_word(t[b - 1]):
        b -= 1
    if e - b == 1 and 65 <= t[b] <= 90:
        return True
    return _in_table(t, b, e, abbreviations)


@njit(cache=True)
def _in_table(t: np.ndarray, b: int, e: int, table: np.ndarray) -> bool:
    """`t[b:e]`, lower-cased, is a row of `table` (lower-case words, one per row, zero-padded)."""
    if e - b > table.shape[1]:
        return False
    for row in range(table.shape[0]):
        same = True
        for i in range(table.shape[1]):
            c = t[b + i] if i < e - b else 0
            if 65 <= c <= 90:
                c += 32
            if c != table[row, i]:
                same = False
                break
        if same:
            return True
    return False


@njit(cache=True)
def _last_word_in(t: np.ndarray, low: int, end: int, table: np.ndarray) -> bool:
    """The last word of `t[low:end]` (trailing non-word bytes allowed), lower-cased, is a row of `table`."""
    e = end
    while e > low and not _is_regex_word(t[e - 1]):
        e -= 1
    b = e
    while b > low and _is_regex_word(t[b - 1]):
        b -= 1
    return e > b and _in_table(t, b, e, table)


@njit(cache=True)
def _is_soft_wrap(t: np.ndarray, start: int, p: int, q: int, newlines: int, continuing: np.ndarray) -> bool:
    """`segment._is_soft_wrap`: one line break inside a sentence (the next line goes on in lower case, or the line
    ends with , ; - or a word that never ends a sentence), not after . ! ?"""
    if newlines != 1 or q >= len(t) or p <= start:
        return False
    last = t[p - 1]
    if last == 46 or last == 33 or last == 63:  # . ! ?
        return False
    if 97 <= t[q] <= 122 or last == 44 or last == 59 or last == 45:  # lower case; , ; -
        return True
    return _last_word_in(t, max(start, p - 20), p, continuing)


@njit(cache=True)
def _add_trimmed(t: np.ndarray, start: int, end: int, spans: np.ndarray, count: int) -> int:
    while start < end and _is_space(t[start]):
        start += 1
    while end > start and _is_space(t[end - 1]):
        end -= 1
    if start < end:
        spans[count, 0] = start
        spans[count, 1] = end
        count += 1
    return count


# The garbling markers of `markers.MARKERS` evaluated on plain text (printable ASCII, tabs, line breaks, and news
# marks read one byte each: `markers._MARKER_READING`), as one bit each in `MARKERS` order. Over such text each
# pattern's classes reduce to ASCII ranges (no mark is a letter, a word character or, but for the spaces, white
# space; tests/test_markers.py checks the marks) and each one reduces to a scan of maximal runs; tests/test_markers.py
# checks every marker against its regex on random text.
MARK_OPEN_DOUBLE, MARK_CLOSE_DOUBLE, MARK_OPEN_SINGLE, MARK_CLOSE_SINGLE, MARK_EN_DASH, MARK_EM_DASH = range(0x80, 0x86)
(
    _BROKEN_JOIN,
    _DANGLING_FRAGMENT,
    _LOWERCASE_START,
    _STRAY_PUNCTUATION,
    _DETACHED_QUOTE,
    _NONSENSE_JOIN,
    _UNIT_GARBLE,
    _DOUBLED_WORD,
) = (1 << bit for bit in range(8))


@njit(inline="always", cache=True)
def _is_lower(c: np.uint8) -> bool:
    return 97 <= c <= 122


@njit(inline="always", cache=True)
def _is_letter(c: np.uint8) -> bool:
    return 97 <= c <= 122 or 65 <= c <= 90


@njit(inline="always", cache=True)
def _is_stop(c: np.uint8) -> bool:
    return c == 46 or c == 33 or c == 63


@njit(inline="always", cache=True)
def _is_mark(c: np.uint8) -> bool:
    return _is_stop(c) or c == 44 or c == 59 or c == 58


@njit(inline="always", cache=True)
def _spaces_before(s: np.ndarray, at: int) -> int:
    """Where the run of white space ending before `at` starts."""
    while at > 0 and _is_space(s[at - 1]):
        at -= 1
    return at


@njit(inline="always", cache=True)
def _letters_before(s: np.ndarray, at: int) -> int:
    """Where the run of letters ending before `at` starts."""
    while at > 0 and _is_letter(s[at - 1]):
        at -= 1
    return at


@njit(inline="always", cache=True)
def _fragment_after_stop(s: np.ndarray, first: int) -> bool:
    r"""dangling-fragment's head: the run of letters starting at `first` follows a stop, white space and perhaps a
    quote (`[.!?]\s+["'\u201c\u201d]?`)."""
    at = first
    if at > 0:
        c = s[at - 1]
        if c in (34, 39, MARK_OPEN_DOUBLE, MARK_CLOSE_DOUBLE):
            at -= 1
    spaces = _spaces_before(s, at)
    return spaces < at and spaces > 0 and _is_stop(s[spaces - 1])


@njit(inline="always", cache=True)
def _dangling_fragment(s: np.ndarray) -> bool:
    r"""dangling-fragment: the text ends in a stop, white space, a quote perhaps, one or two words, a stop and white
    space (`[.!?]\s+["'\u201c\u201d]?\p{L}+(?:\s\p{L}+)?[.!?]\s*$`)."""
    end = _spaces_before(s, len(s))
    if end == 0 or not _is_stop(s[end - 1]):
        return False
    last = _letters_before(s, end - 1)
    if last == end - 1:
        return False
    if _fragment_after_stop(s, last):
        return True
    return (
        last >= 2
        and _is_space(s[last - 1])
        and _is_letter(s[last - 2])
        and _fragment_after_stop(s, _letters_before(s, last - 1))
    )


@njit(cache=True)
def _garble_marks(s: np.ndarray, document_start: bool, abbreviations: np.ndarray, units: np.ndarray) -> int:
    n = len(s)
    found = 0
    # lowercase-start: `^["'\u201c\u2018(]?\p{Ll}+\b`.
    if not document_start and n:
        at = 1 if s[0] in (34, 39, 40, MARK_OPEN_DOUBLE, MARK_OPEN_SINGLE) else 0
        if at < n and _is_lower(s[at]):
            while at < n and _is_lower(s[at]):
                at += 1
            if at == n or not _is_regex_word(s[at]):
                found |= _LOWERCASE_START
    if _dangling_fragment(s):
        found |= _DANGLING_FRAGMENT
    for i in range(n):
        c = s[i]
        if _is_mark(c):
            after = i + 1
            while after < n and _is_space(s[after]):
                after += 1
            spaced = after > i + 1 and after < n
            # stray-punctuation: `[.,;:!?]\s+[.,;:!?]`.
            if spaced and _is_mark(s[after]):
                found |= _STRAY_PUNCTUATION
            # broken-join: two letters and a stop that ends no abbreviation, white space, a lower-case letter.
            if (
                spaced
                and _is_stop(c)
                and _is_lower(s[after])
                and i >= 2
                and _is_letter(s[i - 1])
                and _is_letter(s[i - 2])
                and not (found & _BROKEN_JOIN)
            ):
                # (`\b` before the abbreviation, a word of letters: its whole word, with no word character before)
                word = _letters_before(s, i)
                abbreviation = (word == 0 or not _is_regex_word(s[word - 1])) and _in_table(s, word, i, abbreviations)
                if not abbreviation:
                    found |= _BROKEN_JOIN
        elif c in (34, MARK_CLOSE_DOUBLE, MARK_CLOSE_SINGLE):
            # detached-quote: a word character, white space, the quote, then white space, a mark or the end.
            spaces = _spaces_before(s, i)
            if (
                spaces < i
                and spaces > 0
                and _is_regex_word(s[spaces - 1])
                and (i + 1 == n or _is_space(s[i + 1]) or _is_mark(s[i + 1]))
            ):
                found |= _DETACHED_QUOTE
        elif c in (45, MARK_EN_DASH, MARK_EM_DASH):
            # nonsense-join: a letter, white space, the dash, a letter.
            spaces = _spaces_before(s, i)
            if spaces < i and spaces > 0 and _is_letter(s[spaces - 1]) and i + 1 < n and _is_letter(s[i + 1]):
                found |= _NONSENSE_JOIN
        elif c == 40:
            # unit-garble: a unit alone in brackets.
            close = i + 1
            while close < n and _is_letter(s[close]):
                close += 1
            if close < n and s[close] == 41 and _in_table(s, i + 1, close, units):
                found |= _UNIT_GARBLE
        elif _is_space(c) and not (found & _DOUBLED_WORD):
            # doubled-word: a word of two letters or more (a whole word), white space, the same word in any case.
            first = _letters_before(s, i)
            length = i - first
            if length >= 2 and (first == 0 or not _is_regex_word(s[first - 1])):
                other = i + 1
                while other < n and _is_space(s[other]):
                    other += 1
                if other + length <= n and (other + length == n or not _is_regex_word(s[other + length])):
                    same = True
                    for k in range(length):
                        if s[first + k] | 32 != s[other + k] | 32:
                            same = False
                            break
                    if same:
                        found |= _DOUBLED_WORD
    return found


@njit(cache=True)
def garble_marks(
    t: np.ndarray,
    spans: np.ndarray,
    document_start: np.ndarray,
    abbreviations: np.ndarray,
    units: np.ndarray,
) -> np.ndarray:
    """The garbling markers (bits in `markers.MARKERS` order) of each `[start, end)` of `spans` in the plain text `t`
    (one byte a character), searched as in a string of its own; lowercase-start not where `document_start`."""
    found = np.empty(len(spans), dtype=np.int64)
    for k in range(len(spans)):
        found[k] = _garble_marks(t[spans[k, 0] : spans[k, 1]], document_start[k], abbreviations, units)
    return found


@njit(cache=True)
def plain_sentences(t: np.ndarray, abbreviations: np.ndarray) -> np.ndarray:
    """Sentence spans `[start, end)` of one plain-ASCII text (bytes), as `segment.sentences` finds them."""
    closers = np.frombuffer(_CLOSERS, dtype=np.uint8)
    openers = np.frombuffer(_OPENERS, dtype=np.uint8)
    ends = np.frombuffer(_ENDS, dtype=np.uint8)
    n = len(t)
    spans = np.empty((n // 2 + 1, 2), dtype=np.int64)
    count = 0
    start = 0
    p = 0
    while p < n:
        if not _is_space(t[p]):
            p += 1
            continue
        q = p
        newlines = 0
        while q < n and _is_space(t[q]):
            newlines += t[q] == 10
            q += 1
        boundary = newlines > 0
        if not boundary:
            r = p - 1
            while r >= 0 and _is_one_of(t[r], closers):
                r -= 1
            if r >= 0 and _is_one_of(t[r], ends):
                s = q
                while s < n and _is_one_of(t[s], openers):
                    s += 1
                boundary = s < n and ((65 <= t[s] <= 90) or (48 <= t[s] <= 57))
            if boundary and _is_abbreviation(t, start, p, abbreviations):
                boundary = False
        if boundary and _is_soft_wrap(t, start, p, q, newlines, CONTINUING_TABLE):
            boundary = False
        if boundary:
            count = _add_trimmed(t, start, p, spans, count)
            start = q
        p = q
    count = _add_trimmed(t, start, n, spans, count)
    return spans[:count]


@njit(cache=True)
def _plain_passages(
    t: np.ndarray, abbreviations: np.ndarray, min_words: int, words: np.ndarray, word_ends: np.ndarray
) -> tuple[np.ndarray, int]:
    """The `[first, last)` word ranges of the sentences with at least `min_words` words, and the word count.

    Words and their hashes as `_ascii_word_hashes` gives them; a sentence's words are those inside its span.
    """
    count = _ascii_word_hashes(t, 0, len(t), words, word_ends)
    spans = plain_sentences(t, abbreviations)
    ranges = np.empty((len(spans), 2), dtype=np.int64)
    kept = 0
    first = 0
    for s in range(len(spans)):
        start, end = spans[s, 0], spans[s, 1]
        # Words are whole inside sentences (a sentence never ends inside a word), so the words of a sentence are
        # those that end after its start and at or before its end.
        while first < count and word_ends[first] <= start:
            first += 1
        last = first
        while last < count and word_ends[last] <= end:
            last += 1
        if last - first >= min_words:
            ranges[kept, 0] = first
            ranges[kept, 1] = last
            kept += 1
        first = last
    return ranges[:kept], count


@njit(parallel=True, cache=True)
def plain_passage_counts(
    data: np.ndarray, offsets: np.ndarray, reading: np.ndarray, abbreviations: np.ndarray, min_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """How many passages (sentences of `min_words` words or more) each UTF-8 text's plain form has, and whether it
    has one (`_plain_text`; texts that have none have no passages here: the caller takes them through the regex
    path). With `plain_passage_signatures`, which fills their rows, the caller can size the signatures of many
    chunks of texts exactly before computing any."""
    n = len(offsets) - 1
    plain = np.ones(n, dtype=np.bool_)
    counts = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        t = _plain_text(data, offsets[d], offsets[d + 1], reading)
        if t is None:
            plain[d] = False
            continue
        words = np.empty(len(t) // 2 + 1, dtype=np.uint64)
        word_ends = np.empty(len(t) // 2 + 1, dtype=np.int64)
        counts[d] = len(_plain_passages(t, abbreviations, min_words, words, word_ends)[0])
    return counts, plain


@njit(parallel=True, cache=True)
def plain_passage_signatures(
    data: np.ndarray,
    offsets: np.ndarray,
    reading: np.ndarray,
    abbreviations: np.ndarray,
    min_words: int,
    a: np.ndarray,
    b: np.ndarray,
    counts: np.ndarray,
    rows: np.ndarray,
    signatures: np.ndarray,
) -> None:
    """MinHash signatures of the word sets of the passages of UTF-8 texts' plain forms, in text order: text d's
    `counts[d]` passages (`plain_passage_counts`) into rows `rows[d]`, `rows[d] + 1`, ... of `signatures`, whose
    dtype may be narrower than 32 bits: each value's low bits are kept (`MinHasher.passage_signatures`)."""
    for d in prange(len(offsets) - 1):
        if counts[d] == 0:
            continue
        t = _plain_text(data, offsets[d], offsets[d + 1], reading)
        if t is None:
            continue
        words = np.empty(len(t) // 2 + 1, dtype=np.uint64)
        word_ends = np.empty(len(t) // 2 + 1, dtype=np.int64)
        ranges, _ = _plain_passages(t, abbreviations, min_words, words, word_ends)
        signature = np.empty(signatures.shape[1], dtype=np.uint32)
        for p in range(len(ranges)):
            signature[:] = EMPTY
            for w in range(ranges[p, 0], ranges[p, 1]):
                # A passage is the SET of its words: `word_set_hashes` keeps the high 32 bits of each word hash.
                _update(signature, a, b, words[w] >> _U64(32))
            signatures[rows[d] + p] = signature


# Sentence profiles (profiles.py says what they are): per word its hash, its term hash (0 for a function word) and
# its figure mark (FIGURE_START, FIGURE_PART or 0); per sentence its sets of terms and figures.
FIGURE_START = 1
# A figure word joined to the figure word before it by one of FIGURE_JOINERS ("4,236,000", "12.5", "3/4", "10:30"):
# the words are one figure, as rank.py's `_FIGURE` reads figures in raw text.
FIGURE_PART = 2
FIGURE_JOINERS = ".,/:"
_JOINER_BYTES = np.frombuffer(FIGURE_JOINERS.encode("ascii"), dtype=np.uint8)


@njit(inline="always", cache=True)
def _is_joiner(c: np.uint8) -> bool:
    for joiner in _JOINER_BYTES:  # noqa: SIM110 (numba compiles no generator for any())
        if c == joiner:
            return True
    return False


# The kinds of word `word_table` holds (bits): a stop word, a number word ("three").
STOP_WORD = 1
NUMBER_WORD = 2


@njit(inline="always", cache=True)
def _word_kind(keys: np.ndarray, kinds: np.ndarray, word: np.uint64) -> int:
    """The kind of the word of hash `word` in the open-addressing table `keys`, `kinds` (`word_table`), 0 if it
    has none: a probe or two, where two binary searches per word of the stop and number word lists were a third
    of `_plain_word_features`."""
    mask = len(keys) - 1
    slot = np.int64(word & _U64(mask))
    while kinds[slot] != 0:
        if keys[slot] == word:
            return kinds[slot]
        slot = (slot + 1) & mask
    return 0


def word_table(stop_words: np.ndarray, number_words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The open-addressing table of the word hashes `stop_words` and `number_words` that `_word_kind` reads: slots a
    power of two at least four times the words (hashes are uniform: most words are found in their first slot), each
    a hash and its kinds (`STOP_WORD | NUMBER_WORD` bits; 0, an empty slot)."""
    size = 1 << max(4, (4 * (len(stop_words) + len(number_words))).bit_length())
    keys = np.zeros(size, dtype=np.uint64)
    kinds = np.zeros(size, dtype=np.uint8)
    for words, kind in ((stop_words, STOP_WORD), (number_words, NUMBER_WORD)):
        for word in words.tolist():
            slot = word & (size - 1)
            while kinds[slot] != 0 and keys[slot] != word:
                slot = (slot + 1) & (size - 1)
            keys[slot] = word
            kinds[slot] |= kind
    return keys, kinds


@njit(cache=True)
def _plain_word_features(
    t: np.ndarray,
    abbreviations: np.ndarray,
    word_keys: np.ndarray,
    word_kinds: np.ndarray,
    stem: int,
    hashes: np.ndarray,
    terms: np.ndarray,
    figures: np.ndarray,
    word_ends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Fill the word arrays of one plain text; returns the `[first, last)` word range of every sentence, whether
    each sentence ends in ".", "!" or "?", and the word count. A term is the hash of the word's first `stem`
    characters, as `hash_words` gives it."""
    count = 0
    h = _FNV_OFFSET
    prefix = _FNV_OFFSET
    length = 0
    digit = False
    for j in range(len(t) + 1):
        c = t[j] if j < len(t) else np.uint8(32)
        if _is_word_byte(c):
            if 65 <= c <= 90:
                c += 32  # the stem's prefix below hashes the folded byte too
            h = (h ^ _U64(c)) * _FNV_PRIME
            if length < stem:
                prefix = (prefix ^ _U64(c)) * _FNV_PRIME
            length += 1
            digit |= 48 <= c <= 57
        elif length:
            word = _fmix64(h)
            hashes[count] = word
            kind = _word_kind(word_keys, word_kinds, word)
            terms[count] = _U64(0) if kind & STOP_WORD else _fmix64(prefix)
            figures[count] = 0
            if digit or kind & NUMBER_WORD:
                start = j - length
                joined = count > 0 and figures[count - 1] != 0 and word_ends[count - 1] == start - 1
                figures[count] = FIGURE_PART if joined and _is_joiner(t[start - 1]) else FIGURE_START
            word_ends[count] = j
            count += 1
            h = _FNV_OFFSET
            prefix = _FNV_OFFSET
            length = 0
            digit = False
    spans = plain_sentences(t, abbreviations)
    ranges = np.empty((len(spans), 2), dtype=np.int64)
    terminal = np.empty(len(spans), dtype=np.bool_)
    first = 0
    for s in range(len(spans)):
        last_byte = t[spans[s, 1] - 1]
        terminal[s] = last_byte == 46 or last_byte == 33 or last_byte == 63  # . ! ?
        while first < count and word_ends[first] <= spans[s, 0]:
            first += 1
        last = first
        while last < count and word_ends[last] <= spans[s, 1]:
            last += 1
        ranges[s, 0] = first
        ranges[s, 1] = last
        first = last
    return ranges, terminal, count


@njit(cache=True)
def _plain_counts(t: np.ndarray) -> tuple[int, int]:
    """How many words `_plain_word_features` finds in plain text `t` (its runs of word bytes), and at least as many
    sentences as `plain_sentences` finds: one more than the runs of white space after which one may end (a run
    holding a line break, or after . ! ? or a closing mark). One pass that splits no sentence, to size the
    outputs."""
    words = 0
    sentences = 1
    inside = False  # a word
    spaced = False  # a run of white space
    counted = False  # this run, as a sentence end
    previous = np.uint8(0)
    for c in t:
        if _is_word_byte(c):
            words += not inside
            inside = True
            spaced = False
        elif _is_space(c):
            inside = False
            if not spaced:
                spaced = True
                # `_CLOSERS` and `_ENDS`: " ' ) ] . ! ?
                counted = previous in (34, 39, 41, 93, 46, 33, 63)
                sentences += counted
            if c == 10 and not counted:
                counted = True
                sentences += 1
        else:
            inside = False
            spaced = False
        previous = c
    return words, sentences


@njit(parallel=True, cache=True)
def plain_word_features(
    data: np.ndarray,
    offsets: np.ndarray,
    reading: np.ndarray,
    abbreviations: np.ndarray,
    word_keys: np.ndarray,
    word_kinds: np.ndarray,
    stem: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Word features and sentence ranges of many UTF-8 texts, for those with a plain form (`_plain_text`).

    Returns `(hashes, terms, figures, word_bounds, ranges, terminal, sentence_bounds, plain)`: text d's words are
    rows `word_bounds[d]:word_bounds[d + 1]`, its sentences rows `sentence_bounds[d]:sentence_bounds[d + 1]` of
    `ranges` (word indexes within the text) and of `terminal` (the sentence ends in ".", "!" or "?"). Texts
    without a plain form have no words here. `word_keys`, `word_kinds`: the stop and number words (`word_table`).
    """
    n = len(offsets) - 1
    plain = np.ones(n, dtype=np.bool_)
    word_counts = np.zeros(n, dtype=np.int64)
    # Each text's sentences go first into room for as many as it may have (`_plain_counts`), then are moved up.
    room = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        t = _plain_text(data, offsets[d], offsets[d + 1], reading)
        if t is None:
            plain[d] = False
            continue
        word_counts[d], room[d] = _plain_counts(t)
    word_bounds = np.zeros(n + 1, dtype=np.int64)
    word_bounds[1:] = np.cumsum(word_counts)
    room_bounds = np.zeros(n + 1, dtype=np.int64)
    room_bounds[1:] = np.cumsum(room)
    hashes = np.empty(word_bounds[n], dtype=np.uint64)
    terms = np.empty(word_bounds[n], dtype=np.uint64)
    figures = np.empty(word_bounds[n], dtype=np.int8)
    all_ranges = np.empty((room_bounds[n], 2), dtype=np.int64)
    terminal = np.zeros(room_bounds[n], dtype=np.bool_)
    sentence_counts = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        if not plain[d]:
            continue
        t = _plain_text(data, offsets[d], offsets[d + 1], reading)
        if t is None:
            continue
        w0, w1 = word_bounds[d], word_bounds[d + 1]
        ranges, ends, _ = _plain_word_features(
            t,
            abbreviations,
            word_keys,
            word_kinds,
            stem,
            hashes[w0:w1],
            terms[w0:w1],
            figures[w0:w1],
            np.empty(w1 - w0, np.int64),
        )
        first = room_bounds[d]
        all_ranges[first : first + len(ranges)] = ranges
        terminal[first : first + len(ends)] = ends
        sentence_counts[d] = len(ranges)
    sentence_bounds = np.zeros(n + 1, dtype=np.int64)
    sentence_bounds[1:] = np.cumsum(sentence_counts)
    for d in range(n):  # in order: a text's sentences move up, never past the next text's
        source, target = room_bounds[d], sentence_bounds[d]
        if source != target:
            for s in range(sentence_counts[d]):
                all_ranges[target + s] = all_ranges[source + s]
                terminal[target + s] = terminal[source + s]
    total = sentence_bounds[n]
    return hashes, terms, figures, word_bounds, all_ranges[:total], terminal[:total], sentence_bounds, plain


@njit(inline="always", cache=True)
def sentence_hashes(
    hashes: np.ndarray,
    terms: np.ndarray,
    figures: np.ndarray,
    first: int,
    last: int,
    term_out: np.ndarray,
    figure_out: np.ndarray,
    shift: np.uint64,
) -> tuple[np.uint64, int, int]:
    """The hashes of the sentence of words `first:last`: of its word sequence, and its term and figure hashes (a
    figure of several words, marked FIGURE_PART after the first, hashes them in order) written to the front of
    `term_out` and `figure_out`, shifted right by `shift` bits (32 where sets keep 32 bits). Returns the sequence
    hash and how many terms and figures were written."""
    h = _U64(0)
    t = 0
    f = 0
    figure = _U64(0)
    for w in range(first, last):
        h = _fmix64(h * SHINGLE_MULTIPLIER + hashes[w])
        if terms[w] != 0:
            term_out[t] = terms[w] >> shift
            t += 1
        if figures[w] == FIGURE_PART and figure != 0:
            figure = _fmix64(figure * SHINGLE_MULTIPLIER + hashes[w])
            continue
        if figure != 0:
            figure_out[f] = figure >> shift
            f += 1
        figure = hashes[w] if figures[w] else _U64(0)
    if figure != 0:
        figure_out[f] = figure >> shift
        f += 1
    return h, t, f


@njit(parallel=True, cache=True)
def set_slots(
    terms: np.ndarray, figures: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Where the term and the figure hashes of each sentence (words `starts[s]:starts[s] + lengths[s]`) are gathered
    before they are packed (`_pack`): room for each word that has a term, and for each word with a figure mark
    (`sentence_hashes` starts a figure at one). Room for every word in both was the largest transient of the
    1,000,000-document screen: 1.35 KB a document for each, against 0.8 KB for the terms and 0.1 KB for the
    figures (benchmarks/README.md, thirty-first round)."""
    m = len(starts)
    term_slots = np.zeros(m + 1, dtype=np.int64)
    figure_slots = np.zeros(m + 1, dtype=np.int64)
    for s in prange(m):
        t = 0
        f = 0
        for w in range(starts[s], starts[s] + lengths[s]):
            t += terms[w] != 0
            f += figures[w] != 0
        term_slots[s + 1] = t
        figure_slots[s + 1] = f
    return np.cumsum(term_slots), np.cumsum(figure_slots)


@njit(parallel=True, cache=True)
def sentence_profiles(
    hashes: np.ndarray,
    terms: np.ndarray,
    figures: np.ndarray,
    word_bounds: np.ndarray,
    ranges: np.ndarray,
    sentence_bounds: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Per sentence: its word count, a hash of its word sequence (0 when empty), and its sorted unique 32-bit
    word, term and figure hashes as `(values, bounds)` pairs (words as `word_set_hashes` gives them; a figure of
    several words, marked FIGURE_PART after the first, hashes them in order). Sentence s of text d covers words
    `word_bounds[d] + ranges[s]`."""
    n = len(word_bounds) - 1
    m = len(ranges)
    owner = np.empty(m, dtype=np.int64)
    for d in range(n):
        # One element at a time: in a parallel kernel a slice assignment is a parallel loop of its own, and one
        # per document took 1.2 s of the 1.3 s for 20,000 documents.
        for s in range(sentence_bounds[d], sentence_bounds[d + 1]):
            owner[s] = d
    starts = np.empty(m, dtype=np.int64)
    lengths = np.empty(m, dtype=np.int64)
    sequence = np.zeros(m, dtype=np.uint64)
    slots = np.zeros(m + 1, dtype=np.int64)
    for s in range(m):
        starts[s] = word_bounds[owner[s]] + ranges[s, 0]
        lengths[s] = ranges[s, 1] - ranges[s, 0]
        slots[s + 1] = slots[s] + lengths[s]
    term_slots, figure_slots = set_slots(terms, figures, starts, lengths)
    word_scratch = np.empty(slots[m], dtype=np.uint32)
    term_scratch = np.empty(term_slots[m], dtype=np.uint32)
    figure_scratch = np.empty(figure_slots[m], dtype=np.uint32)
    word_sizes = np.zeros(m, dtype=np.int64)
    term_sizes = np.zeros(m, dtype=np.int64)
    figure_sizes = np.zeros(m, dtype=np.int64)
    for s in prange(m):
        first = starts[s]
        for w in range(first, first + lengths[s]):
            word_scratch[w - first + slots[s]] = np.uint32(hashes[w] >> _U64(32))
        h, t, f = sentence_hashes(
            hashes,
            terms,
            figures,
            first,
            first + lengths[s],
            term_scratch[term_slots[s] : term_slots[s + 1]],
            figure_scratch[figure_slots[s] : figure_slots[s + 1]],
            _U64(32),
        )
        sequence[s] = h if lengths[s] else _U64(0)
        word_sizes[s] = _sorted_unique(word_scratch[slots[s] : slots[s] + lengths[s]])
        term_sizes[s] = _sorted_unique(term_scratch[term_slots[s] : term_slots[s] + t])
        figure_sizes[s] = _sorted_unique(figure_scratch[figure_slots[s] : figure_slots[s] + f])
    word_values, word_bounds_out = _pack(word_scratch, slots, word_sizes)
    term_values, term_bounds = _pack(term_scratch, term_slots, term_sizes)
    figure_values, figure_bounds = _pack(figure_scratch, figure_slots, figure_sizes)
    return lengths, sequence, word_values, word_bounds_out, term_values, term_bounds, figure_values, figure_bounds


@njit(parallel=True, cache=True)
def document_sets(
    values: np.ndarray, bounds: np.ndarray, sentence_bounds: np.ndarray, lengths: np.ndarray, min_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per document, the sorted union of the value sets of its sentences of `min_words` words or more (sentence
    s's set is `values[bounds[s]:bounds[s + 1]]`), as `(values, bounds)`."""
    n = len(sentence_bounds) - 1
    slots = np.zeros(n + 1, dtype=np.int64)
    for d in range(n):
        slots[d + 1] = slots[d] + bounds[sentence_bounds[d + 1]] - bounds[sentence_bounds[d]]
    scratch = np.empty(slots[n], dtype=values.dtype)
    sizes = np.zeros(n, dtype=np.int64)
    for d in prange(n):
        count = 0
        for s in range(sentence_bounds[d], sentence_bounds[d + 1]):
            if lengths[s] >= min_words:
                for k in range(bounds[s], bounds[s + 1]):
                    scratch[slots[d] + count] = values[k]
                    count += 1
        sizes[d] = _sorted_unique(scratch[slots[d] : slots[d] + count])
    return _pack(scratch, slots, sizes)


# A set's sketch: 192 bits in three words, value v setting one bit (its low 32 bits scaled to 0..191), and how many
# of its values found their bit set already. Two sets share at most popcount(sketch & sketch) + the smaller of the
# two collision counts: each shared value sets a bit in both, and values beyond the first on one bit are collisions
# of each set. 192 bits, not 128: of the sentence pairs of the first range's 9.7 million candidates of 1,000,000
# documents whose sketches left room for a word-set Jaccard of 0.35, 5.4 million reach it; 128 bits let 11.2
# million through to be compared exactly, 192 bits 6.4 million (256: 6.0).
_SKETCH_WORDS = 3


@njit(cache=True)
def set_sketches(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The sketch of each set `values[bounds[s]:bounds[s + 1]]` (sorted and unique), as rows `(three words of bits,
    collisions)`. Not parallel: the gate sketches a few stored articles per check, where starting threads costs
    more than the loop (about 15 ms for 1.4 million values)."""
    n = len(bounds) - 1
    out = np.zeros((n, _SKETCH_WORDS + 1), dtype=np.uint64)
    for s in range(n):
        for k in range(bounds[s], bounds[s + 1]):
            bit = ((_U64(values[k]) & _U64(0xFFFFFFFF)) * _U64(64 * _SKETCH_WORDS)) >> _U64(32)
            word = bit >> _U64(6)
            mask = _U64(1) << (bit & _U64(63))
            if out[s, word] & mask:
                out[s, _SKETCH_WORDS] += _U64(1)
            out[s, word] |= mask
    return out


@njit(inline="always", cache=True)
def _popcount(x: np.uint64) -> int:
    x = x - ((x >> _U64(1)) & _U64(0x5555555555555555))
    x = (x & _U64(0x3333333333333333)) + ((x >> _U64(2)) & _U64(0x3333333333333333))
    x = (x + (x >> _U64(4))) & _U64(0x0F0F0F0F0F0F0F0F)
    return int((x * _U64(0x0101010101010101)) >> _U64(56))


@njit(inline="always", cache=True)
def _shared_bound(sketches: np.ndarray, s: int, u: int) -> int:
    """At most how many values sets s and u share, from their sketches (`set_sketches`)."""
    return (
        _popcount(sketches[s, 0] & sketches[u, 0])
        + _popcount(sketches[s, 1] & sketches[u, 1])
        + _popcount(sketches[s, 2] & sketches[u, 2])
        + int(min(sketches[s, 3], sketches[u, 3]))
    )


@njit(parallel=True, cache=True)
def screen_pairs(
    pairs: np.ndarray,
    sentence_bounds: np.ndarray,
    lengths: np.ndarray,
    word_values: np.ndarray,
    word_bounds: np.ndarray,
    word_sketches: np.ndarray,
    term_values: np.ndarray,
    term_bounds: np.ndarray,
    term_sketches: np.ndarray,
    figure_values: np.ndarray,
    figure_bounds: np.ndarray,
    document_sequences: np.ndarray,
    document_sequence_bounds: np.ndarray,
    min_words: int,
    min_similarity: float,
    min_shared_figures: float,
    min_jaccard: float,
    min_matches: int,
    strong_jaccard: float,
) -> np.ndarray:
    """For each row `(i, j)` of `pairs`, over the sentence pairs of texts i and j with `min_words` words or more:
    whether they give passage evidence (`min_matches` pairs of word-set Jaccard >= `min_jaccard`, or one of
    `strong_jaccard`) AND one of them could be aligned as a passage (`align._match_sentences`: the same words, or
    at least two shared terms with Dice >= `min_similarity` and figures that agree).

    Sentence pairs are compared exactly only where their sketches (`set_sketches`) leave room for enough shared
    terms or words: most pairs LSH proposes share a few common words in each sentence pair, and the sketches
    rule those out in a few instructions each."""
    out = np.zeros(len(pairs), dtype=np.bool_)
    for row in prange(len(pairs)):
        # The inner loops read j's sentences once per sentence of i: j is the row's first document, which the
        # screen's rows come sorted by, so that j's stay in cache from row to row (the answer is the same either
        # way round; 10.2 -> 9.0 s for the first range's 9.7 million candidates of 1,000,000 documents).
        j, i = pairs[row, 0], pairs[row, 1]
        # Evidence first (the candidate stage asked for it on MinHash estimates; here it is exact): its length
        # test comes before any sketch; the alignable sentence pair is then looked for in the pairs with it.
        matches = 0
        strong = False
        for s in range(sentence_bounds[i], sentence_bounds[i + 1]):
            if strong or matches >= min_matches:
                break
            if lengths[s] < min_words:
                continue
            x0, x1 = word_bounds[s], word_bounds[s + 1]
            x = x1 - x0
            for u in range(sentence_bounds[j], sentence_bounds[j + 1]):
                if lengths[u] < min_words:
                    continue
                y0, y1 = word_bounds[u], word_bounds[u + 1]
                y = y1 - y0
                # Jaccard can reach min_jaccard only if the smaller set could be shared whole, and only if the
                # sketches leave room for enough shared words (Jaccard grows with the count shared).
                if min(x, y) < min_jaccard * max(x, y):
                    continue
                bound = _shared_bound(word_sketches, s, u)
                if bound / (x + y - bound) < min_jaccard:
                    continue
                shared = _shared(word_values, x0, x1, word_values, y0, y1)
                jaccard = shared / (x + y - shared)
                if jaccard >= min_jaccard:
                    matches += 1
                    strong |= jaccard >= strong_jaccard
                    if strong or matches >= min_matches:
                        break
        if not (strong or matches >= min_matches):
            continue
        # Two sentences are the same words only if their documents share that sentence.
        aligns = (
            _shared(
                document_sequences,
                document_sequence_bounds[i],
                document_sequence_bounds[i + 1],
                document_sequences,
                document_sequence_bounds[j],
                document_sequence_bounds[j + 1],
            )
            > 0
        )
        s = sentence_bounds[i]
        while not aligns and s < sentence_bounds[i + 1]:
            size_s = term_bounds[s + 1] - term_bounds[s]
            if lengths[s] >= min_words and size_s >= 2:
                for u in range(sentence_bounds[j], sentence_bounds[j + 1]):
                    if lengths[u] < min_words:
                        continue
                    bound = _shared_bound(term_sketches, s, u)
                    if bound < 2 or 2 * bound < min_similarity * (size_s + term_bounds[u + 1] - term_bounds[u]) - 1e-9:
                        continue
                    if _may_align(
                        term_values,
                        term_bounds[s],
                        term_bounds[s + 1],
                        term_bounds[u],
                        term_bounds[u + 1],
                        figure_values,
                        figure_bounds[s],
                        figure_bounds[s + 1],
                        figure_bounds[u],
                        figure_bounds[u + 1],
                        min_similarity,
                        min_shared_figures,
                    ):
                        aligns = True
                        break
            s += 1
        out[row] = aligns
    return out


@njit(inline="always", cache=True)
def _may_align(
    term_values: np.ndarray,
    s0: int,
    s1: int,
    u0: int,
    u1: int,
    figure_values: np.ndarray,
    f0: int,
    f1: int,
    g0: int,
    g1: int,
    min_similarity: float,
    min_shared_figures: float,
) -> bool:
    """Whether two sentences, by their term sets `term_values[s0:s1]` and `[u0:u1]` and figure sets
    `figure_values[f0:f1]` and `[g0:g1]`, share two or more terms with Dice >= `min_similarity` and figures that
    agree."""
    size = (s1 - s0) + (u1 - u0)
    # Dice can reach the threshold only if the smaller set could be shared whole. (The tolerance keeps pairs whose
    # Dice equals the threshold up to rounding, as `align` does.)
    bound = min_similarity * size - 1e-9
    if size == 0 or 2 * min(s1 - s0, u1 - u0) < bound:
        return False
    shared = _shared(term_values, s0, s1, term_values, u0, u1)
    if shared < 2 or 2 * shared < bound:
        return False
    return not (
        f1 > f0
        and g1 > g0
        and _shared(figure_values, f0, f1, figure_values, g0, g1) < min_shared_figures * min(f1 - f0, g1 - g0)
    )


@njit(parallel=True, cache=True)
def band_keys(signatures: np.ndarray, first: int, bands: int, rows: int, multiplier: np.uint64) -> np.ndarray:
    """LSH band keys (`candidates.band_keys`): per row of `signatures` and band from `first`, its `rows` values
    folded as `key = (key ^ value) * multiplier` from 0, in 64-bit arithmetic that wraps."""
    n = signatures.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    for i in prange(n):
        for band in range(bands):
            key = np.uint64(0)
            start = (first + band) * rows
            for row in range(rows):
                key = (key ^ np.uint64(signatures[i, start + row])) * multiplier
            out[i, band] = key
    return out


@njit(inline="always", cache=True)
def _half_full_size(items: int) -> int:
    """Slots for an open-addressing table of `items` keys: a power of two, at least 16, at most half of them full
    (linear probing stays short)."""
    size = 16
    while size < 2 * items:
        size *= 2
    return size


@njit(cache=True)
def _first_seen_ids(column: np.ndarray, out: np.ndarray) -> int:
    """Number the distinct values of `column` 0, 1, ... in the order they first occur, each item's number into
    `out`; returns how many there are. A hash table (at most half full, probed linearly from the value's low bits:
    band keys are hashes already) instead of a sort: linear in the items."""
    size = _half_full_size(len(column))
    mask = _U64(size - 1)
    slot_keys = np.empty(size, dtype=np.uint64)
    slot_ids = np.full(size, -1, dtype=np.int32)
    count = 0
    for i in range(len(column)):
        at = column[i] & mask
        while slot_ids[at] >= 0 and slot_keys[at] != column[i]:
            at = (at + _U64(1)) & mask
        if slot_ids[at] < 0:
            slot_ids[at] = count
            slot_keys[at] = column[i]
            count += 1
        out[i] = slot_ids[at]
    return count


@njit(cache=True)
def _bucket_members(ids: np.ndarray, buckets: int, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The items of each of `buckets` buckets (`ids`: each item's bucket) together, in the order `order` visits
    them (a counting sort): bucket b's items are `items[starts[b]:starts[b + 1]]`."""
    starts = np.zeros(buckets + 1, dtype=np.int64)
    for i in range(len(ids)):
        starts[ids[i] + 1] += 1
    starts = np.cumsum(starts)
    filled = starts[:-1].copy()
    items = np.empty(len(ids), dtype=np.int64)
    for i in order:
        items[filled[ids[i]]] = i
        filled[ids[i]] += 1
    return starts, items


@njit(inline="always", cache=True)
def _distinct_groups(items: np.ndarray, low: int, high: int, groups: np.ndarray) -> int:
    """How many groups the bucket `items[low:high]` (in group order) holds."""
    distinct = 1
    for x in range(low + 1, high):
        distinct += groups[items[x]] != groups[items[x - 1]]
    return distinct


@njit(inline="always", cache=True)
def _bucket_pairs(
    items: np.ndarray, low: int, high: int, groups: np.ndarray, hub: bool, out: np.ndarray, k: int, write: bool
) -> int:
    """The pairs of the bucket `items[low:high]` whose items are of different groups: all of them, or with `hub`
    only those of its first item. Written to `out` from row `k` when `write`; returns the row after them."""
    for x in range(low, low + 1 if hub else high):
        for y in range(x + 1, high):
            if groups[items[x]] != groups[items[y]]:
                if write:
                    out[k, 0] = items[x]
                    out[k, 1] = items[y]
                k += 1
    return k


@njit(parallel=True, cache=True)
def bucket_pairs(
    keys: np.ndarray, groups: np.ndarray, order: np.ndarray, max_bucket: int, star: bool, nothing: np.ndarray
) -> tuple[np.ndarray, int]:
    """`candidates.bucket_pairs` in one compiled call: for each band (column of `keys`), every two items that share
    its key and are of different `groups`, as rows `(i, j)`, band after band (a pair is repeated where it shares
    several bands). `order` lists the items by group, then index: a bucket's items are taken in that order, so its
    first item is the one of the lowest group. A bucket of more than `max_bucket` groups (0: no cap) is capped:
    with `star` its first item is paired with each item of another group, else it gives nothing. Returns the rows,
    of the type of `nothing` (no rows), and how many buckets were capped.

    Buckets are found by hashing each band's keys, not by sorting them: numpy's lexsort of each band was 0.18 of
    the 0.21 s of pairing 40,000 documents' 32 bands (benchmarks/README.md, "sixteenth round")."""
    n, bands = keys.shape
    ids = np.empty((bands, n), dtype=np.int32)
    buckets = np.zeros(bands, dtype=np.int64)
    counts = np.zeros(bands, dtype=np.int64)
    capped = np.zeros(bands, dtype=np.int64)
    # Two passes over each band's buckets: count its pairs, then (every band's place known) write them. The second
    # gathers each band's buckets again (a linear counting sort) rather than keep every band's gathered items: for
    # the documents' bands that would hold n * bands more integers through the pass.
    for band in prange(bands):
        buckets[band] = _first_seen_ids(keys[:, band], ids[band])
        starts, items = _bucket_members(ids[band], buckets[band], order)
        for bucket in range(buckets[band]):
            low, high = starts[bucket], starts[bucket + 1]
            distinct = _distinct_groups(items, low, high, groups)
            if distinct < 2:
                continue
            oversized = max_bucket > 0 and distinct > max_bucket
            capped[band] += oversized
            if not oversized or star:
                counts[band] = _bucket_pairs(items, low, high, groups, oversized, nothing, counts[band], False)
    bounds = np.zeros(bands + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(counts)
    out = np.empty((bounds[bands], 2), dtype=nothing.dtype)
    for band in prange(bands):
        if counts[band] == 0:
            continue
        starts, items = _bucket_members(ids[band], buckets[band], order)
        k = bounds[band]
        for bucket in range(buckets[band]):
            low, high = starts[bucket], starts[bucket + 1]
            distinct = _distinct_groups(items, low, high, groups)
            oversized = max_bucket > 0 and distinct > max_bucket
            if distinct >= 2 and (not oversized or star):
                k = _bucket_pairs(items, low, high, groups, oversized, out, k, True)
    return out, capped.sum()


@njit(cache=True)
def compact_sorted(values: np.ndarray) -> int:
    """Move the distinct values of sorted `values` to its front, in order, and return how many there are."""
    if len(values) == 0:
        return 0
    k = 1
    for i in range(1, len(values)):
        if values[i] != values[k - 1]:
            values[k] = values[i]
            k += 1
    return k


@njit(cache=True)
def merge_distinct(values: np.ndarray, count: int, new: np.ndarray) -> int:
    """Merge the sorted distinct `new` into the sorted distinct `values[:count]`, each value once, within `values`
    (which has room for `count + len(new)`), and return how many there are. Merged from the back, where nothing
    unread is overwritten (the write position stays past both read positions), then moved to the front."""
    i, j, k = count - 1, len(new) - 1, count + len(new)
    written = False
    while i >= 0 or j >= 0:
        if j < 0 or (i >= 0 and values[i] >= new[j]):
            value = values[i]
            i -= 1
        else:
            value = new[j]
            j -= 1
        if not written or value != values[k]:
            k -= 1
            values[k] = value
            written = True
    total = count + len(new) - k
    for t in range(total):
        values[t] = values[k + t]
    return total


@njit(cache=True)
def breadth_first_ranks(pairs: np.ndarray, size: int) -> np.ndarray:
    """For each of `size` documents, its place in a breadth-first walk of the graph whose edges are the rows
    `(i, j)` of `pairs`: each connected component walked from its smallest document, neighbours in index order,
    the components one after another by their smallest document. Neighbours in the graph get near places."""
    degree = np.zeros(size + 1, dtype=np.int64)
    for row in range(len(pairs)):
        degree[pairs[row, 0] + 1] += 1
        degree[pairs[row, 1] + 1] += 1
    starts = np.cumsum(degree)
    filled = starts[:-1].copy()
    linked = np.empty(starts[-1], dtype=np.int64)
    for row in range(len(pairs)):
        i, j = pairs[row, 0], pairs[row, 1]
        linked[filled[i]] = j
        filled[i] += 1
        linked[filled[j]] = i
        filled[j] += 1
    for x in range(size):
        _sort(linked[starts[x] : starts[x + 1]])
    ranks = np.full(size, -1, dtype=np.int64)
    queue = np.empty(size, dtype=np.int64)
    placed = 0
    for first in range(size):
        if ranks[first] >= 0:
            continue
        ranks[first] = placed
        queue[placed] = first
        head = placed
        placed += 1
        while head < placed:
            x = queue[head]
            head += 1
            for k in range(starts[x], starts[x + 1]):
                y = linked[k]
                if ranks[y] < 0:
                    ranks[y] = placed
                    queue[placed] = y
                    placed += 1
    return ranks


@njit(parallel=True, cache=True)
def agreeing_passage_codes(
    signatures: np.ndarray, pairs: np.ndarray, places: np.ndarray, least: float, strong: float
) -> np.ndarray:
    """For each row `(i, j)` of `pairs` (passages) whose agreement is at least `least`: the code `2 * (x * n + y)
    + s` of the passages' `places` x < y (of n), s 1 where the agreement is at least `strong`, in row order. The
    agreement of two signatures is their share of equal MinHash values, the MinHash estimate of the passages'
    Jaccard similarity. One pass where numpy made a full-size temporary per step."""
    n, width = signatures.shape
    # Per row: 0 below `least`, 1 at least `least`, 2 at least `strong` too (a byte a row: the rows are the
    # buckets' every pair, about 100 million a band at 1,000,000 documents).
    grade = np.zeros(len(pairs), dtype=np.uint8)
    for row in prange(len(pairs)):
        x, y = signatures[pairs[row, 0]], signatures[pairs[row, 1]]
        same = 0
        for p in range(width):
            same += x[p] == y[p]
        agreement = same / width
        grade[row] = (agreement >= least) * (1 + (agreement >= strong))
    out = np.empty(np.count_nonzero(grade), dtype=np.int64)
    k = 0
    for row in range(len(pairs)):
        if grade[row]:
            x, y = places[pairs[row, 0]], places[pairs[row, 1]]
            out[k] = 2 * (min(x, y) * n + max(x, y)) + (grade[row] == 2)
            k += 1
    return out


@njit(parallel=True, cache=True)
def evidenced_owner_codes(codes: np.ndarray, owners: np.ndarray, size: int, min_matches: int) -> int:
    """The owner pairs of sorted distinct passage pair codes (`agreeing_passage_codes`) with `min_matches` passage
    pairs or a strong one, as sorted distinct codes `a * size + b` (`a < b`) written over the front of `codes`;
    returns how many. `owners` is the owner of each passage place, not decreasing, so that a code's first passage
    has the smaller owner: the codes then come in runs of one first owner, each reduced on its own (in parallel)
    into its own place, its second owners sorted and counted."""
    n = len(owners)
    # Each owner's first place: the codes of its passages as first passage begin at 2 * place * n.
    firsts = np.empty(n + 1, dtype=np.int64)
    owned = 0
    for place in range(n):
        if place == 0 or owners[place] != owners[place - 1]:
            firsts[owned] = 2 * place * n
            owned += 1
    bounds = np.empty(owned + 1, dtype=np.int64)
    bounds[:owned] = np.searchsorted(codes, firsts[:owned])
    bounds[owned] = len(codes)
    runs = owned
    kept = np.zeros(runs, dtype=np.int64)
    for r in prange(runs):
        low, high = bounds[r], bounds[r + 1]
        if low == high:
            continue
        a = owners[(codes[low] >> 1) // n]
        # Second owners with the strong bit: sorted, the passage pairs with one owner are a run.
        seconds = np.empty(high - low, dtype=np.int64)
        for k in range(low, high):
            seconds[k - low] = 2 * owners[(codes[k] >> 1) % n] + (codes[k] & 1)
        _sort(seconds)
        written = low
        k = 0
        while k < len(seconds):
            b = seconds[k] >> 1
            count = 0
            strong = False
            while k < len(seconds) and seconds[k] >> 1 == b:
                count += 1
                strong |= (seconds[k] & 1) == 1
                k += 1
            if strong or count >= min_matches:
                codes[written] = a * size + b
                written += 1
        kept[r] = written - low
    total = 0
    for r in range(runs):
        for k in range(kept[r]):
            codes[total + k] = codes[bounds[r] + k]
        total += kept[r]
    return total


@njit(cache=True)
def plain_words(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The words `[A-Za-z0-9]+` of one ASCII text: their `[start, end)` offsets and hashes (lower-cased, as
    `hash_words` gives them)."""
    size = len(t) // 2 + 1
    starts = np.empty(size, dtype=np.int32)
    ends = np.empty(size, dtype=np.int32)
    hashes = np.empty(size, dtype=np.uint64)
    count = 0
    h = _FNV_OFFSET
    start = -1
    for j in range(len(t) + 1):
        c = t[j] if j < len(t) else np.uint8(32)
        if _is_word_byte(c):
            h = _fold_and_hash(h, c)
            if start < 0:
                start = j
        elif start >= 0:
            starts[count] = start
            ends[count] = j
            hashes[count] = _fmix64(h)
            count += 1
            h = _FNV_OFFSET
            start = -1
    return starts[:count], ends[:count], hashes[:count]


@njit(cache=True)
def colliding_passages(
    signatures: np.ndarray,
    hits: np.ndarray,
    sentence_bounds: np.ndarray,
    lengths: np.ndarray,
    word_values: np.ndarray,
    word_bounds: np.ndarray,
    min_words: int,
    rows: int,
    a: np.ndarray,
    b: np.ndarray,
    min_estimate: float,
    strong_estimate: float,
    min_matches: int,
) -> np.ndarray:
    """The scan's passage-candidate rule (`candidates.passage_candidates` with evidence) for one incoming document
    against stored ones known by their sentence profiles (profiles.py), for the gate.

    `signatures` are the incoming document's passage signatures; each row `(c, p, band)` of `hits` (sorted by c)
    says that its passage p shares the LSH bucket of `band` (of `rows` rows) with stored document c. Returns, per
    stored document, whether its passages (sentences of `min_words` words or more, MinHashed as word sets like
    `minhash`) that have the same `band` rows as such a p and an estimated Jaccard (share of equal values) of at
    least `min_estimate` with it make `min_matches` such passage pairs, or one of `strong_estimate`. A stored
    passage's signature is computed a band at a time, and whole only when that band collides.
    """
    keep = np.zeros(len(sentence_bounds) - 1, dtype=np.bool_)
    width = signatures.shape[1]
    start = 0
    while start < len(hits):
        c = hits[start, 0]
        end = start
        while end < len(hits) and hits[end, 0] == c:
            end += 1
        passages = np.empty(sentence_bounds[c + 1] - sentence_bounds[c], dtype=np.int64)
        count = 0
        for s in range(sentence_bounds[c], sentence_bounds[c + 1]):
            if lengths[s] >= min_words:
                passages[count] = s
                count += 1
        whole = np.zeros(count, dtype=np.bool_)
        own = np.empty((count, width), dtype=np.uint32)
        # Each passage pair is evidence once, however many bands it collides in.
        counted = np.zeros((len(signatures), count), dtype=np.bool_)
        matches = 0
        for h in range(start, end):
            x = signatures[hits[h, 1]]
            first = hits[h, 2] * rows
            for q in range(count):
                if counted[hits[h, 1], q]:
                    continue
                s = passages[q]
                collides = True
                for r in range(first, first + rows):
                    value = own[q, r] if whole[q] else EMPTY
                    if not whole[q]:
                        for v in range(word_bounds[s], word_bounds[s + 1]):
                            premixed = np.uint32(_fmix32(_U64(word_values[v])))
                            value = min(value, np.uint32(a[r] * premixed + b[r]))
                    if value != x[r]:
                        collides = False
                        break
                if not collides:
                    continue
                if not whole[q]:
                    own[q, :] = EMPTY
                    for v in range(word_bounds[s], word_bounds[s + 1]):
                        _update(own[q], a, b, _U64(word_values[v]))
                    whole[q] = True
                same = 0
                for r in range(width):
                    same += x[r] == own[q, r]
                if same / width >= min_estimate:
                    counted[hits[h, 1], q] = True
                    matches += 1
                    if matches >= min_matches or same / width >= strong_estimate:
                        keep[c] = True
                        break
            if keep[c]:
                break
        start = end
    return keep


@njit(inline="always", cache=True)
def _entry_sections(words: np.ndarray, o: int) -> tuple[int, int, int, int, int]:
    """The layout of the encoded entry at `words[o]` (entry.py): its shingle and sentence counts, and where its
    sentence lengths (then their sequence hashes, two words each), the sizes of its word, term and figure sets
    (`ns` each) and those sets' values begin. (Its shingles begin at `o + 5`, after the five counts.)"""
    shingles = np.int64(words[o])
    sentences = np.int64(words[o + 1])
    lengths = o + 5 + shingles
    sizes = lengths + 3 * sentences
    return shingles, sentences, lengths, sizes, sizes + 3 * sentences


@njit(cache=True)
def decode_entries(words: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    """The gate's encoded index entries (entry.py says how they are laid out) `words[offsets[i]:offsets[i + 1]]`,
    joined: `(shingles, shingle_bounds)` as `ShingleSets`, then the sentence fields of `Profiles`
    (`profiles.from_sentences` adds the per-document sets)."""
    n = len(offsets) - 1
    totals = np.zeros(5, dtype=np.int64)
    for i in range(n):
        for f in range(5):
            totals[f] += np.int64(words[offsets[i] + f])
    shingles = np.empty(totals[0], dtype=np.uint32)
    shingle_bounds = np.zeros(n + 1, dtype=np.int64)
    sentence_bounds = np.zeros(n + 1, dtype=np.int64)
    lengths = np.empty(totals[1], dtype=np.int64)
    sequence = np.empty(totals[1], dtype=np.uint64)
    bounds = np.zeros((3, totals[1] + 1), dtype=np.int64)
    values = (
        np.empty(totals[2], dtype=np.uint32),
        np.empty(totals[3], dtype=np.uint32),
        np.empty(totals[4], dtype=np.uint32),
    )
    k = 0
    s = 0
    filled = np.zeros(3, dtype=np.int64)
    for i in range(n):
        nk, ns, at, sizes, o = _entry_sections(words, offsets[i])
        shingles[k : k + nk] = words[offsets[i] + 5 : offsets[i] + 5 + nk]
        k += nk
        shingle_bounds[i + 1] = k
        for j in range(ns):
            lengths[s + j] = words[at + j]
            sequence[s + j] = _U64(words[at + ns + 2 * j]) | (_U64(words[at + ns + 2 * j + 1]) << _U64(32))
        for level in range(3):
            for j in range(ns):
                bounds[level, s + j + 1] = bounds[level, s + j] + np.int64(words[sizes + level * ns + j])
        for level in range(3):
            size = bounds[level, s + ns] - bounds[level, s]
            values[level][filled[level] : filled[level] + size] = words[o : o + size]
            filled[level] += size
            o += size
        s += ns
        sentence_bounds[i + 1] = s
    return (
        shingles,
        shingle_bounds,
        sentence_bounds,
        lengths,
        sequence,
        values[0],
        bounds[0].copy(),
        values[1],
        bounds[1].copy(),
        values[2],
        bounds[2].copy(),
    )


@njit(cache=True)
def decode_entry_sentences(
    words: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What `decode_entries` gives of the sentences' words alone, `(sentence_bounds, lengths, word_values,
    word_bounds)`, without writing the rest: a check decodes this much of every bucket member for the candidate rule
    (973 and 1,490 members for some articles at 100,000 indexed), and the whole entries of the few it keeps."""
    n = len(offsets) - 1
    sentences = 0
    word_count = 0
    for i in range(n):
        sentences += np.int64(words[offsets[i] + 1])
        word_count += np.int64(words[offsets[i] + 2])
    sentence_bounds = np.zeros(n + 1, dtype=np.int64)
    lengths = np.empty(sentences, dtype=np.int64)
    word_values = np.empty(word_count, dtype=np.uint32)
    word_bounds = np.zeros(sentences + 1, dtype=np.int64)
    s = 0
    for i in range(n):
        _, ns, at, sizes, values = _entry_sections(words, offsets[i])
        for j in range(ns):
            lengths[s + j] = words[at + j]
        for j in range(ns):
            word_bounds[s + j + 1] = word_bounds[s + j] + np.int64(words[sizes + j])
        size = word_bounds[s + ns] - word_bounds[s]  # the word sets come first
        word_values[word_bounds[s] : word_bounds[s] + size] = words[values : values + size]
        s += ns
        sentence_bounds[i + 1] = s
    return sentence_bounds, lengths, word_values, word_bounds


@njit(inline="always", cache=True)
def _lower_bound(values: np.ndarray, x: int, low: int, high: int) -> int:
    """The first index in `[low, high)` of the sorted `values` whose value is not below `x` (`high` if none)."""
    while low < high:
        middle = (low + high) >> 1
        if values[middle] < x:
            low = middle + 1
        else:
            high = middle
    return low


@njit(cache=True)
def _lower_bound_from(values: np.ndarray, x: int, low: int, high: int, guess: int, at_guess: int) -> int:
    """`_lower_bound` of `[low, high)`, galloping from `guess` (within it), whose value `at_guess` was read already:
    a few probes when it is close."""
    if low >= high:
        return low
    step = 1
    if at_guess < x:
        below = guess  # the answer is after it
        while guess + step < high and values[guess + step] < x:
            below = guess + step
            step *= 2
        return _lower_bound(values, x, below + 1, min(guess + step, high))
    above = guess  # the answer is at it or before it
    while guess - step >= low and values[guess - step] >= x:
        above = guess - step
        step *= 2
    return _lower_bound(values, x, max(guess - step + 1, low), above)


@njit(cache=True)
def sorted_bounds(
    keys: np.ndarray, fences: np.ndarray, stride: int, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where each of the sorted `wanted` values starts in the sorted `keys`, and how many times it is there
    (`np.searchsorted` left and right in one pass). `fences` is `keys[::stride]`, kept in memory: each value is
    searched among the fences first, from where the previous one ended, then within one block of `stride` keys.
    In a memory-mapped run of band keys (store.py) a probe of the map is a cache miss and often a page: a search
    of 270 million keys took 28 probes, of which the last 18 or so touched cold pages; within a block a bisection
    takes 10, the interpolated first probe and gallop about 5 within a line or two.

    The first probes of all values are read in a pass of their own, before any search goes on from one: reads that
    do not wait on each other, so the processor has several in flight instead of one miss after another (the 284
    passage keys of a check in the four passage runs of a 1M index: 0.56-0.58 -> 0.40 ms, benchmarks/README.md)."""
    n, m, nf = len(keys), len(wanted), len(fences)
    firsts = np.empty(m, dtype=np.int64)
    lasts = np.empty(m, dtype=np.int64)
    guesses = np.empty(m, dtype=np.int64)
    probes = np.empty(m, dtype=keys.dtype)
    fence = 0
    for i in range(m):
        x = wanted[i]
        # The first fence at or above x: the first key at or above x is after the fence before it, and not after it.
        fence = _lower_bound(fences, x, fence, nf)
        first, last = max((fence - 1) * stride + 1, 0), min(fence * stride, n)
        # Band keys are hashes, spread evenly between the fences around x: the first probe goes where x would fall
        # if they were (off by about the square root of the block's size), and the search gallops from there,
        # touching a line or two of the block instead of the ten a bisection touches.
        guess = first
        if 0 < fence < nf:
            span = float(fences[fence]) - float(fences[fence - 1])
            if span > 0.0:
                guess += int((float(x) - float(fences[fence - 1])) / span * (last - first))
        firsts[i], lasts[i] = first, last
        if first < last:
            guesses[i] = min(max(guess, first), last - 1)
            probes[i] = keys[guesses[i]]
    starts = np.empty(m, dtype=np.int64)
    counts = np.zeros(m, dtype=np.int64)
    for i in range(m):
        x = wanted[i]
        low = firsts[i]
        if firsts[i] < lasts[i]:
            low = _lower_bound_from(keys, x, firsts[i], lasts[i], guesses[i], probes[i])
        starts[i] = low
        end = low
        while end < n and keys[end] == x:
            end += 1
        counts[i] = end - low
    return starts, counts


@njit(cache=True)
def sorted_members(
    keys: np.ndarray, values: np.ndarray, fences: np.ndarray, stride: int, wanted: np.ndarray
) -> np.ndarray:
    """The rows `(keys[i], values[i])` of the sorted `keys` whose key is one of the sorted `wanted`, in key order,
    as an `(m, 2)` array (`fences` and `stride` as in `sorted_bounds`)."""
    starts, counts = sorted_bounds(keys, fences, stride, wanted)
    out = np.empty((counts.sum(), 2), dtype=np.int64)
    m = 0
    for i in range(len(wanted)):
        for j in range(starts[i], starts[i] + counts[i]):
            out[m, 0] = keys[j]
            out[m, 1] = values[j]
            m += 1
    return out


@njit(cache=True)
def passage_hits(keys: np.ndarray, found_keys: np.ndarray, found_seqs: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    """Which passage buckets of the gate's incoming article hold which stored articles: for each membership
    `(found_keys[i], found_seqs[i])` of a passage bucket whose article is in the sorted `seqs`, and each passage p
    and band of the incoming article's `(passages, bands)` band `keys` equal to that key, the row
    `(position in seqs + 1, p, band)`; rows sorted by their first column, then by membership, passage and band (the
    `hits` of `colliding_passages`)."""
    bands = keys.shape[1]
    flat = keys.ravel()
    order = np.argsort(flat, kind="mergesort")
    ordered = flat[order]
    # Each membership's stored article (its position in seqs, -1 when not there) and its run of equal keys; the
    # rows are then written in place, each article's after the previous one's (a counting sort: sorting 100,000
    # rows by article took a long story's check 5 of its 13 ms here).
    stored = np.full(len(found_keys), -1, dtype=np.int64)
    firsts = np.zeros(len(found_keys), dtype=np.int64)
    lasts = np.zeros(len(found_keys), dtype=np.int64)
    starts = np.zeros(len(seqs) + 1, dtype=np.int64)
    for i in range(len(found_keys)):
        position = np.searchsorted(seqs, found_seqs[i])
        if position == len(seqs) or seqs[position] != found_seqs[i]:
            continue
        stored[i] = position
        firsts[i] = np.searchsorted(ordered, found_keys[i], "left")
        lasts[i] = np.searchsorted(ordered, found_keys[i], "right")
        starts[position + 1] += lasts[i] - firsts[i]
    starts = np.cumsum(starts)
    hits = np.empty((starts[-1], 3), dtype=np.int64)
    for i in range(len(found_keys)):
        position = stored[i]
        if position < 0:
            continue
        row = starts[position]
        for j in range(firsts[i], lasts[i]):
            hits[row, 0] = position + 1
            hits[row, 1] = order[j] // bands
            hits[row, 2] = order[j] % bands
            row += 1
        starts[position] = row
    return hits


# --- fluency.py: tokens of plain text ------------------------------------------------------------------------------


@njit(inline="always", cache=True)
def _utf8_token(data: np.ndarray, j: int, end: int, reading: np.ndarray) -> tuple[int, int, int, int, np.uint64]:
    """The first token `fluency.tokens` reads in the UTF-8 text `data[j:end]` when it is plain text (`plain_form`):
    a word `[a-z0-9]+` of the lower-cased text, or any other character that is no white space, read as its plain
    form reads (a mark beyond ASCII whose stand-in is white space is white space). Returns `(kind, skipped, length,
    following, hash)`. `kind`: 1 for a word, 2 for a mark, 0 when only white space is left, -1 at a character with
    no plain reading; `skipped`: the characters of white space before the token; `length`: its characters;
    `following`: where the bytes after it start; `hash`: `hash_words` of its case-folded UTF-8 bytes (a mark beyond
    ASCII hashed as its own bytes, not as its stand-in)."""
    skipped = 0
    while j < end:
        c = data[j]
        if c >= 0x80:
            code, following = _code_point(data, j)
            if code < 0 or reading[code] == 0:
                return -1, skipped, 0, j, _U64(0)
            if _is_space(reading[code]):  # a stand-in is white space or a token of one character
                j = following
                skipped += 1
                continue
            h = _FNV_OFFSET
            for k in range(j, following):
                h = (h ^ _U64(data[k])) * _FNV_PRIME
            return 2, skipped, 1, following, _fmix64(h)
        if not _is_plain(c):
            return -1, skipped, 0, j, _U64(0)
        if _is_space(c):
            j += 1
            skipped += 1
            continue
        if not _is_word_byte(c):
            return 2, skipped, 1, j + 1, _fmix64((_FNV_OFFSET ^ _U64(c)) * _FNV_PRIME)
        start = j
        h = _FNV_OFFSET
        while j < end and _is_word_byte(data[j]):
            h = _fold_and_hash(h, data[j])
            j += 1
        return 1, skipped, j - start, j, _fmix64(h)
    return 0, skipped, 0, end, _U64(0)


@njit(cache=True)
def text_tokens(
    data: np.ndarray, reading: np.ndarray
) -> tuple[bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of `fluency.tokens` of one text given as UTF-8, when it is plain text (`_utf8_token`): where each
    starts and ends (in characters), its hash, how many of the tokens before each (and before the end) are story
    words (four characters or more: the marks are one character each) and how many are words (not marks), and the
    story words' hashes.

    Returns `(plain, starts, ends, hashes, long_before, words_before, story)`, all empty when the text is not
    plain. One pass over the text where finding its plain form, reading that, and putting the marks' own hashes back
    were three, with two conversions of the text between them (a third of the ranking's reading of a member,
    typeset)."""
    n = len(data)
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)
    hashes = np.empty(n, dtype=np.uint64)
    words_before = np.zeros(n + 1, dtype=np.int64)
    count = j = character = 0
    while True:
        kind, skipped, length, j, h = _utf8_token(data, j, n, reading)
        if kind < 0:
            return False, starts[:0], ends[:0], hashes[:0], starts[:0], starts[:0], hashes[:0]
        if kind == 0:
            break
        character += skipped
        starts[count], ends[count], hashes[count] = character, character + length, h
        words_before[count + 1] = words_before[count] + (kind == 1)
        character += length
        count += 1
    long_before = np.zeros(count + 1, dtype=np.int64)
    story = np.empty(count, dtype=np.uint64)
    stories = 0
    for k in range(count):
        if ends[k] - starts[k] >= 4:
            story[stories] = hashes[k]
            stories += 1
        long_before[k + 1] = stories
    return (
        True,
        starts[:count].copy(),
        ends[:count].copy(),
        hashes[:count].copy(),
        long_before,
        words_before[: count + 1].copy(),
        story[:stories].copy(),
    )


@njit(cache=True)
def token_hashes(
    data: np.ndarray, offsets: np.ndarray, reading: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tokens of `fluency.tokens` of many texts given as UTF-8 (text d is `data[offsets[d]:offsets[d + 1]]`),
    each read as `_utf8_token` reads it, where finding each one's plain form, reading that, then putting its marks'
    hashes back took three passes over a typeset text.

    Returns `(plain, hashes, is_word, bounds)`: which texts are plain text (a text that is not has no tokens here),
    and the tokens' hashes, text d's `hashes[bounds[d]:bounds[d + 1]]`, with `is_word` telling words from marks."""
    n = len(offsets) - 1
    plain = np.zeros(n, dtype=np.bool_)
    hashes = np.empty(len(data), dtype=np.uint64)
    is_word = np.empty(len(data), dtype=np.bool_)
    bounds = np.zeros(n + 1, dtype=np.int64)
    count = 0
    for d in range(n):
        j, first = offsets[d], count
        while True:
            kind, _, _, j, h = _utf8_token(data, j, offsets[d + 1], reading)
            if kind <= 0:
                break
            hashes[count], is_word[count] = h, kind == 1
            count += 1
        plain[d] = kind == 0
        if not plain[d]:
            count = first
        bounds[d + 1] = count
    return plain, hashes[:count].copy(), is_word[:count].copy(), bounds


@njit(cache=True)
def unique_per_set(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The distinct values of each set `values[bounds[i]:bounds[i + 1]]`, sorted, the sets one after another.

    Not parallel: it runs once per ranked cluster on a few documents, where starting threads cost more (1 ms a
    call) than sorting."""
    out = values.copy()
    count = 0
    for i in range(len(bounds) - 1):
        size = _sorted_unique(out[bounds[i] : bounds[i + 1]])
        # Moved down in place, front to back: the target never overtakes the source.
        for k in range(size):
            out[count + k] = out[bounds[i] + k]
        count += size
    return out[:count]


# --- fluency.py: document frequencies read by key ----------------------------------------------------------------


@njit(cache=True)
def count_table(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A hash table of the distinct 64-bit `keys` with their `counts` (each at least 1): slots of keys and of counts,
    a count of 0 marking an empty slot, at most half of them full, probed linearly from the key's low bits (the
    keys are hashes already). Filled in the order given, so the same keys in the same order give the same table."""
    size = _half_full_size(len(keys))
    mask = _U64(size - 1)
    slot_keys = np.zeros(size, dtype=np.uint64)
    slot_counts = np.zeros(size, dtype=np.int32)
    for k in range(len(keys)):
        at = keys[k] & mask
        while slot_counts[at] != 0:
            at = (at + _U64(1)) & mask
        slot_keys[at] = keys[k]
        slot_counts[at] = counts[k]
    return slot_keys, slot_counts


@njit(cache=True)
def frequency_tables(
    hashes: np.ndarray, is_word: np.ndarray, bounds: np.ndarray, phrase: int
) -> tuple[tuple[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray, int]]:
    """`fluency.Counts.of`'s three tables of the tokens of some texts (text i's are `hashes[bounds[i]:bounds[i + 1]]`,
    `is_word` telling words from marks), each as a `count_table`'s slots and its number of keys: how many texts hold
    each token, each bigram of tokens, each run of `phrase` words (keyed as `_run_keys` keys them), each table
    filled in ascending order of its keys. One call, where a numpy and kernel call for each step made a dozen: a
    ranking counts each cluster's texts that the model counted, to leave them out (a sixth of the ranking)."""
    words = hashes[is_word]
    word_bounds = np.zeros(len(bounds), dtype=np.int64)
    for i in range(len(bounds) - 1):
        word_bounds[i + 1] = word_bounds[i] + np.sum(is_word[bounds[i] : bounds[i + 1]])
    unigrams = _frequency_table(hashes, bounds)
    keys, key_bounds = _run_keys(hashes, bounds, 2)
    bigrams = _frequency_table(keys, key_bounds)
    keys, key_bounds = _run_keys(words, word_bounds, phrase)
    phrases = _frequency_table(keys, key_bounds)
    return unigrams, bigrams, phrases


@njit(cache=True)
def _run_keys(values: np.ndarray, bounds: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The key of every run of `n` consecutive values within each set (`((v1 * M + v2) * M + ...) + vn`, modulo
    2**64), and the bounds of each set's keys."""
    key_bounds = np.zeros(len(bounds), dtype=np.int64)
    for i in range(len(bounds) - 1):
        key_bounds[i + 1] = key_bounds[i] + max(bounds[i + 1] - bounds[i] - n + 1, 0)
    keys = np.empty(key_bounds[-1], dtype=np.uint64)
    for i in range(len(bounds) - 1):
        at = key_bounds[i]
        for first in range(bounds[i], bounds[i + 1] - n + 1):
            key = values[first]
            for offset in range(1, n):
                key = key * SHINGLE_MULTIPLIER + values[first + offset]
            keys[at] = key
            at += 1
    return keys, key_bounds


@njit(cache=True)
def _frequency_table(values: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """A `count_table` of how many sets `values[bounds[i]:bounds[i + 1]]` hold each value, and how many values."""
    if len(values) <= _HASHED_FREQUENCIES_MAX:
        keys, counts = hashed_frequencies(values, bounds)
    else:
        keys, counts = sorted_frequencies(values, bounds)
    slot_keys, slot_counts = count_table(keys, counts)
    return slot_keys, slot_counts, len(keys)


# Sets of this many values in all or fewer are counted by hashing (`hashed_frequencies`), larger ones by sorting:
# the hash table's slots are twice the values, 24 bytes each, which for the scan's model (5,000 texts, 2.5 million
# tokens) would be 200 MB; a ranking leaves out a few texts, which hashing counted in half the time (20.8 against
# 40.4 us a table of a cluster of the 20k twin).
_HASHED_FREQUENCIES_MAX = 1 << 16


@njit(cache=True)
def hashed_frequencies(values: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of the sets `values[bounds[i]:bounds[i + 1]]`, ascending, and how many sets hold each:
    counted in an open-addressing table where each value keeps the last set that counted it."""
    size = _half_full_size(len(values))
    mask = _U64(size - 1)
    slot_keys = np.zeros(size, dtype=np.uint64)
    slot_counts = np.zeros(size, dtype=np.int64)
    slot_last = np.empty(size, dtype=np.int64)
    for d in range(len(bounds) - 1):
        for i in range(bounds[d], bounds[d + 1]):
            value = values[i]
            at = value & mask
            while slot_counts[at] != 0 and slot_keys[at] != value:
                at = (at + _U64(1)) & mask
            if slot_counts[at] == 0:
                slot_keys[at], slot_counts[at], slot_last[at] = value, 1, d
            elif slot_last[at] != d:
                slot_counts[at] += 1
                slot_last[at] = d
    held = np.flatnonzero(slot_counts)
    keys = slot_keys[held]
    order = np.argsort(keys)
    return keys[order], slot_counts[held][order]


@njit(cache=True)
def sorted_frequencies(values: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`hashed_frequencies`, counted by sorting: each set's distinct values, then all of them."""
    distinct = unique_per_set(values, bounds)
    _sort(distinct)
    keys = np.empty(len(distinct), dtype=np.uint64)
    counts = np.empty(len(distinct), dtype=np.int64)
    size = 0
    for i in range(len(distinct)):
        if size and keys[size - 1] == distinct[i]:
            counts[size - 1] += 1
        else:
            keys[size] = distinct[i]
            counts[size] = 1
            size += 1
    return keys[:size].copy(), counts[:size].copy()


@njit(cache=True)
def table_counts(slot_keys: np.ndarray, slot_counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The count of each of `queries` in a `count_table` (0 for a key it does not hold)."""
    mask = _U64(len(slot_keys) - 1)
    out = np.zeros(len(queries), dtype=np.int64)
    for q in range(len(queries)):
        at = queries[q] & mask
        while slot_counts[at] != 0:
            if slot_keys[at] == queries[q]:
                out[q] = slot_counts[at]
                break
            at = (at + _U64(1)) & mask
    return out


@njit(cache=True)
def associations(
    first: np.ndarray,
    second: np.ndarray,
    unigrams: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    bigrams: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    documents: int,
    vocabulary: int,
    k: float,
) -> np.ndarray:
    """`fluency.LanguageModel.association` of each token bigram `(first[i], second[i])` (token hashes), its counts
    read from `unigrams` and `bigrams`: each the slots of a corpus's `count_table`, then of the documents left out's.
    The same arithmetic in the same order as the model's definition, so the same values to the last bit."""
    with_key = np.empty(len(first), dtype=np.uint64)
    for i in range(len(first)):
        with_key[i] = first[i] * SHINGLE_MULTIPLIER + second[i]  # the bigram's key, as `_run_keys` has it
    context = table_counts(unigrams[0], unigrams[1], first) - table_counts(unigrams[2], unigrams[3], first)
    follower = table_counts(unigrams[0], unigrams[1], second) - table_counts(unigrams[2], unigrams[3], second)
    pair = table_counts(bigrams[0], bigrams[1], with_key) - table_counts(bigrams[2], bigrams[3], with_key)
    out = np.empty(len(first), dtype=np.float64)
    for i in range(len(first)):
        unigram = (follower[i] + 1) / (documents + vocabulary)
        out[i] = math.log((pair[i] + k * unigram) / (context[i] + k)) - math.log(unigram)
    return out


# --- align.py: sentence pairs that share terms, shingles two documents share, passage scores ----------------------


@njit(cache=True)
def shared_terms(
    terms_a: np.ndarray, sentences_a: np.ndarray, terms_b: np.ndarray, sentences_b: np.ndarray, n_b: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentence pairs of two documents that share two terms or more, and how many they share.

    Each document is given as rows `(term, sentence)` sorted by term (a sentence holds a term once); `n_b` is the
    number of sentences of b. Returns `(i, j, shared)` for every sentence i of a and j of b sharing at least two
    terms, in order of `(i, j)`.
    """
    total = 0
    for step in range(2):
        keys = np.empty(total, dtype=np.int64)
        count = 0
        x, y = 0, 0
        while x < len(terms_a) and y < len(terms_b):
            if terms_a[x] < terms_b[y]:
                x += 1
            elif terms_a[x] > terms_b[y]:
                y += 1
            else:
                term = terms_a[x]
                x_end, y_end = x, y
                while x_end < len(terms_a) and terms_a[x_end] == term:
                    x_end += 1
                while y_end < len(terms_b) and terms_b[y_end] == term:
                    y_end += 1
                if step == 0:
                    total += (x_end - x) * (y_end - y)
                else:
                    for p in range(x, x_end):
                        for q in range(y, y_end):
                            keys[count] = sentences_a[p] * n_b + sentences_b[q]
                            count += 1
                x, y = x_end, y_end
    _sort(keys)
    index_a = np.empty(len(keys), dtype=np.int64)
    index_b = np.empty(len(keys), dtype=np.int64)
    shared = np.empty(len(keys), dtype=np.int64)
    found = 0
    start = 0
    while start < len(keys):
        end = start + 1
        while end < len(keys) and keys[end] == keys[start]:
            end += 1
        if end - start >= 2:
            index_a[found] = keys[start] // n_b
            index_b[found] = keys[start] % n_b
            shared[found] = end - start
            found += 1
        start = end
    return index_a[:found], index_b[:found], shared[:found]


@njit(cache=True)
def shared_count(x: np.ndarray, y: np.ndarray) -> int:
    """How many values two sorted arrays of distinct values share (`len(np.intersect1d(x, y))` without sorting)."""
    return _shared(x, 0, len(x), y, 0, len(y))


@njit(cache=True)
def _same_words(words: np.ndarray, x: int, x_end: int, y: int, y_end: int) -> bool:
    if x_end - x != y_end - y:
        return False
    for k in range(x_end - x):  # noqa: SIM110 (numba compiles no generator for all())
        if words[x + k] != words[y + k]:
            return False
    return True


@njit(cache=True)
def _indel_similarity(words: np.ndarray, x: int, x_end: int, y: int, y_end: int, row: np.ndarray) -> float:
    """rapidfuzz's `Indel.normalized_similarity` of two word sequences: 1 - (|x| + |y| - 2 LCS) / (|x| + |y|)."""
    nx, ny = x_end - x, y_end - y
    if nx + ny == 0:
        return 1.0
    row[: ny + 1] = 0
    for p in range(nx):
        diagonal = 0
        for q in range(ny):
            above = row[q + 1]
            if words[x + p] == words[y + q]:
                row[q + 1] = diagonal + 1
            elif row[q] > above:
                row[q + 1] = row[q]
            diagonal = above
    return 1.0 - (nx + ny - 2 * row[ny]) / (nx + ny)


@njit(cache=True)
def passage_scores(
    hashes_a: np.ndarray,
    sentence_words_a: np.ndarray,
    hashes_b: np.ndarray,
    sentence_words_b: np.ndarray,
    matches: np.ndarray,
) -> np.ndarray:
    """The word-level Indel similarity of each match `(a0, a1, b0, b1)` (sentence ranges, inclusive) of two documents
    given by their word hashes and each sentence's `[first, last)` words: 1.0 for the same words in the same order,
    else rapidfuzz's `Indel.normalized_similarity` of the two word sequences (`align.match`'s scores; the same
    division, so the same floats)."""
    words = np.concatenate((hashes_a, hashes_b))
    offset = len(hashes_a)
    row = np.empty(len(hashes_b) + 1, dtype=np.int64)
    scores = np.empty(len(matches), dtype=np.float64)
    for m in range(len(matches)):
        x0, x1 = sentence_words_a[matches[m, 0], 0], sentence_words_a[matches[m, 1], 1]
        y0, y1 = offset + sentence_words_b[matches[m, 2], 0], offset + sentence_words_b[matches[m, 3], 1]
        same = _same_words(words, x0, x1, y0, y1)
        scores[m] = 1.0 if same else _indel_similarity(words, x0, x1, y0, y1, row)
    return scores


# The gate's recent band rows (store.SQLiteStore) in memory: an open-addressing hash table of `(key, seq)` rows with
# linear probing, one slot per row, a slot empty when its sequence number is 0 (SQLite numbers articles from 1).
# Rows are never taken out one by one: the table is emptied or built again whole, so a probe for a key meets all
# of its rows before the first empty slot.


@njit(cache=True, inline="always")
def _home(key: np.int64, shift: int) -> np.int64:
    # The key's top bits after a multiplicative mix: band keys are hashes already, the mix guards against patterns.
    return np.int64((_U64(key) * SHINGLE_MULTIPLIER) >> _U64(shift))


@njit(cache=True, inline="always")
def _shift(slots: int) -> int:
    # 64 minus the bits of a slot number (`slots` a power of two, at least 2).
    bits = 0
    while (1 << bits) < slots:
        bits += 1
    return 64 - bits


@njit(cache=True)
def recent_add(slot_keys: np.ndarray, slot_seqs: np.ndarray, keys: np.ndarray, seqs: np.ndarray) -> None:
    """Put the rows `(keys[i], seqs[i])` into the table (its length a power of two, at least 2, with room)."""
    mask = np.int64(len(slot_keys) - 1)
    shift = _shift(len(slot_keys))
    for i in range(len(keys)):
        slot = _home(keys[i], shift)
        while slot_seqs[slot] != 0:
            slot = (slot + 1) & mask
        slot_keys[slot] = keys[i]
        slot_seqs[slot] = seqs[i]


@njit(cache=True)
def recent_counts(slot_keys: np.ndarray, slot_seqs: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """How many rows the table holds of each of `wanted`."""
    mask = np.int64(len(slot_keys) - 1)
    shift = _shift(len(slot_keys))
    counts = np.zeros(len(wanted), dtype=np.int64)
    for i in range(len(wanted)):
        slot = _home(wanted[i], shift)
        while slot_seqs[slot] != 0:
            if slot_keys[slot] == wanted[i]:
                counts[i] += 1
            slot = (slot + 1) & mask
    return counts


@njit(cache=True)
def recent_members(slot_keys: np.ndarray, slot_seqs: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The table's rows whose key is one of `wanted`, as an `(m, 2)` array in the order of `wanted`, each key's rows
    by sequence number (as a sorted run gives them)."""
    mask = np.int64(len(slot_keys) - 1)
    shift = _shift(len(slot_keys))
    counts = recent_counts(slot_keys, slot_seqs, wanted)
    out = np.empty((counts.sum(), 2), dtype=np.int64)
    m = 0
    for i in range(len(wanted)):
        if counts[i] == 0:
            continue
        first = m
        slot = _home(wanted[i], shift)
        while slot_seqs[slot] != 0:
            if slot_keys[slot] == wanted[i]:
                # Insertion sort by sequence number: a bucket holds a few rows, mostly put in in order.
                j = m
                while j > first and out[j - 1, 1] > slot_seqs[slot]:
                    out[j, 1] = out[j - 1, 1]
                    j -= 1
                out[j, 1] = slot_seqs[slot]
                out[m, 0] = wanted[i]
                m += 1
            slot = (slot + 1) & mask
    return out
