"""FHIR R4 resources from the plain data of `record.py`, one function per resource kind.

Each function returns the resource as a validated `fhir.resources` model of its R4B package:
fhir.resources 7 and later ship R5 by default and R4B (4.3.0) as a sub-package, and no release
with R4 itself (4.0.1) runs on pydantic 2, which the site needs. R4B changed only the medicine
definition, evidence and subscription resources (hl7.org/fhir/R4B/r4b-explanation.html); every
resource written here is the same in R4 and R4B, so the output is R4 content."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from anmian.fhir import codes
from anmian.fhir.record import (
    AssessmentData,
    BookingData,
    Clinic,
    Clinician,
    NightData,
    Person,
    PlanData,
)

# The FHIR ids are name-based UUIDs: the same record exported twice has the same ids, and a
# person's own key never appears in a reference.
_NAMESPACE = uuid.UUID("6f1d1c9e-8a0b-4f7e-9a55-2b1c3d4e5f60")


def fhir_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{key}"))


def ref(kind: str, key: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{fhir_id(kind, key)}"}


def validated(data: Mapping[str, Any]) -> Resource:
    """The resource as its fhir.resources model: a wrong field or type raises here."""
    model: Any = get_fhir_model_class(str(data["resourceType"]))
    resource: Resource = model.model_validate(dict(data))
    return resource


def _coding(code: tuple[str, str, str]) -> dict[str, str]:
    system, value, display = code
    return {"system": system, "code": value, "display": display}


def _concept(*found: tuple[str, str, str], text: str | None = None) -> dict[str, Any]:
    concept: dict[str, Any] = {"coding": [_coding(c) for c in found]}
    if text:
        concept["text"] = text
    return concept


def instant(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("a FHIR instant needs a time zone; got a naive datetime")
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _identifier(kind: str, key: str) -> list[dict[str, str]]:
    return [{"system": codes.IDENTIFIER + kind, "value": key}]


_GENDER = {"female": "female", "male": "male", "other": "other", "": "unknown"}


def patient(p: Person, clinic: Clinic | None = None) -> Resource:
    data: dict[str, Any] = {
        "resourceType": "Patient",
        "id": fhir_id("Patient", p.key),
        "identifier": _identifier("patient", p.key),
        "gender": _GENDER.get(p.sex, "unknown"),
    }
    if p.name:
        data["name"] = [{"text": p.name}]
    if p.birth_date:
        data["birthDate"] = p.birth_date.isoformat()
    elif p.birth_year:
        data["birthDate"] = f"{p.birth_year:04d}"  # a partial date is allowed
    telecom = [{"system": "phone", "value": p.phone}] if p.phone else []
    telecom += [{"system": "email", "value": p.email}] if p.email else []
    if telecom:
        data["telecom"] = telecom
    if clinic:
        data["managingOrganization"] = ref("Organization", clinic.key)
    return validated(data)


def practitioner(c: Clinician) -> Resource:
    return validated(
        {
            "resourceType": "Practitioner",
            "id": fhir_id("Practitioner", c.key),
            "identifier": _identifier("practitioner", c.key),
            "name": [{"text": c.name}],
        }
    )


def organization(c: Clinic) -> Resource:
    data: dict[str, Any] = {
        "resourceType": "Organization",
        "id": fhir_id("Organization", c.key),
        "identifier": _identifier("clinic", c.key),
        "name": c.name,
    }
    if c.phone:
        data["telecom"] = [{"system": "phone", "value": c.phone}]
    if c.address:
        data["address"] = [{"text": c.address}]
    return validated(data)


def _condition_status(verification: str) -> dict[str, Any]:
    return {
        "clinicalStatus": _concept((codes.CONDITION_CLINICAL, "active", "Active")),
        "verificationStatus": _concept(
            (codes.CONDITION_VERIFICATION, verification, verification.capitalize())
        ),
        "category": [
            _concept((codes.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"))
        ],
    }


def rls_condition(a: AssessmentData, person_key: str) -> Resource | None:
    """RLS as screened: a screening is not a diagnosis, so it is `provisional` when all five
    criteria are met and `unconfirmed` when answers are missing; none when the criteria are
    not met."""
    screening = a.result.get("screening") or {}
    verdict = str(screening.get("verdict") or "")
    verification = {"possible-rls": "provisional", "insufficient": "unconfirmed"}.get(verdict)
    if verification is None:
        return None
    criteria = screening.get("criteria") or {}
    met = [{"code": [{"text": name.replace("_", " ")}]} for name, yes in criteria.items() if yes]
    data: dict[str, Any] = {
        "resourceType": "Condition",
        "id": fhir_id("Condition", f"{a.key}/rls"),
        **_condition_status(verification),
        "code": _concept(*codes.RLS, text="Restless legs syndrome"),
        "subject": ref("Patient", person_key),
        "recordedDate": instant(a.taken),
        "note": [{"text": f"Screening verdict {verdict}: {screening.get('explanation', '')}"}],
    }
    if met:
        data["evidence"] = met
    return validated(data)


def pattern_conditions(a: AssessmentData, person_key: str) -> list[Resource]:
    """A Condition per TCM pattern the assessment differentiated (the primary one and those
    combined with it; the merely considered are not conclusions), coded with its ICD-11
    Chapter 26 (TM1) codes where the knowledge base has them, the findings for it as evidence."""
    out = []
    for p in a.result.get("patterns") or []:
        if p.get("role") not in ("primary", "combined"):
            continue
        found = [(codes.ICD11, i["code"], i["title"]) for i in p.get("icd11") or []]
        evidence = [
            {"code": [_concept((codes.FINDING, f["finding"], f.get("label") or f["finding"]))]}
            for f in p.get("for") or []
        ]
        data: dict[str, Any] = {
            "resourceType": "Condition",
            "id": fhir_id("Condition", f"{a.key}/{p['id']}"),
            **_condition_status("provisional"),
            "code": _concept(*found, (codes.PATTERN, p["id"], p["name"]), text=p["name"]),
            "subject": ref("Patient", person_key),
            "recordedDate": instant(a.taken),
            "note": [{"text": f"TCM pattern, {p.get('role', 'ranked')}, score {p['score']}"}],
        }
        if evidence:
            data["evidence"] = evidence
        out.append(validated(data))
    return out


def _observation(
    key: str,
    code: tuple[str, str, str],
    category: str,
    person_key: str,
    when: str,
    value: dict[str, Any],
) -> Resource:
    return validated(
        {
            "resourceType": "Observation",
            "id": fhir_id("Observation", key),
            "status": "final",
            "category": [_concept((codes.OBSERVATION_CATEGORY, category, category.capitalize()))],
            "code": _concept(code),
            "subject": ref("Patient", person_key),
            "effectiveDateTime": when,
            **value,
        }
    )


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"valueQuantity": {"value": value, "unit": unit, "system": codes.UCUM, "code": unit}}


def assessment_observations(a: AssessmentData, person_key: str) -> list[Resource]:
    """The severity score and the labs of one assessment."""
    when = instant(a.taken)
    out = []
    severity = (a.result.get("screening") or {}).get("severity")
    if severity:
        data: dict[str, Any] = {"valueInteger": int(severity["total"])}
        if severity.get("band"):
            data["interpretation"] = [{"text": severity["band"]}]
        code = codes.score_code(severity["scale"], severity.get("name") or severity["scale"])
        out.append(_observation(f"{a.key}/severity", code, "survey", person_key, when, data))
    labs = (
        ("ferritin_ng_ml", codes.FERRITIN, "ng/mL"),
        ("tsat_percent", codes.TSAT, "%"),
    )
    for field, code, unit in labs:
        if a.labs.get(field) is not None:
            value = _quantity(float(a.labs[field]), unit)
            out.append(
                _observation(f"{a.key}/{field}", code, "laboratory", person_key, when, value)
            )
    return out


def night_observations(n: NightData, person_key: str) -> list[Resource]:
    when = n.night_of.isoformat()
    measures: Sequence[tuple[Any, tuple[str, str, str], str]] = (
        (n.total_sleep_min, codes.SLEEP_DURATION, "min"),
        (n.sleep_efficiency, codes.SLEEP_EFFICIENCY, "%"),
        (n.sleep_latency_min, codes.SLEEP_ONSET, "min"),
        (n.wake_after_sleep_onset_min, codes.WAKE_AFTER_ONSET, "min"),
    )
    out = [
        _observation(f"night/{when}/{code[1]}", code, "survey", person_key, when, _quantity(v, u))
        for v, code, u in measures
        if v is not None
    ]
    if n.severity is not None:
        code = codes.NIGHT_SEVERITY
        value = {"valueInteger": n.severity}
        out.append(_observation(f"night/{when}/{code[1]}", code, "survey", person_key, when, value))
    return out


def care_plan(plan: PlanData, person_key: str) -> Resource:
    """An adopted plan: each point an activity coded with its WHO standard code, the formula
    and each herb as a product activity, the course as the plan's period."""

    def activity(concept: dict[str, Any], product: bool = False) -> dict[str, Any]:
        key = "productCodeableConcept" if product else "code"
        return {"detail": {key: concept, "status": "not-started"}}

    activities = [
        activity(_concept((codes.ACUPOINT, c, name), text=name)) for c, name in plan.points
    ]
    if plan.formula:
        fid, name = plan.formula
        activities.append(activity(_concept((codes.FORMULA, fid, name)), product=True))
    activities += [
        activity(_concept((codes.HERB, hid, name)), product=True) for hid, name in plan.herbs
    ]
    period: dict[str, str] = {"start": instant(plan.adopted)}
    if plan.course_weeks:
        period["end"] = instant(plan.adopted + timedelta(weeks=plan.course_weeks))
    data: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": fhir_id("CarePlan", plan.key),
        "identifier": _identifier("plan", plan.key),
        "status": "draft" if plan.proposed else "active",
        "intent": "proposal" if plan.proposed else "plan",
        "title": "TCM plan for restless legs",
        "subject": ref("Patient", person_key),
        "period": period,
        "created": instant(plan.adopted),
    }
    if plan.course_weeks or plan.course_note:
        weeks = f"A course of {plan.course_weeks} weeks. " if plan.course_weeks else ""
        data["description"] = (weeks + plan.course_note).strip()
    if plan.by:
        data["author"] = ref("Practitioner", plan.by)
    if activities:
        data["activity"] = activities
    return validated(data)


_APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "cancelled": "cancelled",
    "no-show": "noshow",
}


def appointment(b: BookingData, person_key: str) -> Resource:
    if b.status not in _APPOINTMENT_STATUS:
        raise ValueError(f"unknown appointment status {b.status!r}")
    participants = [{"actor": ref("Patient", person_key), "status": "accepted"}]
    if b.clinician:
        participants.append({"actor": ref("Practitioner", b.clinician), "status": "accepted"})
    data: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": fhir_id("Appointment", b.key),
        "identifier": _identifier("appointment", b.key),
        "status": _APPOINTMENT_STATUS[b.status],
        "start": instant(b.start),
        "end": instant(b.end),
        "participant": participants,
    }
    if b.kind:
        data["serviceType"] = [{"text": b.kind}]
        data["description"] = b.kind
    return validated(data)


def all_of(groups: Iterable[Iterable[Resource]]) -> list[Resource]:
    return [r for g in groups for r in g]
