"""gaoya: MinHashStringIndex (Rust, multi-threaded bulk insert and bulk query).

Variants (--variant):
- `native`:   gaoya's own Rust analyzer, word 5-grams of the lower-cased text split on whitespace (its closest
  to ours; punctuation stays attached to words), both cores through `par_bulk_insert_docs` / `par_bulk_query`;
- `shingles`: our shingles (lower-cased `\\w+` 5-grams) passed as tokens, so the similarity is exactly the
  truth's; tokenising runs in Python and gaoya inserts them single-threaded (`bulk_insert_tokens`).
`query` returns the documents whose MinHash estimate reaches the threshold, so no extra check is needed. Same
bands as datasketch; 32-bit hashes; "vec" buckets (no removals).
"""

from __future__ import annotations

from importlib.metadata import version

from gaoya.minhash import MinHashStringIndex

from protocol import Stages, lsh_params, parse_args, read_texts, report, shingle_strings


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    variant = args.variant or "native"
    bands, rows = lsh_params(args.threshold, args.num_perm)
    stages = Stages()
    with stages("read"):
        texts = read_texts(args.corpus)
    ids = list(range(len(texts)))
    if variant == "shingles":
        index = MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=args.threshold,
            num_bands=bands,
            band_size=rows,
            analyzer=lambda text: shingle_strings(text, args.ngram),
            id_container="vec",
        )
    else:
        index = MinHashStringIndex(
            hash_size=32,
            jaccard_threshold=args.threshold,
            num_bands=bands,
            band_size=rows,
            analyzer="word",
            lowercase=True,
            ngram_range=(args.ngram, args.ngram),
            id_container="vec",
        )
    with stages("insert"):
        index.par_bulk_insert_docs(ids, texts)
    with stages("query"):
        found = index.par_bulk_query(texts)
    pairs = [(i, j) for i, similar in enumerate(found) for j in similar if j > i]
    report(args, f"gaoya-{variant}", version("gaoya"), pairs, stages, {"bands": bands, "rows": rows})


if __name__ == "__main__":
    main()
