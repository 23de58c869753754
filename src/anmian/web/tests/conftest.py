"""A small world, after healthchecks: alice (patient), bob (practitioner of alice's clinic),
charlie (a patient of no one's concern) and dave (a practitioner of another clinic)."""

from __future__ import annotations

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
