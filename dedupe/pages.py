"""Large arrays in ordinary pages during the long jobs, not in huge ones.

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

import functools
import importlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


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
