"""Encounter and Procedure for a treatment session, and the self-check as a Questionnaire with
one QuestionnaireResponse per assessment."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.resource import Resource

from anmian.fhir import codes
from anmian.fhir.record import AssessmentData, SessionData
from anmian.fhir.resources import fhir_id, instant, ref, validated
from anmian.knowledge import get_kb

_LEG_SCALE = "anmian-leg-scale"  # our own wording; the IRLS is licensed and comes as a total


def encounter(s: SessionData, person_key: str, clinic_key: str | None) -> Resource:
    data: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": fhir_id("Encounter", s.key),
        "identifier": [{"system": codes.IDENTIFIER + "session", "value": s.key}],
        "status": "finished",
        "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
        "subject": ref("Patient", person_key),
        "period": {"start": s.day.isoformat(), "end": s.day.isoformat()},
    }
    if s.clinician:
        data["participant"] = [{"individual": ref("Practitioner", s.clinician)}]
    if clinic_key:
        data["serviceProvider"] = ref("Organization", clinic_key)
    return validated(data)


def procedure(s: SessionData, person_key: str) -> Resource:
    """The session as an acupuncture Procedure: the points needled as body sites (WHO codes),
    the note's parts (tongue, pulse, herbs given, response, notes) as annotations."""
    notes = [
        {"text": f"{label}: {text}"}
        for label, text in (
            ("Tongue", s.tongue),
            ("Pulse", s.pulse),
            ("Herbs given", s.herbs_given),
            ("Response", s.response),
            ("Notes", s.notes),
        )
        if text
    ]
    data: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": fhir_id("Procedure", s.key),
        "status": "completed",
        "code": {
            "coding": [
                {
                    "system": codes.PROCEDURE,
                    "code": "acupuncture-session",
                    "display": "Acupuncture session",
                }
            ]
        },
        "subject": ref("Patient", person_key),
        "encounter": ref("Encounter", s.key),
        "performedDateTime": s.day.isoformat(),
    }
    if s.clinician:
        data["performer"] = [{"actor": ref("Practitioner", s.clinician)}]
    if s.points:
        data["bodySite"] = [
            {"coding": [{"system": codes.ACUPOINT, "code": c, "display": n}], "text": n}
            for c, n in s.points
        ]
    if notes:
        data["note"] = notes
    return validated(data)


def questionnaire() -> Resource:
    """Anmian's own self-check items: the five IRLSSG criteria (yes/no) and our leg scale."""
    kb = get_kb()
    items: list[dict[str, Any]] = [
        {"linkId": c.criterion, "text": c.text, "type": "boolean"} for c in kb.screening.values()
    ]
    scale = kb.scales[_LEG_SCALE]
    items += [
        {
            "linkId": f"{_LEG_SCALE}.{item.id}",
            "text": item.text,
            "type": "integer",
        }
        for item in scale.items
    ]
    return validated(
        {
            "resourceType": "Questionnaire",
            "id": fhir_id("Questionnaire", "self-check"),
            "url": codes.QUESTIONNAIRE,
            "name": "AnmianSelfCheck",
            "title": "Anmian self-check",
            "status": "active",
            "subjectType": ["Patient"],
            "item": items,
        }
    )


def questionnaire_response(a: AssessmentData, person_key: str) -> Resource | None:
    """What the person answered in one assessment, or None when they answered no item."""
    kb = get_kb()
    answered: list[dict[str, Any]] = []
    screening = a.document.get("screening") or {}
    for c in kb.screening.values():
        if isinstance(screening.get(c.criterion), bool):
            answered.append(
                {"linkId": c.criterion, "answer": [{"valueBoolean": screening[c.criterion]}]}
            )
    severity = a.document.get("severity") or {}
    if severity.get("scale") == _LEG_SCALE:
        for item, value in zip(
            kb.scales[_LEG_SCALE].items, severity.get("answers") or [], strict=False
        ):
            if isinstance(value, int) and not isinstance(value, bool):
                answered.append(
                    {"linkId": f"{_LEG_SCALE}.{item.id}", "answer": [{"valueInteger": value}]}
                )
    if not answered:
        return None
    return validated(
        {
            "resourceType": "QuestionnaireResponse",
            "id": fhir_id("QuestionnaireResponse", a.key),
            "questionnaire": codes.QUESTIONNAIRE,
            "status": "completed",
            "subject": ref("Patient", person_key),
            "authored": instant(a.taken),
            "item": answered,
        }
    )
