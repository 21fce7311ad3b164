"""The fluency model leaves out exactly what it counted, so it can be built from a sample of the corpus."""

from __future__ import annotations

from dedupe.fluency import LanguageModel

TEXTS = [
    "The embassy urged its nationals to leave the country on commercial flights.",
    "Rebels took the city on Friday, three sources told Reuters.",
    "The central bank left interest rates unchanged on Thursday.",
]


def test_leaving_out_takes_out_only_what_was_counted():
    sampled = LanguageModel.build(TEXTS[:2])
    # TEXTS[2] was never counted (outside the sample): leaving it out must take nothing out.
    left = sampled.without([TEXTS[1], TEXTS[2]])
    assert left.documents == 1
    assert left.left_out == LanguageModel.build([TEXTS[1]]).corpus
    assert all(left.corpus.bigrams[bigram] >= n for bigram, n in left.left_out.bigrams.items())
    assert left.association(("the", "city")) < sampled.association(("the", "city"))


def test_a_text_counted_once_is_left_out_once():
    model = LanguageModel.build([TEXTS[0], TEXTS[0], TEXTS[1]])
    assert model.without([TEXTS[0], TEXTS[0], TEXTS[0]]).documents == 1
