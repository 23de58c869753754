"""One table of booking cases, run through the web form and through the API: the same
outcome, the same message and the same emails, because both only call booking/services.py."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from anmian.web.booking import services
from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.records.models import ApiToken, Patient
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday; London is on UTC in March
TOMORROW_10 = "2026-03-03T10:00:00+00:00"
ALERT = re.compile(r'<div class="errors" role="alert"><p>(.*?)</p>', re.S)

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob, buffer_after_min=15)


@pytest.fixture
def erin(clinic) -> Patient:
    user = get_user_model().objects.create_user("erin@example.org", "erin@example.org")
    return Patient.objects.create(user=user, clinic=clinic, name="Erin Eve")


@dataclass(frozen=True)
class Outcome:
    status: int | str  # "ok" for a booking made, else the HTTP status of the refusal
    message: str = ""


class Web:
    """Drives the site's forms, as a person with a browser does."""

    def __init__(self, client: Client):
        self.client = client

    def _post(self, user, url: str, data: dict) -> Outcome:
        self.client.force_login(user)
        response = self.client.post(url, data)
        if response.status_code == 302 and response["Location"] == "/accounts/clinics/":
            # no clinic: the site leads to the choice of one, saying why (the API's 403)
            said = [str(m) for m in get_messages(response.wsgi_request)]
            return Outcome(403, said[0] if said else "")
        if response.status_code == 302:
            return Outcome("ok")
        found = ALERT.search(response.content.decode())
        return Outcome(response.status_code, html.unescape(found.group(1)) if found else "")

    def book(self, user, practitioner, kind, start: str) -> Outcome:
        body = {"type": kind.pk, "practitioner": practitioner.pk, "start": start}
        return self._post(user, "/booking/book/", body)

    def course(self, user, practitioner, kind, first_day: str, clock: str, weeks: int) -> Outcome:
        body = {"type": kind.pk, "practitioner": practitioner.pk, "first_day": first_day}
        return self._post(user, "/booking/course/", body | {"time": clock, "weeks": weeks})

    def cancel(self, user, appointment) -> Outcome:
        return self._post(user, f"/booking/appointments/{appointment.uid}/cancel/", {})

    def move(self, user, appointment, start: str) -> Outcome:
        body = {"move": appointment.uid, "practitioner": appointment.practitioner_id}
        return self._post(user, "/booking/book/", body | {"start": start})

    def mark(self, user, appointment, status: str) -> Outcome:
        return self._post(user, f"/booking/appointments/{appointment.uid}/{status}/", {})


class Api:
    """Drives the JSON API, as a client program does."""

    def __init__(self, client: Client):
        self.client = client

    def _post(self, user, url: str, body: dict) -> Outcome:
        headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
        response = self.client.post(
            f"/api/v1/booking{url}", body, content_type="application/json", headers=headers
        )
        if response.status_code in (200, 201):
            return Outcome("ok")
        return Outcome(response.status_code, response.json()["error"])

    def book(self, user, practitioner, kind, start: str) -> Outcome:
        body = {"practitioner": practitioner.pk, "appointment_type": kind.pk, "start": start}
        return self._post(user, "/appointments", body)

    def course(self, user, practitioner, kind, first_day: str, clock: str, weeks: int) -> Outcome:
        body = {"practitioner": practitioner.pk, "appointment_type": kind.pk}
        body |= {"first_day": first_day, "time": clock, "weeks": weeks}
        return self._post(user, "/courses", body)

    def cancel(self, user, appointment) -> Outcome:
        return self._post(user, f"/appointments/{appointment.uid}/cancel", {})

    def move(self, user, appointment, start: str) -> Outcome:
        return self._post(user, f"/appointments/{appointment.uid}/move", {"start": start})

    def mark(self, user, appointment, status: str) -> Outcome:
        return self._post(user, f"/appointments/{appointment.uid}/{status}", {})


@pytest.fixture(params=["web", "api"])
def via(request, client: Client, django_capture_on_commit_callbacks):
    """The site or the API; every call runs its after-commit callbacks as a real commit would."""
    driver = Web(client) if request.param == "web" else Api(client)

    class Committed:
        def __getattr__(self, name):
            def call(*args, **kwargs):
                with django_capture_on_commit_callbacks(execute=True):
                    return getattr(driver, name)(*args, **kwargs)

            return call

    return Committed()


