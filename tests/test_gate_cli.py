"""`dedupe index`, `dedupe check` and `dedupe gate` through the command line."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from dedupe.cli import app
from tests.conftest import SEEDS, seed_id

runner = CliRunner()


def _index(tmp_path: Path, *prefixes: str) -> str:
    index = str(tmp_path / "index")
    paths = [str(SEEDS / seed_id(p)) for p in prefixes]
    result = runner.invoke(app, ["index", "add", *paths, "--index", index])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"added {len(paths)} articles (0 already indexed, 0 skipped)\n")
    return index


def test_check_exit_codes_follow_the_verdict(tmp_path: Path):
    index = _index(tmp_path, "000", "001")
    assert runner.invoke(app, ["check", str(SEEDS / seed_id("003")), "--index", index]).exit_code == 0
    assert runner.invoke(app, ["check", str(SEEDS / seed_id("002")), "--index", index]).exit_code == 3
    assert runner.invoke(app, ["check", str(SEEDS / seed_id("004")), "--index", index]).exit_code == 4


def test_check_json_is_the_verdict(tmp_path: Path):
    index = _index(tmp_path, "001")
    result = runner.invoke(app, ["check", str(SEEDS / seed_id("002")), "--index", index, "--json"])
    verdict = orjson.loads(result.stdout)
    assert verdict["verdict"] == "near-duplicate" and verdict["original"] == seed_id("001")
    assert {"id", "relation", "jaccard", "containment", "passages"} <= set(verdict["matches"][0])


def test_check_of_a_missing_file_is_an_error(tmp_path: Path):
    result = runner.invoke(app, ["check", "no/such.txt", "--index", _index(tmp_path, "001")])
    assert result.exit_code == 1
    assert result.stderr == "Error: no/such.txt: no such file or directory\n"


def test_commands_that_only_read_an_index_refuse_a_directory_without_one(tmp_path: Path):
    # A mistyped --index must not answer "new" for every article from an empty index made on the spot.
    missing = tmp_path / "typo"
    for command in (["check", str(SEEDS / seed_id("001"))], ["index", "stats"], ["index", "remove", "x"]):
        result = runner.invoke(app, [*command, "--index", str(missing)])
        assert result.exit_code == 1, command
        assert result.stderr == f"Error: {missing}: no index there (no index.sqlite; `dedupe index add` builds one)\n"
        assert not missing.exists()
    index = _index(tmp_path, "001")  # index add creates it
    assert runner.invoke(app, ["check", str(SEEDS / seed_id("001")), "--index", index]).exit_code == 3


def test_index_stats_and_remove(tmp_path: Path):
    index = _index(tmp_path, "000", "001")
    assert orjson.loads(runner.invoke(app, ["index", "stats", "--index", index]).stdout)["articles"] == 2
    result = runner.invoke(app, ["index", "remove", seed_id("000"), "nope", "--index", index])
    assert result.exit_code == 1
    assert 'Error: "nope" is not in the index' in result.stderr
    assert orjson.loads(runner.invoke(app, ["index", "stats", "--index", index]).stdout)["articles"] == 1


def test_index_compact(tmp_path: Path):
    index = _index(tmp_path, "000", "001", "002")
    # A load that at least doubles the index says it compacts it; a smaller one leaves it.
    other = ["--index", str(tmp_path / "other")]
    first = runner.invoke(app, ["index", "add", str(SEEDS / seed_id("003")), str(SEEDS / seed_id("004")), *other])
    more = runner.invoke(app, ["index", "add", str(SEEDS / seed_id("000")), *other])
    assert "compacting the index" in first.stderr and "compacting" not in more.stderr
    result = runner.invoke(app, ["index", "compact", "--index", index, "--json"])
    assert result.exit_code == 0 and orjson.loads(result.stdout) == {"runs": [2, 2], "segments": [1, 1]}
    result = runner.invoke(app, ["index", "compact", "--index", index])
    assert result.exit_code == 0 and result.stderr == f"{index}: 2 runs -> 2, 1 entry segments -> 1\n"
    assert runner.invoke(app, ["index", "compact", "--index", str(tmp_path / "missing")]).exit_code == 1


def test_adding_an_indexed_id_again_is_reported_not_repeated(tmp_path: Path):
    index = _index(tmp_path, "000")
    result = runner.invoke(app, ["index", "add", str(SEEDS / seed_id("000")), "--index", index])
    assert result.exit_code == 0
    assert result.stderr == f'already indexed: "{seed_id("000")}"\nadded 0 articles (1 already indexed, 0 skipped)\n'


def test_gate_gives_one_verdict_per_line_and_survives_malformed_lines(tmp_path: Path):
    original = (SEEDS / seed_id("001")).read_text(encoding="utf-8")
    lines = [
        b"\xef\xbb\xbf" + orjson.dumps({"id": "first", "text": original}),  # a byte order mark, as PowerShell writes
        b"{not json",
        orjson.dumps({"id": "no-text"}),
        b"[1, 2]",
        b"",
        orjson.dumps({"id": "again", "text": original}),
        orjson.dumps({"id": "empty", "text": "  "}),
    ]
    result = runner.invoke(app, ["gate", "--index", str(tmp_path / "index")], input=b"\n".join(lines) + b"\n")
    assert result.exit_code == 0, result.stderr
    verdicts = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [v["verdict"] for v in verdicts] == ["new", "error", "error", "error", "exact-duplicate", "error"]
    assert verdicts[0]["added"] is True and verdicts[4]["added"] is False
    assert verdicts[1]["line"] == 2 and verdicts[1]["error"].startswith("<stdin> line 2: invalid JSON")
    assert verdicts[2]["error"] == '<stdin> line 3: missing field "text" (use --text-field to name it)'
    assert verdicts[3]["error"] == "<stdin> line 4: expected a JSON object, got list"
    assert verdicts[5] == {"line": 7, "verdict": "error", "error": "<stdin> line 7: empty text"}


def test_gate_answers_a_resent_article_as_a_duplicate_of_itself(tmp_path: Path):
    # A pipeline that lost a verdict (its reader quit, the gate was stopped) sends the article again: the retry must
    # not add it twice, and the match naming its own id tells the pipeline it was the one already kept.
    line = orjson.dumps({"id": "story", "text": (SEEDS / seed_id("001")).read_text(encoding="utf-8")}) + b"\n"
    index = str(tmp_path / "index")
    first = runner.invoke(app, ["gate", "--index", index], input=line)
    retry = runner.invoke(app, ["gate", "--index", index, "--policy", "all"], input=line)
    assert orjson.loads(first.stdout)["added"] is True
    verdict = orjson.loads(retry.stdout)
    assert (verdict["verdict"], verdict["added"], verdict["matches"][0]["id"]) == ("exact-duplicate", False, "story")
    assert orjson.loads(runner.invoke(app, ["index", "stats", "--index", index]).stdout)["articles"] == 1


def test_gate_policy_all_adds_duplicates_and_group_commit_keeps_order(tmp_path: Path):
    text = (SEEDS / seed_id("003")).read_text(encoding="utf-8")
    lines = b"".join(orjson.dumps({"id": f"c{n}", "text": text}) + b"\n" for n in range(3))
    index = str(tmp_path / "index")
    result = runner.invoke(app, ["gate", "--index", index, "--policy", "all", "--commit-every", "2"], input=lines)
    verdicts = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(v["id"], v["verdict"], v["added"]) for v in verdicts] == [
        ("c0", "new", True),
        ("c1", "exact-duplicate", True),
        ("c2", "exact-duplicate", True),
    ]
    assert verdicts[2]["original"] in {"c0", "c1"}


def test_check_shows_max_matches_and_counts_the_candidates_left(tmp_path: Path):
    # The whole seed and two cut copies: the exact duplicate settles a verdict of one match before the others.
    text = (SEEDS / seed_id("001")).read_text()
    cut = text.rsplit(".", 3)[0] + "."
    articles = tmp_path / "articles.jsonl"
    articles.write_bytes(
        b"".join(orjson.dumps({"id": i, "text": t}) + b"\n" for i, t in (("c1", text), ("c2", cut), ("c3", cut[:-200])))
    )
    index = str(tmp_path / "index")
    assert runner.invoke(app, ["index", "add", str(articles), "--index", index]).exit_code == 0
    incoming = str(SEEDS / seed_id("001"))
    one = orjson.loads(runner.invoke(app, ["check", incoming, "--index", index, "--json", "--max-matches", "1"]).stdout)
    every = orjson.loads(
        runner.invoke(app, ["check", incoming, "--index", index, "--json", "--max-matches", "0"]).stdout
    )
    assert [m["id"] for m in one["matches"]] == ["c1"] and one["unverified"] == 2
    assert [m["id"] for m in every["matches"]] == ["c1", "c2", "c3"] and every["unverified"] == 0
    assert one["verdict"] == every["verdict"] == "exact-duplicate"
