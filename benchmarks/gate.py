"""Ingestion-gate benchmark: build an index, then replay a stream check-then-add, for dedupe and its peers.

    python benchmarks/gate.py --articles 100000 --stream 5000

Each system runs in its own process (so peak memory is its own): dedupe on SQLite and on Redis, datasketch's
MinHashLSH in memory and on Redis storage, gaoya's MinHashStringIndex in memory. The peers run in the interpreter
given by --peers-python (a venv with `datasketch gaoya redis numpy`; dedupe is not needed there). A redis-server is
started on a free loopback port in a temporary directory (appendonly yes, appendfsync everysec) and stopped at the
end. Rows go to benchmarks/out/gate-<time>.jsonl and a Markdown table to stdout.

dedupe builds with its bulk load (`Index.add_many`, one durable batch per 10,000 articles) and compacts the index
(counted in the build); then one uncounted check loads the check's compiled kernels, the collector's start-up
objects are frozen (as `dedupe gate` does), and the stream runs one article at a time, check-then-add. Peak memory
is given for the build and the stream apart.

Corpus (read from ../shared/data/reuters-21578, never copied into the repo): the 19,043 non-empty Reuters bodies as
they are, then for article i >= 19,043 body i mod 19,043 with every alphabetic word replaced, with probability 0.5,
by a word drawn from the corpus vocabulary (random.Random(i)): real sentence and word statistics, unrelated
articles. The stream of further articles: 5% exact copies of an indexed article, 5% near copies (5% of words
replaced), 5% new articles with two sentences of an indexed article appended (partial reuse), 85% new.
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext, suppress
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "reuters-21578"
WORD = re.compile(r"[A-Za-z]+")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
SYSTEMS = ("dedupe-sqlite", "dedupe-redis", "datasketch", "datasketch-redis", "gaoya")
PEERS = ("datasketch", "datasketch-redis", "gaoya")
RECIPE = (
    "reuters-21578 bodies, then 50% of words swapped from the vocabulary (seeded by article number); stream: "
    "5% exact copies, 5% near copies (5% words swapped), 5% two-sentence reuse, 85% new"
)


def bodies() -> list[str]:
    found = []
    for path in sorted(DATA.glob("reut2-*.sgm")):
        text = path.read_text(encoding="latin-1")
        for match in re.finditer(r"<BODY>(.*?)</BODY>", text, re.S):
            body = html.unescape(match.group(1)).replace("\x03", "").strip()
            if body:
                found.append(body)
    return found


def swap_words(text: str, rate: float, rng: random.Random, vocabulary: list[str]) -> str:
    return WORD.sub(lambda m: rng.choice(vocabulary) if rng.random() < rate else m.group(0), text)


def corpus(articles: int, stream: int) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """`articles` indexed (id, text) and `stream` further (id, text, intended kind)."""
    base = bodies()
    vocabulary = sorted({w for b in base for w in WORD.findall(b)})

    def variant(i: int) -> str:
        if i < len(base):
            return base[i]
        return swap_words(base[i % len(base)], 0.5, random.Random(i), vocabulary)

    indexed = [(f"a{i}", variant(i)) for i in range(articles)]
    rng = random.Random(2026)
    further: list[tuple[str, str, str]] = []
    for j in range(stream):
        source = indexed[rng.randrange(articles)][1]
        kind = ("exact", "near", "reuse", "new")[min(j % 20, 3)]
        if kind == "exact":
            text = source
        elif kind == "near":
            text = swap_words(source, 0.05, random.Random(-j), vocabulary)
        else:
            text = variant(articles + j)
            if kind == "reuse":
                sentences = [s for s in SENTENCE.split(source) if len(s.split()) >= 8]
                text = text + "\n" + " ".join(sentences[:2]) if sentences else text
        further.append((f"s{j}", text, kind))
    return indexed, further


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3, 3)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1e3, 3)}


def start_stream() -> None:
    """Between the build and the stream, as `dedupe gate` and `dedupe serve` do after start-up (cli._long_running):
    the objects alive now (modules, the corpus) never die, so `gc.freeze()` moves them out of the collector's reach.
    Then the peak-memory mark is reset, so the stream's own peak can be read apart from the build's (Linux)."""
    gc.freeze()
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_mb() -> dict[str, float]:
    """The process's peak resident memory since the last `start_stream` (VmHWM), and what is resident now: anonymous
    (heap: the corpus, caches) and file-backed (memory-mapped runs and database pages, given back under memory
    pressure). Empty off Linux."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    fields = dict(re.findall(r"^(VmHWM|RssAnon|RssFile):\s+(\d+) kB", status, re.M))
    return {
        name: round(int(fields[field]) / 1024, 1)
        for name, field in (("peak", "VmHWM"), ("anon", "RssAnon"), ("file", "RssFile"))
    }


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- the systems -------------------------------------------------------------------------------------------------


