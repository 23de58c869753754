"""Booking through the API and by email: idempotent, 409 with alternatives, reminders once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from anmian.web.booking.models import Appointment
from anmian.web.records.models import ApiToken
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db

_clock = pinned_clock(datetime(2026, 3, 2, 8, tzinfo=UTC))


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob, until=time(19), buffer_after_min=15)


def auth(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {ApiToken.issue(user)}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def booking(bob, kind, start="2026-03-03T10:00:00+00:00") -> dict:
    return {"practitioner": bob.pk, "appointment_type": kind.pk, "start": start}


def test_a_patient_books_and_gets_an_email_with_a_calendar_file(
    client: Client, alice, bob, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, "/api/v1/booking/appointments", booking(bob, kind), auth(alice.user)
        )
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    ics = mail.outbox[0].attachments[0]
    assert (
        ics[0] == "appointment.ics"
        and "BEGIN:VEVENT" in ics[1]
        and "DTSTART:20260303T100000Z" in ics[1]
    )


def test_a_retried_request_with_the_same_idempotency_key_books_once(
    client: Client, alice, bob, kind, django_capture_on_commit_callbacks
):
    headers = auth(alice.user) | {"Idempotency-Key": "abc-123"}
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, "/api/v1/booking/appointments", booking(bob, kind), headers)
    with django_capture_on_commit_callbacks(execute=True) as retry_callbacks:
        again = post(client, "/api/v1/booking/appointments", booking(bob, kind), headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Appointment.objects.count() == 1 and len(mail.outbox) == 1
    assert retry_callbacks == []  # nothing queued to send again


def test_a_reused_idempotency_key_for_another_booking_is_422(client: Client, alice, bob, kind):
    headers = auth(alice.user) | {"Idempotency-Key": "abc-123"}
    post(client, "/api/v1/booking/appointments", booking(bob, kind), headers)
    other = post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-03T12:00:00+00:00"),
        headers,
    )
    assert other.status_code == 422 and other.json()["code"] == "key-reused"
    assert Appointment.objects.count() == 1


def test_a_clash_is_409_with_alternatives(client: Client, alice, charlie, bob, kind):
    post(client, "/api/v1/booking/appointments", booking(bob, kind), auth(alice.user))
    response = post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-03T10:15:00+00:00"),
        auth(alice.user),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "That time was just taken. Here are the nearest free times."
    assert body["alternatives"]


@pytest.mark.parametrize(
    ("start", "code"),
    [("2026-03-01T10:00:00+00:00", "past"), ("2026-03-03T07:00:00+00:00", "outside-hours")],
)
def test_bad_times_are_400_with_a_code(client: Client, alice, bob, kind, start, code):
    response = post(
        client, "/api/v1/booking/appointments", booking(bob, kind, start), auth(alice.user)
    )
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_malformed_body_is_422_naming_the_field(client: Client, alice, bob, kind):
    response = post(
        client, "/api/v1/booking/appointments", {"practitioner": bob.pk}, auth(alice.user)
    )
    assert response.status_code == 422 and "appointment_type" in response.json()["error"]


def test_booking_needs_authentication(client: Client, bob, kind):
    assert post(client, "/api/v1/booking/appointments", booking(bob, kind), {}).status_code == 401


def test_a_patient_cannot_book_for_someone_else(client: Client, alice, charlie, bob, kind):
    body = booking(bob, kind) | {"patient": str(charlie.uid)}
    assert post(client, "/api/v1/booking/appointments", body, auth(alice.user)).status_code == 403


def test_staff_book_for_a_patient_of_their_clinic_only(client: Client, alice, charlie, bob, kind):
    ok = post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind) | {"patient": str(alice.uid)},
        auth(bob.user),
    )
    assert ok.status_code == 201
    other = post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-03T12:00:00+00:00") | {"patient": str(charlie.uid)},
        auth(bob.user),
    )
    assert other.status_code == 404


def test_a_practitioner_of_another_clinic_cannot_be_booked(client: Client, alice, dave, kind):
    response = post(client, "/api/v1/booking/appointments", booking(dave, kind), auth(alice.user))
    assert response.status_code == 400 and response.json()["code"] == "other-clinic"


def test_cancelling_within_the_notice_goes_through_the_clinic(
    client: Client, alice, bob, kind, django_capture_on_commit_callbacks
):
    uid = post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-02T16:00:00+00:00"),
        auth(alice.user),
    ).json()["uid"]
    late = post(client, f"/api/v1/booking/appointments/{uid}/cancel", {}, auth(alice.user))
    assert late.status_code == 409 and late.json()["code"] == "too-late"
    with django_capture_on_commit_callbacks(execute=True):
        staff = post(client, f"/api/v1/booking/appointments/{uid}/cancel", {}, auth(bob.user))
    assert staff.status_code == 200 and staff.json()["status"] == "cancelled"
    assert "CANCEL" in mail.outbox[-1].attachments[0][1]


def test_someone_elses_appointment_is_404(client: Client, alice, charlie, bob, kind):
    uid = post(client, "/api/v1/booking/appointments", booking(bob, kind), auth(alice.user)).json()[
        "uid"
    ]
    assert (
        post(
            client, f"/api/v1/booking/appointments/{uid}/cancel", {}, auth(charlie.user)
        ).status_code
        == 404
    )


def test_free_slots_for_first_available(client: Client, alice, bob, kind):
    response = client.get(
        f"/api/v1/booking/slots?appointment_type={kind.pk}&first_day=2026-03-03&days=1",
        headers=auth(alice.user),
    )
    slots = response.json()["slots"]
    assert slots[0]["start"] == "2026-03-03T09:00:00+00:00" and slots[0]["practitioner"] == bob.pk


def test_a_course_through_the_api_books_all_or_proposes(client: Client, alice, bob, kind):
    post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-17T18:00:00+00:00"),
        auth(alice.user),
    )
    body = {
        "practitioner": bob.pk,
        "appointment_type": kind.pk,
        "first_day": "2026-03-10",
        "time": "18:00",
        "weeks": 3,
    }
    conflict = post(client, "/api/v1/booking/courses", body, auth(alice.user))
    assert conflict.status_code == 409 and conflict.json()["proposals"][1]["start"]
    ok = post(
        client, "/api/v1/booking/courses", body | {"accept_alternatives": True}, auth(alice.user)
    )
    assert ok.status_code == 201 and len(ok.json()["appointments"]) == 3


def test_reminders_are_sent_once_however_often_the_command_runs(client: Client, alice, bob, kind):
    post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-03T10:00:00+00:00"),
        auth(alice.user),
    )
    mail.outbox.clear()
    call_command("send_reminders")  # 26 h ahead: not yet
    assert mail.outbox == []
    with time_machine.travel(datetime(2026, 3, 2, 11, tzinfo=UTC), tick=False):
        call_command("send_reminders")
        call_command("send_reminders")
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject
    assert Appointment.objects.get().reminder_sent_at is not None


def test_one_session_of_a_course_moves_without_touching_the_others(
    client: Client, alice, bob, kind, django_capture_on_commit_callbacks
):
    body = {
        "practitioner": bob.pk,
        "appointment_type": kind.pk,
        "first_day": "2026-03-10",
        "time": "10:00",
        "weeks": 3,
    }
    rows = post(client, "/api/v1/booking/courses", body, auth(alice.user)).json()["appointments"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = post(
            client,
            f"/api/v1/booking/appointments/{rows[1]['uid']}/move",
            {"start": "2026-03-17T14:00:00+00:00"},
            auth(alice.user),
        )
    assert moved.status_code == 200 and moved.json()["start"] == "2026-03-17T14:00:00+00:00"
    others = Appointment.objects.exclude(uid=rows[1]["uid"]).values_list("start", flat=True)
    assert [s.isoformat() for s in others] == [rows[0]["start"], rows[2]["start"]]
    assert "moved" in mail.outbox[0].subject


def test_moving_onto_a_taken_time_is_409_and_changes_nothing(client: Client, alice, bob, kind):
    a = post(client, "/api/v1/booking/appointments", booking(bob, kind), auth(alice.user)).json()
    post(
        client,
        "/api/v1/booking/appointments",
        booking(bob, kind, "2026-03-03T12:00:00+00:00"),
        auth(alice.user),
    )
    response = post(
        client,
        f"/api/v1/booking/appointments/{a['uid']}/move",
        {"start": "2026-03-03T12:15:00+00:00"},
        auth(alice.user),
    )
    assert response.status_code == 409 and response.json()["alternatives"]
    assert Appointment.objects.get(uid=a["uid"]).start.isoformat() == a["start"]


def test_moving_to_an_overlapping_time_with_itself_is_fine(client: Client, alice, bob, kind):
    a = post(client, "/api/v1/booking/appointments", booking(bob, kind), auth(alice.user)).json()
    response = post(
        client,
        f"/api/v1/booking/appointments/{a['uid']}/move",
        {"start": "2026-03-03T10:15:00+00:00"},
        auth(alice.user),
    )
    assert response.status_code == 200


def test_a_retried_course_with_the_same_idempotency_key_books_and_emails_once(
    client: Client, alice, bob, kind, django_capture_on_commit_callbacks
):
    headers = auth(alice.user) | {"Idempotency-Key": "course-1"}
    body = {
        "practitioner": bob.pk,
        "appointment_type": kind.pk,
        "first_day": "2026-03-10",
        "time": "10:00",
        "weeks": 3,
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, "/api/v1/booking/courses", body, headers)
        again = post(client, "/api/v1/booking/courses", body, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Appointment.objects.count() == 3 and len(mail.outbox) == 3
    other = post(client, "/api/v1/booking/courses", body | {"weeks": 4}, headers)
    assert other.status_code == 422 and other.json()["code"] == "key-reused"
