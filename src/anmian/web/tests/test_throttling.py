"""Password guessing is stopped at every way in: per account, per address, with a spoofed
X-Forwarded-For, across the web, the admin and the API, and for exactly as long as it says.

Issue 11: 300 of 300 guesses with a rotating header were evaluated; an account locked on the
web still got a token; the lock lasted 5 minutes while saying 15; 10 of 40 concurrent guesses
got through."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from anmian.web.clientip import client_ip
from anmian.web.records.models import ApiToken
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIMIT = 5  # ANMIAN_LOGIN_FAILURE_LIMIT's default, which the lockout promises


def _login(client: Client, username: str, password: str, **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def _token(client: Client, username: str, password: str, **headers):
    return client.post(
        "/api/v1/tokens",
        {"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


def test_ten_wrong_passwords_with_a_rotating_forwarded_for_are_stopped_at_the_limit(
    client: Client, alice
):
    codes = [
        _login(
            client, "alice@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        ).status_code
        for i in range(10)
    ]
    assert codes == [200] * (LIMIT - 1) + [429] * (10 - LIMIT + 1)
    # The right password is refused too until the lock ends.
    assert _login(client, "alice@example.org", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_token_route_counts_guesses_with_a_rotating_forwarded_for(client: Client, alice):
    codes = [
        _token(client, "alice@example.org", f"guess {i}", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        for i in range(10)
    ]
    assert [r.status_code for r in codes] == [401] * (LIMIT - 1) + [429] * (10 - LIMIT + 1)
    assert "Too many failed attempts" in codes[-1].json()["error"]
    assert _token(client, "alice@example.org", PASSWORD).status_code == 429
    assert not ApiToken.objects.exists()


def test_an_account_locked_on_the_web_gets_no_token(client: Client, alice):
    for _ in range(LIMIT):
        _login(client, "alice@example.org", "wrong")
    response = _token(Client(), "Alice@Example.org", PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert not ApiToken.objects.filter(user=alice.user).exists()


def test_the_account_is_locked_for_guesses_from_any_address(client: Client, alice, settings):
    settings.ANMIAN_TRUSTED_PROXIES = 1  # so the test can speak from several addresses
    for i in range(LIMIT):
        _login(client, "alice@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    other = _login(Client(), "alice@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert other.status_code == 429


def test_a_password_sprayer_from_one_address_is_stopped(client: Client, alice, bob, charlie):
    for name in ("bob", "charlie", "dave", "erin", "frank"):
        _login(client, f"{name}@example.org", "Summer2026!")
    # Alice's own right password, from the sprayer's address: that address is locked.
    assert _login(client, "alice@example.org", PASSWORD).status_code == 429


def test_the_admin_login_is_throttled(client: Client, alice):
    alice.user.is_staff = True
    alice.user.save()
    for _ in range(LIMIT):
        client.post("/admin/login/", {"username": "alice@example.org", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "alice@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content


@pytest.mark.parametrize("minutes", [15, 7])
def test_the_lockout_message_says_the_minutes_of_the_setting(
    client: Client, alice, settings, minutes
):
    settings.ANMIAN_LOCKOUT_MINUTES = minutes
    for _ in range(LIMIT):
        response = _login(client, "alice@example.org", "wrong")
    said = re.search(rb"Try again in (\d+) minutes", response.content)
    assert said is not None and int(said.group(1)) == minutes
    api = _token(client, "alice@example.org", "wrong").json()["error"]
    assert f"Try again in {minutes} minutes" in api


@pytest.mark.parametrize("minutes", [15, 7])
@pytest.mark.parametrize(("offset", "expected"), [(-1, 429), (1, 302)])
def test_the_lock_ends_when_the_message_says(
    client: Client, alice, settings, minutes, offset, expected
):
    settings.ANMIAN_LOCKOUT_MINUTES = minutes
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(LIMIT):
            _login(client, "alice@example.org", "wrong")
    later = start + timedelta(minutes=minutes, seconds=offset)
    with time_machine.travel(later, tick=False):
        assert _login(Client(), "alice@example.org", PASSWORD).status_code == expected


def test_a_password_reset_unlocks_the_account(client: Client, alice, settings):
    settings.ANMIAN_TRUSTED_PROXIES = 1
    guesser = {"HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(LIMIT):
        _login(Client(), "alice@example.org", "wrong", **guesser)
    owner = {"HTTP_X_FORWARDED_FOR": "192.0.2.10"}
    assert _login(client, "alice@example.org", PASSWORD, **owner).status_code == 429
    client.post("/accounts/password-reset/", {"email": "alice@example.org"}, **owner)
    path = re.search(r"/accounts/reset/\S+/", mail.outbox[-1].body).group(0)
    form = client.get(path, follow=True, **owner)
    new = "a brand new passphrase"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, **owner
    )
    assert done.status_code == 302
    assert _login(client, "alice@example.org", new, **owner).status_code == 302


def test_password_reset_requests_are_limited_per_address(client: Client, alice, settings):
    settings.ANMIAN_TRUSTED_PROXIES = 1
    me = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    codes = [
        client.post("/accounts/password-reset/", {"email": f"p{i}@example.org"}, **me).status_code
        for i in range(settings.ANMIAN_RESET_REQUESTS_PER_HOUR + 2)
    ]
    assert codes[-1] == 429 and codes[0] == 302
    assert codes.count(302) == settings.ANMIAN_RESET_REQUESTS_PER_HOUR


def test_password_reset_emails_to_one_account_are_limited(client: Client, alice, settings):
    settings.ANMIAN_TRUSTED_PROXIES = 1
    for i in range(10):
        client.post(
            "/accounts/password-reset/",
            {"email": "alice@example.org"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
    assert len(mail.outbox) == settings.ANMIAN_RESET_REQUESTS_PER_HOUR


# --- the client's address ---


class _Req:
    def __init__(self, remote: str, forwarded: str | None = None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy of ours: the header is the client's word
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # what the client wrote is skipped
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: a proxy was bypassed
        (1, "not-an-address", "10.0.0.1"),
        (1, None, "10.0.0.1"),
    ],
)
def test_the_client_address_believes_only_trusted_proxies(settings, proxies, forwarded, expected):
    settings.ANMIAN_TRUSTED_PROXIES = proxies
    assert client_ip(_Req("10.0.0.1", forwarded)) == expected  # type: ignore[arg-type]


def test_the_api_rate_limit_uses_the_same_trusted_proxies():
    from ninja.conf import settings as ninja_settings

    from anmian.web import settings as ours

    assert ours.NINJA_NUM_PROXIES == ours.ANMIAN_TRUSTED_PROXIES == 0
    assert ninja_settings.NUM_PROXIES == 0


def test_the_anonymous_rate_limit_ignores_a_rotating_forwarded_for(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "3/min"
    codes = [
        client.post(
            "/api/v1/assess",
            "{}",
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(5)
    ]
    assert codes[3:] == [429, 429]


# --- concurrent guesses ---


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_never_exceed_the_limit(alice, monkeypatch):
    checked = []
    lock = threading.Lock()
    real = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kw):
        with lock:
            checked.append(password)
        return real(self, request, username=username, password=password, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    start = threading.Barrier(12)
    codes: list[int] = []

    def guess(i: int) -> None:
        try:
            start.wait()
            codes.append(_login(Client(), "alice@example.org", f"guess {i}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 12
    assert len(checked) == LIMIT
    assert codes.count(429) == 12 - LIMIT + 1  # the guess that reached the limit, and the rest


CHILD = r"""
import sys, threading
import django
django.setup()
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client

checked, lock, real = [], threading.Lock(), ModelBackend.authenticate
def counting(self, request, username=None, password=None, **kw):
    with lock:
        checked.append(1)
    return real(self, request, username=username, password=password, **kw)
ModelBackend.authenticate = counting

def guess(i):
    try:
        Client().post("/accounts/login/", {"username": "alice@example.org", "password": f"g{i}"})
    finally:
        connection.close()
threads = [threading.Thread(target=guess, args=(i,)) for i in range(6)]
for t in threads: t.start()
for t in threads: t.join()
print(len(checked))
"""


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_guesses_from_two_server_processes_never_exceed_the_limit(alice):
    import os
    import subprocess
    import sys

    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.test_settings",
        "DATABASE_URL": _database_url(),
        "ALLOWED_HOSTS": "testserver",
    }
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    checked = [int(child.communicate(timeout=120)[0].split()[-1]) for child in children]
    assert all(child.returncode == 0 for child in children)
    # Exactly the limit: more would be guesses let through, fewer a test that guessed nothing.
    assert sum(checked) == LIMIT, checked