def arrange(patient, practitioner, kind, start: datetime, now: datetime = NOW) -> Appointment:
    return services.book(patient.user, practitioner, kind, start, now=now)[0]


def subjects() -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in mail.outbox]


# --- what succeeds, succeeds the same way ---


def test_a_booking_is_made_and_confirmed_once(via, alice, bob, kind):
    assert via.book(alice.user, bob, kind, TOMORROW_10) == Outcome("ok")
    assert Appointment.objects.filter(patient=alice, status="booked").count() == 1
    assert subjects() == [("alice@example.org", "Your appointment is booked")]


def test_a_course_sends_one_confirmation_per_session(via, alice, bob, kind):
    assert via.course(alice.user, bob, kind, "2026-03-09", "10:00", 3) == Outcome("ok")
    assert Appointment.objects.filter(course__isnull=False).count() == 3
    assert subjects() == [("alice@example.org", "Your appointment is booked")] * 3


def test_a_cancellation_is_confirmed(via, alice, bob, kind):
    a = arrange(alice, bob, kind, datetime(2026, 3, 4, 10, tzinfo=UTC))
    assert via.cancel(alice.user, a) == Outcome("ok")
    assert Appointment.objects.get().status == "cancelled"
    assert subjects() == [("alice@example.org", "Your appointment is cancelled")]


def test_a_move_is_confirmed(via, alice, bob, kind):
    a = arrange(alice, bob, kind, datetime(2026, 3, 4, 10, tzinfo=UTC))
    assert via.move(alice.user, a, "2026-03-04T14:00:00+00:00") == Outcome("ok")
    assert Appointment.objects.get().start == datetime(2026, 3, 4, 14, tzinfo=UTC)
    assert subjects() == [("alice@example.org", "Your appointment has moved")]


# --- what is refused, is refused the same way, and sends nothing ---

NO_CLINIC = "Booking needs a clinic: choose yours, or open the invitation your clinic sent."
TOO_LATE = (
    "Changes within 24 hours of the start go through the clinic: please call "
    "Quiet Nights Clinic on 01632 960000 (1 Quiet Road, Leeds)."
)
REBOOKED = (
    "That time has been booked by someone else since the no-show, so it cannot be marked arrived."
)


def _with_contact(clinic) -> None:
    """A message that says to call names the clinic's phone and address."""
    clinic.phone, clinic.address = "01632 960000", "1 Quiet Road, Leeds"
    clinic.save()


def test_an_account_of_no_clinic_is_refused(via, charlie, bob, kind):
    assert via.book(charlie.user, bob, kind, TOMORROW_10) == Outcome(403, NO_CLINIC)
    assert Appointment.objects.count() == 0 and mail.outbox == []


def test_another_clinics_appointment_type_is_refused(via, alice, bob, dave):
    theirs = AppointmentType.objects.create(clinic=dave.clinic, name="Theirs", duration_min=45)
    outcome = via.book(alice.user, bob, theirs, TOMORROW_10)
    assert outcome == Outcome(400, "That appointment type belongs to another clinic.")
    assert Appointment.objects.count() == 0 and mail.outbox == []


def test_a_past_time_is_refused(via, alice, bob, kind):
    outcome = via.book(alice.user, bob, kind, "2026-03-02T09:00:00+00:00")
    assert outcome == Outcome(400, "That time is in the past.")
    assert Appointment.objects.count() == 0 and mail.outbox == []


def test_cancelling_within_the_notice_is_refused(via, alice, bob, kind):
    _with_contact(alice.clinic)
    a = arrange(alice, bob, kind, datetime(2026, 3, 2, 14, tzinfo=UTC))
    assert via.cancel(alice.user, a) == Outcome(409, TOO_LATE)
    assert Appointment.objects.get().status == "booked" and mail.outbox == []


def test_moving_within_the_notice_is_refused(via, alice, bob, kind):
    _with_contact(alice.clinic)
    a = arrange(alice, bob, kind, datetime(2026, 3, 2, 14, tzinfo=UTC))
    assert via.move(alice.user, a, "2026-03-04T14:00:00+00:00") == Outcome(409, TOO_LATE)
    assert Appointment.objects.get().start == a.start and mail.outbox == []


