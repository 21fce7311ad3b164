"""datasketch: MinHash + MinHashLSH, candidates checked with the MinHash Jaccard estimate.

Variants (--variant):
- `naive`: the usual loop, one `MinHash.update` call per shingle, one `MinHashLSH.insert` per document;
- `bulk`:  the fastest path the library documents: `MinHash.bulk` (one shared permutation state, a vectorised
  batch per document) and an `insertion_session`.
Both query every document and keep the candidates j > i whose estimated Jaccard reaches the threshold. Default
hash (SHA-1, 32 bits), seed 1, the bands datasketch picks itself for (threshold, num_perm).
"""

from __future__ import annotations

from importlib.metadata import version

from datasketch import MinHash, MinHashLSH

from protocol import Stages, parse_args, read_texts, report, shingle_strings


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    stages = Stages()
    with stages("read"):
        texts = read_texts(args.corpus)
    with stages("shingle"):
        shingles = [[s.encode("utf-8") for s in shingle_strings(t, args.ngram)] for t in texts]
    with stages("minhash"):
        if args.variant == "bulk":
            minhashes = MinHash.bulk(shingles, num_perm=args.num_perm)
        else:
            minhashes = []
            for doc in shingles:
                m = MinHash(num_perm=args.num_perm)
                for s in doc:
                    m.update(s)
                minhashes.append(m)
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    with stages("index"):
        if args.variant == "bulk":
            with lsh.insertion_session() as session:
                for i, m in enumerate(minhashes):
                    session.insert(i, m, check_duplication=False)
        else:
            for i, m in enumerate(minhashes):
                lsh.insert(i, m)
    pairs: list[tuple[int, int]] = []
    with stages("query_verify"):
        for i, m in enumerate(minhashes):
            for j in lsh.query(m):
                if j > i and m.jaccard(minhashes[j]) >= args.threshold:
                    pairs.append((i, j))
    b, r = lsh.b, lsh.r
    report(
        args,
        f"datasketch-{args.variant or 'naive'}",
        version("datasketch"),
        pairs,
        stages,
        {"bands": b, "rows": r},
    )


if __name__ == "__main__":
    main()
