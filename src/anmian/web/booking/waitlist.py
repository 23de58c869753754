"""The waitlist: when a slot frees up, the longest-waiting person for that practitioner (or
anyone) and appointment type is offered it, held for them for a while. An offer not taken
in time goes to the next person. Built on slots.py, as the booking service is; services.py
is the door callers use."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from anmian.web.booking import notify, policy
from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import Appointment, AppointmentType, WaitlistEntry
from anmian.web.booking.slots import MIN_NOTICE, reserve
from anmian.web.records.models import Patient, Practitioner


def join(
    user,
    kind: AppointmentType,
    practitioner: Practitioner | None = None,
    *,
    patient: Patient | None = None,
) -> WaitlistEntry:
    patient = policy.acting_patient(user, patient)
    if patient.clinic_id != kind.clinic_id or (
        practitioner and practitioner.clinic_id != kind.clinic_id
    ):
        raise BookingError("That waitlist belongs to another clinic.", "other-clinic")
    return WaitlistEntry.objects.create(
        patient=patient,
        appointment_type=kind,
        practitioner=practitioner,
        token=secrets.token_urlsafe(32),
    )


def offer_freed(freed: Appointment, *, now: datetime) -> WaitlistEntry | None:
    """Hold the freed time for the next person waiting; None when nobody waits or it is too late.
    The offer email goes once the caller's transaction commits."""
    if freed.start - now < MIN_NOTICE:
        return None
    hold = min(now + timedelta(minutes=settings.ANMIAN_HOLD_MINUTES), freed.start - MIN_NOTICE)
    entry = (
        WaitlistEntry.objects.filter(status="waiting", appointment_type=freed.appointment_type_id)
        .filter(Q(practitioner=freed.practitioner_id) | Q(practitioner__isnull=True))
        .select_related("patient")
        .first()
    )
    if entry is None:
        return None
    try:
        with transaction.atomic():
            held = reserve(
                freed.practitioner,
                entry.patient,
                freed.appointment_type,
                freed.start,
                status="held",
            )
            entry.status, entry.offer, entry.hold_until = "offered", held, hold
            entry.save(update_fields=["status", "offer", "hold_until"])
    except BookingError:
        return None  # someone booked the time meanwhile: nothing to offer
    notify.after_commit(held, "offer", token=entry.token, hold_until=hold)
    return entry


def _locked_entry(token: str) -> WaitlistEntry | None:
    """The entry an offer link names, locked (not its offer row) until the transaction ends, so
    that accepting and replacing the link cannot both act on one offer."""
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("offer")
        .filter(token=token)
        .first()
    )


def accept(token: str, now: datetime) -> Appointment:
    """The offer link is the credential: whoever holds the emailed token may accept."""
    with transaction.atomic():
        entry = _locked_entry(token)
        if entry is None or entry.status != "offered" or entry.offer is None:
            raise BookingError("This offer is no longer open.", "offer-closed", 409)
        if entry.hold_until is None or entry.hold_until <= now:
            raise BookingError(
                "This offer has expired; the time went to the next person.", "offer-expired", 409
            )
        Appointment.objects.filter(pk=entry.offer.pk, status="held").update(
            status="booked", sequence=F("sequence") + 1
        )
        entry.status = "booked"
        entry.save(update_fields=["status"])
        booked = Appointment.objects.get(pk=entry.offer.pk)
        notify.after_commit(booked, "confirmed")
    return booked


def new_link(token: str, now: datetime) -> WaitlistEntry:
    """Replace an open offer's link: the old one stops working, and the new one is emailed to
    the patient's own address only, so whoever else holds the old link gains nothing by it."""
    with transaction.atomic():
        entry = _locked_entry(token)
        if entry is None:
            raise BookingError("No such offer.", "not-found", 404)
        if entry.status != "offered" or entry.offer is None or not entry.hold_until:
            raise BookingError("This offer is no longer open.", "offer-closed", 409)
        if entry.hold_until <= now:
            raise BookingError(
                "This offer has expired; the time went to the next person.", "offer-expired", 409
            )
        entry.token = secrets.token_urlsafe(32)
        entry.save(update_fields=["token"])
        notify.after_commit(entry.offer, "offer", token=entry.token, hold_until=entry.hold_until)
    return entry


def expire(now: datetime) -> int:
    """Release offers past their hold and pass each time to the next person. Returns how many."""
    count = 0
    for entry in WaitlistEntry.objects.filter(status="offered", hold_until__lte=now).select_related(
        "offer"
    ):
        with transaction.atomic():
            claimed = WaitlistEntry.objects.filter(pk=entry.pk, status="offered").update(
                status="expired"
            )
            if not claimed:
                continue  # another run got there first
            if entry.offer and Appointment.objects.filter(pk=entry.offer.pk, status="held").update(
                status="cancelled", sequence=F("sequence") + 1
            ):
                offer_freed(Appointment.objects.get(pk=entry.offer.pk), now=now)
        count += 1
    return count
