"""PAN's measures (benchmarks/plagdet.py) and the detection files of benchmarks/pan_alignment.py on a hand-made corpus.

The corpus is written here, a few invented sentences; expected values are computed by hand from the definition
(Potthast et al., COLING 2010).
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import load_benchmark

plagdet = load_benchmark("plagdet")
pan_alignment = load_benchmark("pan_alignment")


def test_exact_detection_scores_one():
    scores = plagdet.evaluate([([(10, 50, 0, 50)], [(10, 50, 0, 50)])])
    assert (scores.precision, scores.recall, scores.granularity, scores.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_detected_case_split_in_two():
    # Case: 100 chars in each document. Two detections, each covering 25 chars of it on both sides and 25 chars
    # outside it: recall = (50 + 50) / 200 = 0.5, precision = mean(0.5, 0.5) = 0.5, granularity 2,
    # plagdet = 0.5 / log2(3).
    case = (100, 100, 1000, 100)
    detections = [(75, 50, 975, 50), (175, 50, 1075, 50)]
    scores = plagdet.evaluate([([case], detections)])
    assert scores.recall == pytest.approx(0.5)
    assert scores.precision == pytest.approx(0.5)
    assert scores.granularity == 2
    assert scores.plagdet == pytest.approx(0.5 / math.log2(3))


def test_overlap_on_one_side_only_detects_nothing():
    # Right place in the suspicious document, wrong place in the source: no detection (both must overlap).
    scores = plagdet.evaluate([([(0, 100, 0, 100)], [(0, 100, 500, 100)])])
    assert (scores.precision, scores.recall, scores.plagdet) == (0.0, 0.0, 0.0)


def test_macro_averages_over_pairs_and_counts_false_positives():
    # Pair 1: case found exactly. Pair 2: a case missed. Pair 3 (no cases): one false detection.
    # recall = (1 + 0) / 2; precision = (1 + 0) / 2; granularity 1; plagdet = 0.5.
    scores = plagdet.evaluate([([(0, 10, 0, 10)], [(0, 10, 0, 10)]), ([(0, 10, 0, 10)], []), ([], [(5, 5, 5, 5)])])
    assert (scores.recall, scores.precision, scores.granularity, scores.plagdet) == (0.5, 0.5, 1.0, 0.5)


def test_no_cases_and_no_detections_is_perfect():
    assert plagdet.evaluate([([], [])]).plagdet == 1.0


SUSPICIOUS = (
    "The lighthouse keeper rose before dawn every morning of the year. "
    "He climbed the spiral stairs and polished the great brass lens until it shone. "
    "Ships passing the rocky headland trusted the beam to guide them home through the fog. "
    "In winter the storms rattled the windows of his small stone cottage by the shore. "
    "Nobody in the village could remember a night when the light had failed."
)
SOURCE = (
    "A recipe for bread needs flour, water, salt and a little yeast. "
    "He climbed the spiral stairs and polished the great brass lens until it shone. "
    "Ships passing the rocky headland trusted the beam to guide them home through the fog. "
    "In winter the storms rattled the windows of his small stone cottage by the shore. "
    "Bake the loaf in a hot oven for forty minutes."
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "susp").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "susp" / "suspicious-document1.txt").write_text(SUSPICIOUS, encoding="utf-8")
    (tmp_path / "src" / "source-document1.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "pairs").write_text("suspicious-document1.txt source-document1.txt\n", encoding="utf-8")
    folder = tmp_path / "02-no-obfuscation"
    folder.mkdir()
    (folder / "pairs").write_text("suspicious-document1.txt source-document1.txt\n", encoding="utf-8")
    start = SUSPICIOUS.index("He climbed")
    end = SUSPICIOUS.index(" Nobody")
    source_start = SOURCE.index("He climbed")
    (folder / "suspicious-document1-source-document1.xml").write_text(
        '<document reference="suspicious-document1.txt">'
        f'<feature name="plagiarism" this_offset="{start}" this_length="{end - start}" '
        f'source_reference="source-document1.txt" source_offset="{source_start}" source_length="{end - start}"/>'
        "</document>",
        encoding="utf-8",
    )
    return tmp_path


def test_the_aligner_finds_the_copied_passage_exactly(corpus: Path, tmp_path: Path):
    folder_of, cases = pan_alignment.read_truth(corpus)
    pair = ("suspicious-document1.txt", "source-document1.txt")
    assert folder_of[pair] == "02-no-obfuscation"
    pan_alignment._init(corpus, pan_alignment.AlignConfig())
    found_pair, detections = pan_alignment.detect(pair)
    assert found_pair == pair
    assert detections == cases[pair]
    out = tmp_path / "out"
    out.mkdir()
    pan_alignment.write_detections(out, pair, detections)
    (feature,) = ET.parse(out / "suspicious-document1-source-document1.xml").getroot()
    assert feature.get("name") == "detected-plagiarism"
    assert int(feature.get("this_offset")) == cases[pair][0][0]
    assert plagdet.evaluate([(cases[pair], detections)]).plagdet == 1.0
