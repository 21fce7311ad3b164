"""Memory for the long jobs' large arrays: ordinary pages, not huge ones, and freed memory kept for the next.

numpy asks the kernel to back every array of 4 MB or more with 2 MB huge pages (`madvise(MADV_HUGEPAGE)`). On a
virtual machine that hands the memory its guest frees back to the host ("free page reporting", as on the KVM
machines these figures come from), a huge page a new array touches is one the host must supply again, and the
scan allocates and frees arrays of hundreds of megabytes stage after stage: a 135 MB array allocated after another
was freed took 1.0-2.1 s to fill with huge pages against 0.09 s without. The 200,000-document scan took 110-112 s
with them and 95 s without (fingerprints 9 -> 4.2 s, the screen 40 -> 29 s), the 1,000,000-document scan 1,007 s
and 879 s (fingerprints 46 -> 20 s, the screen 505 -> 409 s), with the same results and the same peak memory
(benchmarks/README.md, "Full scan, twenty-seventh round"); what huge pages save, address translations, did not
show in these runs. numpy's own switch for this is the NUMPY_MADVISE_HUGEPAGE environment variable, read once as
numpy is imported; where a user has set it, their choice stands.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import os
import platform
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def ordinary() -> Iterator[None]:
    """numpy's huge pages off for the block (as they were after it), unless NUMPY_MADVISE_HUGEPAGE says otherwise.
    The setting is the process's: blocks on several threads (the service's) turn it off at the first to begin and
    back at the last to end."""
    switch = _switch()
    if switch is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        yield
        return
    global _depth, _before
    with _lock:
        if _depth == 0:
            _before = switch(False)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                switch(_before)


_lock = threading.Lock()
_depth = 0  # blocks running
_before = True  # the setting before the first of them


@functools.cache  # looked up once: the gate enters `ordinary` at every check
def _switch() -> Callable[[bool], bool] | None:
    """numpy's setter of its huge-page advice, which returns the setting it replaced (None where numpy has none)."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, then 1.26
        try:
            return importlib.import_module(name)._set_madvise_hugepage
        except (ImportError, AttributeError):
            continue
    return None


@contextmanager
def kept() -> Iterator[None]:
    """Memory freed during the block kept by the process for its next arrays, and given back to the system after
    it (glibc's malloc; elsewhere nothing changes). Blocks on several threads give it back when the last ends.

    glibc hands each freed array of 128 KB or more back to the system at once; on a machine that reports freed
    memory to its host, the next array's pages may then be pages the host must supply again: about 10 us a page
    fault in the features of the 1,000,000-document screen, against 1.5 us for fresh pages and nothing for memory
    the process kept (benchmarks/README.md, "Full scan, thirtieth round"). The scan's array stages free and
    allocate hundreds of megabytes at a time. Arrays allocated in the block and freed after it leave holes in the
    heap that glibc does not give back by itself: `give_back` does.
    """
    library = _glibc()
    if library is None:
        yield
        return
    global _keeping
    with _lock:
        if _keeping == 0:
            library.mallopt(_M_MMAP_THRESHOLD, _KEPT_MMAP_THRESHOLD)
            library.mallopt(_M_TRIM_THRESHOLD, _KEPT_TRIM_THRESHOLD)
        _keeping += 1
    try:
        yield
    finally:
        with _lock:
            _keeping -= 1
            if _keeping == 0:
                library.mallopt(_M_MMAP_THRESHOLD, _DEFAULT_THRESHOLD)
                library.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_THRESHOLD)
                library.malloc_trim(0)


def give_back() -> None:
    """Free memory of the heap given back to the system: what arrays allocated in a `kept` block left when they
    were freed after it (glibc returns only the top of its heap by itself)."""
    library = _glibc()
    if library is not None:
        library.malloc_trim(0)


_keeping = 0  # `kept` blocks running
# mallopt's parameters (malloc.h): allocations from this size on get pages of their own, given back when freed;
# free memory above this much at the top of the heap is given back.
_M_MMAP_THRESHOLD = -3
_M_TRIM_THRESHOLD = -1
_KEPT_MMAP_THRESHOLD = 1 << 30  # arrays up to 1 GB from the heap, where freed memory stays
_KEPT_TRIM_THRESHOLD = (1 << 31) - 1  # the largest the parameter takes: nothing given back
# glibc's starting value of both. Once set, they no longer rise by themselves as glibc's would (up to 32 MB, as
# mapped arrays are freed): after a block, arrays of 128 KB or more get pages of their own, as at start-up.
_DEFAULT_THRESHOLD = 128 * 1024


@functools.cache
def _glibc() -> Any:
    """The C library when it is glibc, which has `mallopt` and `malloc_trim`; else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None
