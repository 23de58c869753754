"""`anmian intake`: interactive as a conversation, `--json` one step for scripts; bad
requests exit 2 with the reason."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from anmian.cli import app
from anmian.engine.inputs import CRITERIA
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


def test_it_asks_again_the_yes_answers_the_result_rests_on():
    # the first two items of the first two lists ticked, with a budget of two: before the
    # results, the yes answers the result rests on come back as one list (Enter: all true)
    answers = SAFETY + "\n" + "1 2\n" * 2 + "\n" * 5
    result = invoke("--budget", "2", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    assert "Before the results, one more look at what you said yes to" in result.stdout


def _first_list(**extra: str) -> list[str]:
    """The findings of the first checklist a person alone is asked, in order."""
    from anmian.engine.intake import next_step

    doc = {
        "screening": dict.fromkeys(CRITERIA, True),
        "absent": [f.id for f in get_kb().findings.values() if f.category == "red-flag"],
        "pregnant": False, "breastfeeding": False, "medications": [], "conditions": [],
        "text": [],
    } | extra  # fmt: skip
    q = next_step(doc).next
    assert q is not None and q.kind == "checklist"
    return [o.finding for o in q.options]


def test_a_checklist_takes_the_numbers_that_apply():
    first = _first_list()
    answers = SAFETY + "\n" + "1, 3\n" + "y\n" * 10  # then each yes is true when asked again
    result = invoke("--budget", "1", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    assert "Tick any that apply" in result.stdout and " 1. " in result.stdout
    out = json.loads(result.stdout[result.stdout.index("{") :])
    said = {r["finding"] for r in out["input"]["readings"]["present"]}
    assert said == {first[0], first[2]}


@pytest.mark.parametrize(
    ("bad", "says"),
    [("9", "'9' is not one of the numbers 1 to"), ("2 2", "2 is given twice"),
     ("two", "'two' is not one of the numbers")],
)  # fmt: skip
def test_a_checklist_answer_it_cannot_read_is_asked_again(bad: str, says: str):
    first = _first_list()
    answers = SAFETY + "\n" + f"{bad}\n" + "2\n" + "y\n" * 10
    result = invoke("--budget", "1", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    assert says in result.stdout
    out = json.loads(result.stdout[result.stdout.index("{") :])
    assert {r["finding"] for r in out["input"]["readings"]["present"]} == {first[1]}


def test_not_sure_about_the_rest_of_a_checklist(monkeypatch: pytest.MonkeyPatch):
    # "1 ?": the first a yes, the others of the list not sure (not a no)
    from anmian.engine import intake

    sent: list[dict] = []
    real = intake.next_step

    def spy(data, kb=None):
        sent.append(json.loads(json.dumps(data)))
        return real(data, kb)

    monkeypatch.setattr(intake, "next_step", spy)
    first = _first_list()
    answers = SAFETY + "\n" + "1 ?\n" + "y\n" * 10
    result = invoke("--budget", "1", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    after = next(r for r in sent if first[0] in r.get("present", []))
    assert set(first[1:]) <= set(after["unsure"]) and not set(first[1:]) & set(after["absent"])


def test_json_mode_offers_a_checklist_with_its_options():
    first = _first_list()
    doc = {
        "screening": dict.fromkeys(CRITERIA, True),
        "absent": [f.id for f in get_kb().findings.values() if f.category == "red-flag"],
        "pregnant": False, "breastfeeding": False, "medications": [], "conditions": [],
        "text": [],
    }  # fmt: skip
    result = invoke("--json", stdin=json.dumps(doc))
    assert result.exit_code == 0, result.output
    nxt = json.loads(result.stdout)["next"]
    assert nxt["kind"] == "checklist" and [o["finding"] for o in nxt["options"]] == first
    assert nxt["unsure_label"]


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


def test_the_second_look_takes_the_numbers_of_any_not_true():
    # two items of each of the first two lists ticked, a budget of two; at the second look
    # the first is said not to be true, so the results do not rest on it
    answers = SAFETY + "\n" + "1 2\n" * 2 + "1\n" + "\n" * 5
    result = invoke("--budget", "2", "--format", "json", stdin=answers)
    assert result.exit_code == 0, result.output
    asked = result.stdout[: result.stdout.index("{")]
    look = asked.index("Before the results, one more look at what you said yes to")
    first = asked[look:].split(" 1. ", 1)[1].splitlines()[0].strip()
    dropped = next(f.id for f in get_kb().findings.values() if f.label == first)
    out = json.loads(result.stdout[result.stdout.index("{") :])
    assert dropped not in {r["finding"] for r in out["input"]["readings"]["present"]}