def test_a_patient_at_the_cap_of_future_bookings_is_refused(via, alice, bob, kind, settings):
    settings.ANMIAN_MAX_FUTURE_BOOKINGS = 2
    _with_contact(alice.clinic)
    arrange(alice, bob, kind, datetime(2026, 3, 4, 10, tzinfo=UTC))
    arrange(alice, bob, kind, datetime(2026, 3, 5, 10, tzinfo=UTC))
    outcome = via.book(alice.user, bob, kind, TOMORROW_10)
    message = (
        "At most 2 future appointments can be booked at once, and 2 already are: please call "
        "Quiet Nights Clinic on 01632 960000 (1 Quiet Road, Leeds)."
    )
    assert outcome == Outcome(409, message)
    assert Appointment.objects.count() == 2 and mail.outbox == []


def test_a_course_that_would_pass_the_cap_books_nothing(via, alice, bob, kind, settings):
    settings.ANMIAN_MAX_FUTURE_BOOKINGS = 4
    arrange(alice, bob, kind, datetime(2026, 3, 4, 10, tzinfo=UTC))
    outcome = via.course(alice.user, bob, kind, "2026-03-09", "10:00", 4)
    assert outcome.status == 409 and "At most 4 future appointments" in outcome.message
    assert Appointment.objects.count() == 1 and mail.outbox == []


def test_an_overlapping_time_is_refused(via, alice, erin, bob, kind):
    arrange(alice, bob, kind, datetime(2026, 3, 3, 10, tzinfo=UTC))
    outcome = via.book(erin.user, bob, kind, "2026-03-03T10:15:00+00:00")
    assert outcome == Outcome(409, "That time was just taken. Here are the nearest free times.")
    assert Appointment.objects.count() == 1 and mail.outbox == []


def test_a_course_longer_than_the_limit_is_refused(via, alice, bob, kind):
    outcome = via.course(alice.user, bob, kind, "2026-03-09", "10:00", 27)
    assert outcome == Outcome(400, "A course runs for 1 to 26 weeks.")
    assert Appointment.objects.count() == 0 and mail.outbox == []


def test_a_no_show_cannot_be_marked_arrived_once_someone_else_has_the_time(
    via, alice, erin, bob, kind
):
    earlier = NOW - timedelta(hours=2)
    a = arrange(alice, bob, kind, datetime(2026, 3, 2, 10, tzinfo=UTC), now=earlier)
    services.mark_no_show(bob.user, a, now=NOW)
    arrange(erin, bob, kind, datetime(2026, 3, 2, 10, 15, tzinfo=UTC), now=earlier)
    assert via.mark(bob.user, a, "arrived") == Outcome(409, REBOOKED)
    # one active appointment at that time, never two
    assert list(Appointment.objects.values_list("patient__name", "status")) == [
        ("Alice Able", "no-show"),
        ("Erin Eve", "booked"),
    ]


def test_a_no_show_can_be_corrected_while_its_time_is_free(via, alice, bob, kind):
    a = arrange(
        alice, bob, kind, datetime(2026, 3, 2, 10, tzinfo=UTC), now=NOW - timedelta(hours=2)
    )
    services.mark_no_show(bob.user, a, now=NOW)
    assert via.mark(bob.user, a, "arrived") == Outcome("ok")
    assert Appointment.objects.get().status == "arrived"


def test_a_no_show_before_the_start_is_refused(via, alice, bob, kind):
    a = arrange(alice, bob, kind, datetime(2026, 3, 3, 10, tzinfo=UTC))
    outcome = via.mark(bob.user, a, "no-show")
    message = "An appointment can be marked no-show only from its start until a week after it ends."
    assert outcome == Outcome(409, message)
    assert Appointment.objects.get().status == "booked"


def test_a_patient_cannot_mark_their_own_arrival(via, alice, bob, kind):
    a = arrange(alice, bob, kind, datetime(2026, 3, 2, 11, tzinfo=UTC))
    assert via.mark(alice.user, a, "arrived").status == 404
    assert Appointment.objects.get().status == "booked"
