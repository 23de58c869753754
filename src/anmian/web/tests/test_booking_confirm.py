"""Booking as a person sees it: a day picker, times by part of the day, a confirmation step
with the price and the cancellation policy, a message after each change, and staff marks
shown only when they may be set, with undo."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday; London is on UTC in March
TUESDAY_10 = datetime(2026, 3, 3, 10, tzinfo=UTC)

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    clinic.phone, clinic.address = "01632 960000", "1 Quiet Road, Leeds"
    clinic.save()
    return bookable(
        bob, until=time(20), name="Acupuncture session", duration_min=60, price=Decimal("50.00")
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_free_times_come_by_day_and_part_of_the_day(client: Client, alice, kind):
    client.force_login(alice.user)
    page = _text(client.get("/booking/book/", {"type": kind.pk, "day": "2026-03-03"}))
    assert "Tuesday 3 March" in page
    morning, afternoon, evening = (page.index(w) for w in ("Morning", "Afternoon", "Evening"))
    assert morning < page.index("09:00") < afternoon < page.index("13:00") < evening
    assert evening < page.index("19:00")


def test_the_day_picker_lists_each_day_with_free_times_and_shows_one(client: Client, alice, kind):
    client.force_login(alice.user)
    html = client.get("/booking/book/", {"type": kind.pk, "day": "2026-03-04"}).content.decode()
    days = re.findall(r"day=(\d{4}-\d\d-\d\d)", html)
    assert "2026-03-03" in days and "2026-03-04" in days
    assert "2026-03-07" not in days  # a Saturday: no hours, so not offered
    listed = {
        datetime.fromisoformat(s).date().isoformat()
        for s in re.findall(r'name="start" value="([^"]+)"', html)
    }
    assert listed == {"2026-03-04"}  # only the chosen day's times, not three weeks of them


def test_picking_a_time_asks_to_confirm_with_price_and_policy_and_books_nothing(
    client: Client, alice, bob, kind
):
    client.force_login(alice.user)
    start = TUESDAY_10.isoformat()
    page = client.get(
        "/booking/book/confirm/", {"type": kind.pk, "practitioner": bob.pk, "start": start}
    )
    text = _text(page)
    assert page.status_code == 200 and "Confirm your booking" in text
    for shown in ("Acupuncture session", "Bob Baker", "Tuesday 3 March 2026, 10:00", "£50.00"):
        assert shown in text
    assert "Cancellation policy" in text and "24 hours" in text
    assert "01632 960000" in text and "1 Quiet Road, Leeds" in text
    assert Appointment.objects.count() == 0


def test_confirming_books_and_says_so(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    data = {"type": kind.pk, "practitioner": bob.pk, "start": TUESDAY_10.isoformat()}
    response = client.post("/booking/book/", data, follow=True)
    assert Appointment.objects.filter(patient=alice, status="booked").count() == 1
    assert _messages(response) == [
        "Booked: Acupuncture session with Bob Baker on Tuesday 3 March at 10:00. "
        "A confirmation email is on its way."
    ]


def test_confirming_an_other_clinics_type_is_refused(client: Client, alice, bob, dave):
    theirs = AppointmentType.objects.create(clinic=dave.clinic, name="Theirs", duration_min=30)
    client.force_login(alice.user)
    page = client.get(
        "/booking/book/confirm/",
        {"type": theirs.pk, "practitioner": bob.pk, "start": TUESDAY_10.isoformat()},
    )
    assert page.status_code == 404 and "No such appointment type" in _text(page)


def test_confirming_a_past_time_is_refused(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    page = client.get(
        "/booking/book/confirm/",
        {"type": kind.pk, "practitioner": bob.pk, "start": "2026-03-01T10:00:00+00:00"},
    )
    assert page.status_code == 400 and "That time is in the past." in _text(page)


def test_moving_and_cancelling_say_what_happened(client: Client, alice, bob, kind):
    a = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)[0]
    client.force_login(alice.user)
    moved = client.post(
        "/booking/book/",
        {"move": a.uid, "start": "2026-03-04T11:00:00+00:00", "practitioner": bob.pk},
        follow=True,
    )
    assert _messages(moved)[0].startswith(
        "Moved: Acupuncture session with Bob Baker on Wednesday 4 March at 11:00."
    )
    cancelled = client.post(f"/booking/appointments/{a.uid}/cancel/", follow=True)
    assert _messages(cancelled) == [
        "Cancelled: Acupuncture session on Wednesday 4 March at 11:00. "
        "The time is free for someone else."
    ]
    assert Appointment.objects.get().status == "cancelled"


def test_a_too_late_cancel_names_the_clinics_phone_and_address(client: Client, alice, bob, kind):
    a = services.book(alice.user, bob, kind, datetime(2026, 3, 2, 15, tzinfo=UTC), now=NOW)[0]
    client.force_login(alice.user)
    page = _text(client.post(f"/booking/appointments/{a.uid}/cancel/"))
    assert "please call Quiet Nights Clinic on 01632 960000 (1 Quiet Road, Leeds)" in page


def _calendar(client, bob) -> str:
    client.force_login(bob.user)  # a fresh login: staff sessions end after 15 idle minutes
    return client.get("/booking/calendar/?view=day&day=2026-03-03").content.decode()


def test_arrived_and_no_show_are_not_offered_before_the_appointment(
    client: Client, alice, bob, kind
):
    a = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)[0]
    html = _calendar(client, bob)
    assert "Alice Able" in html
    assert f"/booking/appointments/{a.uid}/arrived/" not in html
    assert f"/booking/appointments/{a.uid}/no-show/" not in html


def test_arrived_is_offered_from_an_hour_before_and_no_show_from_the_start(
    client: Client, alice, bob, kind
):
    a = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)[0]
    with time_machine.travel(datetime(2026, 3, 3, 9, 30, tzinfo=UTC), tick=False):
        html = _calendar(client, bob)
        assert f"/booking/appointments/{a.uid}/arrived/" in html
        assert f"/booking/appointments/{a.uid}/no-show/" not in html
    with time_machine.travel(datetime(2026, 3, 3, 10, 5, tzinfo=UTC), tick=False):
        html = _calendar(client, bob)
        assert f"/booking/appointments/{a.uid}/no-show/" in html


def test_a_mark_set_by_mistake_can_be_undone(client: Client, alice, bob, kind):
    a = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)[0]
    with time_machine.travel(datetime(2026, 3, 3, 10, 5, tzinfo=UTC), tick=False):
        _calendar(client, bob)
        marked = client.post(f"/booking/appointments/{a.uid}/no-show/", follow=True)
        assert _messages(marked) == ["Alice Able: marked as a no-show."]
        html = _calendar(client, bob)
        assert f"/booking/appointments/{a.uid}/undo/" in html and "Undo no-show" in html
        undone = client.post(f"/booking/appointments/{a.uid}/undo/", follow=True)
        assert _messages(undone) == ["Alice Able: booked again."]
    assert Appointment.objects.get().status == "booked"


def test_a_patient_cannot_undo_a_mark(client: Client, alice, bob, kind):
    a = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)[0]
    with time_machine.travel(datetime(2026, 3, 3, 10, 5, tzinfo=UTC), tick=False):
        services.mark_no_show(bob.user, a, now=datetime(2026, 3, 3, 10, 5, tzinfo=UTC))
        client.force_login(alice.user)
        assert client.post(f"/booking/appointments/{a.uid}/undo/").status_code == 404
    assert Appointment.objects.get().status == "no-show"


def test_confirming_twice_books_once(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    start = TUESDAY_10.isoformat()
    page = client.get(
        "/booking/book/confirm/", {"type": kind.pk, "practitioner": bob.pk, "start": start}
    ).content.decode()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)
    data = {"type": kind.pk, "practitioner": bob.pk, "start": start, "key": key}
    first = client.post("/booking/book/", data)
    again = client.post("/booking/book/", data, follow=True)  # a double-click
    assert first.status_code == 302 and again.status_code == 200
    assert Appointment.objects.count() == 1
    assert _messages(again)[0].startswith("Booked: Acupuncture session")
