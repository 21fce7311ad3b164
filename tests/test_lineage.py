"""The lineage benchmark's scoring: an exact copy of the original ranked first is reported on its own."""

from __future__ import annotations

from tests.conftest import load_benchmark

lineage = load_benchmark("lineage")


def row(kind: str, top1: bool, top1_text: bool, exact_copy: bool) -> dict:
    return {
        "kind": kind,
        "corpus": "bbc",
        "dated": False,
        "clustered": True,
        "top1": top1,
        "top1_text": top1_text,
        "exact_copy": exact_copy,
        "pairs": 1,
        "pairs_correct": int(top1),
    }


def test_same_text_ignores_white_space_only():
    assert lineage.same_text("Rates rose.\n\nBanks fell.", "Rates rose. Banks fell.")
    assert not lineage.same_text("Rates rose .", "Rates rose.")


def test_exact_copies_ranked_first_count_only_in_their_own_column():
    rows = [
        row("light-edit-words", True, True, False),
        # An edit that changed nothing: the copy ranked first has the original's text.
        row("light-edit-words", False, True, True),
        row("light-edit-words", False, False, False),
    ]
    table = {t[0]: t for t in lineage.summarise(rows)}
    words = table["light-edit-words"]
    n, top1, top1_text, exact = words[1], words[3], words[7], words[8]
    assert (n, round(top1, 3), round(top1_text, 3), exact) == (3, 0.333, 0.667, 1)
