"""dedupe (this project), run in the repository's own venv.

Variants (--variant):
- `docs`: `dedupe.find_near_duplicates(texts, threshold=..., num_perm=128, ngram=5)`, the same document-level
  job as the peers; it returns (i, j, jaccard) triples;
- `scan`: `dedupe.scan(texts, threshold=..., num_perm=128, ngram=5)`, the full scan (passage candidates,
  verification, alignment labels, ranking); its document pairs are scored like the peers'.
Exits with status 3 and says why when the API is not there yet.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from protocol import Stages, parse_args, read_texts, report

MISSING = 3


def _pair(item: Any) -> tuple[int, int]:
    """(i, j) from a (i, j, ...) tuple or an object with `a`/`b` document ids."""
    if isinstance(item, tuple):
        return int(item[0]), int(item[1])
    return int(item.a), int(item.b)


def main() -> int:
    args = parse_args(__doc__.splitlines()[0])
    variant = args.variant or "docs"
    try:
        import dedupe
    except ImportError as error:
        print(
            f"ours: cannot import dedupe ({error}): the package is written on main; merge main into the "
            "bench branch, then `pip install -e .` in the repository's .venv",
            file=sys.stderr,
        )
        return MISSING
    function_name = "find_near_duplicates" if variant == "docs" else "scan"
    function = getattr(dedupe, function_name, None)
    if function is None:
        print(
            f"ours: dedupe.{function_name} does not exist yet in this checkout; merge main into the "
            "bench branch once the API lands, then rerun compare.py",
            file=sys.stderr,
        )
        return MISSING
    stages = Stages()
    with stages("read"):
        texts = read_texts(args.corpus)
    with stages(function_name):
        result = function(texts, threshold=args.threshold, num_perm=args.num_perm, ngram=args.ngram)
    items: Iterable[Any] = getattr(result, "pairs", result)
    tool_stages = getattr(result, "timings", None)
    if isinstance(tool_stages, dict):
        stages.seconds.update({f"dedupe.{k}": round(float(v), 4) for k, v in tool_stages.items()})
    version = getattr(dedupe, "__version__", "unknown")
    report(args, f"ours-{variant}", version, (_pair(item) for item in items), stages, {})
    return 0


if __name__ == "__main__":
    sys.exit(main())
