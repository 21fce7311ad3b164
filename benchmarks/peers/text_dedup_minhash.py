"""text-dedup (PyPI release): its `text_dedup.minhash` command on the local corpus, offline.

The corpus JSONL is loaded with the `datasets` "json" builder (no hub access: HF_DATASETS_OFFLINE=1 and
HF_HUB_OFFLINE=1 are set by this runner). The command is called in-process so that its union-find, a
module-level global, can be read after it returns: text-dedup reports clusters (documents linked by any shared
LSH band, without a Jaccard check), so the pairs are all pairs inside each cluster. Settings: 128
permutations, word 5-grams (its tokens: the lower-cased text split on `\\W`), the same bands as datasketch,
xxh3 hashing (its faster choice), min_length 0 (keep short documents), one process per core.
"""

from __future__ import annotations

import os
import tempfile
from importlib.metadata import version

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from text_dedup import minhash

from protocol import Stages, lsh_params, pairs_from_clusters, parse_args, report


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    bands, rows = lsh_params(args.threshold, args.num_perm)
    stages = Stages()
    with tempfile.TemporaryDirectory(prefix="text-dedup-") as work:
        command = [
            "--path", "json", "--data_files", str(args.corpus), "--split", "train",
            "--cache_dir", os.path.join(work, "cache"), "--output", os.path.join(work, "output"),
            "--column", "text", "--num_perm", str(args.num_perm), "--ngram", str(args.ngram),
            "--threshold", str(args.threshold), "--b", str(bands), "--r", str(rows),
            "--min_length", "0", "--hash_func", "xxh3", "--num_proc", str(args.workers),
        ]  # fmt: skip
        with stages("text_dedup_minhash"):
            minhash.main(command, standalone_mode=False)
        with stages("clusters"):
            labels = {doc: minhash.uf.find(doc) for doc in list(minhash.uf.parent)}
        pairs = list(pairs_from_clusters(labels))
    report(
        args,
        "text-dedup",
        version("text-dedup"),
        pairs,
        stages,
        {"bands": bands, "rows": rows, "hash": "xxh3"},
    )


if __name__ == "__main__":
    main()
