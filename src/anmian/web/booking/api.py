"""Booking through the JSON API. Every write takes an Idempotency-Key header, so a retried
request books once; a clash is a 409 with the nearest free times, never a 500."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from anmian.web.apiauth import AUTH, ApiError
from anmian.web.booking import notify, services
from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.records.access import get_patient, is_practitioner
from anmian.web.records.models import Practitioner

router = Router(tags=["booking"], auth=AUTH)


class BookIn(Schema):
    practitioner: int
    appointment_type: int
    start: datetime  # ISO 8601 with an offset, e.g. 2026-03-03T10:00:00+00:00
    end: datetime | None = None
    patient: str | None = None  # staff only: the patient's uid


class CourseIn(Schema):
    practitioner: int
    appointment_type: int
    first_day: date
    time: time
    weeks: int
    accept_alternatives: bool = False
    patient: str | None = None


def _error(exc: services.BookingError):
    extra: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, services.SlotTaken):
        extra["alternatives"] = [a.isoformat() for a in exc.alternatives]
    if isinstance(exc, services.CourseConflict):
        extra["proposals"] = [
            {
                "week": p.week,
                "wanted": p.wanted.isoformat() if p.wanted else None,
                "start": p.start.isoformat() if p.start else None,
                "note": p.note,
            }
            for p in exc.proposals
        ]
    return ApiError(exc.status, str(exc), **extra)


def _parties(request: HttpRequest, practitioner_id: int, type_id: int, patient_uid: str | None):
    user = request.user
    if patient_uid:
        if not is_practitioner(user):
            raise ApiError(403, "only clinic staff book for someone else")
        patient = get_patient(user, patient_uid)
    else:
        patient = getattr(user, "patient", None)
        if patient is None:
            raise ApiError(400, "give 'patient' (a patient's uid) when booking as staff")
    practitioner = Practitioner.objects.select_related("clinic").filter(pk=practitioner_id).first()
    kind = AppointmentType.objects.filter(pk=type_id).first()
    if practitioner is None or kind is None:
        raise ApiError(404, "no such practitioner or appointment type")
    return practitioner, patient, kind


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key) <= 100):
        raise ApiError(400, "Idempotency-Key must be 1 to 100 characters")
    return key


def _out(a: Appointment) -> dict[str, Any]:
    return {
        "uid": str(a.uid),
        "start": a.start.isoformat(),
        "end": a.end.isoformat(),
        "status": a.status,
        "practitioner": a.practitioner_id,
        "appointment_type": a.appointment_type_id,
        "course": str(a.course.uid) if a.course_id else None,
    }


@router.get("/types")
def types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "duration_min": t.duration_min,
            "price": str(t.price),
            "clinic": t.clinic_id,
        }
        for t in AppointmentType.objects.order_by("id")
    ]


@router.get("/slots")
def slots(
    request: HttpRequest,
    appointment_type: int,
    practitioner: str = "first-available",
    first_day: date | None = None,
    days: int = 14,
) -> dict[str, Any]:
    kind = AppointmentType.objects.filter(pk=appointment_type).first()
    if kind is None:
        raise ApiError(404, "no such appointment type")
    if not 1 <= days <= 62:
        raise ApiError(400, "days must be 1 to 62")
    now = timezone.now()
    first_day = first_day or now.date()
    if practitioner == "first-available":
        people = list(Practitioner.objects.filter(clinic=kind.clinic_id).select_related("clinic"))
    elif practitioner.isdigit():
        people = list(
            Practitioner.objects.filter(pk=int(practitioner), clinic=kind.clinic_id).select_related(
                "clinic"
            )
        )
        if not people:
            raise ApiError(404, "no such practitioner at this clinic")
    else:
        raise ApiError(400, "practitioner must be an id or 'first-available'")
    found = []
    for p in people:
        found += [
            {"practitioner": p.id, "start": s.isoformat()}
            for s in services.free_slots(p, kind, first_day, days, now)
        ]
    found.sort(key=lambda r: (r["start"], r["practitioner"]))
    return {"slots": found}


@router.post("/appointments", response={201: dict, 200: dict})
def create(request: HttpRequest, body: BookIn):
    practitioner, patient, kind = _parties(
        request, body.practitioner, body.appointment_type, body.patient
    )
    key = _key(request)
    existed = (
        bool(key)
        and Appointment.objects.filter(booked_by=request.user, idempotency_key=key).exists()
    )
    try:
        a = services.book(
            practitioner,
            patient,
            kind,
            body.start,
            now=timezone.now(),
            user=request.user,
            idempotency_key=key,
            end=body.end,
        )
    except services.BookingError as exc:
        raise _error(exc) from None
    if not existed:
        notify.send(a, "confirmed")
    return Status(200 if existed else 201, _out(a))


@router.post("/appointments/{uid}/cancel")
def cancel(request: HttpRequest, uid: str) -> dict[str, Any]:
    a = _visible(request).filter(uid=uid).first()
    if a is None:
        raise ApiError(404, "not found")
    _within_notice(request, a)
    if a.status == "booked":
        services.cancel(a)
        a.refresh_from_db()
        notify.send(a, "cancelled")
    return _out(a)


class MoveIn(Schema):
    start: datetime


@router.post("/appointments/{uid}/move")
def move(request: HttpRequest, uid: str, body: MoveIn) -> dict[str, Any]:
    a = (
        _visible(request)
        .select_related("appointment_type", "practitioner__clinic")
        .filter(uid=uid)
        .first()
    )
    if a is None:
        raise ApiError(404, "not found")
    _within_notice(request, a)
    try:
        moved = services.move(a, body.start, now=timezone.now())
    except services.BookingError as exc:
        raise _error(exc) from None
    notify.send(moved, "changed")
    return _out(moved)


def _within_notice(request: HttpRequest, a: Appointment) -> None:
    from datetime import timedelta

    from django.conf import settings

    notice = timedelta(hours=settings.ANMIAN_CHANGE_NOTICE_HOURS)
    if not is_practitioner(request.user) and a.start - timezone.now() < notice:
        raise ApiError(
            409,
            f"changes within {settings.ANMIAN_CHANGE_NOTICE_HOURS} hours of the start "
            "must go through the clinic",
            code="too-late",
        )


@router.post("/courses", response={201: dict})
def course(request: HttpRequest, body: CourseIn):
    practitioner, patient, kind = _parties(
        request, body.practitioner, body.appointment_type, body.patient
    )
    try:
        c = services.book_course(
            practitioner,
            patient,
            kind,
            body.first_day,
            body.time,
            body.weeks,
            now=timezone.now(),
            user=request.user,
            accept_alternatives=body.accept_alternatives,
        )
    except services.BookingError as exc:
        raise _error(exc) from None
    return Status(
        201, {"course": str(c.uid), "appointments": [_out(a) for a in c.appointments.all()]}
    )


@router.get("/appointments")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(a) for a in _visible(request).select_related("course")]


def _visible(request: HttpRequest):
    user = request.user
    if is_practitioner(user):
        return Appointment.objects.filter(practitioner__clinic=user.practitioner.clinic)
    patient = getattr(user, "patient", None)
    return Appointment.objects.filter(patient=patient) if patient else Appointment.objects.none()
