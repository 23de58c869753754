"""A small world, after healthchecks: alice (patient), bob (practitioner of alice's clinic),
charlie (a patient of no one's concern) and dave (a practitioner of another clinic)."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from anmian.engine import assess, parse_input
from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment, Clinic, Patient, Practitioner

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture(autouse=True)
def _staff_logins_pass_two_factor(request):
    """Practitioners, staff and admins see no patient data before a second factor
    (anmian.web.twofactor). In tests that are not about it, every login of one of them (the
    login page or force_login) gives the account an authenticator and counts as verified, as
    the verify page would; tests of the second factor itself ask for `unverified_logins`."""
    if "unverified_logins" in request.fixturenames:
        yield
        return
    from django.contrib.auth.signals import user_logged_in
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anmian.web import twofactor

    def verified(sender, request, user, **kwargs):
        if request is not None and twofactor.required(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id

    user_logged_in.connect(verified, dispatch_uid="tests-two-factor")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-two-factor")


@pytest.fixture
def unverified_logins():
    """Logins as they are: a practitioner still has to pass the second factor (see above)."""


def _user(email: str):
    return get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)


@pytest.fixture
def clinic(db) -> Clinic:
    return Clinic.objects.create(name="Quiet Nights Clinic", time_zone="Europe/London")


@pytest.fixture
def alice(clinic) -> Patient:
    return Patient.objects.create(user=_user("alice@example.org"), clinic=clinic, name="Alice Able")


@pytest.fixture
def bob(clinic) -> Practitioner:
    return Practitioner.objects.create(
        user=_user("bob@example.org"), clinic=clinic, display_name="Bob Baker"
    )


@pytest.fixture
def charlie(db) -> Patient:
    return Patient.objects.create(user=_user("charlie@example.org"), name="Charlie Cole")


@pytest.fixture
def dave(db) -> Practitioner:
    other = Clinic.objects.create(name="Elsewhere Clinic")
    return Practitioner.objects.create(
        user=_user("dave@example.org"), clinic=other, display_name="Dave Dunn"
    )


@pytest.fixture
def alice_assessment(alice) -> Assessment:
    data = {"findings": ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin"], "age": 50}
    kb = get_kb()
    result = assess(parse_input(data), kb).to_dict()
    return Assessment.objects.create(
        patient=alice, kb_version=kb.version, input=data, result=result
    )


# --- the browser (Playwright driving Debian's Chromium; one place for every browser test) ---

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: run `make test`, which installs it with apt")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the
    # live server happen in its own thread, so this only silences a false alarm here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
