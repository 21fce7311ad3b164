"""The public API of the package: every name resolves, and a job imports only what it needs."""

import subprocess
import sys

import dedupe


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    shown = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(shown.stdout.split())


def test_every_public_name_resolves() -> None:
    for name in dedupe.__all__:
        assert getattr(dedupe, name) is not None, name
    assert set(dedupe.__all__) == set(dir(dedupe)) & set(dedupe.__all__)


def test_import_loads_nothing_until_a_name_is_used() -> None:
    loaded = _modules_after("import dedupe")
    assert not loaded & {"numpy", "numba", "rich", "rapidfuzz", "dedupe.kernels"}


def test_near_duplicates_loads_neither_alignment_nor_index_nor_report() -> None:
    loaded = _modules_after("import dedupe\ndedupe.find_near_duplicates(['a b c d e f', 'a b c d e f'])")
    assert "dedupe.kernels" in loaded
    assert not loaded & {"rich", "rapidfuzz", "sqlite3", "dedupe.align", "dedupe.gate", "dedupe.scan"}


def test_functions_named_like_their_modules_stay_functions() -> None:
    code = "import dedupe.scan, dedupe.align, dedupe.near_duplicates\nfrom dedupe.verify import relate\nimport dedupe\n"
    checks = "assert all(callable(getattr(dedupe, n)) for n in ('scan', 'align', 'near_duplicates'))"
    assert "dedupe" in _modules_after(code + checks)
    assert callable(dedupe.scan) and callable(dedupe.align) and callable(dedupe.near_duplicates)