class DedupeSystem:
    """dedupe's gate: the full verdict (document AND passage level, verified, ranked)."""

    def __init__(self, location: str) -> None:
        from dedupe.gate import Index

        self.index = Index.open(location)
        self.location = location

    def build(self, articles: list[tuple[str, str]]) -> None:
        from dedupe.models import Article

        # The bulk load (`Index.add_many`, as `dedupe index add` does): batches of 10,000, one durable commit each.
        self.index.add_many(Article(doc_id, text) for doc_id, text in articles)

    def finish(self) -> None:
        """After the build, as a load in slices ends: `dedupe index compact` (each slice added less than the index
        held, so `add_many` left it as its merges had; one load compacts by itself). Older code has no compaction."""
        if hasattr(self.index, "compact"):
            self.index.compact()

    def warm_up(self, text: str) -> None:
        """Before the clock starts, as `dedupe gate` does: `Index.warm` loads the check's compiled kernels (cached on
        disk); code older than it checks one article, not counted, instead."""
        from dedupe.models import Article

        if hasattr(self.index, "warm"):
            self.index.warm()
        else:
            self.index.check(Article("warm-up", text))

    def step(self, doc_id: str, text: str) -> str:
        """Check-then-add as one atomic call (`check_and_add`, policy new): the entry is computed once."""
        from dedupe.models import Article

        return self.index.check_and_add(Article(doc_id, text)).verdict

    def group(self) -> AbstractContextManager:
        # One durable commit per group of --commit-every articles (1: every add is its own durable commit).
        return self.index.batch()

    def size(self) -> int:
        if self.location.startswith("redis://"):
            return int(self.index.stats()["bytes"])
        return directory_bytes(Path(self.location))


def shingles(text: str) -> list[bytes]:
    words = [w.lower() for w in re.findall(r"\w+", text)]
    if len(words) < 5:
        return [" ".join(words).encode()]
    return [" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)]


class DatasketchSystem:
    """datasketch MinHashLSH, document level only, word 5-grams, 128 permutations, threshold 0.8."""

    def __init__(self, redis_port: int | None) -> None:
        from datasketch import MinHash, MinHashLSH

        self.minhash = MinHash
        storage = None
        if redis_port is not None:
            storage = {
                "type": "redis",
                "basename": b"bench-datasketch",
                "redis": {"host": "127.0.0.1", "port": redis_port},
            }
        self.lsh = (
            MinHashLSH(threshold=0.8, num_perm=128, storage_config=storage)
            if storage
            else MinHashLSH(threshold=0.8, num_perm=128)
        )
        self.redis_port = redis_port

    def signature(self, text: str):
        m = self.minhash(num_perm=128)
        m.update_batch(shingles(text))
        return m

    def build(self, articles: list[tuple[str, str]]) -> None:
        with self.lsh.insertion_session(buffer_size=5000) as session:
            for doc_id, text in articles:
                session.insert(doc_id, self.signature(text))

    def step(self, doc_id: str, text: str) -> str:
        m = self.signature(text)
        if self.lsh.query(m):
            return "near-duplicate"
        self.lsh.insert(doc_id, m)
        return "new"

    def group(self) -> AbstractContextManager:
        return nullcontext()

    def size(self) -> int:
        if self.redis_port is None:
            return 0
        import redis

        return int(redis.Redis(port=self.redis_port).info("memory")["used_memory"])


class GaoyaSystem:
    """gaoya MinHashStringIndex in memory, the same banding as datasketch for 0.8 and 128 permutations."""

    def __init__(self) -> None:
        from datasketch.lsh import _optimal_param
        from gaoya.minhash import MinHashStringIndex

        bands, rows = _optimal_param(0.8, 128, 0.5, 0.5)
        self.index = MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=0.8,
            num_bands=bands,
            band_size=rows,
            analyzer="word",
            lowercase=True,
            ngram_range=(5, 5),
        )

    @staticmethod
    def number(doc_id: str) -> int:
        # gaoya ids are integers: indexed "a<i>" -> i, stream "s<j>" -> -1 - j.
        return int(doc_id[1:]) if doc_id[0] == "a" else -1 - int(doc_id[1:])

    def build(self, articles: list[tuple[str, str]]) -> None:
        for doc_id, text in articles:
            self.index.insert_document(self.number(doc_id), text)

    def step(self, doc_id: str, text: str) -> str:
        if self.index.query(text):
            return "near-duplicate"
        self.index.insert_document(self.number(doc_id), text)
        return "new"

    def group(self) -> AbstractContextManager:
        return nullcontext()

    def size(self) -> int:
        return 0


