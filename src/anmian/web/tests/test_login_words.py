"""The login says what a person typed (an email), warns before the lock, and says plainly when
and for how long sign-in is locked (the walk: "a correct username", a lock with no warning,
then the right password refused without saying why or until when). The lock itself is
test_throttling's; here it is only checked to be as strong as before.

The clock is 2026-11-20 12:00:30 UTC; the lock lasts 15 minutes from the latest attempt, so
it ends at 12:15:30, which the message rounds up to 12:16 (never promises an early end)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 5  # ANMIAN_LOGIN_FAILURE_LIMIT's default


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 12:00:30+00:00", tick=False):
        yield


def _login(client: Client, username: str, password: str, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_a_wrong_password_names_the_email_not_a_username(client: Client, alice):
    html = _login(client, "alice@example.org", "wrong").content.decode()
    assert "Please enter the email and password of your account" in html
    assert "correct username" not in html
    assert re.search(r'<label for="id_username">Email</label>', html)


def test_the_warning_comes_when_two_then_one_tries_are_left(client: Client, alice):
    said = [_login(client, "alice@example.org", f"wrong {i}") for i in range(LIMIT - 1)]
    assert [r.status_code for r in said] == [200] * (LIMIT - 1)
    pages = [r.content.decode() for r in said]
    assert not any("left:" in p for p in pages[:2])  # three and four left: no warning yet
    assert "2 tries left: then sign-in is locked for 15 minutes." in pages[2]
    assert "1 try left: one more failed attempt locks sign-in for 15 minutes." in pages[3]
    assert all("Please enter the email and password" in p for p in pages)


def test_the_warning_counts_the_address_too(client: Client, alice, bob, charlie):
    """Axes locks an address that tried many accounts: its count is the one to warn of."""
    for name in ("bob", "charlie", "dave"):
        _login(client, f"{name}@example.org", "Summer2026!")
    html = _login(client, "erin@example.org", "Summer2026!").content.decode()
    assert "1 try left" in html


def test_the_lock_says_until_when_and_for_how_long(client: Client, alice):
    for _ in range(LIMIT - 1):
        _login(client, "alice@example.org", "wrong")
    locked = _login(client, "alice@example.org", "wrong")
    assert locked.status_code == 429
    message = (
        "Too many failed attempts: sign-in is locked until 12:16 UTC, even with the right "
        "password. Try again in 15 minutes, or reset your password."
    )
    assert message in locked.content.decode()
    right = _login(client, "alice@example.org", PASSWORD)  # the walk's second screen
    assert right.status_code == 429 and message in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_told_on_the_sites_clock(client: Client, alice, settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9: 12:15:30 UTC is 21:15:30 there
    for _ in range(LIMIT):
        response = _login(client, "alice@example.org", "wrong")
    assert "locked until 21:16 JST" in response.content.decode()


def test_the_api_says_the_same(client: Client, alice):
    for _ in range(LIMIT):
        _login(client, "alice@example.org", "wrong")
    response = client.post(
        "/api/v1/tokens",
        {"username": "alice@example.org", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert "sign-in is locked until 12:16 UTC" in response.json()["error"]


@pytest.mark.parametrize("minutes", [15, 7])
@pytest.mark.parametrize(("second", "expected"), [("59", 429), ("01", 302)])
def test_a_lock_renewed_by_an_attempt_is_told_from_that_attempt(
    client: Client, alice, settings, minutes, second, expected
):
    """Each attempt during the lock starts the wait again, so the time told moves with it
    and still holds: a second before it the right password is refused, a second after it
    gets in (each case one attempt, as another would renew the lock)."""
    settings.ANMIAN_LOCKOUT_MINUTES = minutes
    for _ in range(LIMIT):
        _login(client, "alice@example.org", "wrong")
    with time_machine.travel("2026-11-20 12:05:00+00:00", tick=False):  # still locked
        again = _login(client, "alice@example.org", PASSWORD).content.decode()
        assert f"locked until 12:{5 + minutes:02d} UTC" in again
    minute = 5 + minutes - (1 if second == "59" else 0)
    with time_machine.travel(f"2026-11-20 12:{minute:02d}:{second}+00:00", tick=False):
        assert _login(Client(), "alice@example.org", PASSWORD).status_code == expected
