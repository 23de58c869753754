""" "Download my data": one ZIP of everything Anmian holds about the person asking, in open
formats: JSON for the records, the FHIR Bundle, CSV for the tables (core/csvsafe.py) and the
diary's PDF progress report. The archive is written in memory (a person's records are small)
and audited once, as an export of `archive`."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from anmian.fhir import bundle_json
from anmian.web.booking.models import Appointment, WaitlistEntry
from anmian.web.core.csvsafe import rows_to_csv
from anmian.web.diary import services as diary
from anmian.web.diary.csvfile import COLUMNS, MEASURES
from anmian.web.exports.services import NoPatientRecord, User, record_of
from anmian.web.records import models as records
from anmian.web.records.audit import record as audit
from anmian.web.shop.models import Order


@dataclass(frozen=True)
class ArchiveFile:
    name: str
    what: str
    data: bytes


def _json(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _profile(p: records.Patient) -> dict[str, Any]:
    return {
        "id": str(p.uid),
        "name": p.name,
        "email": p.user.email if p.user else "",
        "date_of_birth": p.date_of_birth,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "phone": p.phone,
        "emergency_contact": p.emergency_contact,
        "preferred_contact": p.preferred_contact,
        "clinic": p.clinic.name if p.clinic else None,
        "joined": p.created,
    }


def _assessments(p: records.Patient) -> list[dict[str, Any]]:
    return [
        {"id": str(a.uid), "created": a.created, "kb_version": a.kb_version, "input": a.input,
         "result": a.result}
        for a in p.assessments.order_by("created")
    ]  # fmt: skip


def _plans(p: records.Patient) -> list[dict[str, Any]]:
    return [
        {"id": str(pl.uid), "assessment": str(pl.assessment.uid), "created": pl.created,
         "updated": pl.updated, "adopted_by": pl.adopted_by.display_name, "points": pl.points,
         "formula": pl.formula, "herbs": pl.herbs}
        for pl in p.plans.select_related("assessment", "adopted_by").order_by("created")
    ]  # fmt: skip


def _notes(p: records.Patient) -> list[dict[str, Any]]:
    # The practitioner's session notes are about the person, so they are theirs to have too.
    return [
        {"id": str(n.uid), "date": n.date, "practitioner": n.practitioner.display_name,
         "tongue": n.tongue, "pulse": n.pulse, "points": n.points, "herbs_given": n.herbs_given,
         "response": n.response, "notes": n.notes}
        for n in p.notes.select_related("practitioner").order_by("date", "created")
    ]  # fmt: skip


APPOINTMENT_COLUMNS = ("appointment", "start", "end", "status", "type", "practitioner")


def _appointments(p: records.Patient) -> bytes:
    rows = [
        (str(a.uid), a.start, a.end, a.status, a.appointment_type.name, a.practitioner.display_name)
        for a in Appointment.objects.filter(patient=p)
        .select_related("appointment_type", "practitioner")
        .order_by("start")
    ]
    return rows_to_csv(APPOINTMENT_COLUMNS, rows).encode()


def _waitlist(p: records.Patient) -> list[dict[str, Any]]:
    return [
        {"id": str(w.uid), "type": w.appointment_type.name, "status": w.status,
         "practitioner": w.practitioner.display_name if w.practitioner else None}
        for w in WaitlistEntry.objects.filter(patient=p).select_related(
            "appointment_type", "practitioner"
        )
    ]  # fmt: skip


def _orders(user: Any) -> list[dict[str, Any]]:
    return [
        model_to_dict(o, exclude=["id", "user", "idempotency_key", "prescribed_by"])
        | {"id": str(o.uid), "created": o.created,
           "lines": [model_to_dict(line, exclude=["id", "order", "product"]) for line in o.lines.all()]}
        for o in Order.objects.filter(user=user).prefetch_related("lines").order_by("created")
    ]  # fmt: skip


def _diary_csv(user: Any) -> bytes:
    header = [*COLUMNS, *MEASURES]
    rows = diary.export_rows(user)
    return rows_to_csv(header, ([row[c] for c in header] for row in rows)).encode()


def _scores(p: records.Patient) -> bytes:
    rows = [(s.taken, s.scale, s.total, s.band) for s in p.scores.order_by("taken")]
    return rows_to_csv(("taken", "scale", "total", "band"), rows).encode()


def archive_files(user: User) -> list[ArchiveFile]:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise NoPatientRecord("this account has no patient record")
    p: records.Patient = patient
    parts: list[tuple[str, str, Callable[[], bytes]]] = [
        ("profile.json", "Your details as the clinic has them", lambda: _json(_profile(p))),
        ("assessments.json", "Every assessment: what you answered and the result",
         lambda: _json(_assessments(p))),
        ("plans.json", "Plans a practitioner adopted for you", lambda: _json(_plans(p))),
        ("session-notes.json", "Your practitioner's notes of each session", lambda: _json(_notes(p))),
        ("appointments.csv", "Your appointments (times in UTC)", lambda: _appointments(p)),
        ("waitlist.json", "Waiting lists you joined", lambda: _json(_waitlist(p))),
        ("orders.json", "Your shop orders", lambda: _json(_orders(user))),
        ("diary.csv", "Your sleep and leg diary (imports back into Anmian)", lambda: _diary_csv(user)),
        ("scores.csv", "Your severity scores over time", lambda: _scores(p)),
        ("record.fhir.json", "All of it as a FHIR R4 Bundle, for another health system",
         lambda: _json(bundle_json(record_of(p)))),
        ("progress-report.pdf", "Your diary's progress report",
         lambda: diary.progress_report(user, "a4")),
    ]  # fmt: skip
    files = [ArchiveFile(name, what, make()) for name, what, make in parts]
    readme = "What this archive holds\n\n" + "".join(f"{f.name}: {f.what}\n" for f in files)
    audit(user, "export", p, "archive", p)
    return [ArchiveFile("README.txt", "What each file is", readme.encode()), *files]


def my_archive(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in archive_files(user):
            zf.writestr(f"anmian-my-data/{f.name}", f.data)
    return buffer.getvalue()
