"""Login sessions end after a while without activity and after a fixed lifetime, shorter for
those who see others' records (HIPAA 164.312(a)(2)(iii), automatic logoff). Issue 11's
defaults: staff 15 minutes idle / 10 hours, patients 30 minutes idle / 14 days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _log_in(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _logged_in(client: Client) -> bool:
    return client.get("/accounts/mine/").status_code == 200


@pytest.fixture
def start() -> datetime:
    return timezone.now().replace(microsecond=0)


@pytest.mark.parametrize(
    ("who", "idle_minutes"), [("alice@example.org", 30), ("bob@example.org", 15)]
)
def test_a_session_ends_after_its_idle_time(alice, bob, start, who, idle_minutes):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(who)
        clock.move_to(start + timedelta(minutes=idle_minutes - 1))
        assert _logged_in(client)  # activity keeps it alive ...
        clock.move_to(start + timedelta(minutes=2 * idle_minutes - 2))
        assert _logged_in(client)
        clock.move_to(start + timedelta(minutes=3 * idle_minutes))  # ... idleness does not
        response = client.get("/accounts/mine/", follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/")
        assert f"after {idle_minutes} minutes without activity" in response.content.decode()


def test_staff_sessions_end_after_ten_hours_however_busy(bob, start):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("bob@example.org")
        for minutes in range(14, 10 * 60, 14):
            clock.move_to(start + timedelta(minutes=minutes))
            assert _logged_in(client), minutes
        clock.move_to(start + timedelta(hours=10, minutes=1))
        assert not _logged_in(client)


def test_patient_sessions_end_after_fourteen_days_however_busy(alice, start, settings):
    settings.ANMIAN_PATIENT_IDLE_MINUTES = 24 * 60  # to reach day 14 in few requests
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("alice@example.org")
        for day in range(1, 14):
            clock.move_to(start + timedelta(days=day))
            assert _logged_in(client), day
        clock.move_to(start + timedelta(days=14, minutes=1))
        assert not _logged_in(client)


@pytest.mark.parametrize(
    ("who", "seconds"), [("alice@example.org", 14 * 86400), ("bob@example.org", 10 * 3600)]
)
def test_the_session_cookie_lives_no_longer_than_the_session(alice, bob, who, seconds):
    client = _log_in(who)
    assert client.cookies["sessionid"]["max-age"] == seconds


def test_the_limits_come_from_settings(bob, start, settings):
    settings.ANMIAN_STAFF_IDLE_MINUTES = 5
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("bob@example.org")
        clock.move_to(start + timedelta(minutes=6))
        assert not _logged_in(client)