def replay(system, items: list[tuple[str, str, str]], commit_every: int) -> tuple[list[float], dict[str, int]]:
    """Check-then-add, one article at a time, in groups of `commit_every`: each step's latency (the check and, for a
    new article, its add; not the group's commit, which the stream rate includes) and the verdict counts. As `dedupe
    gate` does, a group of one is no group: its check runs outside the write lock and only its add takes it (a group
    holds the lock from its first check, so workers with a commit per article would otherwise take turns)."""
    latencies: list[float] = []
    verdicts: dict[str, int] = {}
    for first in range(0, len(items), commit_every):
        with system.group() if commit_every > 1 else nullcontext():
            for doc_id, text, _kind in items[first : first + commit_every]:
                start = time.perf_counter()
                verdict = system.step(doc_id, text)
                latencies.append(time.perf_counter() - start)
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
    return latencies, verdicts


def _stream_worker(location: str, items: list[tuple[str, str, str]], commit_every: int, start_at: float) -> tuple:
    """One of several workers replaying its share of the stream against one index (`--workers`, `--apart`): it opens
    the index, waits for the common start, and returns its step latencies, verdicts, finishing time and memory."""

    system = DedupeSystem(location)
    system.warm_up(items[0][1])
    gc.freeze()  # as `dedupe gate` does after start-up
    time.sleep(max(0.0, start_at - time.time()))
    latencies, verdicts = replay(system, items, commit_every)
    return latencies, verdicts, time.time(), memory_mb()


