"""The waitlist: a freed time is held for the longest-waiting person, who can accept it in
time; an expired hold passes to the next person; nobody else can take a held time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from anmian.web.booking import services, waitlist
from anmian.web.booking.models import Appointment, AppointmentType, WaitlistEntry
from anmian.web.records.models import Patient
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
START = datetime(2026, 3, 4, 10, tzinfo=UTC)

_clock = pinned_clock(NOW)


def book_at_start(patient, practitioner, kind):
    return services.book(patient.user, practitioner, kind, START, now=NOW)[0]


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob)


@pytest.fixture
def waiting(clinic, alice, kind, bob):
    from django.contrib.auth import get_user_model

    users = get_user_model()
    first = Patient.objects.create(
        clinic=clinic, name="Wendy", user=users.objects.create_user("w@x.org", "w@x.org")
    )
    second = Patient.objects.create(
        clinic=clinic, name="Xavi", user=users.objects.create_user("x@x.org", "x@x.org")
    )
    return waitlist.join(first.user, kind, bob), waitlist.join(second.user, kind, None)


def test_a_cancelled_time_is_held_for_the_first_waiting_and_emailed(
    alice, bob, kind, waiting, django_capture_on_commit_callbacks
):
    a = book_at_start(alice, bob, kind)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(alice.user, a, now=NOW)
    first = WaitlistEntry.objects.get(pk=waiting[0].pk)
    assert first.status == "offered" and first.offer.status == "held" and first.offer.start == START
    offers = [m for m in mail.outbox if m.to == ["w@x.org"]]
    assert len(offers) == 1 and first.token in offers[0].body
    assert [m.subject for m in mail.outbox if m.to == [alice.user.email]] == [
        "Your appointment is cancelled"
    ]


def test_no_offer_email_leaves_before_the_commit(alice, bob, kind, waiting):
    services.cancel(alice.user, book_at_start(alice, bob, kind), now=NOW)
    # the test's transaction never commits, so nothing may have been sent
    assert mail.outbox == []


def test_a_held_time_cannot_be_booked_by_anyone_else(alice, charlie, bob, kind, waiting):
    services.cancel(alice.user, book_at_start(alice, bob, kind), now=NOW)
    with pytest.raises(services.SlotTaken):
        services.book(alice.user, bob, kind, START, now=NOW)


def test_the_offer_is_accepted_through_its_link(client: Client, alice, bob, kind, waiting):
    services.cancel(alice.user, book_at_start(alice, bob, kind), now=NOW)
    token = WaitlistEntry.objects.get(pk=waiting[0].pk).token
    assert b"Held for you until" in client.get(f"/booking/waitlist/{token}/").content
    assert client.post(f"/booking/waitlist/{token}/").status_code == 200
    booked = Appointment.objects.get(status="booked")
    assert booked.patient.name == "Wendy" and booked.start == START


def test_an_expired_offer_goes_to_the_next_person(client: Client, alice, bob, kind, waiting):
    services.cancel(alice.user, book_at_start(alice, bob, kind), now=NOW)
    token = WaitlistEntry.objects.get(pk=waiting[0].pk).token
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        call_command("send_reminders")
        late = client.post(f"/booking/waitlist/{token}/")
    assert late.status_code == 409
    assert WaitlistEntry.objects.get(pk=waiting[0].pk).status == "expired"
    second = WaitlistEntry.objects.get(pk=waiting[1].pk)
    assert second.status == "offered" and second.offer.start == START


def test_an_unknown_offer_link_is_404(client: Client):
    assert client.get("/booking/waitlist/nope/").status_code == 404


def test_joining_the_waitlist_from_the_booking_page(client: Client, alice, kind):
    client.force_login(alice.user)
    response = client.post(
        "/booking/waitlist/join/", {"type": kind.pk, "practitioner": "first-available"}
    )
    assert response.status_code == 200 and WaitlistEntry.objects.filter(patient=alice).count() == 1


def test_joining_with_a_foreign_type_is_404(client: Client, alice, dave):
    other = AppointmentType.objects.create(clinic=dave.clinic, name="X", duration_min=30)
    client.force_login(alice.user)
    assert client.post("/booking/waitlist/join/", {"type": other.pk}).status_code == 404
