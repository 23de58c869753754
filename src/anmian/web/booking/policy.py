"""The rules of who may book what, and when: each a small function that raises BookingError
with the message a person reads. services.py calls them; nothing else decides these things.

- Acting for a patient: a patient books for themselves, and only as a patient of a clinic;
  clinic staff book for a patient of their own clinic.
- Change notice: a patient may not move or cancel later than ANMIAN_CHANGE_NOTICE_HOURS
  before the start (the clinic always can).
- Caps: at most ANMIAN_MAX_FUTURE_BOOKINGS future appointments per patient, and courses of at
  most ANMIAN_MAX_COURSE_WEEKS weeks, so one account cannot fill a calendar.
- Arrivals and no-shows: only staff of the clinic, only between the allowed statuses, and
  only around the appointment's own time (see MARKS).
- Reach: nothing is booked or searched more than HORIZON ahead, and a calendar shows days
  between FIRST_DAY and LAST_DAY only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings

from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.records.access import is_practitioner, visible_patients
from anmian.web.records.audit import DENIED, record
from anmian.web.records.models import Clinic, Patient, Practitioner

# Staff may mark an arrival from an hour before the start (people come early), a no-show only
# once the start has passed, and either (or a correction of one into the other) until a week
# after the end: long enough for a weekend's catch-up, short enough that old history is not
# rewritten.
EARLIEST_ARRIVAL = timedelta(hours=1)
MARK_WITHIN = timedelta(days=7)
# No clinic plans more than two years out; the bound also keeps every date the booking code
# adds weeks to far from the end of Python's calendar (9999-12-31), where the sum overflows.
HORIZON = timedelta(days=730)
# A calendar day before 2000 or after 2999 is a typing error, and year 1 or 9999 would overflow
# when the page steps a week back or on.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
# status now -> statuses staff may set
# (an arrival or no-show may also go back to booked: the undo of a mark set by mistake)
MARKS = {
    "booked": {"arrived", "no-show"},
    "arrived": {"no-show", "booked"},
    "no-show": {"arrived", "booked"},
}


def call(clinic: Clinic | None) -> str:
    """How to reach the clinic, for every message that tells a person to call it."""
    if clinic is None:
        return "the clinic"
    where = f" ({clinic.address})" if clinic.address else ""
    phone = f" on {clinic.phone}" if clinic.phone else ""
    return f"{clinic.name}{phone}{where}"


def own_clinic(user) -> int:
    """The clinic whose types, practitioners and free times this person may see."""
    if is_practitioner(user):
        return user.practitioner.clinic_id
    patient = getattr(user, "patient", None)
    if patient is None or patient.clinic_id is None:
        raise BookingError(
            "Booking needs a clinic: choose yours, or open the invitation your clinic sent.",
            "no-clinic",
            403,
        )
    return patient.clinic_id


def acting_patient(user, patient: Patient | None = None) -> Patient:
    """Who a booking is for: the user themselves, or (staff only) a patient of their clinic."""
    own_clinic(user)
    if is_practitioner(user):
        if patient is None:
            raise BookingError("Choose the patient this booking is for.", "patient-needed", 400)
        if not visible_patients(user).filter(pk=patient.pk).exists():
            raise BookingError("No such patient.", "no-such-patient", 404)
        return patient
    if patient is not None and patient.pk != user.patient.pk:
        raise BookingError("Only clinic staff book for someone else.", "not-yours", 403)
    return user.patient


def parties(patient: Patient, practitioner: Practitioner, kind: AppointmentType) -> None:
    if kind.clinic_id != patient.clinic_id:
        raise BookingError("That appointment type belongs to another clinic.", "other-clinic")
    if practitioner.clinic_id != patient.clinic_id:
        raise BookingError("That practitioner works at another clinic.", "other-clinic")


def change_notice(user, appointment: Appointment, now: datetime) -> None:
    hours = settings.ANMIAN_CHANGE_NOTICE_HOURS
    if not is_practitioner(user) and appointment.start - now < timedelta(hours=hours):
        raise BookingError(
            f"Changes within {hours} hours of the start go through the clinic: please call "
            f"{call(appointment.practitioner.clinic)}.",
            "too-late",
            409,
        )


def future_cap(patient: Patient, adding: int, now: datetime) -> None:
    """Call under the patient's lock, so parallel requests cannot each see room for one more."""
    cap = settings.ANMIAN_MAX_FUTURE_BOOKINGS
    booked = Appointment.objects.filter(
        patient=patient, status__in=("booked", "held"), start__gte=now
    ).count()
    if booked + adding > cap:
        raise BookingError(
            f"At most {cap} future appointments can be booked at once, and {booked} already "
            f"are: please call {call(patient.clinic)}.",
            "too-many",
            409,
        )


def within_reach(last: datetime | date, now: datetime) -> None:
    """`last`, the latest instant or day a request books or searches, is within HORIZON."""
    limit = now + HORIZON
    if (last > limit) if isinstance(last, datetime) else (last > limit.date()):
        raise BookingError(
            f"Bookings open at most {HORIZON.days} days ahead: choose an earlier time.", "too-far"
        )


def calendar_day(day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BookingError(
            f"Give a day between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}.", "bad-day"
        )


def course_weeks(weeks: int) -> None:
    longest = settings.ANMIAN_MAX_COURSE_WEEKS
    if not 1 <= weeks <= longest:
        raise BookingError(f"A course runs for 1 to {longest} weeks.", "bad-weeks")


def mark(user, appointment: Appointment, status: str, now: datetime) -> None:
    """May this user set `status` on the appointment now?"""
    practitioner = getattr(user, "practitioner", None) if is_practitioner(user) else None
    if practitioner is None or practitioner.clinic_id != appointment.practitioner.clinic_id:
        record(user, "update", appointment.patient, "appointment", appointment, DENIED)
        raise BookingError("No such appointment.", "not-found", 404)
    if status not in MARKS.get(appointment.status, set()):
        raise BookingError(
            f"A {appointment.get_status_display().lower()} appointment cannot be marked {status}.",
            "bad-transition",
            409,
        )
    early = status in ("arrived", "booked")
    opens = appointment.start - (EARLIEST_ARRIVAL if early else timedelta(0))
    if not opens <= now <= appointment.end + MARK_WITHIN:
        since = "an hour before it starts" if early else "its start"
        raise BookingError(
            f"An appointment can be marked {status} only from {since} until a week after it ends.",
            "outside-window",
            409,
        )
