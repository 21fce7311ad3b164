from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import dedupe

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed_id(prefix: str) -> str:
    """The file name of the seed whose name starts with `prefix` (e.g. "001")."""
    return next(p.name for p in SEEDS.iterdir() if p.name.startswith(prefix))


@pytest.fixture(scope="session")
def seed_scan() -> dedupe.ScanResult:
    return dedupe.scan([SEEDS])


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target
