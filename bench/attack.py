"""The attack run of issue 11 against a server on loopback, with figures for the README.

Starts gunicorn (2 workers x 4 threads, SQLite in a temporary folder, the demo clinic plus a
practitioner of another clinic and a staff member), or targets a running server with --url
(which must hold the demo clinic of `make run`; the roles that need the extra accounts are
then skipped). In turn:

1. the access matrix: every route of the site and the API (tests/access_matrix.yaml), asked
   over HTTP by each person with a session of their own; a leak is a 2xx or non-login redirect
   where the matrix says denied or login;
2. schemathesis with many examples per operation, anonymous and with a patient's token:
   responses, 5xx and statuses the OpenAPI document does not list;
3. password guessing with a rotating X-Forwarded-For, concurrently, against POST
   /api/v1/tokens and the web login: how many guesses were evaluated before the lockout, and
   whether the right password then still gets in (it must not);
4. 1,000 bookings racing for one slot from two patients: how many were held.

Run: .venv/bin/python bench/attack.py [--url http://127.0.0.1:8000] [--examples 50]
Sends traffic to loopback only. Prints figures; exits 1 if a leak, a 5xx or a double booking
was seen.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "demo-only-password"  # the demo clinic's (load_demo_clinic), local only
DEMO_KEY = "ANMIANDEMOPRACTITIONERKEY2345672"  # its published authenticator key
PEOPLE = {
    "patient": "mei@demo.anmian",
    "other_patient": "tom@demo.anmian",
    "practitioner": "practitioner@demo.anmian",
    "other_practitioner": "dave@elsewhere.anmian",  # made here when the server is ours
    "staff": "staff@demo.anmian",  # made here too: is_staff, no clinic
    "admin": "admin@demo.anmian",
}
# Routes that would end or weaken the very session the run goes on with.
SKIP = {"accounts:logout", "admin:logout", "accounts:two_factor_off", "accounts:erasure_request"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GUNICORN = ["--workers", "2", "--threads", "4", "--log-level", "warning"]


def totp(key: str = DEMO_KEY, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as django-otp's TOTP devices check it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Browser:
    """A session of one person: cookies kept, the CSRF token sent back, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.get(f"{base}/accounts/login/", timeout=30)  # the csrftoken cookie

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        headers.setdefault("X-CSRFToken", self.http.cookies.get("csrftoken", ""))
        headers.setdefault("Referer", self.base + "/")
        return self.http.request(
            method, self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs
        )

    def log_in(self, email: str, two_factor: bool) -> None:
        r = self.send("POST", "/accounts/login/", data={"username": email, "password": PASSWORD})
        assert r.status_code == 302, (email, r.status_code)
        if two_factor:
            r = self.send("POST", "/accounts/two-factor/verify/", data={"code": totp()})
            assert r.status_code == 302, (email, "second factor", r.status_code)


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


EXTRA_PEOPLE = f"""
from base64 import b32decode
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from anmian.web.records.models import Clinic, Practitioner
User = get_user_model()
other = Clinic.objects.create(name="Elsewhere Clinic", time_zone="Europe/London")
dave = User.objects.create_user("{PEOPLE["other_practitioner"]}", "{PEOPLE["other_practitioner"]}", "{PASSWORD}")
Practitioner.objects.create(user=dave, clinic=other, display_name="Dave Dunn")
staff = User.objects.create_user("{PEOPLE["staff"]}", "{PEOPLE["staff"]}", "{PASSWORD}", is_staff=True)
for u in (dave, staff):
    TOTPDevice.objects.create(user=u, name="attack", key=b32decode("{DEMO_KEY}").hex(), confirmed=True)
"""


