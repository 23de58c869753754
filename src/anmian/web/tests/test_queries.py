"""Every list page runs the same number of queries for 1 row as for 25: nothing is read row by
row (the patient list once took 11, 31 and 131 queries for 1, 5 and 25 patients)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.records.audit import record as audit
from anmian.web.records.models import (
    ApiToken,
    Assessment,
    AuditEntry,
    Patient,
    Plan,
    SessionNote,
)
from anmian.web.tests import world
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _nights(patient: Patient, n: int, *, since: int = 1, notes: str = "") -> None:
    """n nights, the latest `since` days ago."""
    DiaryEntry.objects.bulk_create(
        [
            world.night(
                patient,
                TODAY - timedelta(days=since + i),
                severity=3 + i % 5,
                onset=time(20 + i % 3, 0),
                notes=notes,
            )
            for i in range(n)
        ]
    )


def _patient_with_everything(clinic, bob, alice_assessment, i: int) -> Patient:
    """A patient with a diary (a danger sign in it), scores, session notes and an assessment."""
    p = Patient.objects.create(clinic=clinic, name=f"Patient {i:02d}")
    _nights(p, 30, notes="my calf is swollen and hot" if i % 2 else "")
    ScaleScore.objects.create(
        patient=p, taken=TODAY, scale="anmian-leg-scale", total=12, band="moderate"
    )
    SessionNote.objects.create(patient=p, practitioner=bob, date=TODAY - timedelta(weeks=20))
    Assessment.objects.create(
        patient=p,
        kb_version=alice_assessment.kb_version,
        input=alice_assessment.input,
        result=alice_assessment.result,
    )
    return p


def _count(client: Client, url: str, **headers: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _same_for_1_and_25(client: Client, url: str, grow: Callable[[int], None], **headers) -> int:
    # The clock stands still, so the session's once-a-minute activity write cannot fall
    # between the two counts; the first request after login may write it, so it is not counted.
    with time_machine.travel(datetime.now(UTC), tick=False):
        grow(1)
        client.get(url, **headers)
        one = _count(client, url, **headers)
        grow(24)
        assert _count(client, url, **headers) == one, f"{url} reads row by row"
    return one


def test_the_patient_list_reads_signals_for_all_patients_at_once(
    client: Client, clinic, bob, alice_assessment
):
    made = iter(range(100))

    def grow(n: int) -> None:
        for _ in range(n):
            _patient_with_everything(clinic, bob, alice_assessment, next(made))

    client.force_login(bob.user)
    queries = _same_for_1_and_25(client, "/clinic/patients/", grow)
    html = client.get("/clinic/patients/").content.decode()
    assert "Danger sign in a note" in html  # the signals are there, not skipped
    assert queries <= 13  # 12, and the audit rows of the page's patients in one insert


def test_the_patient_list_signals_are_those_of_each_patients_progress(
    client: Client, clinic, bob, alice_assessment
):
    from anmian.web.diary.progress import progress, signals_for

    listed = [_patient_with_everything(clinic, bob, alice_assessment, i) for i in range(4)]
    batch = signals_for(listed)
    assert any(batch.values())
    for p in listed:
        assert batch[p.pk] == progress(p, TODAY).signals


def test_the_chart_lists_plans_and_notes_in_fixed_queries(
    client: Client, alice, bob, alice_assessment
):
    def grow(n: int) -> None:
        for _ in range(n):
            Plan.objects.create(
                patient=alice, assessment=alice_assessment, adopted_by=bob, points=["sp6"]
            )
            SessionNote.objects.create(
                patient=alice,
                practitioner=bob,
                date=TODAY,
                points=[{"point": "sp6", "side": "both", "technique": ""}],
            )

    client.force_login(bob.user)
    _same_for_1_and_25(client, f"/clinic/patients/{alice.uid}/", grow)


def test_the_diary_list_reads_nights_in_fixed_queries(client: Client, alice):
    saved = [0]

    def grow(n: int) -> None:
        _nights(alice, n, since=saved[0] + 1)
        saved[0] += n

    client.force_login(alice.user)
    _same_for_1_and_25(client, "/diary/", grow)


def test_my_assessments_are_listed_in_fixed_queries(client: Client, alice, alice_assessment):
    def grow(n: int) -> None:
        for _ in range(n):
            Assessment.objects.create(
                patient=alice,
                kb_version=alice_assessment.kb_version,
                input=alice_assessment.input,
                result=alice_assessment.result,
            )

    client.force_login(alice.user)
    _same_for_1_and_25(client, "/accounts/mine/", grow)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/me/assessments", "/api/v1/patients", "/api/v1/patients/{alice}/assessments"],
)
def test_the_api_lists_in_fixed_queries(client: Client, alice, bob, alice_assessment, url):
    def grow(n: int) -> None:
        for i in range(n):
            Patient.objects.create(clinic=alice.clinic, name=f"Extra {i}")
            Assessment.objects.create(
                patient=alice,
                kb_version=alice_assessment.kb_version,
                input=alice_assessment.input,
                result=alice_assessment.result,
            )

    user = alice.user if "/me/" in url else bob.user
    token = ApiToken.issue(user)
    _same_for_1_and_25(
        client, url.format(alice=alice.uid), grow, HTTP_AUTHORIZATION=f"Bearer {token}"
    )


@pytest.mark.parametrize(
    "model", ["patient", "plan", "sessionnote", "auditentry", "practitioner", "clinic"]
)
def test_the_clinic_admin_lists_in_fixed_queries(
    client: Client, clinic, alice, bob, alice_assessment, model
):
    staff = get_user_model().objects.create_superuser("root@example.org", password=PASSWORD)
    made = iter(range(100))

    def grow(n: int) -> None:
        from anmian.web.records.models import Clinic, Practitioner

        for _ in range(n):
            i = next(made)
            other = Clinic.objects.create(name=f"Clinic {i}")
            p = Patient.objects.create(clinic=other, name=f"Patient {i}")
            prac = Practitioner.objects.create(
                user=get_user_model().objects.create_user(f"p{i}@example.org"),
                clinic=other,
                display_name=f"P {i}",
            )
            Plan.objects.create(patient=p, assessment=alice_assessment, adopted_by=prac)
            SessionNote.objects.create(patient=p, practitioner=prac, date=TODAY)
            audit(staff, "read", p, "chart", p)

    client.force_login(staff)
    _same_for_1_and_25(client, f"/admin/records/{model}/", grow)
    assert AuditEntry.objects.count() >= 25
