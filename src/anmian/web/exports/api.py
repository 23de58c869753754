"""The exports through the JSON API: a FHIR Bundle of a patient's record (`application/fhir+json`)
and the clinic's appointment and patient lists as JSON or, with `format=csv`, as a CSV file
(web/core/csvsafe.py). Each operation parses, calls exports/services.py and answers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from anmian.fhir.importer import ImportRefused
from anmian.web.apiauth import AUTH, ApiError, errors
from anmian.web.core.csvsafe import rows_to_csv
from anmian.web.exports import archive, erasure, fhir_import, services
from anmian.web.records.audit import DENIED, record
from anmian.web.records.services import NotPractitioner

router = Router(tags=["exports"], auth=AUTH)

FHIR_JSON = "application/fhir+json"


class FhirBundle(Schema):
    """A FHIR R4 Bundle of type `collection` (docs/fhir.md lists its resources and codes)."""

    model_config = ConfigDict(extra="allow")
    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    timestamp: str
    entry: list[dict[str, Any]] = Field(description="{fullUrl, resource} for each resource.")


def _fhir(data: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type=FHIR_JSON)


_FHIR_DOC = {
    "responses": {
        200: {"content": {FHIR_JSON: {"schema": {"$ref": "#/components/schemas/FhirBundle"}}}}
    }
}


@router.get(
    "/patients/{uid}/fhir",
    response={200: FhirBundle, **errors(401, 404, 422)},
    summary="A patient's record as a FHIR R4 Bundle (the patient, or their clinic's practitioners)",
    openapi_extra=_FHIR_DOC,
)
def patient_fhir(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    return _fhir(services.patient_fhir(request.user, uid))


@router.get(
    "/me/fhir",
    response={200: FhirBundle, **errors(401, 404)},
    summary="My record as a FHIR R4 Bundle",
    openapi_extra=_FHIR_DOC,
)
def my_fhir(request: HttpRequest) -> HttpResponse:
    try:
        return _fhir(services.my_fhir(request.user))
    except services.NoPatientRecord as exc:
        raise ApiError(404, str(exc)) from None


class AppointmentExportRow(Schema):
    appointment: str
    date: dt.date = Field(description="The clinic's day.")
    start: dt.datetime = Field(description="UTC.")
    end: dt.datetime = Field(description="UTC.")
    status: str
    type: str
    practitioner: str
    patient: str
    patient_id: str
    arrived: bool
    course: bool = Field(description="Part of a course of appointments.")


class AppointmentExport(Schema):
    first: dt.date
    last: dt.date
    count: int
    rows: list[AppointmentExportRow]


class PatientExportRow(Schema):
    patient_id: str
    name: str
    date_of_birth: dt.date | None
    birth_year: int | None
    sex: str
    phone: str
    email: str
    preferred_contact: str
    has_account: bool
    assessments: int
    plans: int
    joined: dt.datetime


class PatientExport(Schema):
    count: int
    rows: list[PatientExportRow]


def _csv_doc(name: str) -> dict[str, Any]:
    return {
        "responses": {
            200: {
                "content": {
                    "text/csv": {
                        "schema": {"type": "string"},
                        "example": f"\ufeff{name}\r\n",
                    }
                }
            }
        }
    }


def _practitioner_only(request: HttpRequest, what: str) -> ApiError:
    record(request.user, "export", None, what, outcome=DENIED, request=request)
    return ApiError(403, "only practitioners can export the clinic's lists")


def _csv(table: services.Table, filename: str) -> HttpResponse:
    rows = ([r[c] for c in table.columns] for r in table.rows)
    response = HttpResponse(
        rows_to_csv(table.columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/clinic/exports/appointments",
    response={200: AppointmentExport, **errors(400, 401, 403, 422)},
    summary="My clinic's appointments from one day to another, as JSON or CSV (practitioners)",
    openapi_extra=_csv_doc(",".join(services.APPOINTMENT_COLUMNS)),
)
def appointments(
    request: HttpRequest,
    first: dt.date,
    last: dt.date,
    practitioner: int | None = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    try:
        table = services.clinic_appointments(request.user, first, last, practitioner)
    except NotPractitioner:
        raise _practitioner_only(request, "appointments") from None
    except services.BadRange as exc:
        raise ApiError(400, str(exc)) from None
    if format == "csv":
        return _csv(table, f"appointments-{first}-{last}.csv")
    return {"first": first, "last": last, "count": len(table.rows), "rows": table.rows}


@router.get(
    "/clinic/exports/patients",
    response={200: PatientExport, **errors(401, 403, 422)},
    summary="My clinic's patients, as JSON or CSV (practitioners)",
    openapi_extra=_csv_doc(",".join(services.PATIENT_COLUMNS)),
)
def patients(request: HttpRequest, format: Literal["json", "csv"] = "json") -> Any:
    try:
        table = services.clinic_patients(request.user)
    except NotPractitioner:
        raise _practitioner_only(request, "patient-list") from None
    if format == "csv":
        return _csv(table, "patients.csv")
    return {"count": len(table.rows), "rows": table.rows}


class ArchiveFileOut(Schema):
    name: str
    what: str
    bytes: int


class ArchiveContents(Schema):
    files: list[ArchiveFileOut] = Field(description="What the ZIP holds, README.txt first.")


@router.get(
    "/me/archive",
    response={200: ArchiveContents, **errors(401, 404, 422)},
    summary="Download my data: one ZIP of everything Anmian holds about me (format=json lists it)",
    openapi_extra={
        "responses": {
            200: {
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
            }
        }
    },
)
def my_archive(request: HttpRequest, format: Literal["zip", "json"] = "zip") -> Any:
    try:
        if format == "json":
            files = archive.archive_files(request.user)
            return {
                "files": [{"name": f.name, "what": f.what, "bytes": len(f.data)} for f in files]
            }
        data = archive.my_archive(request.user)
    except services.NoPatientRecord as exc:
        raise ApiError(404, str(exc)) from None
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="anmian-my-data.zip"'
    return response


class ImportItemOut(Schema):
    kind: Literal["medication", "condition", "allergy"]
    text: str = Field(description="The record's own words (the text, else the first display).")
    system: str
    code: str
    status: str = Field(description="The record's status (active, completed, resolved, ...).")
    kb_id: str = Field(description="What Anmian read it as; empty when unknown.")
    kb_name: str
    known: bool = Field(description="False: Anmian does not know it; the person confirms it.")
    current: bool = Field(description="Suggested for keeping (not stopped, resolved, ...).")


class ImportPreview(Schema):
    items: list[ImportItemOut]
    unknown: int = Field(description="How many items Anmian does not know.")
    skipped: list[str] = Field(description="Resources left out, and why.")
    token: str = Field(description="Send it back with the items to keep; valid for an hour.")


class ImportConfirm(Schema):
    token: str
    keep: list[int] = Field(description="Indexes into items of the items to keep.")


class ImportKept(Schema):
    kept: int


_IMPORT_BUNDLE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "type": {"type": "string", "examples": ["collection", "document", "searchset"]},
        "entry": {
            "type": "array",
            "description": "{fullUrl, resource}; MedicationStatement, MedicationRequest, "
            "Condition and AllergyIntolerance are read, Medication for their references.",
            "items": {"type": "object"},
        },
    },
}


@router.post(
    "/me/fhir/import",
    response={200: ImportPreview, **errors(400, 401, 404, 413)},
    summary="Read my medicines, conditions and allergies from a GP's FHIR R4 Bundle (nothing "
    "is saved: confirm the list with /me/fhir/import/confirm)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The Bundle as the GP system exported it (FHIR R4 JSON, at most 5 MB).",
            "content": {
                FHIR_JSON: {"schema": _IMPORT_BUNDLE},
                "application/json": {"schema": _IMPORT_BUNDLE},
            },
        }
    },
)
def import_preview(request: HttpRequest) -> Any:
    if fhir_import.too_large(request.META.get("CONTENT_LENGTH")):
        raise ApiError(413, fhir_import.size_message())
    try:
        preview = fhir_import.preview(request.user, request)
    except ImportRefused as exc:
        raise ApiError(400, str(exc)) from None
    except services.NoPatientRecord as exc:
        raise ApiError(404, str(exc)) from None
    items = [i.as_dict() for i in preview.items]
    unknown = sum(1 for i in preview.items if not i.known)
    return {"items": items, "unknown": unknown, "skipped": preview.skipped, "token": preview.token}


@router.post(
    "/me/fhir/import/confirm",
    response={200: ImportKept, **errors(400, 401, 404, 422)},
    summary="Keep the items of an import I checked",
)
def import_confirm(request: HttpRequest, body: ImportConfirm) -> Any:
    try:
        kept = fhir_import.confirm(request.user, body.token, body.keep)
    except ImportRefused as exc:
        raise ApiError(400, str(exc)) from None
    except services.NoPatientRecord as exc:
        raise ApiError(404, str(exc)) from None
    return {"kept": len(kept)}


# --- deleting one's account (exports/erasure.py) ---


class KeptRecord(Schema):
    what: str
    why: str


class ErasureState(Schema):
    """An erasure request: asked (an email carries the link that confirms it), confirmed (it
    is carried out at `due`, after the grace period) or cancelled."""

    request: str = Field(description="The request's id.")
    state: Literal["pending", "confirmed", "cancelled", "done"]
    requested: dt.datetime
    due: dt.datetime | None = Field(
        description="When the account is erased (UTC); empty until the emailed link confirms."
    )
    grace_days: int = Field(description="Days between confirming and the erasure.")
    kept: list[KeptRecord] = Field(description="What the clinic keeps by law, and why.")


def _erasure_state(req: Any) -> dict[str, Any]:
    return {
        "request": str(req.uid),
        "state": req.state,
        "requested": req.requested,
        "due": req.due,
        "grace_days": erasure.grace_days(),
        "kept": [{"what": str(w), "why": str(y)} for w, y in erasure.RETAINED],
    }


@router.post(
    "/me/erasure",
    response={201: ErasureState, **errors(401, 403, 404, 409)},
    summary="Ask for my account to be deleted (an email link confirms; a grace period follows)",
)
def request_my_erasure(request: HttpRequest) -> Any:
    return Status(201, _erasure_step(erasure.request_erasure, request))


@router.delete(
    "/me/erasure",
    response={200: ErasureState, **errors(401, 403, 404, 409)},
    summary="Cancel my request to delete my account (before it is carried out)",
)
def cancel_my_erasure(request: HttpRequest) -> Any:
    return _erasure_step(erasure.cancel, request)


def _erasure_step(step: Any, request: HttpRequest) -> dict[str, Any]:
    """One step of the person's erasure request, its refusals as the API's statuses."""
    try:
        req = step(request.user)
    except Http404 as exc:
        raise ApiError(404, str(exc)) from None
    except erasure.ErasureError as exc:
        raise ApiError(409, str(exc)) from None
    return _erasure_state(req)
