"""Links that are credentials (the private calendar feed, the waitlist offer, activation and
reset links): rotatable by their owner, and never written to a log in clear, neither by
Django's request log nor by gunicorn's access log as scripts/serve.sh starts it."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from anmian.web.booking import services, waitlist
from anmian.web.booking.models import AppointmentType, CalendarFeed, WaitlistEntry, WorkingHours
from anmian.web.core.logsafe import AccessLogger, fingerprint, safe_path
from anmian.web.records.models import Patient
from anmian.web.tests.world import pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
START = datetime(2026, 3, 4, 10, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[4]
SECRET = "Zq8sFakeButLongEnoughTokenValue_0123456789abc"

_clock = pinned_clock(NOW)


@pytest.fixture
def offer(clinic, alice, bob, django_capture_on_commit_callbacks) -> WaitlistEntry:
    """Wendy waits; Alice cancels; the freed time is offered to Wendy by email."""
    from django.contrib.auth import get_user_model

    for weekday in range(5):
        WorkingHours.objects.create(
            practitioner=bob, weekday=weekday, start=clock(9), end=clock(17)
        )
    kind = AppointmentType.objects.create(clinic=clinic, name="Follow-up", duration_min=45)
    wendy = Patient.objects.create(
        clinic=clinic,
        name="Wendy",
        user=get_user_model().objects.create_user("w@x.org", "w@x.org"),
    )
    entry = waitlist.join(wendy.user, kind, bob)
    booked = services.book(alice.user, bob, kind, START, now=NOW)[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(alice.user, booked, now=NOW)
    mail.outbox.clear()
    return WaitlistEntry.objects.get(pk=entry.pk)


# --- the calendar feed ---


def test_a_new_feed_link_ends_the_old_one(client: Client, alice):
    client.force_login(alice.user)
    page = client.get("/booking/").content.decode()
    old = CalendarFeed.objects.get(user=alice.user).token
    assert f"/booking/feed/{old}.ics" in page
    assert client.get(f"/booking/feed/{old}.ics").status_code == 200

    assert client.post("/booking/feed/new/").status_code == 302
    new = CalendarFeed.objects.get(user=alice.user).token
    assert new != old
    assert client.get(f"/booking/feed/{old}.ics").status_code == 404
    assert client.get(f"/booking/feed/{new}.ics").status_code == 200
    page = client.get("/booking/").content.decode()
    assert f"/booking/feed/{new}.ics" in page and old not in page


def test_a_new_feed_link_needs_a_post_and_a_login(client: Client, alice):
    client.force_login(alice.user)
    client.get("/booking/")
    old = CalendarFeed.objects.get(user=alice.user).token
    assert client.get("/booking/feed/new/").status_code == 405
    assert Client().post("/booking/feed/new/").status_code == 302  # to the login page
    assert CalendarFeed.objects.get(user=alice.user).token == old


def test_a_new_feed_link_changes_only_my_feed(client: Client, alice, charlie):
    theirs = services.feed_token(charlie.user)
    client.force_login(alice.user)
    client.post("/booking/feed/new/")
    assert CalendarFeed.objects.get(user=charlie.user).token == theirs


# --- the waitlist offer ---


def test_a_new_offer_link_ends_the_old_one_and_goes_to_the_patient_only(
    client: Client, offer, django_capture_on_commit_callbacks
):
    old = offer.token
    assert b"Send a new link" in client.get(f"/booking/waitlist/{old}/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/booking/waitlist/{old}/new-link/")
    assert response.status_code == 200 and b"no longer works" in response.content
    new = WaitlistEntry.objects.get(pk=offer.pk).token
    assert new != old
    assert client.get(f"/booking/waitlist/{old}/").status_code == 404
    assert client.post(f"/booking/waitlist/{old}/").status_code == 404  # cannot accept
    assert [m.to for m in mail.outbox] == [["w@x.org"]]
    assert new in mail.outbox[0].body and old not in mail.outbox[0].body
    # the hold is unchanged, and the new link books the time
    assert client.post(f"/booking/waitlist/{new}/").status_code == 200
    assert WaitlistEntry.objects.get(pk=offer.pk).status == "booked"


def test_a_closed_offer_gets_no_new_link(client: Client, offer):
    assert client.post(f"/booking/waitlist/{offer.token}/").status_code == 200  # booked
    response = client.post(f"/booking/waitlist/{offer.token}/new-link/")
    assert response.status_code == 409 and b"no longer open" in response.content
    assert client.post(f"/booking/waitlist/{SECRET}/new-link/").status_code == 404


# --- what the logs say ---


def test_safe_path_hides_exactly_the_token_of_each_secret_route():
    fp = fingerprint(SECRET)
    assert safe_path(f"/booking/feed/{SECRET}.ics") == f"/booking/feed/{fp}.ics"
    assert safe_path(f"/booking/waitlist/{SECRET}/") == f"/booking/waitlist/{fp}/"
    assert safe_path(f"/booking/waitlist/{SECRET}/new-link/") == f"/booking/waitlist/{fp}/new-link/"
    assert safe_path(f"/accounts/reset/MQ/{SECRET}/") == f"/accounts/reset/MQ/{fp}/"
    assert safe_path(f"/accounts/activate/MQ/{SECRET}/") == f"/accounts/activate/MQ/{fp}/"
    # a token with a tail no route expects is hidden all the same
    assert SECRET not in safe_path(f"/booking/feed/{SECRET}.ics/more")
    # routes without secrets are left as they are
    for path in ("/booking/waitlist/join/", "/booking/feed/new/", "/clinic/", "/static/x.css"):
        assert safe_path(path) == path
    assert len(fp) == 11 and fp != fingerprint(SECRET[:-1])


def test_a_refused_feed_request_leaves_no_token_in_the_log(client: Client, alice, caplog):
    token = services.feed_token(alice.user)
    client.force_login(alice.user)
    client.post("/booking/feed/new/")  # the old token is refused from now on
    with caplog.at_level(logging.INFO):
        assert client.get(f"/booking/feed/{token}.ics").status_code == 404
        assert client.get(f"/booking/waitlist/{SECRET}/").status_code == 404
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Not Found" in logged
    assert token not in logged and SECRET not in logged
    assert fingerprint(token) in logged and fingerprint(SECRET) in logged


def test_the_runserver_log_hides_tokens(caplog):
    with caplog.at_level(logging.INFO, logger="django.server"):
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /booking/feed/{SECRET}.ics HTTP/1.1", "200", "312"
        )
    assert SECRET not in caplog.text and fingerprint(SECRET) in caplog.text


def test_the_gunicorn_access_line_hides_the_token_in_path_request_line_and_referrer():
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(r)s" %(U)s "%(f)s"')
    logger = AccessLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/booking/feed/{SECRET}.ics",
        "PATH_INFO": f"/booking/feed/{SECRET}.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://clinic.example/booking/waitlist/{SECRET}/",
        "REMOTE_ADDR": "127.0.0.1",
    }

    class Response:
        status, status_code, sent, headers = "200 OK", 200, 10, []

    class Request:
        headers: list = []

    atoms = logger.atoms(Response(), Request(), environ, __import__("datetime").timedelta(0))
    line = config.access_log_format % atoms
    assert SECRET not in line
    assert line.count(fingerprint(SECRET)) == 3
    assert "https://clinic.example/booking/waitlist/" in line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on POSIX")
def test_the_served_access_log_has_no_token(tmp_path):
    """gunicorn started with serve.sh's flags: the access log of a request to a secret URL
    holds its fingerprint, not the token."""
    flags = (ROOT / "scripts" / "serve.sh").read_text()
    assert "--logger-class anmian.web.core.logsafe.AccessLogger" in flags
    port = _free_port()
    env = os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": "test-" + "k" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "anmian.web.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--logger-class",
            "anmian.web.core.logsafe.AccessLogger",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/booking/waitlist/{SECRET}/new-link/"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)
            except urllib.error.HTTPError as exc:
                assert exc.code == 405  # GET on a POST-only route: no database needed
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    assert f"/booking/waitlist/{fingerprint(SECRET)}/new-link/" in out
    assert SECRET not in out


def _routes_with_secrets() -> list[tuple[str, list[str]]]:
    """(route name, its parameters) for every route of the resolver with a secret parameter."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from anmian.web.core.logsafe import _PARAM, is_secret

    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns,
                    route,
                    f"{namespace}{p.namespace}:" if p.namespace else namespace,
                )
            elif isinstance(p, URLPattern) and p.name:
                names = [m.group("name") for m in _PARAM.finditer(route)]
                if any(is_secret(n) for n in names):
                    found.append((namespace + p.name, names))

    walk(get_resolver().url_patterns, "", "")
    return found


