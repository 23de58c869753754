"""The rules booking/services.py enforces whoever calls it: caps per patient, who may act for
whom, what a person may see, which status changes are allowed and when, and emails only
after the commit."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
from anmian.web.records.models import ApiToken
from anmian.web.tests.world import at_once, bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday
START = datetime(2026, 3, 3, 10, tzinfo=UTC)
ENV_EXAMPLE = Path(__file__).resolve().parents[4] / ".env.example"

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob, until=time(19))


@pytest.fixture
def theirs(dave):
    WorkingHours.objects.create(practitioner=dave, weekday=1, start=time(9), end=time(17))
    return AppointmentType.objects.create(clinic=dave.clinic, name="Theirs", duration_min=30)


def refusal(call, *args, **kwargs) -> tuple[str, int]:
    with pytest.raises(BookingError) as info:
        call(*args, **kwargs)
    return info.value.code, info.value.status


def api_get(client: Client, user, url: str):
    return client.get(url, headers={"Authorization": f"Bearer {ApiToken.issue(user)}"})


# --- caps ---


def test_it_stops_a_patient_at_the_cap_of_future_bookings(alice, bob, kind, settings):
    settings.ANMIAN_MAX_FUTURE_BOOKINGS = 3
    for hour in (9, 11, 13):
        services.book(alice.user, bob, kind, START.replace(hour=hour), now=NOW)
    assert refusal(services.book, alice.user, bob, kind, START.replace(hour=15), now=NOW) == (
        "too-many",
        409,
    )
    assert Appointment.objects.count() == 3


def test_the_cap_binds_staff_booking_for_a_patient_too(alice, bob, kind, settings):
    settings.ANMIAN_MAX_FUTURE_BOOKINGS = 1
    services.book(bob.user, bob, kind, START, now=NOW, patient=alice)
    code, _ = refusal(
        services.book, bob.user, bob, kind, START.replace(hour=12), now=NOW, patient=alice
    )
    assert code == "too-many"


def test_past_and_cancelled_appointments_do_not_count_towards_the_cap(alice, bob, kind, settings):
    settings.ANMIAN_MAX_FUTURE_BOOKINGS = 1
    a, _ = services.book(alice.user, bob, kind, START, now=NOW)
    services.cancel(alice.user, a, now=NOW)
    assert services.book(alice.user, bob, kind, START.replace(hour=12), now=NOW)[1] is True


def test_the_caps_are_the_numbers_env_example_documents(settings):
    documented = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.startswith("ANMIAN_MAX_")
    )
    assert documented == {
        "ANMIAN_MAX_FUTURE_BOOKINGS": str(settings.ANMIAN_MAX_FUTURE_BOOKINGS),
        "ANMIAN_MAX_COURSE_WEEKS": str(settings.ANMIAN_MAX_COURSE_WEEKS),
    }
    # a course of the longest length fits under the cap on future bookings
    assert settings.ANMIAN_MAX_COURSE_WEEKS <= settings.ANMIAN_MAX_FUTURE_BOOKINGS


@pytest.mark.parametrize("weeks", [0, 27, 52])
def test_a_course_outside_1_to_26_weeks_is_refused(alice, bob, kind, weeks):
    code, status = refusal(
        services.book_course, alice.user, bob, kind, date(2026, 3, 9), time(10), weeks, now=NOW
    )
    assert (code, status) == ("bad-weeks", 400) and Appointment.objects.count() == 0


def test_the_course_form_never_suggests_more_than_the_cap(alice, alice_assessment, settings):
    settings.ANMIAN_MAX_COURSE_WEEKS = 2
    assert services.suggested_course_weeks(alice) == 2


# --- who may act for whom ---


def test_staff_must_say_which_patient_a_booking_is_for(bob, kind):
    assert refusal(services.book, bob.user, bob, kind, START, now=NOW) == ("patient-needed", 400)


def test_staff_cannot_book_for_another_clinics_patient(alice, dave, kind):
    code, status = refusal(services.book, dave.user, dave, kind, START, now=NOW, patient=alice)
    assert (code, status) == ("no-such-patient", 404)


def test_a_patient_cannot_book_for_another_patient(alice, charlie, bob, kind):
    code, status = refusal(services.book, alice.user, bob, kind, START, now=NOW, patient=charlie)
    assert (code, status) == ("not-yours", 403)


def test_an_account_of_no_clinic_cannot_join_a_waitlist(charlie, kind):
    assert refusal(services.join_waitlist, charlie.user, kind) == ("no-clinic", 403)


def test_a_stranger_cannot_cancel_or_move_someone_elses_appointment(alice, charlie, bob, kind):
    a, _ = services.book(alice.user, bob, kind, START, now=NOW)
    assert refusal(services.cancel, charlie.user, a, now=NOW) == ("not-found", 404)
    assert refusal(services.move, charlie.user, a, START.replace(hour=12), now=NOW)[1] == 404
    assert Appointment.objects.get().status == "booked"


# --- what a person may see ---


def test_the_api_lists_only_the_types_of_ones_own_clinic(client, alice, kind, theirs):
    names = [t["name"] for t in api_get(client, alice.user, "/api/v1/booking/types").json()]
    assert names == ["Follow-up"]


def test_an_account_of_no_clinic_sees_no_types_and_is_told_why(client, charlie, kind):
    response = api_get(client, charlie.user, "/api/v1/booking/types")
    assert response.status_code == 403 and "choose yours" in response.json()["error"]


def test_another_clinics_free_times_are_not_shown(client, alice, theirs):
    url = f"/api/v1/booking/slots?appointment_type={theirs.pk}&first_day=2026-03-03&days=1"
    response = api_get(client, alice.user, url)
    assert response.status_code == 404 and "slots" not in response.json()


def test_the_booking_page_lists_only_ones_own_clinics_types(client, alice, kind, theirs):
    client.force_login(alice.user)
    html = client.get(f"/booking/book/?type={theirs.pk}").content.decode()
    assert "Follow-up" in html and "Theirs" not in html


# --- status changes and their windows ---


def _booked_at(alice, bob, kind, start) -> Appointment:
    return services.book(alice.user, bob, kind, start, now=start - timedelta(hours=2))[0]


def test_an_arrival_may_be_marked_from_an_hour_before_the_start(alice, bob, kind):
    a = _booked_at(alice, bob, kind, START)
    early = START - timedelta(minutes=50)
    assert services.mark_arrived(bob.user, a, now=early).status == "arrived"
    assert refusal(
        services.mark_arrived,
        bob.user,
        _booked_at(alice, bob, kind, START.replace(hour=14)),
        now=START.replace(hour=12, minute=30),
    ) == ("outside-window", 409)


def test_marks_end_a_week_after_the_appointment(alice, bob, kind):
    a = _booked_at(alice, bob, kind, START)
    late = a.end + timedelta(days=7, minutes=1)
    assert refusal(services.mark_no_show, bob.user, a, now=late) == ("outside-window", 409)


def test_a_cancelled_appointment_cannot_be_marked(alice, bob, kind):
    a = _booked_at(alice, bob, kind, START)
    services.cancel(bob.user, a, now=START - timedelta(hours=1))
    assert refusal(services.mark_arrived, bob.user, a, now=START) == ("bad-transition", 409)


def test_an_arrival_can_be_corrected_to_a_no_show(alice, bob, kind):
    a = _booked_at(alice, bob, kind, START)
    services.mark_arrived(bob.user, a, now=START)
    assert services.mark_no_show(bob.user, a, now=START).status == "no-show"


def test_staff_of_another_clinic_cannot_mark(alice, bob, dave, kind):
    a = _booked_at(alice, bob, kind, START)
    assert refusal(services.mark_no_show, dave.user, a, now=START) == ("not-found", 404)


def test_an_arrived_appointment_cannot_be_cancelled(alice, bob, kind):
    a = _booked_at(alice, bob, kind, START)
    services.mark_arrived(bob.user, a, now=START)
    assert refusal(services.cancel, bob.user, a, now=START) == ("not-booked", 409)


# --- emails only after the commit ---


def test_a_booking_rolled_back_sends_nothing(alice, bob, kind, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.book(alice.user, bob, kind, START, now=NOW)
        raise RuntimeError("the caller's transaction fails after the booking")
    assert mail.outbox == [] and Appointment.objects.count() == 0


def test_cancelling_twice_sends_one_email(alice, bob, kind, django_capture_on_commit_callbacks):
    a, _ = services.book(alice.user, bob, kind, START.replace(day=5), now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(alice.user, a, now=NOW)
        services.cancel(alice.user, a, now=NOW)
    assert [m.subject for m in mail.outbox] == ["Your appointment is cancelled"]


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_with_one_key_book_once_and_email_once(clinic, alice, bob):
    kind = AppointmentType.objects.create(clinic=clinic, name="Follow-up", duration_min=45)
    WorkingHours.objects.create(practitioner=bob, weekday=1, start=time(9), end=time(19))
    created: list[bool] = []

    def retry(_: int) -> None:
        created.append(services.book(alice.user, bob, kind, START, now=NOW, idempotency_key="k")[1])

    at_once(4, retry)
    assert sorted(created) == [False, False, False, True]
    assert Appointment.objects.count() == 1 and len(mail.outbox) == 1
