"""The one audit function, `records.audit.record` (issue 11), and the admin pages that call it:
a list is one row per patient shown written in one insert, a refusal names the id asked for
and whose it is, the log refuses actions it does not know, and the admin's reads, saves and
deletes of patient data are written like the site's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anmian.web.records.audit import DENIED, record
from anmian.web.records.models import AuditEntry, Patient, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser(
        "root@example.org", "root@example.org", "a long root password 1"
    )


def test_a_list_writes_one_row_per_patient_in_one_insert(bob, clinic):
    shown = [Patient.objects.create(clinic=clinic, name=f"P{i:02d}") for i in range(25)]
    with CaptureQueriesContext(connection) as ctx:
        record(bob.user, "read", shown, "patient-list")
    assert len(ctx.captured_queries) == 1
    rows = AuditEntry.objects.filter(user=bob.user, what="patient-list")
    assert sorted(rows.values_list("object_uid", flat=True)) == sorted(str(p.uid) for p in shown)
    assert set(rows.values_list("patient", flat=True)) == {p.pk for p in shown}


def test_an_empty_list_writes_nothing(bob):
    with CaptureQueriesContext(connection) as ctx:
        record(bob.user, "read", [], "patient-list")
    assert ctx.captured_queries == [] and not AuditEntry.objects.exists()


def test_a_refusal_names_the_id_asked_for_and_whose_record_it_is(dave, alice, alice_assessment):
    record(dave.user, "read", None, "assessment", alice_assessment.uid, outcome=DENIED)
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.outcome, entry.object_uid) == (
        dave.user,
        "denied",
        str(alice_assessment.uid),
    )
    assert entry.patient == alice  # so alice's clinic sees who tried


@pytest.mark.parametrize("asked", ["7b1c0e6e-0000-4000-8000-000000000000", "not-an-id", "x" * 300])
def test_a_refusal_of_an_id_that_names_nobody_is_still_written(dave, asked):
    record(dave.user, "read", None, "patient", asked, outcome=DENIED)
    entry = AuditEntry.objects.get()
    assert entry.patient is None and entry.object_uid == asked[:64]


def test_anonymous_visitors_are_not_written(alice):
    record(AnonymousUser(), "read", alice, "chart", alice)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("action", "outcome"), [("peek", "allowed"), ("read", "maybe")])
def test_it_refuses_an_action_or_outcome_it_does_not_know(bob, alice, action, outcome):
    with pytest.raises(ValueError, match="unknown audit action"):
        record(bob.user, action, alice, "chart", alice, outcome=outcome)


def test_the_admin_writes_a_read_for_each_patient_listed_and_each_record_opened(
    client: Client, root, alice, charlie
):
    client.force_login(root)
    assert client.get("/admin/records/patient/").status_code == 200
    listed = AuditEntry.objects.filter(user=root, what="admin-patient", action="read")
    assert set(listed.values_list("patient", flat=True)) == {alice.pk, charlie.pk}
    assert client.get(f"/admin/records/patient/{alice.pk}/change/").status_code == 200
    opened = listed.filter(patient=alice, route="admin:records_patient_change")
    assert opened.count() == 1


def test_the_admin_writes_its_changes_and_deletes(
    client: Client, root, alice, bob, alice_assessment
):
    plan = Plan.objects.create(patient=alice, assessment=alice_assessment, adopted_by=bob)
    client.force_login(root)
    response = client.post(
        f"/admin/records/patient/{alice.pk}/change/",
        {"name": "Alice Able-Baker", "clinic": alice.clinic_id, "user": alice.user_id},
    )
    assert response.status_code == 302, response.content[:500]
    changed = AuditEntry.objects.get(user=root, action="update")
    assert (changed.patient, changed.what) == (alice, "admin-patient")
    response = client.post(f"/admin/records/plan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Plan.objects.exists()
    deleted = AuditEntry.objects.get(user=root, action="delete")
    assert (deleted.patient, deleted.what, deleted.object_uid) == (
        alice,
        "admin-plan",
        str(plan.uid),
    )
