"""What the worker processes' server imports before it forks them (`workers._context`): the workers' modules, and
their compiled kernels loaded.

numba loads a kernel from its on-disk cache on the kernel's first call, per process: about 0.3 s for those a worker
runs to prepare, relate and rank documents, which each forked worker paid again at its first chunk. Loaded here once,
the workers start with them. Only kernels without parallel loops run here: those would start numba's threads in the
server, and a process forked from one with threads is in an undefined state (tests/test_verify.py checks).
"""

from __future__ import annotations

import contextlib

import dedupe.workers  # noqa: F401  (the module the workers run)
from dedupe.config import ScanConfig
from dedupe.document import prepare
from dedupe.fluency import LanguageModel
from dedupe.models import Article
from dedupe.rank import rank_members
from dedupe.verify import relate

_TEXT = (
    "The central bank raised its main interest rate by half a point on Tuesday, its third increase this year. "
    "Officials said inflation was \u201cstill too high\u201d and that further increases could follow."
)


def warm() -> None:
    """Prepare, relate and rank two small copies: every kernel a worker needs is then loaded."""
    config = ScanConfig()
    articles = [Article("first", _TEXT), Article("second", _TEXT.replace("Tuesday", "Monday") + " Markets fell.")]
    first, second = (prepare(article, config.shingle) for article in articles)
    pair = relate(first, second, config)
    if pair is not None:
        rank_members(articles, {(pair.a, pair.b): pair}, LanguageModel.build(a.text for a in articles))
    # ASCII text has kernels of its own (its markers' scan reads the text's bytes as they are: a read-only array).
    ascii_text = _TEXT.replace("\u201c", '"').replace("\u201d", '"')
    relate(prepare(Article("third", ascii_text), config.shingle), second, config)


# Only a head start: a worker loads whatever this missed itself. (An exception would stop the server.)
with contextlib.suppress(Exception):
    warm()
