"""A course is a run of treatment sessions, starting today or later, after a first
consultation (the walk-through found 8 first consultations booked as a "course" at £520, and a
start in 2020 answered "some weeks are taken"). The clinic here has the demo's three types."""

from __future__ import annotations

import importlib
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.models import (
    FIRST_VISIT,
    REVIEW,
    TREATMENT,
    Appointment,
    AppointmentType,
    TimeOff,
)
from anmian.web.records.models import ApiToken
from anmian.web.tests.world import appointment_at, bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday, 08:00 in London

_clock = pinned_clock(NOW)


@pytest.fixture
def first(clinic, bob) -> AppointmentType:
    """Opens Bob 9:00 to 19:00 on weekdays; the clinic's first consultation, listed first."""
    return bookable(
        bob,
        until=time(19),
        name="First consultation",
        duration_min=60,
        buffer_after_min=15,
        price=Decimal("65.00"),
        purpose=FIRST_VISIT,
    )


@pytest.fixture
def session(first, clinic) -> AppointmentType:
    return AppointmentType.objects.create(
        clinic=clinic,
        name="Acupuncture session",
        duration_min=45,
        buffer_after_min=15,
        price=Decimal("50.00"),
        purpose=TREATMENT,
    )


@pytest.fixture
def review(session, clinic) -> AppointmentType:
    return AppointmentType.objects.create(
        clinic=clinic,
        name="Follow-up",
        duration_min=30,
        price=Decimal("35.00"),
        purpose=REVIEW,
    )


@pytest.fixture
def consulted(alice, bob, first) -> Appointment:
    """Alice's first consultation, booked for the coming Wednesday."""
    start = datetime(2026, 3, 4, 10, tzinfo=UTC)
    return services.book(alice.user, bob, first, start, now=NOW)[0]


@pytest.fixture
def seen(alice, bob, session) -> Appointment:
    """A session Alice attended in February, written as the records hold it (booked before
    the clinic used Anmian, say): she has been seen, with no first consultation on record."""
    attended = appointment_at(bob, alice, session, datetime(2026, 2, 23, 10, tzinfo=UTC))
    Appointment.objects.filter(pk=attended.pk).update(status="arrived")
    return attended


def course_form(bob, kind, first_day="2026-03-09", clock="10:00", weeks="8") -> dict:
    return {
        "type": kind.pk,
        "practitioner": bob.pk,
        "first_day": first_day,
        "time": clock,
        "weeks": weeks,
    }


def options(html: str) -> list[str]:
    select = html.split('<select id="type" name="type">')[1].split("</select>")[0]
    return [o.split(">")[1].split("<")[0].strip() for o in select.split("<option")[1:]]


def test_the_course_page_offers_only_treatment_sessions_and_starts_from_one(
    client: Client, alice, first, session, review, consulted
):
    client.force_login(alice.user)
    html = client.get("/booking/course/?weeks=8").content.decode()
    assert options(html) == ["Acupuncture session (£50.00 a session)"]
    assert f'<option value="{session.pk}" selected>' in html


def test_a_link_naming_a_first_consultation_still_starts_from_the_treatment_session(
    client: Client, alice, first, session, consulted
):
    client.force_login(alice.user)
    html = client.get(f"/booking/course/?type={first.pk}").content.decode()
    assert f'<option value="{session.pk}" selected>' in html
    assert "First consultation (£65.00" not in html


def test_the_default_course_books_treatment_sessions_at_their_price(
    client: Client, alice, bob, first, session, consulted
):
    client.force_login(alice.user)
    # the form as the page fills it: the default type is the one posted back
    page = client.get("/booking/course/").content.decode()
    chosen = page.split('" selected>')[0].rsplit('value="', 1)[1]
    response = client.post(
        "/booking/course/", course_form(bob, session) | {"type": chosen}, follow=True
    )
    assert response.status_code == 200
    booked = Appointment.objects.filter(course__isnull=False)
    assert {a.appointment_type.name for a in booked} == {"Acupuncture session"}
    assert booked.count() == 8
    # 8 sessions at £50 (not 8 first consultations at £65, £520)
    assert "Pay £400.00 now" in response.content.decode()


