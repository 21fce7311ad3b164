"""`dedupe serve`: the HTTP API through FastAPI's test client, and one real uvicorn on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dedupe.gate import Index
from dedupe.service import create_app
from tests.conftest import SEEDS, seed_id

ROOT = Path(__file__).resolve().parent.parent


def seed(prefix: str) -> dict[str, str]:
    return {"id": seed_id(prefix), "text": (SEEDS / seed_id(prefix)).read_text(encoding="utf-8")}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with Index.open(tmp_path / "index") as index:
        yield TestClient(create_app(index, max_bytes=64_000))


def test_check_add_and_check_and_add(client: TestClient):
    assert client.post("/check", json=seed("001")).json()["verdict"] == "new"
    assert client.post("/add", json=seed("001")).status_code == 201
    verdict = client.post("/check", json=seed("002")).json()
    assert verdict["verdict"] == "near-duplicate" and verdict["original"] == seed_id("001")
    added = client.post("/check-and-add", params={"policy": "reuse"}, json=seed("003")).json()
    assert added["verdict"] == "new" and added["added"] is True
    assert client.get("/stats").json()["articles"] == 2
    assert client.get("/health").json() == {"status": "ok"}


def test_clear_4xx_errors(client: TestClient):
    client.post("/add", json=seed("000"))
    assert client.post("/add", json=seed("000")).status_code == 409
    assert client.delete("/articles/nope").json() == {"detail": 'article "nope" is not in the index'}
    assert client.delete(f"/articles/{seed_id('000')}").json() == {"id": seed_id("000"), "removed": True}
    missing = client.post("/check", json={"id": "x"})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "text"]
    assert client.post("/check", content=b"{oops", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/check", json={"id": "x", "text": "   "}).status_code == 422
    assert client.post("/check-and-add", params={"policy": "some"}, json=seed("001")).status_code == 422
    huge = client.post("/check", json={"id": "big", "text": "word " * 20_000})
    assert huge.status_code == 413 and huge.json() == {"detail": "request body over 64000 bytes"}


def test_openapi_documents_every_operation(client: TestClient):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/check", "/add", "/check-and-add", "/articles/{article_id}", "/health", "/stats"} <= set(paths)


def test_a_real_server_on_loopback(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "dedupe", "serve", "--index", str(tmp_path / "index"), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("dedupe serve did not answer /health within 30 seconds")
        assert httpx.post(f"{base}/check-and-add", json=seed("001")).json()["verdict"] == "new"
        assert httpx.post(f"{base}/check", json=seed("001")).json()["verdict"] == "exact-duplicate"
    finally:
        server.terminate()
        server.wait(timeout=10)
