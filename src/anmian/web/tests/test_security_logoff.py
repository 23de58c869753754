"""The warning before automatic logoff (issue 11): every signed-in page says "You will be
signed out in 2 minutes" before the idle limit ends the session, with a button that keeps it;
when the time is up the page reloads and the server signs out, so no record stays on an
unattended screen. Without JavaScript nothing shows and nothing breaks.

The server's side (the seconds a page is given, the keep-alive) is tested with the test client
and a pinned clock; the script in Chromium, with Playwright's fake clock."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.utils import timezone

from anmian.web import sessionlimits
from anmian.web.tests.conftest import PASSWORD

SHOTS = Path(os.environ.get("ANMIAN_SHOTS", "/tmp/security"))
WARNING = "You will be signed out in 2 minutes:"


def _log_in(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _seconds_left(html: str) -> int | None:
    found = re.search(r'id="logoff-warning"[^>]*data-seconds-left="(\d+)"', html)
    return int(found.group(1)) if found else None


@pytest.fixture
def start() -> datetime:
    return timezone.now().replace(microsecond=0)


# --- the server's side -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "idle"), [("alice@example.org", 30), ("bob@example.org", 15)])
def test_a_signed_in_page_carries_the_hidden_warning_with_the_time_left(
    alice, bob, start, who, idle
):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in(who)
        clock.move_to(start + timedelta(seconds=30))  # not yet a minute: activity not written
        html = client.get("/booking/").content.decode()
    assert _seconds_left(html) == idle * 60 - 30
    assert re.search(r'<div id="logoff-warning"[^>]* hidden', html)
    assert 'data-warn-seconds="120"' in html
    assert "/static/anmian/logoff.js" in html
    assert WARNING in html and "stay signed in" in html


@pytest.mark.django_db
def test_an_anonymous_page_has_no_warning(client: Client):
    html = client.get("/").content.decode()
    assert "logoff-warning" not in html and "logoff.js" not in html


@pytest.mark.django_db
def test_staying_signed_in_counts_as_activity(alice, start):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("alice@example.org")
        clock.move_to(start + timedelta(minutes=28))  # the warning is showing
        response = client.post("/accounts/session/keep-alive/")
        assert response.status_code == 200
        assert response.json() == {"seconds_left": 30 * 60}
        clock.move_to(start + timedelta(minutes=55))  # 27 minutes after the click
        assert client.get("/accounts/mine/").status_code == 200


@pytest.mark.django_db
def test_without_the_click_the_session_ends(alice, start):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("alice@example.org")
        clock.move_to(start + timedelta(minutes=31))
        response = client.post("/accounts/session/keep-alive/")
        assert response.status_code == 401  # the script reloads, and the page says why
        assert client.get("/accounts/mine/").status_code == 302


@pytest.mark.django_db
def test_the_keep_alive_never_outlasts_the_session_lifetime(bob, start):
    with time_machine.travel(start, tick=False) as clock:
        client = _log_in("bob@example.org")
        for minutes in range(14, 9 * 60 + 50, 14):
            clock.move_to(start + timedelta(minutes=minutes))
            assert client.post("/accounts/session/keep-alive/").status_code == 200
        clock.move_to(start + timedelta(hours=9, minutes=55))
        left = client.post("/accounts/session/keep-alive/").json()["seconds_left"]
        assert left == 5 * 60  # the 10 hours of a staff session, not 15 idle minutes more


@pytest.mark.django_db
def test_the_keep_alive_is_post_only_and_needs_a_session(client: Client, alice):
    assert client.post("/accounts/session/keep-alive/").status_code == 401
    client.force_login(alice.user)
    assert client.get("/accounts/session/keep-alive/").status_code == 405


@pytest.mark.django_db
def test_the_keep_alive_needs_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.post("/accounts/session/keep-alive/").status_code == 403


# --- in the browser ----------------------------------------------------------------------


@pytest.fixture
def short_idle(settings):
    """Patients signed out after 3 idle minutes, so the warning comes after one."""
    settings.ANMIAN_PATIENT_IDLE_MINUTES = 3


def _signed_in(browser, base: str, width: int, javascript: bool = True):
    context = browser.new_context(
        viewport={"width": width, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    if javascript:
        page.clock.install()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "alice@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/mine/**")
    return context, page


def _age_the_session(context, seconds: int) -> None:
    """What the server would see after `seconds` without a request: its last activity moved
    back (the browser's clock is Playwright's; the server's is real)."""
    key = next(c["value"] for c in context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[sessionlimits.SEEN_AT] -= seconds
    session.save()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.usefixtures("short_idle")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_warning_shows_before_the_end_and_the_button_keeps_the_session(
    browser, live_server, alice, width
):
    context, page = _signed_in(browser, live_server.url, width)
    warning = page.locator("#logoff-warning")
    assert warning.is_hidden()
    page.clock.fast_forward(50_000)  # 50 s: still more than 2 minutes left
    assert warning.is_hidden()
    page.clock.fast_forward(15_000)  # 65 s: under 2 minutes left
    assert warning.is_visible()
    assert warning.inner_text().startswith(WARNING)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"logoff-warning-{width}.png"))
    with page.expect_response("**/accounts/session/keep-alive/") as answer:
        page.get_by_role("button", name="stay signed in").click()
    assert answer.value.status == 200
    page.wait_for_function("document.getElementById('logoff-warning').hidden")
    page.clock.fast_forward(50_000)  # the count started again from the click
    assert warning.is_hidden() and "/accounts/mine/" in page.url
    context.close()


@pytest.mark.usefixtures("short_idle")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_when_the_time_is_up_the_page_signs_out_and_says_why(browser, live_server, alice):
    context, page = _signed_in(browser, live_server.url, 390)
    _age_the_session(context, 181)
    with page.expect_navigation():
        page.clock.fast_forward(181_000)
    page.wait_for_url("**/accounts/login/**")
    assert "after 3 minutes without activity" in page.locator(".messages").inner_text()
    page.screenshot(path=str(SHOTS / "logoff-done-390.png"))
    context.close()


@pytest.mark.usefixtures("short_idle")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_nothing_shows_and_the_page_works(browser, live_server, alice):
    context, page = _signed_in(browser, live_server.url, 390, javascript=False)
    assert page.locator("#logoff-warning").is_hidden()
    assert page.locator("h1").count() == 1
    context.close()


@pytest.mark.usefixtures("short_idle")
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_script_runs_under_the_sites_content_security_policy(browser, live_server, alice):
    context, page = _signed_in(browser, live_server.url, 390)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.reload()
    page.clock.fast_forward(65_000)
    assert page.locator("#logoff-warning").is_visible() and refused == []
    context.close()
