"""Flat arrays of many documents: a run of documents cut out, and runs joined, equal the arrays computed for
those documents directly."""

from __future__ import annotations

import dataclasses
import itertools
from typing import ClassVar

import numpy as np
import pytest

import dedupe
from dedupe import flat, matching
from dedupe.document import Corpus
from dedupe.fingerprint import ShingleSets, shingle_sets
from dedupe.profiles import Profiles, corpus_features, profiles
from tests.test_verify import small_corpus


def computed(corpus: Corpus, documents: np.ndarray) -> list[object]:
    features = corpus_features(corpus, documents)
    texts = [corpus.text(i) for i in documents.tolist()]
    return [shingle_sets(texts, 5), matching.sentences(features), profiles(features, 4)]


def assert_same(mine: object, theirs: object) -> None:
    assert type(mine) is type(theirs)
    for field in dataclasses.fields(mine):  # type: ignore[arg-type]
        a, b = getattr(mine, field.name), getattr(theirs, field.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), field.name
        else:
            assert a == b, field.name


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    # Texts of the regex path too (`fingerprint.plain_form`): they are spliced into the compiled features.
    extra = [dedupe.Article("german", "Die Regierung kündigte Maßnahmen an. Die Börse reagierte heute gelassen.")]
    return Corpus([*small_corpus(), *extra], 5)


def test_documents_cut_out_equal_those_computed_alone(corpus):
    whole = computed(corpus, np.arange(len(corpus)))
    for first, last in ((0, 7), (7, 30), (30, len(corpus)), (12, 12)):
        alone = computed(corpus, np.arange(first, last)) if last > first else None
        for mine, theirs in zip(whole, alone or whole, strict=True):
            given = [mine]
            cut = flat.documents(given, first, last)
            assert given == [], "the whole is let go as it is cut"
            if alone is None:
                assert len(cut.sentence_bounds if hasattr(cut, "sentence_bounds") else cut.bounds) == 1
            else:
                assert_same(cut, theirs)


def test_runs_joined_equal_their_documents_computed_together(corpus):
    cuts = (0, 5, 6, 29, len(corpus))
    runs = [computed(corpus, np.arange(first, last)) for first, last in itertools.pairwise(cuts)]
    whole = computed(corpus, np.arange(len(corpus)))
    for column, theirs in enumerate(whole):
        parts = [run[column] for run in runs]
        assert_same(flat.joined(parts), theirs)
        assert parts == [], "the parts are let go as they are joined"


@dataclasses.dataclass(frozen=True)
class Unplaced:
    values: np.ndarray
    bounds: np.ndarray
    layout: ClassVar[flat.Layout] = flat.Layout({"bounds": (flat.DOCUMENTS, "shingles")}, {})


def test_a_layout_must_place_every_array():
    sets = ShingleSets(np.arange(3, dtype=np.uint32), np.array([0, 1, 3]))
    with pytest.raises(TypeError, match="Unplaced: no level for values"):
        flat.documents([Unplaced(sets.values, sets.bounds)], 0, 1)
    with pytest.raises(TypeError, match="ndarray declares no layout"):
        flat.joined([sets.values])
    assert len(flat.documents([sets], 1, 2)) == 1
    assert Profiles.layout.bounds["sentence_bounds"] == (flat.DOCUMENTS, "sentences")