def test_every_credential_link_of_the_site_is_found():
    names = {name for name, _ in _routes_with_secrets()}
    assert {
        "booking:feed",
        "booking:waitlist_offer",
        "booking:new_offer_link",
        "accounts:activate",
        "accounts:password_reset_confirm",
    } <= names


@pytest.mark.parametrize("route", [name for name, _ in _routes_with_secrets()])
def test_no_credential_link_is_logged_in_clear(route):
    from django.urls import reverse

    from anmian.web.core.logsafe import is_secret

    params = dict(_routes_with_secrets())[route]
    kwargs = {n: (SECRET if is_secret(n) else "MQ") for n in params}
    path = reverse(route, kwargs=kwargs)
    assert SECRET in path
    assert SECRET not in safe_path(path) and fingerprint(SECRET) in safe_path(path)


@pytest.mark.parametrize(
    "url",
    [
        "/booking/feed/a%00b.ics",
        "/booking/waitlist/a%00b/",
        "/booking/waitlist/a%00b/new-link/",
        "/booking/feed/a.b.ics",
        f"/booking/waitlist/{'x' * 101}/",
    ],
)
def test_a_link_token_that_cannot_be_one_is_404_before_any_query(client: Client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not [q for q in queries if "booking_" in q["sql"]]


@pytest.fixture
def django_handlers_see():
    """What a handler on the "django" logger sees (Django's own console and mail_admins sit
    there), which records reach before the root logger's filtered console handler."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler, django_logger = Keep(), logging.getLogger("django")
    django_logger.addHandler(handler)
    yield seen
    django_logger.removeHandler(handler)


def test_a_refused_csrf_check_on_a_secret_link_leaves_no_token_in_the_log(django_handlers_see):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/booking/waitlist/{SECRET}/new-link/").status_code == 403
    logged = "\n".join(django_handlers_see)
    assert "CSRF" in logged
    assert SECRET not in logged and fingerprint(SECRET) in logged


def test_django_own_handlers_get_not_found_without_the_token(client: Client, django_handlers_see):
    assert client.get(f"/booking/waitlist/{SECRET}/").status_code == 404
    logged = "\n".join(django_handlers_see)
    assert "Not Found" in logged and SECRET not in logged and fingerprint(SECRET) in logged
