"""The practitioner's day: the login lands on today's schedule; the chart shows the person;
adopting a plan shares it with the patient (their page, and an email once committed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.test import Client

from anmian.web.booking import services as booking
from anmian.web.booking.models import AppointmentType, WorkingHours
from anmian.web.diary.models import ScaleScore
from anmian.web.records.models import Assessment
from anmian.web.records.services import save_assessment
from anmian.web.tests.conftest import PASSWORD
from anmian.web.tests.world import pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 3, 8, tzinfo=UTC)  # a Tuesday morning in London

_clock = pinned_clock(NOW)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def today_booked(clinic, alice, bob):
    WorkingHours.objects.create(practitioner=bob, weekday=1, start=time(9), end=time(17))
    kind = AppointmentType.objects.create(clinic=clinic, name="Acupuncture", duration_min=45)
    return booking.book(alice.user, bob, kind, NOW + timedelta(hours=3), now=NOW)[0]


def test_a_practitioner_logs_in_to_todays_schedule(client: Client, bob, today_booked):
    """Logging in through the login page, as a person does (a second factor is passed for
    them by conftest's shared login fixture)."""
    response = client.post(
        "/accounts/login/", {"username": "bob@example.org", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/booking/calendar/?view=day"
    page = _text(response)
    assert "Today" in page and "Tue 3 Mar" in page
    assert "11:00–11:45 Alice Able Acupuncture Booked" in page  # 45 minutes from 11:00
    chart = f'href="/clinic/patients/{today_booked.patient.uid}/"'
    assert chart in response.content.decode()  # each name opens the chart


def test_a_patient_logs_in_to_their_own_page(client: Client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/mine/"


@pytest.fixture
def assessed(alice):
    data = {
        "findings": ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin"],
        "age": 50,
        "sex": "female",
        "medications": ["warfarin 5mg"],
        "conditions": ["fatty liver"],
    }
    return save_assessment(alice.user, data)


def test_the_chart_shows_the_person_scores_signals_and_appointments(
    client: Client, alice, bob, assessed, today_booked
):
    ScaleScore.objects.create(
        patient=alice,
        taken=NOW.date(),
        scale="anmian-leg-scale",
        answers=[2] * 10,
        total=20,
        band="moderate",
    )
    client.force_login(bob.user)
    page = _text(client.get(f"/clinic/patients/{alice.uid}/"))
    assert "Age 50" in page and "Sex Female" in page
    assert "Medicines warfarin 5mg" in page and "Conditions fatty liver" in page
    assert "3 Mar 2026: 20 (moderate)" in page
    assert "Signals" in page
    assert "Tue 3 Mar 2026, 11:00: Acupuncture with Bob Baker (booked)" in page


def test_the_age_comes_from_the_date_of_birth_when_given(client: Client, alice, bob, assessed):
    alice.date_of_birth = datetime(1970, 3, 4).date()  # 55 today, 56 tomorrow
    alice.save()
    client.force_login(bob.user)
    assert "Age 55" in _text(client.get(f"/clinic/patients/{alice.uid}/"))


def test_adopting_a_plan_shares_it_with_the_patient(
    client: Client, alice, bob, assessed, django_capture_on_commit_callbacks
):
    client.force_login(bob.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/clinic/assessments/{assessed.uid}/adopt/", follow=True)
    assert "shared with Alice Able" in _text(response)
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.org"] and "Bob Baker" in sent.subject
    assert "/accounts/mine/" in sent.body
    client.force_login(alice.user)
    mine = _text(client.get("/accounts/mine/"))
    assert "My care plan" in mine and "Shared by Bob Baker" in mine
    assert "Three Yin Intersection (SP6, Sanyinjiao)" in mine  # points in words, not ids


def test_no_email_when_the_adoption_is_not_committed(
    client: Client, alice, bob, assessed, django_capture_on_commit_callbacks
):
    client.force_login(bob.user)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        client.post(f"/clinic/assessments/{assessed.uid}/adopt/")
    assert len(pending) == 1 and mail.outbox == []  # queued for after the commit only


def test_another_patient_does_not_see_the_shared_plan(
    client: Client, alice, charlie, bob, assessed
):
    client.force_login(bob.user)
    client.post(f"/clinic/assessments/{assessed.uid}/adopt/")
    client.force_login(charlie.user)
    assert "My care plan" not in _text(client.get("/accounts/mine/"))
    assert Assessment.objects.count() == 1
