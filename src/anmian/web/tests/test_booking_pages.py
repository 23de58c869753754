"""Booking pages: book, clash with alternatives, cancel within policy, calendar, feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.models import Appointment
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)

_clock = pinned_clock(NOW)


def book(practitioner, patient, kind, start, now=NOW):
    """Arrange an appointment through the service, as the patient."""
    return services.book(patient.user, practitioner, kind, start, now=now)[0]


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob)


def test_the_booking_page_lists_free_times_in_local_time(client: Client, alice, kind):
    client.force_login(alice.user)
    html = client.get("/booking/book/").content.decode()
    assert "Times are shown in Europe/London" in html and "09:00" in html


def test_a_patient_books_a_listed_time(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    response = client.post(
        "/booking/book/",
        {"type": kind.pk, "practitioner": bob.pk, "start": "2026-03-03T10:00:00+00:00"},
    )
    assert response.status_code == 302 and Appointment.objects.count() == 1


def test_a_taken_time_is_409_with_alternatives_and_nothing_written(
    client: Client, alice, charlie, bob, kind
):
    book(bob, alice, kind, datetime(2026, 3, 3, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    response = client.post(
        "/booking/book/",
        {"type": kind.pk, "practitioner": bob.pk, "start": "2026-03-03T10:00:00+00:00"},
    )
    assert response.status_code == 409
    assert (
        b"That time was just taken" in response.content
        and b"Nearest free times" in response.content
    )
    assert Appointment.objects.count() == 1


def test_a_forged_start_is_refused(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    response = client.post(
        "/booking/book/", {"type": kind.pk, "practitioner": bob.pk, "start": "tomorrow"}
    )
    assert response.status_code == 400 and b"Choose one of the free times" in response.content


def test_booking_without_a_clinic_leads_to_the_choice_of_one(client: Client, charlie, kind):
    client.force_login(charlie.user)
    response = client.get("/booking/book/", follow=True)
    assert response.redirect_chain == [("/accounts/clinics/", 302)]
    assert b"Booking needs a clinic: choose yours" in response.content
    assert b"Quiet Nights Clinic" in response.content  # the clinics to choose from


def test_cancel_within_the_notice_is_refused_for_patients(client: Client, alice, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 2, 14, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    assert client.post(f"/booking/appointments/{a.uid}/cancel/").status_code == 409
    assert Appointment.objects.get().status == "booked"
    client.force_login(bob.user)
    assert client.post(f"/booking/appointments/{a.uid}/cancel/").status_code == 302
    assert Appointment.objects.get().status == "cancelled"


def test_cancel_asks_first_and_refuses_strangers(client: Client, alice, charlie, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 4, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    page = client.get(f"/booking/appointments/{a.uid}/cancel/")
    assert page.status_code == 200 and b"Cancel this appointment?" in page.content
    assert b"Cancellation policy" in page.content
    assert Appointment.objects.get().status == "booked"  # asking cancels nothing
    client.force_login(charlie.user)
    assert client.get(f"/booking/appointments/{a.uid}/cancel/").status_code == 404
    assert client.post(f"/booking/appointments/{a.uid}/cancel/").status_code == 404


def test_staff_mark_arrivals_and_no_shows_on_their_calendar(client: Client, alice, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 3, 10, tzinfo=UTC), now=NOW)
    client.force_login(bob.user)
    html = client.get("/booking/calendar/?view=week&day=2026-03-03").content.decode()
    assert "Alice Able" in html and "10:00" in html
    with time_machine.travel(datetime(2026, 3, 3, 10, 20, tzinfo=UTC), tick=False):
        client.force_login(bob.user)  # a fresh login: staff sessions end after 15 idle minutes
        client.post(f"/booking/appointments/{a.uid}/no-show/")
    assert Appointment.objects.get().status == "no-show"


def test_patients_cannot_mark_or_see_the_calendar(client: Client, alice, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 3, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    assert client.get("/booking/calendar/").status_code == 404
    assert client.post(f"/booking/appointments/{a.uid}/arrived/").status_code == 404


def test_the_private_feed_lists_my_appointments_only(client: Client, alice, charlie, bob, kind):
    book(bob, alice, kind, datetime(2026, 3, 3, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    html = client.get("/booking/").content.decode()
    url = html.split("<code>")[1].split("</code>")[0]
    client.logout()
    feed = client.get(url.replace("http://testserver", ""))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    assert feed.content.decode().count("BEGIN:VEVENT") == 1
    assert client.get("/booking/feed/not-a-token.ics").status_code == 404


def test_a_course_is_booked_from_the_page(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    body = {
        "type": kind.pk,
        "practitioner": bob.pk,
        "first_day": "2026-03-09",
        "time": "10:00",
        "weeks": "4",
    }
    assert client.post("/booking/course/", body).status_code == 302
    assert Appointment.objects.filter(course__isnull=False).count() == 4


def test_a_colliding_course_books_nothing_then_accepts_the_proposals(
    client: Client, alice, bob, kind
):
    book(bob, alice, kind, datetime(2026, 3, 16, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    body = {
        "type": kind.pk,
        "practitioner": bob.pk,
        "first_day": "2026-03-09",
        "time": "10:00",
        "weeks": "3",
    }
    response = client.post("/booking/course/", body)
    assert response.status_code == 409 and b"Proposed times" in response.content
    assert Appointment.objects.count() == 1
    assert client.post("/booking/course/", body | {"accept": "yes"}).status_code == 302
    assert Appointment.objects.filter(course__isnull=False).count() == 3


def test_a_course_form_with_missing_fields_is_400(client: Client, alice, kind):
    client.force_login(alice.user)
    response = client.post("/booking/course/", {"weeks": "x"})
    assert response.status_code == 400 and b"Fill in every field" in response.content


def test_a_patient_moves_an_appointment_from_the_page(client: Client, alice, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 4, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    assert b"Move your appointment" in client.get(f"/booking/book/?move={a.uid}").content
    response = client.post(
        "/booking/book/",
        {"move": a.uid, "practitioner": bob.pk, "start": "2026-03-04T14:00:00+00:00"},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.start == datetime(2026, 3, 4, 14, tzinfo=UTC) and Appointment.objects.count() == 1


def test_moving_someone_elses_appointment_is_404(client: Client, alice, charlie, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 4, 10, tzinfo=UTC), now=NOW)
    client.force_login(charlie.user)
    assert client.get(f"/booking/book/?move={a.uid}").status_code == 404


def test_staff_book_for_a_patient_of_their_clinic(client: Client, alice, bob, kind):
    client.force_login(bob.user)
    assert b"Choose a patient" in client.get("/booking/book/").content
    response = client.post(
        "/booking/book/",
        {
            "patient": alice.uid,
            "type": kind.pk,
            "practitioner": bob.pk,
            "start": "2026-03-03T10:00:00+00:00",
        },
    )
    assert response.status_code == 302 and Appointment.objects.get().patient == alice


def test_staff_cannot_book_for_another_clinics_patient(client: Client, charlie, dave, kind):
    client.force_login(dave.user)
    assert client.get(f"/booking/book/?patient={charlie.uid}").status_code == 404


def test_the_course_form_starts_from_the_plans_recommended_length(
    client: Client, alice, alice_assessment, kind
):
    client.force_login(alice.user)
    weeks = alice_assessment.result["plan"]["course"]["weeks"]
    assert (
        f'name="weeks" type="number" min="1" max="26" value="{weeks}"'.encode()
        in client.get("/booking/course/").content
    )


def test_the_calendar_offers_to_correct_a_no_show(client: Client, alice, bob, kind):
    a = book(bob, alice, kind, datetime(2026, 3, 2, 9, tzinfo=UTC), now=NOW - timedelta(hours=2))
    services.mark_no_show(bob.user, a, now=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    client.force_login(bob.user)
    html = client.get("/booking/calendar/?view=day&day=2026-03-02").content.decode()
    assert f"/booking/appointments/{a.uid}/arrived/" in html and "Came after all" in html
