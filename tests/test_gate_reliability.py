"""What the gate promises under failure and contention: acknowledged adds survive SIGKILL, and concurrent workers
never both accept copies of one article (embedded index and Redis)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dedupe.gate import Index
from dedupe.models import Article

ROOT = Path(__file__).resolve().parent.parent
# Articles of random words from a private vocabulary: unrelated to each other, so each is `new` once.
_VOCABULARY = [f"w{n}x" for n in range(5000)]


def synthetic(number: int, words: int = 60) -> str:
    rng = random.Random(number)
    sentences = [" ".join(rng.choice(_VOCABULARY) for _ in range(12)) + "." for _ in range(words // 12)]
    return " ".join(sentences)


def printed_until_killed(script: str, args: list[str], kill_after: float) -> list[str]:
    """The lines a `python -c script args` process printed before SIGKILL, sent `kill_after` seconds after its first
    line (imports take a variable time on a loaded machine, so the clock starts once it is working)."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    first = process.stdout.readline()  # type: ignore[union-attr]
    time.sleep(kill_after)
    os.kill(process.pid, signal.SIGKILL)
    output, _ = process.communicate()
    return (first + output).split()


_WRITER = """
import sys
from dedupe.gate import Index
from dedupe.models import Article
from tests.test_gate_reliability import synthetic
index = Index.open(sys.argv[1], run_articles=int(sys.argv[3]))
for number in range(int(sys.argv[2]), 10**6):
    if index.add(Article(f"a{number}", synthetic(number))):
        print(number, flush=True)  # acknowledged: add() returned after its durable commit
"""


# 4096 (the default): every kill lands between adds to the band tables; 2: runs are written and merged after every
# other add, so kills land in those too.
@pytest.mark.parametrize("run_articles", [4096, 2])
def test_acknowledged_adds_survive_sigkill(tmp_path: Path, run_articles: int):
    location = str(tmp_path / "index")
    acknowledged: list[int] = []
    rng = random.Random(8)
    for _ in range(3):
        start = acknowledged[-1] + 1 if acknowledged else 0
        # Killed at a random point once it is adding.
        printed = printed_until_killed(_WRITER, [location, str(start), str(run_articles)], rng.uniform(0.0, 0.5))
        acknowledged += [int(line) for line in printed]
        with Index.open(location, run_articles=run_articles) as index:
            assert index.stats()["articles"] >= len(acknowledged)
            for number in acknowledged:
                assert index.check(Article("probe", synthetic(number))).verdict == "exact-duplicate", number
    assert len(acknowledged) > 4, "the writer never got going: the test proved nothing"


_WORKER = """
import json, sys
from dedupe.gate import Index
from dedupe.models import Article
from tests.test_gate_reliability import synthetic
worker, location, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
index = Index.open(location, run_articles=2)  # runs written and merged while the workers race
verdicts = {}
for number in range(count):
    verdict = index.check_and_add(Article(f"{worker}-{number}", synthetic(number)))
    verdicts[number] = verdict.verdict
print(json.dumps(verdicts))
"""


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_concurrent_workers_never_both_accept_one_article(backend: str, tmp_path: Path, request):
    location = str(tmp_path / "index") if backend == "sqlite" else request.getfixturevalue("redis_url")
    Index.open(location).close()
    workers, count = 3, 8
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, f"w{w}", location, str(count)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for w in range(workers)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    for number in range(count):
        verdicts = sorted(r[str(number)] for r in results)
        assert verdicts == ["exact-duplicate"] * (workers - 1) + ["new"], (number, verdicts)
    with Index.open(location) as index:
        assert index.stats()["articles"] == count
