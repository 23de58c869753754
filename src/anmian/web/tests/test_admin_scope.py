"""The admin is for superusers only (README, "The admin"): its pages span every clinic, so a
clinic's own staff, even with every model permission, cannot enter it at all and run their
clinic from its own pages, which show only their clinic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from anmian.web.booking.models import AppointmentType
from anmian.web.records.models import Patient, SessionNote
from anmian.web.tests.conftest import PASSWORD
from anmian.web.tests.world import appointment_at

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[4] / "README.md"
OTHER = "Brenda Elsewhere"


@pytest.fixture
def clinic_b(dave):
    """Clinic B (Dave's): a patient with an appointment and a session note."""
    brenda = Patient.objects.create(clinic=dave.clinic, name=OTHER)
    kind = AppointmentType.objects.create(clinic=dave.clinic, name="Needling", duration_min=30)
    appointment = appointment_at(dave, brenda, kind, datetime(2026, 5, 4, 10, tzinfo=UTC))
    note = SessionNote.objects.create(
        patient=brenda, practitioner=dave, date=date(2026, 5, 4), notes="private to clinic B"
    )
    return brenda, appointment, note


@pytest.fixture
def clinic_a_staff(bob):
    """Bob of clinic A, made staff with every permission the admin could ask for."""
    user = bob.user
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.all())
    return user


def _pages(brenda, appointment, note) -> list[str]:
    return [
        "/admin/",
        "/admin/records/patient/",
        f"/admin/records/patient/{brenda.pk}/change/",
        "/admin/booking/appointment/",
        f"/admin/booking/appointment/{appointment.pk}/change/",
        "/admin/records/sessionnote/",
        f"/admin/records/sessionnote/{note.pk}/change/",
        "/admin/records/auditentry/",
        "/admin/records/apitoken/",
        "/admin/auth/user/",
        "/admin/knowledge/",
    ]


def test_clinic_staff_with_every_permission_cannot_enter_the_admin(
    client: Client, clinic_a_staff, clinic_b, alice
):
    client.force_login(clinic_a_staff)
    for url in [*_pages(*clinic_b), f"/admin/records/patient/{alice.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
        assert OTHER.encode() not in response.content


def test_clinic_staff_cannot_change_another_clinics_note_through_the_admin(
    client: Client, clinic_a_staff, clinic_b
):
    _, _, note = clinic_b
    client.force_login(clinic_a_staff)
    response = client.post(
        f"/admin/records/sessionnote/{note.pk}/change/", {"notes": "changed by clinic A"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    note.refresh_from_db()
    assert note.notes == "private to clinic B"


def test_the_admin_login_tells_clinic_staff_they_may_not_enter(
    client: Client, clinic_a_staff, clinic_b
):
    client.force_login(clinic_a_staff)
    page = client.get("/admin/login/?next=/admin/records/patient/")
    assert page.status_code == 200
    assert b"not authorized to access this page" in page.content
    assert OTHER.encode() not in page.content


def test_a_patient_cannot_enter_the_admin(client: Client, alice, clinic_b):
    client.force_login(alice.user)
    response = client.get("/admin/records/patient/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_superuser_sees_every_clinic(client: Client, alice, clinic_b):
    root = get_user_model().objects.create_superuser("root@example.org", password=PASSWORD)
    client.force_login(root)
    for url in _pages(*clinic_b):
        assert client.get(url).status_code == 200, url
    listing = client.get("/admin/records/patient/").content.decode()
    assert OTHER in listing and alice.name in listing


def test_a_superuser_switched_off_cannot_enter(client: Client, clinic_b):
    root = get_user_model().objects.create_superuser("root@example.org", password=PASSWORD)
    client.force_login(root)
    root.is_active = False
    root.save()
    assert client.get("/admin/records/patient/").status_code == 302


def test_the_readme_says_the_admin_is_for_superusers_only():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "The admin is for superusers only" in text