def test_a_course_of_first_consultations_is_refused_and_books_nothing(
    client: Client, alice, bob, first, session, consulted
):
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, first))
    assert response.status_code == 400
    assert b"A course is a run of treatment sessions" in response.content
    assert not Appointment.objects.filter(course__isnull=False).exists()


def test_a_course_of_follow_ups_is_refused_too(client: Client, alice, bob, review, consulted):
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, review))
    assert response.status_code == 400
    assert b"A course is a run of treatment sessions" in response.content


def test_a_course_starting_in_2020_says_the_date_has_passed(
    client: Client, alice, bob, session, consulted
):
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, session, "2020-01-06"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "That date has passed: choose today or later." in html
    assert "Some weeks are taken" not in html and "Proposed times" not in html
    assert not Appointment.objects.filter(course__isnull=False).exists()


def test_yesterday_has_passed_but_today_later_on_is_bookable(
    client: Client, alice, bob, session, seen
):
    client.force_login(alice.user)
    yesterday = client.post("/booking/course/", course_form(bob, session, "2026-03-01"))
    assert b"That date has passed" in yesterday.content
    # 08:00 UTC is 08:00 in London in March: 07:30 today has passed, 18:00 today has not
    early = client.post("/booking/course/", course_form(bob, session, "2026-03-02", "07:30"))
    assert early.status_code == 400 and b"That time today has passed" in early.content
    later = client.post(
        "/booking/course/", course_form(bob, session, "2026-03-02", "18:00", weeks="2")
    )
    assert later.status_code == 302
    starts = Appointment.objects.filter(course__isnull=False).values_list("start", flat=True)
    assert list(starts) == [
        datetime(2026, 3, 2, 18, tzinfo=UTC),
        datetime(2026, 3, 9, 18, tzinfo=UTC),
    ]


def test_the_date_field_starts_at_today(client: Client, alice, session, consulted):
    client.force_login(alice.user)
    assert b'type="date" min="2026-03-02"' in client.get("/booking/course/").content


def test_a_patient_with_no_first_consultation_is_told_to_book_one_first(
    client: Client, alice, bob, first, session
):
    client.force_login(alice.user)
    html = client.get("/booking/course/").content.decode()
    assert "you have none booked yet. Book your First consultation (£65.00) first" in html
    assert f'href="/booking/book/?type={first.pk}"' in html
    response = client.post("/booking/course/", course_form(bob, session))
    assert response.status_code == 409
    assert b"book your first consultation first, then the course" in response.content
    assert not Appointment.objects.exists()


def test_a_first_consultation_booked_before_the_course_lets_it_book(
    client: Client, alice, bob, session, consulted
):
    client.force_login(alice.user)
    assert b"you have none booked" not in client.get("/booking/course/").content
    assert client.post("/booking/course/", course_form(bob, session)).status_code == 302


def test_a_first_consultation_after_the_course_would_start_is_not_enough(
    client: Client, alice, bob, first, session
):
    services.book(alice.user, bob, first, datetime(2026, 3, 20, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, session, "2026-03-09"))
    assert response.status_code == 409 and b"book your first consultation first" in response.content
    # starting after it is fine
    assert (
        client.post("/booking/course/", course_form(bob, session, "2026-03-23")).status_code == 302
    )


def test_a_cancelled_first_consultation_does_not_count(
    client: Client, alice, bob, session, consulted
):
    services.cancel(alice.user, consulted, now=NOW)
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, session))
    assert response.status_code == 409


def test_someone_who_attended_a_session_needs_no_first_consultation(
    client: Client, alice, bob, session, seen
):
    client.force_login(alice.user)
    assert b"you have none booked" not in client.get("/booking/course/").content
    assert client.post("/booking/course/", course_form(bob, session)).status_code == 302


