"""One person's record as a FHIR R4 Bundle of type `collection`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from anmian.fhir import resources as r
from anmian.fhir import sessions
from anmian.fhir.record import Record


def resources_of(record: Record) -> list[Resource]:
    """Every resource of the record, the people and the clinic first (so a reader meets a
    reference's target before the reference)."""
    key = record.person.key
    out: list[Resource] = [r.patient(record.person, record.clinic)]
    if record.clinic:
        out.append(r.organization(record.clinic))
    out += [r.practitioner(c) for c in record.clinicians]
    responses = [sessions.questionnaire_response(a, key) for a in record.assessments]
    if any(responses):
        out.append(sessions.questionnaire())
    for a, response in zip(record.assessments, responses, strict=True):
        out += [response] if response else []
        rls = r.rls_condition(a, key)
        out += [rls] if rls else []
        out += r.pattern_conditions(a, key)
        out += r.assessment_observations(a, key)
    for n in record.nights:
        out += r.night_observations(n, key)
    out += [r.care_plan(p, key) for p in record.plans]
    out += [r.appointment(b, key) for b in record.bookings]
    clinic = record.clinic.key if record.clinic else None
    for s in record.sessions:
        out += [sessions.encounter(s, key, clinic), sessions.procedure(s, key)]
    return out


def bundle(record: Record, now: datetime | None = None) -> Bundle:
    entries = [{"fullUrl": f"urn:uuid:{res.id}", "resource": res} for res in resources_of(record)]
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "timestamp": stamp, "entry": entries}
    )


def bundle_json(record: Record, now: datetime | None = None) -> dict[str, Any]:
    """The Bundle as JSON data, as it is served (`application/fhir+json`)."""
    data: dict[str, Any] = json.loads(bundle(record, now).model_dump_json(exclude_none=True))
    return data
