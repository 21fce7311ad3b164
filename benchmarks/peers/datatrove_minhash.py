"""datatrove: its four-stage MinHash dedup (signatures, buckets, clusters) on local JSONL, offline.

The corpus is split into one JSONL shard per worker (datatrove parallelises over files; the split is timed as
the `shard` stage), then: MinhashDedupSignature (tasks = shards), MinhashDedupBuckets (one task per band),
MinhashDedupCluster with cluster ids saved. datatrove reports clusters (documents linked by a shared band, no
Jaccard check), so the pairs are all pairs inside each cluster. Settings: 128 permutations banded like
datasketch (bands x rows hashes), word 5-grams, 64-bit xxhash, and the tool's closest tokens to ours: a `\\w+`
word tokenizer (its default English tokenizer needs NLTK data, which cannot be downloaded here) and text
normalisation with `norm_numbers=False` (its default turns every number into 0, which would merge "25 cts" and
"10 cts" reports that the truth keeps apart).
"""

from __future__ import annotations

import re
import struct
import tempfile
from importlib.metadata import version
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.utils.text import TextNormConfig
from datatrove.utils.word_tokenizers import WordTokenizer

from protocol import Stages, lsh_params, pairs_from_clusters, parse_args, report

_WORD = re.compile(r"\w+")


class WordRunTokenizer(WordTokenizer):
    """Words are `\\w+` runs, as in the benchmark truth."""

    def word_tokenize(self, text: str) -> list[str]:
        return _WORD.findall(text)

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]


def shard(corpus: Path, folder: Path, n: int) -> list[int]:
    """Split the corpus into n contiguous JSONL files; return the first document id of each."""
    lines = corpus.read_bytes().splitlines(keepends=True)
    size = -(-len(lines) // n)
    folder.mkdir(parents=True)
    starts = []
    for k in range(n):
        starts.append(k * size)
        (folder / f"{k:03d}.jsonl").write_bytes(b"".join(lines[k * size : (k + 1) * size]))
    return starts


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    bands, rows = lsh_params(args.threshold, args.num_perm)
    config = MinhashConfig(
        n_grams=args.ngram, num_buckets=bands, hashes_per_bucket=rows,
        norm_config=TextNormConfig(norm_numbers=False),
    )  # fmt: skip
    stages = Stages()
    with tempfile.TemporaryDirectory(prefix="datatrove-") as tmp:
        work = Path(tmp)
        with stages("shard"):
            starts = shard(args.corpus, work / "input", args.workers)

        def run(name: str, pipeline: list, tasks: int) -> None:
            executor = LocalPipelineExecutor(
                pipeline=pipeline, tasks=tasks, workers=min(tasks, args.workers),
                logging_dir=str(work / "logs" / name), skip_completed=False,
            )  # fmt: skip
            with stages(name):
                executor.run()

        reader = JsonlReader(str(work / "input"), text_key="text", id_key="id", glob_pattern="*.jsonl")
        signature = MinhashDedupSignature(str(work / "sigs"), config=config, language=WordRunTokenizer("en"))
        run("signatures", [reader, signature], args.workers)
        run("buckets", [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)], bands)
        cluster = MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=config, save_cluster_id=True)
        run("clusters", [cluster], 1)
        labels: dict[int, int] = {}
        with stages("read_clusters"):
            for path in sorted((work / "remove").glob("*.clusters")):
                start = starts[int(path.name.split(".")[0])]
                for doc, cluster_id in struct.iter_unpack("<II", path.read_bytes()):
                    labels[start + doc] = cluster_id
        pairs = list(pairs_from_clusters(labels))
    report(
        args,
        "datatrove",
        version("datatrove"),
        pairs,
        stages,
        {"bands": bands, "rows": rows, "hash": "xxhash64"},
    )


if __name__ == "__main__":
    main()
