"""The first run: after `load_demo_clinic` the demo clinic can be used at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from anmian.web.records.models import Clinic, Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("load_demo_clinic", stdout=out)
    return out.getvalue()


def _login(client, email: str):
    client.force_login(get_user_model().objects.get(username=email))


def test_a_demo_patient_sees_free_times_for_next_week(demo, client):
    _login(client, "mei@demo.anmian")
    tz = Patient.objects.get(user__username="mei@demo.anmian").tz
    today = datetime.now(tz).date()
    next_monday = today + timedelta(days=7 - today.weekday())
    listed = set()
    for offset in range(7):
        day = next_monday + timedelta(days=offset)
        page = client.get("/booking/book/", {"day": day.isoformat()})
        assert page.status_code == 200
        starts = re.findall(r'name="start" value="([^"]+)"', page.content.decode())
        listed |= {datetime.fromisoformat(s).astimezone(tz).date() for s in starts}
    week = {next_monday + timedelta(days=n) for n in range(7)}
    assert listed & week, "no free time next week"


def test_it_prints_every_login_with_a_clinic_admin(demo):
    for login in (
        "practitioner@demo.anmian",
        "practitioner2@demo.anmian",
        "admin@demo.anmian",
        "mei@demo.anmian",
        "tom@demo.anmian",
    ):
        assert login in demo
    assert "demo-only-password" in demo
    admin = get_user_model().objects.get(username="admin@demo.anmian")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("demo-only-password")


def test_the_demo_clinic_has_prices_hours_breaks_a_holiday_and_two_practitioners(demo):
    clinic = Clinic.objects.get(name="Anmian Demo Clinic")
    types = clinic.appointment_types.all()
    assert types.count() >= 2 and all(t.price > 0 for t in types)
    assert clinic.practitioners.count() == 2
    for practitioner in clinic.practitioners.all():
        assert practitioner.hours.exists() and practitioner.breaks.exists()
    assert clinic.time_off.filter(practitioner=None, first_day__gt=date.today()).exists()
    assert clinic.phone and clinic.address


def test_demo_patients_have_six_weeks_of_nights_sessions_and_an_adopted_plan(demo):
    for patient in Patient.objects.filter(clinic__name="Anmian Demo Clinic"):
        nights = patient.diary.order_by("night_of").values_list("night_of", flat=True)
        assert (nights.last() - nights.first()).days >= 40
        assert patient.notes.count() >= 3
        assert patient.appointments.filter(status="arrived").exists()
        assert patient.plans.exists()


def test_running_it_twice_changes_nothing(demo):
    counts = (Patient.objects.count(), Clinic.objects.count())
    call_command("load_demo_clinic", stdout=StringIO())
    assert (Patient.objects.count(), Clinic.objects.count()) == counts


def test_each_demo_practitioner_logs_in_to_a_day_with_a_patient(client):
    with time_machine.travel(datetime(2026, 3, 3, 8, tzinfo=UTC), tick=False):  # a Tuesday
        call_command("load_demo_clinic", stdout=StringIO())
        for email in ("practitioner@demo.anmian", "practitioner2@demo.anmian"):
            _login(client, email)
            page = client.get("/accounts/start/", follow=True).content.decode()
            assert "Today" in page and ("Mei Lin" in page or "Tom Reed" in page), email


def test_the_login_address_printed_is_the_port_served(monkeypatch):
    # `make run PORT=8765` serves on 8765: the banner must not send people to 8000.
    monkeypatch.setenv("PORT", "8765")
    out = StringIO()
    call_command("load_demo_clinic", stdout=out)
    assert "http://127.0.0.1:8765/accounts/login/" in out.getvalue()
    assert ":8000/" not in out.getvalue()
