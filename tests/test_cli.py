from __future__ import annotations

import re
from pathlib import Path

import orjson
from typer.testing import CliRunner

from dedupe.cli import app
from tests.conftest import SEEDS, seed_id

runner = CliRunner()
README = Path(__file__).resolve().parent.parent / "README.md"


def test_scan_json_follows_the_contract():
    result = runner.invoke(app, ["scan", str(SEEDS), "--json", "--no-progress"])
    assert result.exit_code == 0
    data = orjson.loads(result.stdout)
    assert {d["id"] for d in data["documents"]} == {p.name for p in SEEDS.iterdir()}
    pair = next(p for p in data["pairs"] if {p["a"], p["b"]} == {seed_id("001"), seed_id("002")})
    assert pair["relation"] == "near-duplicate"
    assert {"a_span", "b_span", "label", "score", "markers"} <= set(pair["passages"][0])
    assert data["clusters"][0]["members"][0] == {**data["clusters"][0]["members"][0], "rank": 1}


def test_terminal_report_names_clusters_and_relations():
    result = runner.invoke(app, ["scan", str(SEEDS), "--no-progress"])
    assert result.exit_code == 0
    assert "near-duplicate" in result.stdout and "partial-reuse" in result.stdout


def test_fail_on_duplicates_exits_3_and_reuse_only_exits_4(tmp_path: Path):
    assert runner.invoke(app, ["scan", str(SEEDS), "--fail-on", "duplicates"]).exit_code == 3
    for name in (seed_id("000"), seed_id("004")):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    assert runner.invoke(app, ["scan", str(tmp_path), "--fail-on", "duplicates"]).exit_code == 0
    assert runner.invoke(app, ["scan", str(tmp_path), "--fail-on", "reuse"]).exit_code == 4


def test_a_missing_path_is_an_error_on_stderr_with_exit_1():
    result = runner.invoke(app, ["scan", "no/such/dir"])
    assert result.exit_code == 1
    assert result.stderr == "Error: no/such/dir: no such file or directory\n"


def test_usage_errors_exit_2():
    assert runner.invoke(app, ["scan", str(SEEDS), "--threshold", "3"]).exit_code == 2
    assert runner.invoke(app, ["scan"]).exit_code == 2


def test_output_file_receives_the_json(tmp_path: Path):
    target = tmp_path / "out.json"
    assert runner.invoke(app, ["scan", str(SEEDS), "--json", "-o", str(target)]).exit_code == 0
    assert orjson.loads(target.read_bytes())["config"].startswith("w5-p128")


def test_every_command_is_documented_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    commands += [f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands]
    for command in commands:
        assert re.search(rf"dedupe {command}\b", readme), f"`dedupe {command}` is not in README.md"


