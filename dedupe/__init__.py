"""dedupe: find near-copies of news articles and explain them.

>>> import dedupe
>>> result = dedupe.scan(["seeds/"])
>>> [(p.a, p.b, p.relation) for p in result.pairs]
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# The module that defines each public name. Names are imported on first use (PEP 562), so a process pays only for
# what it calls: `dedupe.find_near_duplicates` loads neither the alignment (rapidfuzz), the index (SQLite store) nor
# the report (rich), 0.15 s of CPU of every `import dedupe` (`python -X importtime -c "import dedupe"`).
_MODULES: dict[str, tuple[str, ...]] = {
    "dedupe.align": ("Alignment", "align", "align_texts"),
    "dedupe.config": ("AlignConfig", "MinHashConfig", "ScanConfig"),
    "dedupe.document": ("Document", "prepare"),
    "dedupe.errors": ("ConfigError", "DedupeError", "InputError", "StoreError"),
    "dedupe.fingerprint": ("MinHasher",),
    "dedupe.gate": ("Added", "Index", "Verdict"),
    "dedupe.ingest": ("Fields", "IngestLog", "read_article", "read_articles"),
    "dedupe.models": ("Article", "Cluster", "Member", "Pair", "PassageMatch", "Region", "Skipped"),
    "dedupe.near_duplicates": ("NearDuplicates", "find_near_duplicates", "near_duplicates"),
    "dedupe.scan": ("ScanResult", "scan"),
    "dedupe.verify": ("relate",),
}
_EXPORTS = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "Added",
    "AlignConfig",
    "Alignment",
    "Article",
    "Cluster",
    "ConfigError",
    "DedupeError",
    "Document",
    "Fields",
    "Index",
    "IngestLog",
    "InputError",
    "Member",
    "MinHashConfig",
    "MinHasher",
    "NearDuplicates",
    "Pair",
    "PassageMatch",
    "Region",
    "ScanConfig",
    "ScanResult",
    "Skipped",
    "StoreError",
    "Verdict",
    "__version__",
    "align",
    "align_texts",
    "find_near_duplicates",
    "near_duplicates",
    "prepare",
    "read_article",
    "read_articles",
    "relate",
    "scan",
]

if TYPE_CHECKING:
    from dedupe.align import Alignment, align, align_texts
    from dedupe.config import AlignConfig, MinHashConfig, ScanConfig
    from dedupe.document import Document, prepare
    from dedupe.errors import ConfigError, DedupeError, InputError, StoreError
    from dedupe.fingerprint import MinHasher
    from dedupe.gate import Added, Index, Verdict
    from dedupe.ingest import Fields, IngestLog, read_article, read_articles
    from dedupe.models import Article, Cluster, Member, Pair, PassageMatch, Region, Skipped
    from dedupe.near_duplicates import NearDuplicates, find_near_duplicates, near_duplicates
    from dedupe.scan import ScanResult, scan
    from dedupe.verify import relate


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedupe' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The `dedupe` module, which keeps its public functions `align`, `scan` and `near_duplicates` when their
    submodules of the same name are imported: the import system would otherwise bind `dedupe.scan` to the module
    `dedupe/scan.py` on its first import, as it binds every submodule to its package."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
