"""Two app servers and two workers on one PostgreSQL database and one Redis, on loopback (issue
13, "How to know it works"): a lockout on one host holds on the other; the anonymous API
budget is shared; 30 due reminders are sent exactly once in all, although the mail server is
down when they fall due; both hosts serve static files and pass /readyz; a host that loses
PostgreSQL or Redis fails /readyz and recovers without a restart.

Marked `multihost` (make test runs it; -m "not multihost" leaves it out): it takes about two
minutes, most of it building the static files once and waiting for the schedulers' minute."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from anmian.web.tests.smtpsink import SMTPSink
from anmian.web.tests.tcpproxy import TCPProxy

ROOT = Path(__file__).resolve().parents[4]
PG = os.environ.get("ANMIAN_TEST_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("ANMIAN_TEST_REDIS", "redis://127.0.0.1:6379")
CACHE_DB, QUEUE_DB = 11, 12  # Redis databases of their own, emptied first
LIMIT = 3
pytestmark = pytest.mark.multihost


def _reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


if not (_reachable(5432) and _reachable(6379)):
    pytest.skip("needs PostgreSQL and Redis on loopback", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(
    port: int, path: str, body: dict | None = None, client: str = "192.0.2.1"
) -> tuple[int, bytes]:
    """A request from `client`, as the proxy in front of both hosts would pass it on."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"X-Forwarded-For": client} | ({"Content-Type": "application/json"} if data else {})
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