def test_interrupt_exits_130_without_traceback(monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("dedupe.cli.scan", interrupted)
    result = runner.invoke(app, ["scan", str(SEEDS), "--json", "--no-progress"])
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == "Interrupted: nothing was written.\n"


def test_align_prints_labelled_passages():
    result = runner.invoke(app, ["align", str(SEEDS / seed_id("001")), str(SEEDS / seed_id("002"))])
    assert result.exit_code == 0
    for label in ("corrupted", "edited", "only-in-a", "only-in-b"):
        assert label in result.stdout
    assert "garbled-heading" in result.stdout


def test_align_json_passages_have_the_scan_shape_and_true_spans():
    path_a, path_b = SEEDS / seed_id("000"), SEEDS / seed_id("004")
    result = runner.invoke(app, ["align", str(path_a), str(path_b), "--json"])
    assert result.exit_code == 0
    data = orjson.loads(result.stdout)
    assert {"a", "b", "coverage_a", "coverage_b", "passages", "regions"} <= set(data)
    text_a, text_b = path_a.read_text(encoding="utf-8"), path_b.read_text(encoding="utf-8")
    sentence = "The Russian embassy in Syria urged its nationals to leave the country on commercial flights"
    verbatim = [p for p in data["passages"] if p["label"] == "verbatim"]
    assert {"a_span", "b_span", "label", "score", "markers", "corrupted_side"} == set(verbatim[0])
    assert any(
        sentence in text_a[p["a_span"][0] : p["a_span"][1]] and sentence in text_b[p["b_span"][0] : p["b_span"][1]]
        for p in verbatim
    )


def test_align_a_missing_file_is_an_error():
    result = runner.invoke(app, ["align", "no/such.txt", str(SEEDS / seed_id("001"))])
    assert result.exit_code == 1
    assert result.stderr == "Error: no/such.txt: no such file or directory\n"


def test_the_first_run_after_install_says_it_compiles_on_stderr(monkeypatch):
    from dedupe import kernels

    monkeypatch.setattr(kernels, "compiled_before", lambda: False)
    result = runner.invoke(app, ["scan", str(SEEDS), "--json", "--no-progress"])
    assert result.exit_code == 0
    assert "compiling the fast paths once" in result.stderr
    assert orjson.loads(result.stdout)["documents"]  # stdout stays pure JSON


def write_near_corpus(folder: Path) -> None:
    story = " ".join(
        f"Sentence {n} of the report says the council met on day {n} to vote on the budget." for n in range(12)
    )
    (folder / "a.txt").write_text(story, encoding="utf-8")
    (folder / "b.txt").write_text(story.replace("day 7 ", "day seven "), encoding="utf-8")  # one word changed
    (folder / "c.html").write_text(f"<html><body><p>{story}</p></body></html>", encoding="utf-8")  # same clean text
    (folder / "d.txt").write_text("An unrelated note about the weather over the hills this week.", encoding="utf-8")
    (folder / "e.jsonl").write_text('{"id": "e", "text": "fine"}\nnot json\n', encoding="utf-8")


def test_near_prints_a_line_per_pair_and_names_what_it_skipped(tmp_path: Path):
    write_near_corpus(tmp_path)
    result = runner.invoke(app, ["near", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0
    rows = sorted(tuple(line.split("\t")[:2]) for line in result.stdout.splitlines())
    assert rows == [("a.txt", "b.txt"), ("a.txt", "c.html"), ("b.txt", "c.html")]
    assert (
        dict((tuple(line.split("\t")[:2]), line.split("\t")[2]) for line in result.stdout.splitlines())[
            ("a.txt", "c.html")
        ]
        == "1.0000"
    )
    assert "e.jsonl line 2" in result.stderr and "3 pairs among 5 articles" in result.stderr


def test_near_json_and_the_threshold_decide_the_pairs(tmp_path: Path):
    write_near_corpus(tmp_path)
    result = runner.invoke(app, ["near", str(tmp_path), "--json", "--threshold", "0.99", "--no-progress"])
    data = orjson.loads(result.stdout)
    assert data["documents"] == 5 and data["threshold"] == 0.99
    assert [(p["a"], p["b"], p["jaccard"]) for p in data["pairs"]] == [("a.txt", "c.html", 1.0)]
    assert data["skipped"][0]["line"] == 2


def test_near_fails_on_duplicates_only_when_asked_and_names_a_missing_path(tmp_path: Path):
    write_near_corpus(tmp_path)
    assert runner.invoke(app, ["near", str(tmp_path), "--fail-on-duplicates"]).exit_code == 3
    (tmp_path / "b.txt").unlink()
    (tmp_path / "c.html").unlink()
    assert runner.invoke(app, ["near", str(tmp_path), "--fail-on-duplicates"]).exit_code == 0
    missing = runner.invoke(app, ["near", "no/such/dir"])
    assert missing.exit_code == 1 and missing.stderr == "Error: no/such/dir: no such file or directory\n"


def test_progress_bars_on_a_terminal_survive_a_stage_reported_once(monkeypatch):
    # On a terminal the scan draws bars; a stage reported once has no rate yet, and the bar must still draw
    # (the rate column formatted None and every scan on a terminal failed).
    from dedupe import cli

    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True)
    with cli.progress_bar(True) as update:
        assert update is not None
        update("screen", 5, 10)
    with cli.progress_bar(True) as update:
        for done in range(1, 4):
            update("verify", done, 3)
