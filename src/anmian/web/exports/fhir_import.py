"""A person's medicines, conditions and allergies from their GP's FHIR Bundle, in two steps:
`preview` reads the upload (anmian.fhir.importer) and answers the list with a signed token that
carries it; `confirm` keeps the items the person ticked. Nothing is saved before `confirm`:
the list travels in the token (signed, so it is the list the site read, and expiring), not in
the database or the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import transaction

from anmian.fhir.importer import ImportRefused, Item, Readable, read_upload
from anmian.knowledge import get_kb
from anmian.web.exports.services import NoPatientRecord
from anmian.web.records.audit import record as audit
from anmian.web.records.models import Patient, RecordedItem

User = AbstractBaseUser | AnonymousUser
_SALT = "anmian.fhir-import"
TOKEN_SECONDS = 3600  # an hour to look through the list


@dataclass(frozen=True)
class Preview:
    items: list[Item]
    skipped: list[str]
    token: str


def limit() -> int:
    return int(settings.ANMIAN_FHIR_IMPORT_MAX_BYTES)


def too_large(content_length: str | None) -> bool:
    """Whether the request says it is over the limit, so it is refused before it is read (a
    multipart form adds a little to the file: 64 KB of slack)."""
    try:
        return int(content_length or 0) > limit() + 64 * 1024
    except ValueError:
        return False


def size_message() -> str:
    return (
        f"the file is over {limit() // (1024 * 1024)} MB; export only medicines and "
        "problems, or ask the practice for a smaller summary"
    )


def _patient(user: User) -> Patient:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise NoPatientRecord("this account has no patient record")
    return patient


def preview(user: User, stream: Readable) -> Preview:
    """Read the upload (at most the limit) for the person; raises ImportRefused."""
    patient = _patient(user)
    reading = read_upload(stream, get_kb(), limit())
    if not reading.items:
        raise ImportRefused(
            "the Bundle holds no MedicationStatement, MedicationRequest, Condition or "
            "AllergyIntolerance this import can read"
            + (f" ({'; '.join(reading.skipped[:3])})" if reading.skipped else "")
        )
    payload = {"p": str(patient.uid), "items": [i.as_dict() for i in reading.items]}
    token = signing.dumps(payload, salt=_SALT, compress=True)
    return Preview(reading.items, reading.skipped, token)


def items_of(user: User, token: str) -> list[dict[str, Any]]:
    patient = _patient(user)
    try:
        payload = signing.loads(token, salt=_SALT, max_age=TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise ImportRefused("the list has expired; upload the file again") from None
    except signing.BadSignature:
        raise ImportRefused("the list was changed or is not one this site made") from None
    if payload.get("p") != str(patient.uid):
        raise ImportRefused("the list was read for another person")
    return list(payload["items"])


def confirm(user: User, token: str, keep: list[int]) -> list[RecordedItem]:
    """Keep the items at the indexes ticked; an index outside the list is refused."""
    items = items_of(user, token)
    patient = _patient(user)
    if any(k < 0 or k >= len(items) for k in keep) or len(set(keep)) != len(keep):
        raise ImportRefused(f"choose items between 0 and {len(items) - 1}, each once")
    rows = [
        RecordedItem(
            patient=patient,
            kind=items[k]["kind"],
            text=str(items[k]["text"])[:300],
            system=str(items[k]["system"])[:200],
            code=str(items[k]["code"])[:64],
            kb_id=str(items[k]["kb_id"])[:64],
            status=str(items[k]["status"])[:32],
        )
        for k in sorted(keep)
    ]
    with transaction.atomic():
        made = RecordedItem.objects.bulk_create(rows)
        audit(user, "create", patient, "recorded-items", patient)
    return made


def recorded(user: User) -> list[RecordedItem]:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    return list(patient.recorded_items.all()) if patient else []


def assessment_fields(patient: Patient) -> dict[str, list[str]]:
    """What a self-check can start from: the confirmed medicines, conditions and allergies as
    the engine's `medications`, `conditions` and `allergies` (the record's words, which the
    reader reads again: an allergy to a herb or oil then keeps it out of the plan)."""
    out: dict[str, list[str]] = {"medications": [], "conditions": [], "allergies": []}
    into = {"medication": "medications", "condition": "conditions", "allergy": "allergies"}
    for item in patient.recorded_items.all():
        if item.kind in into:
            out[into[item.kind]].append(item.text)
    return out
