"""iCalendar (RFC 5545) files for appointments, written with the `icalendar` library: one event
per appointment, every time in UTC, a SEQUENCE that the booking service raises with each change
of time or status, so a calendar replaces its copy with the newer one.

An email invitation is an iTIP message (RFC 5546): METHOD:REQUEST for a booking, a move or an
offer, METHOD:CANCEL for a cancellation, each with the ORGANIZER (the practitioner) and the
ATTENDEE (the patient) that the RFC requires of both. A subscribed feed has no METHOD and no
attendees: its address is a credential, and it should not hand out the patients' addresses.
A time held for a waitlisted person is TENTATIVE until they accept it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from anmian.web.booking.models import Appointment

PRODID = "-//Anmian//Booking//EN"
METHODS = ("REQUEST", "CANCEL")
_STATUS = {"cancelled": "CANCELLED", "held": "TENTATIVE"}  # anything else is CONFIRMED


def method_for(kind: str) -> str:
    """The iTIP method of a booking email of this kind (notify.SUBJECTS)."""
    return "CANCEL" if kind == "cancelled" else "REQUEST"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def _organizer(a: Appointment) -> vCalAddress:
    user = a.practitioner.user
    email = (user.email if user else "") or settings.DEFAULT_FROM_EMAIL
    return _address(email, a.practitioner.display_name)


def _attendee(a: Appointment) -> vCalAddress | None:
    user = a.patient.user
    if not user or not user.email:
        return None
    partstat = "NEEDS-ACTION" if a.status == "held" else "ACCEPTED"
    return _address(
        user.email, a.patient.name, role="REQ-PARTICIPANT", partstat=partstat, rsvp="FALSE"
    )


def _event(a: Appointment, method: str | None, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{a.uid}@anmian")
    event.add("dtstamp", now)
    event.add("dtstart", a.start.astimezone(UTC))
    event.add("dtend", a.end.astimezone(UTC))
    event.add("sequence", a.sequence)
    event.add("summary", f"{a.appointment_type.name} with {a.practitioner.display_name}")
    event.add("location", a.practitioner.clinic.name)
    event.add("status", "CANCELLED" if method == "CANCEL" else _STATUS.get(a.status, "CONFIRMED"))
    event.add("organizer", _organizer(a))
    if method:
        attendee = _attendee(a)
        if attendee is not None:
            event.add("attendee", attendee)
    return event


def calendar(
    appointments: Iterable[Appointment],
    name: str,
    method: str | None = None,
    now: datetime | None = None,
) -> str:
    """The calendar file: a feed when `method` is None, an iTIP message when it is one of
    METHODS."""
    if method is not None and method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}: use one of {', '.join(METHODS)}")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    if method:
        cal.add("method", method)
    for a in appointments:
        cal.add_component(_event(a, method, stamp))
    return cal.to_ical().decode()
