"""The FHIR R4 export (anmian.fhir): every resource validates with fhir.resources (R4B, whose
Patient, Condition, Observation, CarePlan, Appointment and Bundle are R4's), codes are the
published ones (docs/fhir.md cites each), and an exported Bundle read back is the same Bundle."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from anmian.engine import assess, parse_input
from anmian.fhir import (
    AssessmentData,
    BookingData,
    Clinic,
    Clinician,
    NightData,
    Person,
    PlanData,
    Record,
    SessionData,
    bundle_json,
)
from anmian.fhir.assessment import record_from_assessment
from anmian.fhir.resources import appointment, validated

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return json.loads((ROOT / "examples" / "demo.json").read_text())


@pytest.fixture(scope="module")
def result(kb, document) -> dict[str, Any]:
    return assess(parse_input(document), kb, allow_unknown=True).to_dict()


@pytest.fixture(scope="module")
def record(document, result) -> Record:
    return Record(
        person=Person(key="p-1", name="Mei Lin", birth_date=date(1968, 4, 1), sex="female"),
        clinic=Clinic(key="c-1", name="Anmian Clinic", phone="+44 20 7946 0000"),
        clinicians=[Clinician(key="dr-1", name="Dr Wen")],
        assessments=[
            AssessmentData(
                key="a-1", taken=WHEN, result=result, labs=document["labs"], document=document
            )
        ],
        plans=[
            PlanData(
                key="plan-1",
                adopted=WHEN,
                by="dr-1",
                points=[("SP6", "Sanyinjiao"), ("HT7", "Shenmen")],
                formula=("gui-pi-tang", "Gui Pi Tang"),
                herbs=[("dang-gui", "Dang Gui")],
                course_weeks=12,
                course_note="Weekly sessions.",
            )
        ],
        nights=[
            NightData(
                night_of=date(2026, 3, 1),
                severity=6,
                total_sleep_min=372,
                sleep_efficiency=81.5,
                sleep_latency_min=35,
                wake_after_sleep_onset_min=40,
            )
        ],
        sessions=[
            SessionData(
                key="s-1",
                day=date(2026, 3, 9),
                clinician="dr-1",
                points=[("SP6", "Sanyinjiao"), ("LR3", "Taichong")],
                tongue="pale",
                notes="Slept better after the last session.",
            )
        ],
        bookings=[
            BookingData(
                key="ap-1",
                start=datetime(2026, 3, 9, 10, 0, tzinfo=UTC) + timedelta(hours=1),
                end=datetime(2026, 3, 9, 11, 45, tzinfo=UTC),
                status="no-show",
                kind="Acupuncture",
                clinician="dr-1",
            )
        ],
    )


@pytest.fixture(scope="module")
def exported(record) -> dict[str, Any]:
    return bundle_json(record, now=WHEN)


def of_type(exported: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in exported["entry"] if e["resource"]["resourceType"] == kind]


def codings(concept: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept["coding"]}


def test_every_resource_of_the_bundle_validates_with_fhir_resources(exported):
    kinds = set()
    for entry in exported["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        kinds.add(resource["resourceType"])
    assert exported["type"] == "collection"
    assert kinds == {
        "Patient", "Organization", "Practitioner", "Condition", "Observation", "CarePlan",
        "Appointment", "Questionnaire", "QuestionnaireResponse", "Encounter", "Procedure",
    }  # fmt: skip


def test_a_wrong_field_is_refused_by_the_validation():
    with pytest.raises(ValidationError):
        validated({"resourceType": "Patient", "birthDate": "the first of April"})
    with pytest.raises(ValidationError):
        validated({"resourceType": "Observation", "status": "final", "colour": "red"})


def test_every_reference_points_to_an_entry_of_the_bundle(exported):
    full_urls = {e["fullUrl"] for e in exported["entry"]}
    text = json.dumps(exported)
    refs = {part.split('"')[0] for part in text.split('"reference": "')[1:]}
    assert refs and refs <= full_urls


def test_rls_is_coded_in_snomed_icd10cm_and_icd11_and_provisional(exported):
    rls = [c for c in of_type(exported, "Condition") if "G25.81" in json.dumps(c)]
    assert len(rls) == 1
    assert codings(rls[0]["code"]) == {
        ("http://snomed.info/sct", "32914008"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "G25.81"),
        ("http://id.who.int/icd/release/11/mms", "7A80"),
    }
    # a screening is not a diagnosis
    assert rls[0]["verificationStatus"]["coding"][0]["code"] == "provisional"


def test_no_rls_condition_when_the_criteria_are_not_met(kb):
    result = assess(parse_input({"findings": ["leg-crawling"], "screening": {
        "urge_to_move": False, "worse_at_rest": False, "relieved_by_movement": False,
        "evening_or_night": False, "not_explained_by_other_condition": True,
    }}), kb, allow_unknown=True).to_dict()  # fmt: skip
    assert result["screening"]["verdict"] == "criteria-not-met"
    out = bundle_json(record_from_assessment({}, result, "k", WHEN), now=WHEN)
    assert "G25.81" not in json.dumps(out)


def test_each_differentiated_pattern_carries_its_icd11_tm1_code_from_the_kb_files(exported, result):
    raw = {}
    for path in (ROOT / "src/anmian/knowledge/data/patterns").glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text()):
            raw[entry["id"]] = {i["code"] for i in entry.get("icd11") or []}
    leading = [p for p in result["patterns"] if p["role"] in ("primary", "combined")]
    conditions = {
        c["code"]["text"]: c for c in of_type(exported, "Condition") if c["code"].get("text")
    }
    assert leading
    for p in leading:
        condition = conditions[p["name"]]
        tm1 = {code for system, code in codings(condition["code"]) if "icd" in system}
        assert tm1 == raw[p["id"]]
        evidence = {ev["code"][0]["coding"][0]["code"] for ev in condition["evidence"]}
        assert evidence == {f["finding"] for f in p["for"]}
    considered = {p["name"] for p in result["patterns"] if p["role"] == "considered"}
    assert not considered & set(conditions)


def test_labs_are_loinc_coded_with_ucum_units(exported, document):
    labs = {
        o["code"]["coding"][0]["code"]: o["valueQuantity"]
        for o in of_type(exported, "Observation")
        if o["code"]["coding"][0]["system"] == "http://loinc.org"
    }
    assert labs["2276-4"]["value"] == document["labs"]["ferritin_ng_ml"]
    assert labs["2276-4"]["code"] == "ng/mL"
    assert labs["2502-3"]["value"] == document["labs"]["tsat_percent"]
    assert labs["2502-3"]["code"] == "%"


def test_diary_sleep_time_is_loinc_and_the_other_measures_local(exported):
    night = [o for o in of_type(exported, "Observation") if o["effectiveDateTime"] == "2026-03-01"]
    by_code = {o["code"]["coding"][0]["code"]: o for o in night}
    assert by_code["93832-4"]["valueQuantity"] == {
        "value": 372, "unit": "min", "system": "http://unitsofmeasure.org", "code": "min",
    }  # fmt: skip
    assert by_code["night-leg-severity"]["valueInteger"] == 6
    local = {o["code"]["coding"][0]["system"] for o in night} - {"http://loinc.org"}
    assert local == {"urn:anmian:codesystem:measure"}


def test_the_severity_score_is_an_observation(exported, result):
    severity = result["screening"]["severity"]
    scores = [o for o in of_type(exported, "Observation") if "valueInteger" in o]
    total = [o for o in scores if o["code"]["coding"][0]["code"].endswith("-total")]
    assert [o["valueInteger"] for o in total] == [severity["total"]]


def test_the_care_plan_lists_points_by_who_code_herbs_and_the_course(exported):
    (plan,) = of_type(exported, "CarePlan")
    details = [a["detail"] for a in plan["activity"]]
    points = [d["code"]["coding"][0] for d in details if "code" in d]
    assert [(p["system"], p["code"]) for p in points] == [
        ("urn:anmian:codesystem:who-acupoint", "SP6"),
        ("urn:anmian:codesystem:who-acupoint", "HT7"),
    ]
    products = [
        d["productCodeableConcept"]["coding"][0]["code"]
        for d in details
        if "productCodeableConcept" in d
    ]
    assert products == ["gui-pi-tang", "dang-gui"]
    assert plan["period"] == {"start": "2026-03-02T09:30:00Z", "end": "2026-05-25T09:30:00Z"}
    assert (plan["status"], plan["intent"]) == ("active", "plan")


def test_the_appointment_is_in_utc_with_both_people(exported):
    (ap,) = of_type(exported, "Appointment")
    assert (ap["start"], ap["end"]) == ("2026-03-09T11:00:00Z", "2026-03-09T11:45:00Z")
    assert ap["status"] == "noshow"
    assert len(ap["participant"]) == 2


def test_a_naive_time_or_an_unknown_status_is_refused():
    naive = BookingData(
        key="x", start=datetime(2026, 1, 1), end=datetime(2026, 1, 1), status="booked"
    )
    with pytest.raises(ValueError, match="time zone"):
        appointment(naive, "p")
    odd = BookingData(key="x", start=WHEN, end=WHEN, status="postponed")
    with pytest.raises(ValueError, match="postponed"):
        appointment(odd, "p")


def test_the_same_record_exported_twice_has_the_same_ids(record, exported):
    again = bundle_json(record, now=WHEN)
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in exported["entry"]]
    assert "p-1" not in {e["fullUrl"] for e in exported["entry"]}


def test_round_trip_export_parse_compare(exported, record):
    text = json.dumps(exported)
    parsed = Bundle.model_validate_json(text)
    back = json.loads(parsed.model_dump_json(exclude_none=True))
    assert back == exported
    (patient,) = of_type(back, "Patient")
    assert patient["name"] == [{"text": record.person.name}]
    assert patient["birthDate"] == "1968-04-01"
    assert patient["gender"] == "female"


def test_the_assessment_document_alone_gives_a_proposed_plan(document, result):
    out = bundle_json(record_from_assessment(document, result, "doc", WHEN), now=WHEN)
    (plan,) = of_type(out, "CarePlan")
    assert (plan["status"], plan["intent"]) == ("draft", "proposal")
    codes_in_plan = [
        a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"] if "code" in a["detail"]
    ]
    assert codes_in_plan == [p["code"] for p in result["plan"]["points"]]


# --- anmian fhir FILE ---


def test_the_cli_turns_an_assessment_document_into_a_valid_bundle():
    from typer.testing import CliRunner

    from anmian.cli import app

    out = CliRunner().invoke(app, ["fhir", str(ROOT / "examples" / "demo.json")])
    assert out.exit_code == 0, out.output
    parsed = Bundle.model_validate_json(out.stdout)
    assert parsed.type == "collection"
    kinds = {e.resource.get_resource_type() for e in parsed.entry}
    assert {"Patient", "Condition", "Observation", "CarePlan"} <= kinds


@pytest.mark.parametrize(
    ("text", "says"),
    [("{nope", "not JSON"), ('{"findings": []}', "findings"), ("[1, 2]", "")],
)
def test_the_cli_refuses_bad_input_with_one_line_and_exit_2(text, says):
    from typer.testing import CliRunner

    from anmian.cli import app

    out = CliRunner().invoke(app, ["fhir", "-"], input=text)
    assert out.exit_code == 2
    assert out.stderr.startswith("anmian: error: ") and says in out.stderr
    assert out.stderr.count("\n") == 1


def test_the_self_check_answers_are_a_questionnaire_response(exported, document, kb):
    (questionnaire,) = of_type(exported, "Questionnaire")
    (response,) = of_type(exported, "QuestionnaireResponse")
    assert response["questionnaire"] == questionnaire["url"]
    asked = {i["linkId"] for i in questionnaire["item"]}
    answers = {i["linkId"]: i["answer"][0] for i in response["item"]}
    assert set(answers) <= asked
    for criterion, yes in document["screening"].items():
        assert answers[criterion] == {"valueBoolean": yes}
    scale = [v["valueInteger"] for k, v in answers.items() if k.startswith("anmian-leg-scale.")]
    assert scale == document["severity"]["answers"]


def test_a_session_is_an_encounter_and_an_acupuncture_procedure(exported):
    (encounter,) = of_type(exported, "Encounter")
    (procedure,) = of_type(exported, "Procedure")
    assert encounter["status"] == "finished" and encounter["period"]["start"] == "2026-03-09"
    assert procedure["encounter"]["reference"] == f"urn:uuid:{encounter['id']}"
    sites = [b["coding"][0]["code"] for b in procedure["bodySite"]]
    assert sites == ["SP6", "LR3"]
    notes = [n["text"] for n in procedure["note"]]
    assert notes == ["Tongue: pale", "Notes: Slept better after the last session."]
