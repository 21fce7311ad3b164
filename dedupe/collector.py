"""The cyclic garbage collector during the long jobs: paused.

The jobs make no reference cycles of their own: a 5,000-document scan in one process with the collector off left
730 unreachable objects, all made by numba as it loaded its kernels. But the documents, pairs and results they
build set off collection after collection, and each full one walks every object the process holds, numba's
compiler state included. At 200,000 documents the scan's own process spent 10.4 of its 184 s collecting (6.3 s in
14 full collections), and at 20,000 each worker process 0.6-0.7 s of its 9 (benchmarks/README.md, "Full scan,
eighteenth round"). Memory is freed as before (by reference counting); only cycles wait for the collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (as it was after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
