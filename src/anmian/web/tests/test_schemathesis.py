"""Every operation of the API fuzzed from its own OpenAPI document (schemathesis): whatever a
client sends, anonymous or with a patient's bearer token, the answer is never a 5xx and its
status is one the document lists for that operation.

Bounded for `make test`: a fixed seed, derandomized, a few examples per operation (about 30 s
on the 2-core machine); `bench/attack.py` runs the same with many more examples."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from anmian.web.booking.models import AppointmentType, WorkingHours
from anmian.web.records import tokens

CHECKS = [not_a_server_error, status_code_conformance]
EXAMPLES = 4
SEED = 20261202


def config(examples: int = EXAMPLES, seed: int = SEED) -> schemathesis.Config:
    """Positive and negative cases, deterministic, no shrinking (a failure is reported as
    found: shrinking would spend the time budget). Stateful links are not followed."""
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "generation": {
                "mode": "all",
                "max-examples": examples,
                "deterministic": True,
                "no-shrink": True,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": False},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


# Loaded once at collection, from the WSGI application the servers run (no database needed:
# the document is built from the routes).
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", get_wsgi_application(), config=config()
)


@pytest.fixture(autouse=True)
def _world(db, settings, alice, bob, alice_assessment):
    """A patient of a clinic that takes bookings every day; the anonymous rate limit lifted so
    fuzzing reaches the views (the limit itself is tested in test_api_errors.py)."""
    settings.ANMIAN_ANON_RATE = "100000/min"
    for weekday in range(7):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start="08:00", end="20:00")
    AppointmentType.objects.create(clinic=bob.clinic, name="Follow-up", duration_min=45)
    # The WSGI handler closes the connection as each request starts and ends, which would end
    # the test's transaction; Django's own test client disconnects the same two signals.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def patient_token(alice) -> str:
    token, _ = tokens.issue(alice.user, "schemathesis", "read-write", 1)
    return token


@schema.parametrize()
def test_anonymous_callers_get_no_5xx_and_only_documented_statuses(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
# The token is made once per operation and holds for all its examples (nothing in the API revokes it).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_patient_token_gets_no_5xx_and_only_documented_statuses(case, patient_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {patient_token}"}, checks=CHECKS)
