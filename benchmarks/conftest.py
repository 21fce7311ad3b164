"""Benchmarks are scripts, never tests.

If pytest ever walks into this folder (for example when `tests/` does not exist and it falls back to searching
from the current directory), it collects nothing here.
"""

collect_ignore_glob = ["*"]