def _stream_in_workers(location: str, further: list, commit_every: int, workers: int) -> tuple:
    """The stream split round-robin over `workers` processes on one index: latencies and verdicts of all, and the
    seconds from the common start to the last worker's end."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    # Spawned, not forked: the parent holds a database connection and numba's threads. Each worker imports dedupe
    # (about 2 s) before the common start.
    start_at = time.time() + 15.0
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_stream_worker, location, further[w::workers], commit_every, start_at) for w in range(workers)
        ]
        results = [f.result() for f in futures]
    latencies = [value for result in results for value in result[0]]
    verdicts: dict[str, int] = {}
    for result in results:
        for verdict, count in result[1].items():
            verdicts[verdict] = verdicts.get(verdict, 0) + count
    return latencies, verdicts, max(r[2] for r in results) - start_at, max((r[3] for r in results), key=_peak)


def _peak(memory: dict[str, float]) -> float:
    return memory.get("peak", 0.0)


def run_system(
    name: str,
    articles: int,
    stream: int,
    commit_every: int,
    redis_port: int | None,
    workdir: Path,
    workers: int = 1,
    apart: bool = False,
) -> dict:
    indexed, further = corpus(articles, stream)
    if name == "dedupe-sqlite":
        system = DedupeSystem(str(workdir / "index"))
    elif name == "dedupe-redis":
        system = DedupeSystem(f"redis://127.0.0.1:{redis_port}/0#bench-{articles}")
    elif name in ("datasketch", "datasketch-redis"):
        system = DatasketchSystem(redis_port if name == "datasketch-redis" else None)
    else:
        system = GaoyaSystem()

    # Built in slices of 10,000, so the build rate can be read against the index size (a flat curve scales).
    curve: list[tuple[int, float]] = []
    build_seconds = 0.0
    for first in range(0, len(indexed), 10_000):
        clock = time.perf_counter()
        system.build(indexed[first : first + 10_000])
        seconds = time.perf_counter() - clock
        build_seconds += seconds
        done = min(first + 10_000, len(indexed))
        curve.append((done, round((done - first) / seconds, 1)))
        print(f"{name}: {done} indexed, {curve[-1][1]} articles/s", file=sys.stderr, flush=True)

    clock = time.perf_counter()
    if isinstance(system, DedupeSystem):
        system.finish()
    if name.endswith("-redis"):
        settle_redis(redis_port)
    build_seconds += time.perf_counter() - clock
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if isinstance(system, DedupeSystem):
        system.warm_up(further[0][1])
    start_stream()
    if workers > 1 or apart:
        assert isinstance(system, DedupeSystem), "--workers and --apart apply to dedupe's shared indexes only"
        latencies, verdicts, stream_seconds, stream_memory = _stream_in_workers(
            system.location, further, commit_every, workers
        )
    else:
        clock = time.perf_counter()
        latencies, verdicts = replay(system, further, commit_every)
        stream_seconds = time.perf_counter() - clock
        stream_memory = memory_mb()
    worker_rss = _peak(stream_memory)
    return {
        "system": name,
        "articles": articles,
        "stream": stream,
        "workers": workers,
        "apart": workers > 1 or apart,
        "commit_every": commit_every,
        "build_articles_per_s": round(articles / build_seconds, 1),
        "build_s": round(build_seconds, 1),
        "build_curve": curve,
        **percentiles(latencies),
        "stream_articles_per_s": round(stream / stream_seconds, 1),
        "index_bytes": system.size(),
        # ru_maxrss follows the mark `start_stream` reset, so the build's peak is kept from before.
        "peak_rss_mb": round(max(build_rss, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, worker_rss), 1),
        # The build's peak (corpus, batches, merges through memory maps) and the stream's alone: in this process
        # (holding the corpus, and what the build left resident), or with --workers/--apart the largest worker's,
        # a fresh process holding only its share of the stream; with what it held resident at the end.
        "build_peak_rss_mb": round(build_rss, 1),
        "stream_peak_rss_mb": round(worker_rss, 1),
        "stream_memory_mb": stream_memory,
        "verdicts": verdicts,
    }


# --- orchestration -----------------------------------------------------------------------------------------------


def settle_redis(port: int | None) -> None:
    """Wait for a log rewrite the build set off, if one is still running (Redis rewrites its append-only file in a
    forked child each time the file has doubled: three times while 20,000 articles are added, none left running at
    the end): counted in the build, as SQLite's compaction is, rather than run beside the stream on the same two
    cores."""
    import redis

    client = redis.Redis(port=port)
    clock = time.perf_counter()
    while True:
        persistence = client.info("persistence")
        if not (persistence.get("aof_rewrite_in_progress") or persistence.get("aof_rewrite_scheduled")):
            break
        time.sleep(0.1)
    print(f"redis: {time.perf_counter() - clock:.1f} s waiting for its log rewrite", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(directory: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
        ],
        stdout=subprocess.DEVNULL,
    )
    import redis

    for _ in range(100):
        try:
            redis.Redis(port=port).ping()
            return server, port
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--stream", type=int, default=5_000)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument(
        "--commit-every", type=int, default=1, help="dedupe stream: one durable commit per N check-and-adds"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="dedupe systems: replay the stream from this many processes at once"
    )
    parser.add_argument(
        "--apart",
        action="store_true",
        help="dedupe systems: replay the stream in a fresh process even with one worker (its memory is a worker's own)",
    )
    parser.add_argument("--peers-python", default=str(HERE / ".venvs" / "peers" / "bin" / "python"))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--redis-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.run:
        row = run_system(
            args.run,
            args.articles,
            args.stream,
            args.commit_every,
            args.redis_port,
            Path(args.workdir),
            args.workers,
            args.apart,
        )
        print(json.dumps(row))
        return

    out = HERE / "out"
    out.mkdir(exist_ok=True)
    target = out / f"gate-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    command = "python benchmarks/gate.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory(prefix="gate-bench-") as temp:
        server, port = start_redis(Path(temp))
        try:
            for name in args.systems.split(","):
                workdir = Path(temp) / name
                workdir.mkdir()
                python = args.peers_python if name in PEERS else sys.executable
                import redis

                redis.Redis(port=port).flushall()  # each system's Redis memory is its own
                load = os.getloadavg()[0]
                result = subprocess.run(
                    [
                        python,
                        __file__,
                        "--run",
                        name,
                        "--articles",
                        str(args.articles),
                        "--stream",
                        str(args.stream),
                        "--commit-every",
                        str(args.commit_every),
                        "--workers",
                        str(args.workers if name.startswith("dedupe") else 1),
                        *(["--apart"] if args.apart and name.startswith("dedupe") else []),
                        "--redis-port",
                        str(port),
                        "--workdir",
                        str(workdir),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    print(f"{name} failed:\n{result.stderr}", file=sys.stderr)
                    continue
                row = json.loads(result.stdout.strip().splitlines()[-1])
                row.update(
                    command=command,
                    corpus=RECIPE,
                    load_before=round(load, 2),
                    load_after=round(os.getloadavg()[0], 2),
                    config=_dedupe_identity() if name.startswith("dedupe") else "w5-p128-t0.80 document level",
                )
                with target.open("a") as handle:
                    handle.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
                shutil.rmtree(workdir, ignore_errors=True)
        finally:
            server.terminate()
            server.wait()
    print(f"rows: {target}", file=sys.stderr)


def _dedupe_identity() -> str:
    """The identity of the default settings the dedupe systems ran with."""
    from dedupe.config import ScanConfig

    return ScanConfig().identity


if __name__ == "__main__":
    main()
