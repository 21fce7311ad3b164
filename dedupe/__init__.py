"""dedupe: find near-copies of news articles and explain them.

>>> import dedupe
>>> result = dedupe.scan(["seeds/"])
>>> [(p.a, p.b, p.relation) for p in result.pairs]
"""

__version__ = "0.1.0"

from dedupe.align import Alignment, align, align_texts
from dedupe.config import AlignConfig, MinHashConfig, ScanConfig
from dedupe.document import Document, prepare
from dedupe.errors import ConfigError, DedupeError, InputError, StoreError
from dedupe.fingerprint import MinHasher
from dedupe.gate import Index, Verdict
from dedupe.ingest import Fields, IngestLog, read_article, read_articles
from dedupe.models import Article, Cluster, Member, Pair, PassageMatch, Region, Skipped
from dedupe.near_duplicates import NearDuplicates, find_near_duplicates, near_duplicates
from dedupe.scan import ScanResult, scan
from dedupe.verify import relate

__all__ = [
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