def environment(data: str) -> dict[str, str]:
    return os.environ | {
        "SECRET_KEY": "attack-" + "x" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": data,
        "ANMIAN_ALLOW_CONSOLE_EMAIL": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Lifted so that the lockout, not the rate limit, is what stops the guessing.
        "ANMIAN_ANON_RATE": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [BIN / "python", ROOT / "manage.py", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    manage(env, "migrate", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_demo_clinic")
    manage(env, "shell", "-c", EXTRA_PEOPLE)
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "anmian.web.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return server, base
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start")


# --- 1. the access matrix ------------------------------------------------------------------


def outcome(r: requests.Response) -> str:
    code, where = r.status_code, r.headers.get("Location", "")
    if code == 401 or (300 <= code < 400 and "/login/" in where):
        return "login"
    if 200 <= code < 400:
        return "ok"
    if code in (403, 404):
        return "denied"
    if code in (400, 405, 409, 422, 429):
        return "refused"
    return f"status {code}"


def ids_of_the_patient(people: dict[str, Browser]) -> dict[str, str]:
    """Mei's record, assessment, plan and an upcoming appointment, as her clinic's pages
    and the API show them to her and to her practitioner."""
    mei, doctor = people["patient"], people["practitioner"]
    patient = doctor.send("GET", "/api/v1/patients?q=Mei").json()["results"][0]["uid"]
    assessment = mei.send("GET", "/api/v1/me/assessments").json()[0]["uid"]
    chart = doctor.send("GET", f"/clinic/patients/{patient}/").text
    plan = re.search(r"/clinic/plans/([0-9a-f-]{36})/", chart)
    upcoming = mei.send("GET", "/api/v1/booking/appointments").json()
    if not upcoming:
        kind = mei.send("GET", "/api/v1/booking/types").json()[0]["id"]
        slot = mei.send("GET", f"/api/v1/booking/slots?appointment_type={kind}").json()
        first = slot["slots"][0]
        body = {"practitioner": first["practitioner"], "appointment_type": kind}
        upcoming = [mei.send("POST", "/api/v1/booking/appointments", json=body | first).json()]
    ids = {"patient": patient, "assessment": assessment, "appointment": upcoming[0]["uid"]}
    if plan:
        ids["plan"] = plan[1]
    return ids


def access_matrix(people: dict[str, Browser], ids: dict[str, str]) -> dict[str, int]:
    import uuid

    from anmian.web.tests import test_access_matrix as matrix

    asked = leaks = stricter = errors = 0
    skipped = 0
    for route in matrix.ROUTES:
        found = matrix.entry_for(route.key)
        if found is None or route.key in SKIP:
            skipped += 1
            continue
        method, expected = found
        try:
            url = matrix._url(route, {k: uuid.UUID(v) for k, v in ids.items()})
        except Exception:  # an admin object page whose table the local copy cannot read
            skipped += 1
            continue
        for role in matrix.ASK_ORDER:
            if role != "anonymous" and role not in people:
                continue
            who = people.get(role) or Browser(next(iter(people.values())).base)
            if route.is_api:
                r = who.send(method, url, data=b"{}", headers={"Content-Type": "application/json"})
            else:
                r = who.send(method, url)
            asked += 1
            got, want = outcome(r), expected[matrix.ROLES.index(role)]
            errors += r.status_code >= 500
            if got == "ok" and want in ("denied", "login"):
                leaks += 1
                print(f"  LEAK {role:18} {method} {url} -> {r.status_code} (matrix: {want})")
            elif got != want and not got.startswith("status"):
                stricter += 1
                print(f"  differs {role:18} {method} {url} -> {r.status_code} (matrix: {want})")
    return {
        "requests": asked,
        "leaks": leaks,
        "5xx": errors,
        "other differences": stricter,
        "routes skipped": skipped,
    }


# --- 2. schemathesis -----------------------------------------------------------------------


def fuzz(base: str, token: str, examples: int) -> dict[str, int]:
    import hypothesis
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import status_code_conformance

    config = schemathesis.Config.from_dict(
        {
            "seed": 20261202,
            "generation": {"mode": "all", "max-examples": examples, "deterministic": True},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base}/api/openapi.json", config=config)
    totals: Counter[str] = Counter()
    failures: set[tuple[str, str]] = set()
    checks = [not_a_server_error, status_code_conformance]

    def runner(operation, headers: dict[str, str]):
        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            response = case.call(base_url=base, headers=headers)
            totals["requests"] += 1
            totals["5xx"] += response.status_code >= 500
            try:
                case.validate_response(response, checks=checks)
            except Exception as exc:
                totals["failed checks"] += 1
                failures.add((f"{operation.method.upper()} {operation.path}", type(exc).__name__))

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            runner(operation, headers)()
    for op, kind in sorted(failures):
        print(f"  FAILURE {op}: {kind}")
    return {**totals, "distinct failures": len(failures)}


# --- 3. password guessing ------------------------------------------------------------------


def spoofed() -> str:
    return ".".join(str(random.randint(1, 254)) for _ in range(4))


def guess_tokens(base: str, victim: str, guesses: int) -> dict[str, int]:
    def one(i: int) -> int:
        body = {"username": victim, "password": f"wrong guess {i}"}
        headers = {"X-Forwarded-For": spoofed()}
        return requests.post(
            f"{base}/api/v1/tokens", json=body, headers=headers, timeout=60
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        seen = Counter(pool.map(one, range(guesses)))
    right = requests.post(
        f"{base}/api/v1/tokens",
        json={"username": victim, "password": PASSWORD},
        headers={"X-Forwarded-For": spoofed()},
        timeout=60,
    )
    return {
        "guesses": guesses,
        "answered 'wrong password' (401)": seen[401],
        "refused by the lockout (429)": seen[429],
        "5xx": sum(n for s, n in seen.items() if s >= 500),
        "right password afterwards": right.status_code,
    }


def guess_web(base: str, victim: str, guesses: int) -> dict[str, int]:
    def one(i: int) -> int:
        b = Browser(base)
        r = b.send(
            "POST",
            "/accounts/login/",
            data={"username": victim, "password": f"wrong guess {i}"},
            headers={"X-Forwarded-For": spoofed()},
        )
        return r.status_code

    with ThreadPoolExecutor(20) as pool:
        seen = Counter(pool.map(one, range(guesses)))
    b = Browser(base)
    right = b.send("POST", "/accounts/login/", data={"username": victim, "password": PASSWORD})
    return {
        "guesses": guesses,
        "answered 'wrong password' (200)": seen[200],
        "refused by the lockout (429)": seen[429],
        "other answers": {s: n for s, n in seen.items() if s not in (200, 429)},
        "5xx": sum(n for s, n in seen.items() if s >= 500),
        "right password afterwards": right.status_code,
    }


# --- 4. racing bookings --------------------------------------------------------------------


def race(base: str, tokens: list[str], n: int) -> dict[str, int]:
    auth = {"Authorization": f"Bearer {tokens[0]}"}
    kind = requests.get(f"{base}/api/v1/booking/types", headers=auth, timeout=30).json()[0]["id"]
    slots = requests.get(
        f"{base}/api/v1/booking/slots?appointment_type={kind}&days=28", headers=auth, timeout=30
    ).json()["slots"]
    slot = slots[len(slots) // 2]
    body = {"practitioner": slot["practitioner"], "appointment_type": kind, "start": slot["start"]}
    barrier = threading.Barrier(32)

    def one(i: int) -> int:
        if i < 32:
            barrier.wait()
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        r = requests.post(
            f"{base}/api/v1/booking/appointments", json=body, headers=headers, timeout=120
        )
        return r.status_code

    with ThreadPoolExecutor(32) as pool:
        seen = Counter(pool.map(one, range(n)))
    held = 0
    for token in tokens:
        mine = requests.get(
            f"{base}/api/v1/booking/appointments",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        held += sum(a["start"] == slot["start"] and a["status"] == "booked" for a in mine)
    return {
        "requests": n,
        "booked (201)": seen[201],
        "refused as taken (409)": seen[409],
        "5xx": sum(c for s, c in seen.items() if s >= 500),
        "bookings held for the slot": held,
    }


# --- the run -------------------------------------------------------------------------------


def show(title: str, figures: dict[str, object]) -> None:
    print(title)
    for k, v in figures.items():
        print(f"  {k:34} {v}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server on loopback (with the demo clinic)")
    parser.add_argument("--examples", type=int, default=30, help="schemathesis, per operation")
    parser.add_argument("--guesses", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=1000)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="anmian-attack-")
    env = environment(data)
    os.environ.update(env)  # the routes and the matrix are read here from the same settings
    server = None
    if args.url:
        if urlparse(args.url).hostname not in LOOPBACK:
            raise SystemExit("--url must be a server on loopback")
        base = args.url.rstrip("/")
        for role in ("other_practitioner", "staff"):
            PEOPLE.pop(role)
    else:
        server, base = start_server(env)
    try:
        import django

        django.setup()
        print(f"Attack run against {base} (gunicorn 2x4, SQLite)" if server else base)
        people = {}
        for role, email in PEOPLE.items():
            people[role] = Browser(base)
            people[role].log_in(email, two_factor=role not in ("patient", "other_patient"))
        ids = ids_of_the_patient(people)
        tokens = []
        for role in ("patient", "other_patient"):
            r = people[role].send(
                "POST",
                "/api/v1/tokens",
                json={"username": PEOPLE[role], "password": PASSWORD, "scope": "read-write"},
            )
            tokens.append(r.json()["token"])
        t = time.perf_counter()
        matrix = access_matrix(people, ids)
        show(f"1. access matrix ({time.perf_counter() - t:.0f} s)", matrix)
        t = time.perf_counter()
        fuzzed = fuzz(base, tokens[0], args.examples)
        show(
            f"2. schemathesis, {args.examples} examples an operation ({time.perf_counter() - t:.0f} s)",
            fuzzed,
        )
        # The fuzzing's wrong passwords locked this address already: each guessing phase starts
        # from a clean count when the server is ours (with --url it is as the server has it).
        if server:
            manage(env, "axes_reset")
        guessed = guess_tokens(base, PEOPLE["other_patient"], args.guesses)
        show("3a. password guessing, POST /api/v1/tokens, rotating X-Forwarded-For", guessed)
        if server:
            manage(env, "axes_reset")
        web = guess_web(base, "practitioner2@demo.anmian", args.guesses)
        show("3b. password guessing, web login, rotating X-Forwarded-For", web)
        raced = race(base, tokens, args.bookings)
        show("4. bookings racing for one slot", raced)
    finally:
        if server:
            server.terminate()
            server.wait()
    bad = (
        matrix["leaks"]
        + matrix["5xx"]
        + fuzzed.get("5xx", 0)
        + guessed["5xx"]
        + web["5xx"]
        + raced["5xx"]
        + (raced["bookings held for the slot"] != 1)
        + (guessed["right password afterwards"] != 429)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
