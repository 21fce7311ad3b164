from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import dedupe
from dedupe.fingerprint import STAND_INS

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# Every character plain text holds (`fingerprint.plain_form`): printable ASCII, tabs and line breaks, and the news
# punctuation that has an ASCII stand-in.
PLAIN_CHARACTERS = [chr(code) for code in range(0x20, 0x7F)] + ["\t", "\n", "\r"] + [chr(code) for code in STAND_INS]


def seed_id(prefix: str) -> str:
    """The file name of the seed whose name starts with `prefix` (e.g. "001")."""
    return next(p.name for p in SEEDS.iterdir() if p.name.startswith(prefix))


def load_benchmark(name: str) -> ModuleType:
    """A benchmark script as a module (benchmarks/ is no package the tests import), so its helpers can be tested."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="session")
def seed_scan() -> dedupe.ScanResult:
    return dedupe.scan([SEEDS])


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port in a temporary directory, stopped after the session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; .ci/run installs it)")
    import redis

    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.025)
        else:
            pytest.fail("redis-server did not answer within 5 seconds")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_url(redis_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh index name on the session's server for each test."""
    return f"{redis_server}#t-{uuid.uuid4().hex}"
