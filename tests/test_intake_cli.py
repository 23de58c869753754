"""`anmian intake`: interactive as a conversation, `--json` one step for scripts; bad
requests exit 2 with the reason."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from anmian.cli import app
from anmian.knowledge import get_kb

runner = CliRunner()
SAFETY = "y\ny\ny\ny\ny\n\nn\nn\n\n\n"  # five criteria, no red flag, not pregnant, none
PERIODS = [f.question for f in get_kb().findings.values() if f.sex == "female"]


def invoke(*args: str, stdin: str | None = None):
    return runner.invoke(app, ["intake", *args], input=stdin)


def test_it_asks_safety_first_then_assesses():
    answers = SAFETY + "crawling legs in the evening\n" + "y\nn\n?\n" * 20
    result = invoke("--budget", "12", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    first = result.stdout.index("strong need to move your legs")
    assert first < result.stdout.index("Do you have any of these now?")
    out = json.loads(result.stdout[result.stdout.index("{") :])
    assert out["patterns"] and out["screening"]["verdict"] == "possible-rls"


def test_it_does_not_ask_a_man_about_periods_or_pregnancy():
    answers = "y\ny\ny\ny\ny\n\n\n\npale face, tired, numb hands\n" + "?\n" * 60
    man = invoke("--budget", "60", "--format", "json", "--sex", "male", stdin=answers)
    assert man.exit_code == 0, man.output
    assert "pregnant" not in man.stdout.split("{")[0]
    assert not any(q in man.stdout for q in PERIODS)


def test_json_mode_answers_one_step():
    result = invoke("--json", stdin="{}")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["next"]["kind"] == "screening" and out["asked"] == 0


@pytest.mark.parametrize(
    ("request_doc", "reason"),
    [
        ({"present": ["no-such-finding"]}, "unknown finding ids"),
        ({"present": ["fatigue"], "absent": ["fatigue"]}, "in both present and absent"),
        ({"absent": ["fatigue"] * 501}, "too many finding ids"),
        ({"budget": 0}, "budget"),
        ({"confirmed": ["fatigue"]}, "in confirmed but not answered"),
        ({"present": ["pulse-rapid", "pulse-slow"]}, "exclude each other"),
    ],
)
def test_json_mode_refuses_bad_requests_with_exit_2(request_doc, reason):
    result = invoke("--json", stdin=json.dumps(request_doc))
    assert result.exit_code == 2
    assert reason in result.stderr and "Traceback" not in result.output


def test_json_mode_refuses_what_is_not_json():
    result = invoke("--json", stdin="{nope")
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_it_asks_again_a_yes_the_result_rests_on():
    # yes to the first two findings asked, with a budget of two: before the results, a yes
    # the result rests on is put again in other words (and answered yes again)
    answers = SAFETY + "\n" + "y\n" * 2 + "y\n" * get_kb().intake.model.max_confirmations
    result = invoke("--budget", "2", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    assert "Before the results, one more look at an earlier answer" in result.stdout


def test_a_grouped_question_is_asked_with_numbered_choices():
    # a practitioner is asked the tongue body's colour as one question: pale, red or purple
    # (a tongue has one body colour), then none of these and not sure; 2 chooses red
    answers = SAFETY + "\n" + "2\n" + "n\n" * 80
    result = invoke(
        "--audience", "practitioner", "--budget", "3", "--format", "json", stdin=answers
    )
    assert result.exit_code == 0, result.output
    asked = result.stdout[: result.stdout.index("{")]
    assert " 1. Pale tongue" in asked and " 2. Red tongue" in asked
    assert "None of these" in asked and "Not sure" in asked
    out = json.loads(result.stdout[result.stdout.index("{") :])
    said = {r["finding"] for r in out["input"]["readings"]["present"]}
    assert "tongue-red" in said and "tongue-pale" not in said
