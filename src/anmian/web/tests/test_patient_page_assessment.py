"""The practitioner's patient page shows what the latest assessment asks of them (issue 17's
walk: a severe score, ferritin 30 and sertraline read "No signals"), and counts the bookings
it does not list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from anmian.engine import assess, parse_input
from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment

pytestmark = pytest.mark.django_db

# The walk's case by hand: a 52-year-old woman, ferritin 30 ng/mL (the base treats 75 and
# below), on sertraline (an SSRI, which can worsen RLS) and warfarin (bleeding risk), with the
# leg scale's answers summing to 24 of 40 (severe: 21 to 30).
WALK = {
    "findings": ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin"],
    "age": 52,
    "sex": "female",
    "medications": ["sertraline", "warfarin"],
    "labs": {"ferritin_ng_ml": 30},
    "severity": {"scale": "anmian-leg-scale", "answers": [3, 3, 2, 3, 2, 2, 3, 2, 2, 2]},
}


def _assessment(patient, data) -> Assessment:
    kb = get_kb()
    result = assess(parse_input(data), kb).to_dict()
    return Assessment.objects.create(
        patient=patient, kb_version=kb.version, input=data, result=result
    )


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(html: str) -> str:
    start = html.index('class="latest-assessment')
    return html[start : html.index("</section>", start)]


def test_the_latest_assessment_s_referrals_labs_and_medicines_are_on_the_patient_page(alice, bob):
    _assessment(alice, {"findings": ["leg-crawling"], "age": 52})  # older, nothing to act on
    latest = _assessment(alice, WALK)
    html = _as(bob.user).get(f"/clinic/patients/{alice.uid}/").content.decode()
    assert "No signals" not in html
    part = _section(html)
    assert f'href="/accounts/mine/assessments/{latest.uid}/"' in part
    assert timezone.localtime(latest.created).strftime("%-d %b %Y") in part
    # See a physician, how soon, and why (the base's titles for severe and low iron).
    assert "Routine: Severe symptoms" in part
    assert "Routine: Iron level low enough to treat" in part
    assert "Severe, 24 of 40" in part
    assert "ferritin 30 ng/mL (low enough to treat)" in part
    assert "sertraline: " in part and "can worsen restless legs" in part
    assert "warfarin: " in part and "raises bleeding risk" in part
    assert "cupping" in part and "gua sha" in part  # left out on warfarin
    # The practitioner can follow the link.
    assert _as(bob.user).get(f"/accounts/mine/assessments/{latest.uid}/").status_code == 200


# Iron well stocked (ferritin over 100 and saturation 20 % or more), no severity scale.
CALM = {
    "findings": ["leg-crawling"],
    "age": 40,
    "labs": {"ferritin_ng_ml": 150, "tsat_percent": 30},
}


def test_a_calm_assessment_says_no_referral_and_gives_its_labs(alice, bob):
    _assessment(alice, CALM)
    html = _as(bob.user).get(f"/clinic/patients/{alice.uid}/").content.decode()
    part = _section(html)
    assert "None: no reason to see a physician first." in part
    assert "Iron labs</dt><dd>ferritin 150 ng/mL, transferrin saturation 30 %</dd>" in part
    assert "Medicines that matter</dt><dd>none</dd>" in part
    assert "No signals" in html


def test_iron_not_given_says_so_and_the_engine_asks_for_a_test(alice, bob):
    _assessment(alice, {"findings": ["leg-crawling"], "age": 40})
    part = _section(_as(bob.user).get(f"/clinic/patients/{alice.uid}/").content.decode())
    assert "Iron labs</dt><dd>not given (not checked)</dd>" in part
    assert "Routine: " in part  # the base's iron-test referral


def test_no_assessment_no_section(alice, bob):
    html = _as(bob.user).get(f"/clinic/patients/{alice.uid}/").content.decode()
    assert "latest-assessment" not in html


def test_the_patient_list_flags_a_referral_of_the_latest_assessment_only(alice, bob, clinic):
    from anmian.web.records.models import Patient

    calm = Patient.objects.create(clinic=clinic, name="Calm Carol")
    _assessment(alice, WALK)
    _assessment(calm, WALK)
    _assessment(calm, CALM)  # the newer one is calm
    html = _as(bob.user).get("/clinic/patients/").content.decode()
    alice_row = html[html.index("Alice Able") :][:800]
    carol_row = html[html.index("Calm Carol") :][:800]
    # Severe, low iron, sertraline, warfarin+...: the referrals of the walk's case, counted.
    n = len(Assessment.objects.filter(patient=alice).get().result["safety"]["referrals"])
    assert n >= 3
    assert f"see a physician (routine), {n} reasons" in alice_row
    assert "see a physician" not in carol_row


def test_nine_bookings_are_counted_and_all_listed(alice, bob):
    from anmian.web.booking.models import AppointmentType
    from anmian.web.tests.world import appointment_at

    kind = AppointmentType.objects.create(clinic=bob.clinic, name="Acupuncture", duration_min=30)
    now = timezone.now().replace(microsecond=0)
    for week in range(1, 10):  # nine to come, as on the walk
        appointment_at(bob, alice, kind, now + timedelta(weeks=week))
    cancelled = appointment_at(bob, alice, kind, now + timedelta(weeks=20))
    cancelled.status = "cancelled"
    cancelled.save()
    client = _as(bob.user)
    html = client.get(f"/clinic/patients/{alice.uid}/").content.decode()
    assert html.count("Acupuncture with Bob Baker") == 5
    assert "The next and latest 5 of 9." in html
    assert f'href="/clinic/patients/{alice.uid}/appointments/">All appointments (9)</a>' in html
    every = client.get(f"/clinic/patients/{alice.uid}/appointments/").content.decode()
    assert every.count("Acupuncture with Bob Baker") == 9
    assert "9 appointments, newest first" in every


def test_another_clinic_s_practitioner_cannot_list_the_appointments(alice, dave):
    assert _as(dave.user).get(f"/clinic/patients/{alice.uid}/appointments/").status_code == 404
