"""Booking emails: confirmation, change, cancellation and reminder, each with an ICS file.
One function builds every message, so they all look alike and all carry the calendar entry."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from anmian.web.accounts.language import in_language_of
from anmian.web.booking.ics import calendar, method_for
from anmian.web.booking.models import Appointment

SUBJECTS = {
    "confirmed": _("Your appointment is booked"),
    "changed": _("Your appointment has moved"),
    "cancelled": _("Your appointment is cancelled"),
    "reminder": _("Reminder: your appointment tomorrow"),
    "offer": _("A time has come free for you"),
}


def send(appointment: Appointment, kind: str, **extra) -> None:
    patient = appointment.patient
    email = patient.user.email if patient.user else ""
    if not email:
        return  # a patient without an account is told by the clinic in person
    # In the language saved on their account, also when the worker sends it (no request).
    with in_language_of(patient.user):
        _send(appointment, kind, email, **extra)


def _send(appointment: Appointment, kind: str, email: str, **extra) -> None:
    patient = appointment.patient
    tz = patient.tz
    context = {
        "a": appointment,
        "kind": kind,
        "local_start": appointment.start.astimezone(tz),
        "tz": tz.key,
        "site": settings.ANMIAN_SITE_URL,
        **extra,
    }
    if extra.get("hold_until"):
        context["hold_local"] = extra["hold_until"].astimezone(tz)
    text = render_to_string("booking/email.txt", context)
    html = render_to_string("booking/email.html", context)
    message = EmailMultiAlternatives(
        str(SUBJECTS[kind]), text, settings.DEFAULT_FROM_EMAIL, [email]
    )
    message.attach_alternative(html, "text/html")
    method = method_for(kind)  # REQUEST, or CANCEL (RFC 5546)
    message.attach(
        "appointment.ics",
        calendar([appointment], "Anmian", method),
        f"text/calendar; method={method}",
    )
    message.send()


def after_commit(appointment: Appointment, kind: str, **extra) -> None:
    """Send once the booking is committed, and never for one that rolled back. A mail server
    that fails then is logged, not shown to the person as a failed booking."""
    transaction.on_commit(partial(send, appointment, kind, **extra), robust=True)
