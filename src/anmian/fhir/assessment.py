"""A Record from one assessment document alone (`anmian fhir FILE`): the person is known only
by what the document says (sex), and the plan is the engine's proposal, not an adopted one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from anmian.fhir.record import AssessmentData, Person, PlanData, Record

_LABS = ("ferritin_ng_ml", "tsat_percent")


def labs_of(document: Mapping[str, Any]) -> dict[str, float]:
    labs = document.get("labs") or {}
    return {k: float(labs[k]) for k in _LABS if labs.get(k) is not None}


def proposed_plan(key: str, result: Mapping[str, Any], when: datetime) -> PlanData | None:
    plan = result.get("plan") or {}
    if plan.get("status") != "ready":
        return None  # a held plan holds no items, and none is exported
    formulas = plan.get("formulas") or []
    course = plan.get("course") or {}
    return PlanData(
        key=key,
        adopted=when,
        points=[(p["code"], p["name"]) for p in plan.get("points") or []],
        formula=(formulas[0]["id"], formulas[0]["name"]) if formulas else None,
        herbs=[(h["id"], h["name"]) for h in plan.get("herbs") or []],
        course_weeks=course.get("weeks"),
        course_note=course.get("note") or "",
        proposed=True,
    )


def record_from_assessment(
    document: Mapping[str, Any], result: Mapping[str, Any], key: str, when: datetime
) -> Record:
    person = Person(key=key, sex=str(document.get("sex") or ""))
    assessment = AssessmentData(
        key=key, taken=when, result=result, labs=labs_of(document), document=document
    )
    plan = proposed_plan(key, result, when)
    return Record(person=person, assessments=[assessment], plans=[plan] if plan else [])
