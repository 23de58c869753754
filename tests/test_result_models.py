"""The engine's result as typed models (anmian.engine.result): the JSON contract that
`anmian assess --format json`, the web API and the stored assessments share (README, "A short
tour of the CLI")."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.conftest import run
from typer.testing import CliRunner

from anmian.cli import app
from anmian.engine import assess, differentiate, parse_input, safety, screening
from anmian.engine import plan as planning
from anmian.engine import result as contract
from anmian.engine.assess import Assessment
from anmian.engine.record import Record
from anmian.engine.result import AssessmentResult

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STATUSES = {"present", "absent", "uncertain", "historical", "family", "other"}
ITEMS = ("points", "formulas", "herbs", "diet", "lifestyle", "topical")


def cli_json(name: str) -> dict:
    out = CliRunner().invoke(app, ["assess", str(EXAMPLES / name), "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", ["demo.json", "free-text.json", "kidney-yin.json"])
def test_the_cli_prints_the_typed_contract_and_nothing_else(name):
    printed = cli_json(name)
    # Read back by the models and dumped again: no key is lost or added either way.
    assert AssessmentResult.model_validate(printed).to_json_dict() == printed


def test_every_reading_is_reported_under_its_status(kb):
    readings = AssessmentResult.model_validate(cli_json("free-text.json")).input.readings
    assert set(type(readings).model_fields) == STATUSES
    # The README's tour: what was written as present, denied, unsure and past.
    assert "leg-crawling" in [r.finding for r in readings.present]
    assert [r.finding for r in readings.absent] == ["night-sweats"]
    assert [r.finding for r in readings.uncertain] == ["dry-mouth-night"]
    assert [r.finding for r in readings.historical] == ["palpitations"]
    assert all(r.label == kb.findings[r.finding].label for r in readings.present)


def test_a_part_not_understood_is_reported_with_its_closest_candidates(kb):
    out = run(kb, allow_unknown=True, findings=["leg-crawling", "nite swets"])
    (unread,) = AssessmentResult.model_validate(out).input.unresolved
    assert unread.text == "nite swets" and "night-sweats" in unread.suggestions


def test_danger_words_hold_the_plan_with_no_items_and_say_why(kb):
    # danger words no finding places: a bladder change beside back pain (cauda equina,
    # Royal Free leaflet) holds the plan with nothing in it, as an emergency
    text = "my bladder is playing up and my back aches"
    data = parse_input({"findings": ["leg-crawling", text]})
    result = assess(data, kb).result()
    assert result.plan.status == "on-hold"
    assert all(getattr(result.plan, kind) == [] for kind in ITEMS)
    assert [h.flag for h in result.input.hazards] == ["cauda-equina-or-cord"]
    assert result.safety.holds[0].urgency == "emergency"
    assert result.safety.referrals[0].urgency == "emergency"


def test_a_wish_that_others_were_better_off_is_the_self_harm_red_flag_itself(kb):
    # a warning sign of suicide in a person's own words (Samaritans, NICE NG225): read as
    # the red flag, so the person is sent to help at once, before any plan
    data = parse_input({"findings": ["leg-crawling", "everyone would be better off without me"]})
    result = assess(data, kb).result()
    assert "thoughts-of-self-harm" in [r.finding for r in result.input.readings.present]
    assert result.plan.status == "see-physician-first"
    assert result.safety.referrals[0].urgency == "emergency"


def test_each_pattern_says_why_under_for_and_against(kb):
    printed = cli_json("demo.json")
    lead = printed["patterns"][0]
    assert "for" in lead and "for_" not in lead and "against" in lead
    assert AssessmentResult.model_validate(printed).patterns[0].for_


def test_every_plan_item_cites_its_sources(kb):
    plan = AssessmentResult.model_validate(cli_json("demo.json")).plan
    items = [item for kind in ITEMS for item in getattr(plan, kind)]
    assert items and all(item.refs for item in items)
    assert plan.course is not None and plan.course.refs


def test_the_disclaimer_is_part_of_every_result(kb):
    assert "does not diagnose" in AssessmentResult.model_validate(run(kb)).disclaimer


@pytest.mark.parametrize(
    "path",
    [(), ("plan",), ("screening",), ("input", "readings")],
    ids=["top", "plan", "screening", "readings"],
)
def test_the_contract_refuses_a_key_it_does_not_name(kb, path):
    # A field added to the engine without a place in the contract must not slip out unseen.
    out = run(kb)
    target = out
    for key in path:
        target = target[key]
    target["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        AssessmentResult.model_validate(out)


def test_the_contract_refuses_a_status_it_does_not_know(kb):
    out = run(kb)
    out["plan"]["status"] = "maybe"
    with pytest.raises(ValidationError, match=r"plan\.status"):
        AssessmentResult.model_validate(out)


# Each dataclass of the engine's result and the model that carries it in the contract.
CARRIED = [
    (Assessment, contract.AssessmentResult),
    (screening.ScreeningResult, contract.ScreeningResult),
    (screening.SeverityResult, contract.SeverityScore),
    (screening.MimicResult, contract.Mimic),
    (differentiate.PatternResult, contract.PatternScore),
    (differentiate.Evidence, contract.Evidence),
    (planning.Plan, contract.Plan),
    (planning.PlanPoint, contract.PlanPoint),
    (planning.PlanFormula, contract.PlanFormula),
    (planning.PlanHerb, contract.PlanHerb),
    (planning.PlanAdvice, contract.PlanAdvice),
    (planning.PlanCourse, contract.PlanCourse),
    (safety.Safety, contract.Safety),
    (safety.Referral, contract.Referral),
    (safety.Exclusion, contract.Exclusion),
    (safety.Warning, contract.Caution),
    (safety.Hold, contract.Hold),
]
# Kept by the engine for its own work, on purpose not in the contract.
INTERNAL = {(Assessment, "context")}
# Added by anmian.engine.zh_result for `--lang` / `?lang=` (Chinese beside the English), not
# by the engine: optional in the contract and absent from English results.
BY_LANGUAGE = {"zh", "zh_text", "zh_location", "zh_acupressure", "lang"}
BY_LANGUAGE |= {"zh_explanation", "zh_band", "zh_note", "zh_description", "zh_actions"}
BY_LANGUAGE |= {"zh_reason", "zh_disclaimer"}


@pytest.mark.parametrize(("engine", "model"), CARRIED, ids=[e.__name__ for e, _ in CARRIED])
def test_every_field_of_the_engine_has_its_place_in_the_contract(engine, model):
    # a dataclass's fields, or a light record's (engine/record.py: its __slots__)
    names = engine.__slots__ if issubclass(engine, Record) else [f.name for f in fields(engine)]
    engine_fields = {
        name for name in names if not name.startswith("_") and (engine, name) not in INTERNAL
    }
    assert engine_fields == set(model.model_fields) - BY_LANGUAGE, (
        f"{engine.__name__} and {model.__name__} differ: add the field to anmian/engine/result.py "
        "(and run `make openapi`), or list it in INTERNAL if it is not for the person"
    )
