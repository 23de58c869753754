"""The `anmian` command: outputs, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anmian.cli import app

runner = CliRunner()
DEMO = Path(__file__).parent.parent / "examples" / "demo.json"


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_assess_prints_json_with_every_section():
    result = invoke("assess", str(DEMO), "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {
        "kb_version",
        "input",
        "screening",
        "patterns",
        "plan",
        "safety",
        "disclaimer",
    }
    assert out["screening"]["verdict"] == "possible-rls"
    assert out["patterns"] and out["plan"]["points"]


def test_assess_reads_stdin():
    result = invoke("assess", "-", "--format", "json", stdin='{"findings": ["leg-crawling"]}')
    assert result.exit_code == 0
    assert json.loads(result.stdout)["input"]["findings"][0]["finding"] == "leg-crawling"


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_assess_prints_reports_for_people(fmt):
    result = invoke("assess", str(DEMO), "--format", fmt)
    assert result.exit_code == 0
    assert "does not diagnose" in result.stdout
    assert "See a clinician" in result.stdout


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("{nope", "not valid JSON"),
        ('{"findings": []}', "field 'findings' is empty"),
        ('{"findings": ["leg-crawling"], "age": -1}', "field 'age'"),
        ('{"findings": ["leg-crawling"], "labs": {"ferritin_ng_ml": -5}}', "labs.ferritin_ng_ml"),
        ('{"findings": ["leg-crawling"], "extra": 1}', "unknown field 'extra'"),
        ('{"findings": [1]}', "findings[0]"),
    ],
)
def test_bad_input_exits_2_with_one_line(stdin, message):
    result = invoke("assess", "-", stdin=stdin)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_a_missing_file_exits_2():
    result = invoke("assess", "no/such/file.json")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_unresolved_findings_exit_2_with_close_matches():
    result = invoke(
        "assess", "-", stdin='{"findings": ["leg-crawling", "palpitashuns badly", "zzzz qqqq"]}'
    )
    assert result.exit_code == 2
    assert "zzzz qqqq" in result.stderr


def test_allow_unknown_reports_them_and_goes_on():
    result = invoke(
        "assess",
        "-",
        "--allow-unknown",
        "--format",
        "json",
        stdin='{"findings": ["leg-crawling", "zzzz qqqq"]}',
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["input"]["unresolved"][0]["text"] == "zzzz qqqq"


def test_kb_check_passes():
    result = invoke("kb", "check")
    assert result.exit_code == 0
    assert ": ok" in result.stdout


def test_kb_stats_json_has_the_counts():
    stats = json.loads(invoke("kb", "stats", "--format", "json").stdout)
    assert {"patterns", "findings", "points", "herbs", "formulas", "references"} <= set(stats)
    assert stats["patterns"] >= 17


def test_kb_show_prints_an_entry():
    result = invoke("kb", "show", "sp6")
    assert result.exit_code == 0
    assert "Sanyinjiao" in result.stdout


def test_kb_show_unknown_id_suggests():
    result = invoke("kb", "show", "sp-six")
    assert result.exit_code == 2
    assert "no entry with id" in result.stderr


def test_kb_search_finds_by_synonym():
    result = invoke("kb", "search", "crawling")
    assert result.exit_code == 0
    assert "leg-crawling" in result.stdout


DIARY = (
    "night_of,bedtime,lights_out,sleep_latency_min,awakenings,awake_min,final_wake,out_of_bed\n"
    "2026-03-21,22:30,23:00,30,2,40,06:30,07:00\n"
    "2026-03-28,22:30,23:00,30,2,40,06:30,07:00\n"
)


def test_sleep_measures_a_diary_csv_across_dst():
    result = invoke("sleep", "-", "--tz", "Europe/London", "--format", "json", stdin=DIARY)
    assert result.exit_code == 0, result.output
    nights = json.loads(result.stdout)
    assert nights[0]["time_in_bed_min"] - nights[1]["time_in_bed_min"] == 60


@pytest.mark.parametrize(
    ("stdin", "args", "message"),
    [
        (DIARY, ["--tz", "Mars/Olympus"], "unknown time zone"),
        ("night_of,bedtime\n2026-01-01,22:00\n", [], "missing column"),
        (DIARY.replace("22:30,23:00,30", "22:30,23:00,xx", 1), [], "row 2"),
        ("night_of,bedtime,lights_out,sleep_latency_min,final_wake,out_of_bed\n", [], "no nights"),
    ],
)
def test_sleep_refuses_bad_files_with_one_line(stdin, args, message):
    result = invoke("sleep", "-", *args, stdin=stdin)
    assert result.exit_code in (1, 2)
    assert message in result.stderr and "Traceback" not in result.output