SETUP = """
import django; django.setup()
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.records.models import Clinic, Patient, Practitioner

User = get_user_model()
clinic = Clinic.objects.create(name="Quiet Nights Clinic", time_zone="Europe/London")
def user(email):
    return User.objects.create_user(username=email, email=email, password="correct horse battery")
practitioner = Practitioner.objects.create(user=user("bob@example.org"), clinic=clinic, display_name="Bob")
kind = AppointmentType.objects.create(clinic=clinic, name="Needling", duration_min=30)
first = timezone.now() + timedelta(hours=1)
for i in range(30):
    patient = Patient.objects.create(user=user(f"p{i}@example.org"), clinic=clinic, name=f"P {i}")
    start = first + timedelta(minutes=40 * i)
    end = start + timedelta(minutes=30)
    Appointment.objects.create(practitioner=practitioner, patient=patient, appointment_type=kind,
        start=start, end=end, blocked_start=start, blocked_end=end)
user("alice@example.org")
"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[dict]:
    tmp = tmp_path_factory.mktemp("multihost")
    name = f"anmian_multihost_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    for db in (CACHE_DB, QUEUE_DB):
        subprocess.run(["redis-cli", "-n", str(db), "flushdb"], check=True, capture_output=True)
    sink = SMTPSink(port=_free_port())  # down until the test starts it
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "ANMIAN_", "EMAIL_", "SECURE_", "DEBUG", "CACHE_URL"))
    } | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "SECRET_KEY": "multihost-" + "k" * 50,
        "DEBUG": "false",
        "SECURE_TLS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{PG}/{name}",
        "CACHE_URL": f"{REDIS}/{CACHE_DB}",
        "ANMIAN_QUEUE_URL": f"{REDIS}/{QUEUE_DB}",
        "STATIC_ROOT": str(tmp / "static"),
        "ANMIAN_LOGIN_FAILURE_LIMIT": str(LIMIT),
        "ANMIAN_ANON_RATE": "10/min",
        "ANMIAN_TRUSTED_PROXIES": "1",  # each test is its own client address
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "5",
    }
    manage = [sys.executable, "-m", "django"]
    processes: list[subprocess.Popen] = []
    logs = contextlib.ExitStack()
    try:
        subprocess.run(
            [*manage, "migrate", "-v0"],
            env=env | {"ANMIAN_DATA_DIR": str(tmp / "a")},
            check=True,
            timeout=300,
        )
        build = [*manage, "collectstatic", "--noinput", "-v0"]
        subprocess.run(
            build, env=env | {"ANMIAN_DATA_DIR": str(tmp / "a")}, check=True, timeout=600
        )
        ports = [_free_port(), _free_port()]
        for host, port in zip("ab", ports, strict=True):
            host_env = env | {"ANMIAN_DATA_DIR": str(tmp / host)}  # nothing shared on disk
            gunicorn = Path(sys.executable).parent / "gunicorn"
            processes.append(
                subprocess.Popen(
                    [
                        *(str(gunicorn), "anmian.web.wsgi", "--bind", f"127.0.0.1:{port}"),
                        *("--workers", "2", "--threads", "2"),
                        *("--control-socket", str(tmp / f"{host}.ctl")),
                    ],
                    env=host_env,
                    stdout=subprocess.DEVNULL,
                    stderr=logs.enter_context((tmp / f"web-{host}.log").open("w")),
                )
            )
            processes.append(
                subprocess.Popen(
                    [*manage, "run_huey", "--workers", "2"],
                    env=host_env,
                    stdout=subprocess.DEVNULL,
                    stderr=logs.enter_context((tmp / f"worker-{host}.log").open("w")),
                )
            )
        for port in ports:
            assert _wait_for(lambda p=port: _reachable(p), 60)
        subprocess.run(
            [sys.executable, "-c", SETUP],
            env=env | {"ANMIAN_DATA_DIR": str(tmp / "a")},
            check=True,
            timeout=120,
        )
        yield {"ports": ports, "sink": sink, "env": env, "database": f"{PG}/{name}", "tmp": tmp}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        sink.stop()
        logs.close()
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']
        )


def _sql(deployment: dict, query: str) -> str:
    result = subprocess.run(
        ["psql", deployment["database"], "-Atc", query], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_both_hosts_are_ready_and_serve_static_files(deployment):
    for port in deployment["ports"]:
        status, body = _http(port, "/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"]["static"] == "ok"
        manifest = json.loads((deployment["tmp"] / "static" / "staticfiles.json").read_text())
        hashed = next(v for k, v in manifest["paths"].items() if k.endswith(".css"))
        assert _http(port, f"/static/{hashed}")[0] == 200


def test_a_lockout_on_one_host_holds_on_the_other(deployment):
    a, b = deployment["ports"]
    guesses = [
        _http(a, "/api/v1/tokens", {"username": "alice@example.org", "password": f"guess {i}"})
        for i in range(LIMIT)
    ]
    assert [status for status, _ in guesses[: LIMIT - 1]] == [401] * (LIMIT - 1), guesses
    right = {"username": "alice@example.org", "password": "correct horse battery"}
    # Host B, and another address: the account itself is locked, everywhere.
    status, body = _http(b, "/api/v1/tokens", right, client="198.51.100.7")
    assert status == 429, body


def test_the_anonymous_api_budget_is_shared_by_both_hosts(deployment):
    a, b = deployment["ports"]
    codes = [_http(port, "/api/v1/assess", {}, client="203.0.113.9")[0] for port in (a, b) * 6]
    # 10 a minute in all, not 10 on each: the 11th and 12th, whichever host, are refused.
    assert codes.count(429) >= 2 and 429 not in codes[:8], codes


def test_30_due_reminders_are_sent_exactly_once_after_the_mail_server_comes_back(deployment):
    sink = deployment["sink"]
    # The mail server is down: within a minute the schedulers claim all 30 and the sends fail.
    assert _wait_for(
        lambda: _sql(deployment, "SELECT count(*) FROM jobs_failedjob") == "30", 150
    ), _sql(deployment, "SELECT count(*) FROM jobs_failedjob")
    assert (
        _sql(deployment, "SELECT count(*) FROM booking_appointment WHERE reminder_sent_at IS NULL")
        == "0"
    )
    sink.start()  # back: the retries go out
    assert _wait_for(lambda: len(sink.messages) >= 30, 120), len(sink.messages)
    time.sleep(5)
    recipients = sorted(r for m in sink.messages for r in m.recipients)
    assert recipients == sorted(f"p{i}@example.org" for i in range(30))  # each exactly once
    assert (
        _sql(deployment, "SELECT count(*) FROM jobs_failedjob WHERE succeeded_at IS NOT NULL")
        == "30"
    )


def test_a_host_that_loses_postgresql_and_redis_is_unready_and_recovers_without_a_restart(
    deployment,
):
    pg_proxy, redis_proxy = TCPProxy(5432).start(), TCPProxy(6379).start()
    port, tmp = _free_port(), deployment["tmp"]
    env = deployment["env"] | {
        "ANMIAN_DATA_DIR": str(tmp / "c"),
        "DATABASE_URL": deployment["database"].replace(":5432/", f":{pg_proxy.port}/"),
        "CACHE_URL": f"redis://127.0.0.1:{redis_proxy.port}/{CACHE_DB}",
        "ANMIAN_QUEUE_URL": f"redis://127.0.0.1:{redis_proxy.port}/{QUEUE_DB}",
    }
    # A release's migrations run before its hosts start (docs/deploy.md); here again, in case
    # the code changed since the fixture migrated.
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with (tmp / "web-c.log").open("w") as log:
        server = subprocess.Popen(
            [
                *(str(gunicorn), "anmian.web.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "1", "--control-socket", str(tmp / "c.ctl")),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            assert _wait_for(lambda: _reachable(port), 60)
            assert _http(port, "/readyz")[0] == 200
            for lost in (pg_proxy, redis_proxy):
                lost.cut()
                status, body = _http(port, "/readyz")
                assert status == 503, body
                failed = {k for k, v in json.loads(body)["checks"].items() if v == "failed"}
                assert failed == (
                    {"database", "migrations"} if lost is pg_proxy else {"cache", "queue"}
                )
                lost.start()  # the network is back, on the same port
                assert _wait_for(lambda: _http(port, "/readyz")[0] == 200, 20)
            assert server.poll() is None  # the same process throughout
        finally:
            server.terminate()
            server.wait(timeout=30)
            pg_proxy.cut()
            redis_proxy.cut()
