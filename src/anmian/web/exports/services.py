"""Exports of patient data, each checked for access and audited like any read: a person's FHIR
Bundle (for the person or a practitioner of their clinic) and the clinic's appointment and
patient lists (for its practitioners).

The records, booking and diary data are read through the patient's reverse relations and the
apps' models; nothing in those apps imports this module, so the dependency runs one way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count
from django.http import Http404

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
from anmian.fhir.assessment import labs_of
from anmian.knowledge import get_kb
from anmian.web.booking.models import Appointment
from anmian.web.records import models as records
from anmian.web.records.access import get_patient
from anmian.web.records.audit import record as audit
from anmian.web.records.services import require_practitioner

User = AbstractBaseUser | AnonymousUser

MAX_DAYS = 366  # an appointment export covers at most a year


class NoPatientRecord(Http404):
    """The account has no patient record, so there is nothing of theirs to export."""


class BadRange(ValueError):
    """The days asked for are not a range the export can give (the message says why)."""


# --- FHIR ---


def patient_fhir(user: User, uid: UUID) -> dict[str, Any]:
    """The patient's record as a FHIR Bundle: the patient themselves, or a practitioner of
    their clinic (anyone else: 404, written as denied by the access check)."""
    patient = get_patient(user, uid)
    audit(user, "export", patient, "fhir", patient)
    return bundle_json(record_of(patient))


def my_fhir(user: User) -> dict[str, Any]:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise NoPatientRecord("this account has no patient record")
    audit(user, "export", patient, "fhir", patient)
    return bundle_json(record_of(patient))


def record_of(p: records.Patient) -> Record:
    kb = get_kb()
    clinic = p.clinic
    plans = list(p.plans.select_related("assessment"))
    appointments = list(
        Appointment.objects.filter(patient=p).select_related("appointment_type").order_by("start")
    )
    # Only the practitioners the record names (a plan's author, an appointment's), not the
    # clinic's whole staff list.
    notes = list(p.notes.order_by("date", "created"))
    named = {pl.adopted_by_id for pl in plans} | {a.practitioner_id for a in appointments}
    named |= {n.practitioner_id for n in notes}
    clinicians = records.Practitioner.objects.filter(pk__in=named).order_by("pk")
    return Record(
        person=Person(
            key=str(p.uid),
            name=p.name,
            birth_date=p.date_of_birth,
            birth_year=p.birth_year,
            sex=p.sex,
            phone=p.phone,
            email=p.user.email if p.user_id and p.user else "",
        ),
        clinic=_clinic(clinic) if clinic else None,
        clinicians=[Clinician(key=str(c.pk), name=c.display_name) for c in clinicians],
        assessments=[
            AssessmentData(
                key=str(a.uid),
                taken=a.created,
                result=a.result,
                labs=labs_of(a.input),
                document=a.input,
            )
            for a in p.assessments.order_by("created")
        ],
        plans=[_plan(pl, kb) for pl in plans],
        nights=[_night(e, p) for e in p.diary.order_by("night_of")] if hasattr(p, "diary") else [],
        bookings=[
            BookingData(
                key=str(a.uid),
                start=a.start,
                end=a.end,
                status=a.status,
                kind=a.appointment_type.name,
                clinician=str(a.practitioner_id),
            )
            for a in appointments
        ],
        sessions=[_session(n, kb) for n in notes],
    )


def _clinic(c: records.Clinic) -> Clinic:
    return Clinic(key=str(c.pk), name=c.name, phone=c.phone, address=c.address)


def _plan(pl: records.Plan, kb: Any) -> PlanData:
    def point(pid: str) -> tuple[str, str]:
        pt = kb.points.get(pid)
        return (pt.code, f"{pt.pinyin} ({pt.english})") if pt else (pid, pid)

    def herb(hid: str) -> tuple[str, str]:
        h = kb.herbs.get(hid)
        return (hid, f"{h.pinyin} ({h.english})") if h else (hid, hid)

    formula = kb.formulas.get(pl.formula) if pl.formula else None
    course = (pl.assessment.result.get("plan") or {}).get("course") or {}
    return PlanData(
        key=str(pl.uid),
        adopted=pl.created,
        by=str(pl.adopted_by_id),
        points=[point(pid) for pid in pl.points],
        formula=(pl.formula, f"{formula.pinyin} ({formula.english})") if formula else None,
        herbs=[herb(h) for h in pl.herbs],
        course_weeks=course.get("weeks"),
        course_note=course.get("note") or "",
    )


def _session(n: records.SessionNote, kb: Any) -> SessionData:
    def point(pid: str) -> tuple[str, str]:
        pt = kb.points.get(pid)
        return (pt.code, f"{pt.pinyin} ({pt.english})") if pt else (pid, pid)

    return SessionData(
        key=str(n.uid),
        day=n.date,
        clinician=str(n.practitioner_id),
        points=[point(x["point"]) for x in n.points if isinstance(x, dict) and x.get("point")],
        tongue=n.tongue,
        pulse=n.pulse,
        herbs_given=n.herbs_given,
        response=n.response,
        notes=n.notes,
    )


def _night(e: Any, p: records.Patient) -> NightData:
    m = e.sleep(p.tz)
    return NightData(
        night_of=e.night_of,
        severity=e.severity,
        total_sleep_min=m.total_sleep_min if m else None,
        sleep_efficiency=m.sleep_efficiency if m else None,
        sleep_latency_min=m.sleep_latency_min if m else None,
        wake_after_sleep_onset_min=m.wake_after_sleep_onset_min if m else None,
    )


# --- the clinic's lists ---

APPOINTMENT_COLUMNS = (
    "appointment", "date", "start", "end", "status", "type", "practitioner", "patient",
    "patient_id", "arrived", "course",
)  # fmt: skip
PATIENT_COLUMNS = (
    "patient_id", "name", "date_of_birth", "birth_year", "sex", "phone", "email",
    "preferred_contact", "has_account", "assessments", "plans", "joined",
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: list[dict[str, Any]]


def clinic_appointments(
    user: User, first: date, last: date, practitioner: int | None = None
) -> Table:
    """The clinic's appointments from `first` to `last` (the clinic's days, both included),
    of one practitioner if given; one audit row per patient listed."""
    me = require_practitioner(user)
    if last < first:
        raise BadRange(f"the last day ({last}) is before the first ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadRange(f"at most {MAX_DAYS} days at a time; asked for {(last - first).days + 1}")
    clinic = me.clinic
    tz = _zone(clinic)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    qs = Appointment.objects.filter(
        practitioner__clinic=clinic, start__gte=start, start__lt=end
    ).select_related("appointment_type", "practitioner", "patient")
    if practitioner is not None:
        if not clinic.practitioners.filter(pk=practitioner).exists():
            raise BadRange(f"no practitioner {practitioner} in your clinic")
        qs = qs.filter(practitioner_id=practitioner)
    rows = [
        {
            "appointment": str(a.uid),
            "date": a.start.astimezone(tz).date(),
            "start": a.start.astimezone(UTC),
            "end": a.end.astimezone(UTC),
            "status": a.status,
            "type": a.appointment_type.name,
            "practitioner": a.practitioner.display_name,
            "patient": a.patient.name,
            "patient_id": str(a.patient.uid),
            "arrived": a.status == "arrived",
            "course": a.course_id is not None,
        }
        for a in qs.order_by("start", "pk")
    ]
    audit(user, "export", _distinct(a.patient for a in qs), "appointments")
    return Table(APPOINTMENT_COLUMNS, rows)


def clinic_patients(user: User) -> Table:
    me = require_practitioner(user)
    patients = list(
        records.Patient.objects.filter(clinic=me.clinic)
        .select_related("user")
        .annotate(
            n_assessments=Count("assessments", distinct=True), n_plans=Count("plans", distinct=True)
        )
        .order_by("name", "pk")
    )
    rows = [
        {
            "patient_id": str(p.uid),
            "name": p.name,
            "date_of_birth": p.date_of_birth,
            "birth_year": p.birth_year,
            "sex": p.sex,
            "phone": p.phone,
            "email": p.user.email if p.user else "",
            "preferred_contact": p.preferred_contact,
            "has_account": p.user_id is not None,
            "assessments": p.n_assessments,
            "plans": p.n_plans,
            "joined": p.created.astimezone(UTC),
        }
        for p in patients
    ]
    audit(user, "export", patients, "patient-list")
    return Table(PATIENT_COLUMNS, rows)


def _zone(clinic: records.Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.time_zone or "UTC")


def _distinct(patients: Iterable[records.Patient]) -> list[records.Patient]:
    return list({p.pk: p for p in patients}.values())
