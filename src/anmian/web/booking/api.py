"""Booking through the JSON API. Every endpoint parses, calls one function of services.py and
answers; a refusal of the service is the same message with the same status as on the site,
plus its `code`. Booking takes an Idempotency-Key header, so a retried request books once,
answers with the first booking and sends no second email."""

from __future__ import annotations

from datetime import date
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from anmian.web.apiauth import AUTH, ApiError
from anmian.web.booking import services
from anmian.web.booking.errors import BookingError, CourseConflict, SlotTaken
from anmian.web.booking.models import Appointment
from anmian.web.booking.schemas import (
    IDEMPOTENCY_KEY,
    AppointmentOut,
    BookIn,
    CourseIn,
    CourseOut,
    MoveIn,
    SlotsOut,
    TypeOut,
    refusals,
)

router = Router(tags=["booking"], auth=AUTH)


def _answers(endpoint):
    """Turn the service's refusal into the API's JSON error with the same status."""

    @wraps(endpoint)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return endpoint(request, *args, **kwargs)
        except BookingError as exc:
            raise _error(exc) from None

    return wrapper


def _error(exc: BookingError) -> ApiError:
    extra: dict[str, Any] = {"code": exc.code}
    if isinstance(exc, SlotTaken):
        extra["alternatives"] = [a.isoformat() for a in exc.alternatives]
    if isinstance(exc, CourseConflict):
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
        "course": str(a.course.uid) if a.course else None,
    }


@router.get("/types", response={200: list[TypeOut], **refusals(401, 403)})
@_answers
def types(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "duration_min": t.duration_min,
            "price": str(t.price),
            "clinic": t.clinic_id,
        }
        for t in services.visible_types(request.user)
    ]


@router.get("/slots", response={200: SlotsOut, **refusals(400, 401, 403, 404, 422)})
@_answers
def slots(
    request: HttpRequest,
    appointment_type: int,
    practitioner: str = "first-available",
    first_day: date | None = None,
    days: int = 14,
) -> dict[str, Any]:
    kind = services.visible_type(request.user, appointment_type)
    now = timezone.now()
    found = services.free_times(
        request.user, kind, practitioner, first_day or now.date(), days, now
    )
    return {"slots": [{"practitioner": p.pk, "start": s.isoformat()} for p, s in found]}


@router.post(
    "/appointments",
    response={201: AppointmentOut, 200: AppointmentOut, **refusals(400, 401, 403, 404, 409, 422)},
    openapi_extra=IDEMPOTENCY_KEY,
)
@_answers
def create(request: HttpRequest, body: BookIn):
    practitioner, kind = services.find_parties(body.practitioner, body.appointment_type)
    a, created = services.book(
        request.user,
        practitioner,
        kind,
        body.start,
        now=timezone.now(),
        patient=services.patient_for(request.user, body.patient),
        idempotency_key=_key(request),
        end=body.end,
    )
    return Status(201 if created else 200, _out(a))


@router.post(
    "/appointments/{uid}/cancel", response={200: AppointmentOut, **refusals(401, 404, 409)}
)
@_answers
def cancel(request: HttpRequest, uid: str) -> dict[str, Any]:
    return _out(services.cancel(request.user, uid, now=timezone.now()))


@router.post(
    "/appointments/{uid}/move",
    response={200: AppointmentOut, **refusals(400, 401, 404, 409, 422)},
)
@_answers
def move(request: HttpRequest, uid: str, body: MoveIn) -> dict[str, Any]:
    return _out(services.move(request.user, uid, body.start, now=timezone.now()))


@router.post(
    "/appointments/{uid}/arrived", response={200: AppointmentOut, **refusals(401, 404, 409)}
)
@_answers
def arrived(request: HttpRequest, uid: str) -> dict[str, Any]:
    """Staff: the patient has come (or, correcting a no-show, came after all)."""
    return _out(services.mark_arrived(request.user, uid, now=timezone.now()))


@router.post(
    "/appointments/{uid}/no-show", response={200: AppointmentOut, **refusals(401, 404, 409)}
)
@_answers
def no_show(request: HttpRequest, uid: str) -> dict[str, Any]:
    """Staff: the patient did not come."""
    return _out(services.mark_no_show(request.user, uid, now=timezone.now()))


@router.post(
    "/courses",
    response={201: CourseOut, 200: CourseOut, **refusals(400, 401, 403, 404, 409, 422)},
    openapi_extra=IDEMPOTENCY_KEY,
)
@_answers
def course(request: HttpRequest, body: CourseIn):
    practitioner, kind = services.find_parties(body.practitioner, body.appointment_type)
    c, created = services.book_course(
        request.user,
        practitioner,
        kind,
        body.first_day,
        body.time,
        body.weeks,
        now=timezone.now(),
        patient=services.patient_for(request.user, body.patient),
        accept_alternatives=body.accept_alternatives,
        idempotency_key=_key(request),
    )
    sessions = [_out(a) for a in c.appointments.select_related("course")]
    return Status(201 if created else 200, {"course": str(c.uid), "appointments": sessions})


@router.get("/appointments", response={200: list[AppointmentOut], **refusals(401)})
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    rows = services.visible_appointments(request.user).select_related("course")
    return [_out(a) for a in rows]