def test_staff_are_warned_but_may_book_a_course_for_someone_seen_before(
    client: Client, alice, bob, first, session
):
    client.force_login(bob.user)
    html = client.get(f"/booking/course/?patient={alice.uid}").content.decode()
    assert "Alice Able has no First consultation booked or done" in html
    assert f'href="/booking/book/?type={first.pk}&amp;patient={alice.uid}"' in html
    assert f'<input type="hidden" name="patient" value="{alice.uid}">' in html
    body = course_form(bob, session, weeks="2") | {"patient": alice.uid}
    assert client.post("/booking/course/", body).status_code == 302
    assert Appointment.objects.filter(patient=alice, course__isnull=False).count() == 2


def test_the_proposed_times_carry_their_year_and_no_button_when_a_week_is_full(
    client: Client, alice, bob, session, consulted
):
    # the second week's wanted time is taken: a nearer time is proposed that week
    services.book(alice.user, bob, session, datetime(2026, 3, 16, 10, tzinfo=UTC), now=NOW)
    client.force_login(alice.user)
    response = client.post("/booking/course/", course_form(bob, session, weeks="3"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Mon 16 Mar 2026, 10:00" in html and "Mon 9 Mar 2026, 10:00" in html
    assert "Book with the proposed times" in html


def test_a_week_with_nothing_free_offers_no_button_to_book_it(
    client: Client, alice, bob, session, consulted
):
    # the clinic is closed the whole of the second week
    TimeOff.objects.create(
        clinic=bob.clinic, first_day=date(2026, 3, 16), last_day=date(2026, 3, 22)
    )
    client.force_login(alice.user)
    html = client.post("/booking/course/", course_form(bob, session, weeks="3")).content.decode()
    assert "nothing free" in html
    assert "Book with the proposed times" not in html
    assert "A week has nothing free" in html


def test_the_api_refuses_a_course_of_first_consultations_and_a_past_start(
    client: Client, alice, bob, first, session, consulted
):
    headers = {"Authorization": f"Bearer {ApiToken.issue(alice.user)}"}
    body = {
        "practitioner": bob.pk,
        "appointment_type": first.pk,
        "first_day": "2026-03-09",
        "time": "10:00",
        "weeks": 8,
    }
    url = "/api/v1/booking/courses"
    wrong = client.post(url, body, content_type="application/json", headers=headers)
    assert wrong.status_code == 400 and wrong.json()["code"] == "not-a-course-type"
    past = body | {"appointment_type": session.pk, "first_day": "2020-01-06"}
    late = client.post(url, past, content_type="application/json", headers=headers)
    assert late.status_code == 400 and late.json()["code"] == "past"
    assert not Appointment.objects.filter(course__isnull=False).exists()


def test_the_demo_clinic_marks_its_types(clinic, bob):
    call_command("load_demo_booking", clinic=clinic.name, stdout=io.StringIO())
    purposes = dict(AppointmentType.objects.filter(clinic=clinic).values_list("name", "purpose"))
    assert purposes == {
        "First consultation": FIRST_VISIT,
        "Acupuncture session": TREATMENT,
        "Follow-up": REVIEW,
    }


def test_the_migration_marks_the_demo_types_of_a_clinic_loaded_before_it(clinic):
    for name in ("First consultation", "Acupuncture session", "Follow-up", "Cupping"):
        AppointmentType.objects.create(clinic=clinic, name=name, duration_min=30)
    migration = importlib.import_module(
        "anmian.web.booking.migrations.0009_appointment_type_purpose"
    )
    migration.mark_demo_types(apps, None)
    purposes = dict(AppointmentType.objects.values_list("name", "purpose"))
    assert purposes == {
        "First consultation": FIRST_VISIT,
        "Acupuncture session": TREATMENT,
        "Follow-up": REVIEW,
        "Cupping": TREATMENT,
    }
