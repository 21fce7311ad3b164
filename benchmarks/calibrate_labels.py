"""Calibrate the alignment's sentence-level thresholds on MSRP (Dolan & Brockett 2005).

    python benchmarks/calibrate_labels.py ../shared/data/msrp/msr_paraphrase_train.txt

1. `min_similarity` (term-set Dice, `dedupe.align.term_similarity`): how well it separates the 2,753 pairs judged
   paraphrases (`rewritten` when aligned) from (a) the 1,323 pairs of related news sentences judged no paraphrase
   and (b) 4,076 unrelated pairs (each first sentence with the second sentence of another, shuffled pair).
2. `edited_similarity` (word-level Indel similarity): small edits of a sentence (one or two words dropped,
   replaced or doubled, a spelling variant, a changed number, punctuation) against MSRP paraphrases
   (rewordings). The edits are generated with a fixed seed; the threshold with the best accuracy is reported.

Prints the accuracy at every threshold near the best and the defaults of `AlignConfig`.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from rapidfuzz.distance import Indel

from dedupe import AlignConfig
from dedupe.align import STEM, STOPWORDS, term_similarity
from dedupe.normalize import words

_SPELLING = {"center": "centre", "color": "colour", "organization": "organisation", "program": "programme"}


def terms(sentence: str) -> frozenset[str]:
    return frozenset(w[:STEM] for w in words(sentence) if w not in STOPWORDS)


def read_msrp(path: Path) -> list[tuple[int, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]:
        quality, _, _, first, second = line.split("\t")
        rows.append((int(quality), first, second))
    return rows


def small_edit(sentence: str, rng: random.Random) -> list[str]:
    """One to two small edits of the kind an editor or a wire desk makes."""
    tokens = sentence.split()
    for _ in range(rng.randint(1, 2)):
        kind = rng.choice(["drop", "replace", "spelling", "number", "punctuation", "double"])
        k = rng.randrange(len(tokens))
        if kind == "drop" and len(tokens) > 4:
            del tokens[k]
        elif kind == "replace":
            tokens[k] = rng.choice(["new", "local", "also", "then", "reportedly", "officials"])
        elif kind == "spelling":
            tokens = [_SPELLING.get(t.lower(), t) for t in tokens]
        elif kind == "number":
            tokens[k] = str(rng.randint(2, 99)) if any(c.isdigit() for c in tokens[k]) else tokens[k]
        elif kind == "punctuation":
            tokens[k] = tokens[k].rstrip(",.;") + rng.choice([",", ";", ""])
        else:
            tokens.insert(k, tokens[k])
    return words(" ".join(tokens))


def best_threshold(positive: list[float], negative: list[float]) -> tuple[float, float]:
    """(accuracy, threshold) of `score >= threshold` means positive, best over thresholds 0.00..1.00."""
    results = []
    for step in range(101):
        t = step / 100
        correct = sum(p >= t for p in positive) + sum(n < t for n in negative)
        results.append((correct / (len(positive) + len(negative)), t))
    return max(results)


def accuracy(positive: list[float], negative: list[float], t: float) -> float:
    return (sum(p >= t for p in positive) + sum(n < t for n in negative)) / (len(positive) + len(negative))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("msrp", type=Path, help="msr_paraphrase_train.txt")
    args = parser.parse_args()
    rows = read_msrp(args.msrp)
    rng = random.Random(13)
    config = AlignConfig()

    paraphrase = [term_similarity(terms(a), terms(b)) for q, a, b in rows if q == 1]
    related = [term_similarity(terms(a), terms(b)) for q, a, b in rows if q == 0]
    seconds = [b for _, _, b in rows]
    rng.shuffle(seconds)
    unrelated = [term_similarity(terms(a), terms(b)) for (_, a, _), b in zip(rows, seconds, strict=True)]
    print(f"MSRP train: {len(paraphrase)} paraphrase pairs, {len(related)} related non-paraphrase pairs")
    acc, t = best_threshold(paraphrase, related)
    print(f"term Dice, paraphrase vs related:   best accuracy {acc:.4f} at {t:.2f}")
    acc, t = best_threshold(paraphrase, unrelated)
    print(f"term Dice, paraphrase vs unrelated: best accuracy {acc:.4f} at {t:.2f}")
    acc, t = best_threshold(paraphrase, related + unrelated)
    print(f"term Dice, paraphrase vs related + unrelated: best accuracy {acc:.4f} at {t:.2f}")
    m = config.min_similarity
    print(
        f"at min_similarity={m:.2f}: paraphrase vs related {accuracy(paraphrase, related, m):.4f}, "
        f"vs unrelated {accuracy(paraphrase, unrelated, m):.4f}, "
        f"both negatives {accuracy(paraphrase, related + unrelated, m):.4f}; "
        f"paraphrases aligned {sum(p >= m for p in paraphrase) / len(paraphrase):.3f}, "
        f"unrelated aligned {sum(u >= m for u in unrelated) / len(unrelated):.4f}"
    )
    for t in (0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        print(
            f"  t={t:.2f}: vs related {accuracy(paraphrase, related, t):.4f}, vs unrelated "
            f"{accuracy(paraphrase, unrelated, t):.4f}"
        )

    edited = []
    for _, a, _ in rows:
        original = words(a)
        edited.append(Indel.normalized_similarity(original, small_edit(a, rng)))
    reworded = [Indel.normalized_similarity(words(a), words(b)) for q, a, b in rows if q == 1]
    acc, t = best_threshold(edited, reworded)
    e = config.edited_similarity
    print(
        f"word Indel, small edits vs paraphrases: best accuracy {acc:.4f} at {t:.2f}; "
        f"at edited_similarity={e:.2f}: {accuracy(edited, reworded, e):.4f}"
    )


if __name__ == "__main__":
    main()
