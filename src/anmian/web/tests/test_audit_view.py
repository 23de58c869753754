"""The audit log for the clinic's privacy officer (issue 11): a practitioner holding
`records.review_clinic_audit` reviews their own clinic's entries, a superuser every clinic's;
filters by user, patient, action, outcome and days; a CSV export that is itself written to the
log; the same number of queries for 1 and 25 rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from anmian.web.records.audit import DENIED, record
from anmian.web.records.models import AuditEntry, Patient

pytestmark = pytest.mark.django_db
URL, CSV = "/clinic/audit/", "/clinic/audit.csv"


@pytest.fixture
def officer(bob):
    """Bob, practitioner of alice's clinic, made its privacy officer."""
    bob.user.user_permissions.add(Permission.objects.get(codename="review_clinic_audit"))
    return bob


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser(
        "root@example.org", "root@example.org", "a long root password 1"
    )


def _rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_it_refuses_a_practitioner_without_the_permission_and_writes_the_attempt(
    client: Client, bob
):
    client.force_login(bob.user)
    assert client.get(URL).status_code == 404
    assert client.get(CSV).status_code == 404
    tried = AuditEntry.objects.filter(user=bob.user, what="audit-log", outcome=DENIED)
    assert tried.count() == 2


def test_a_patient_holding_the_permission_still_cannot_review(client: Client, alice):
    # The permission reviews *a clinic's* log: without a clinic to belong to, there is none.
    alice.user.user_permissions.add(Permission.objects.get(codename="review_clinic_audit"))
    client.force_login(alice.user)
    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: Client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_officer_sees_their_clinics_entries_and_not_another_clinics(
    client: Client, officer, alice, charlie, dave
):
    record(dave.user, "read", alice, "chart", alice)  # someone of elsewhere, about our patient
    record(officer.user, "read", None, "patient", "0000", outcome=DENIED)  # one of ours
    record(charlie.user, "read", charlie, "progress", None)  # nothing to do with our clinic
    client.force_login(officer.user)
    rows = _rows(client.get(CSV))
    seen = {(r["user"], r["what"]) for r in rows}
    assert ("dave@example.org", "chart") in seen
    assert ("bob@example.org", "patient") in seen
    assert ("charlie@example.org", "progress") not in seen


def test_a_superuser_reviews_every_clinic(client: Client, root, alice, charlie, dave):
    record(dave.user, "read", alice, "chart", alice)
    record(charlie.user, "read", charlie, "progress", None)
    client.force_login(root)
    users = {r["user"] for r in _rows(client.get(CSV))}
    assert {"dave@example.org", "charlie@example.org"} <= users


def test_it_filters_by_user_patient_action_outcome_and_days(
    client: Client, officer, alice, clinic, dave
):
    other = Patient.objects.create(clinic=clinic, name="Other Person")
    with time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC), tick=False):
        record(officer.user, "read", alice, "chart", alice)
    with time_machine.travel(datetime(2026, 11, 5, 12, tzinfo=UTC), tick=False):
        record(officer.user, "update", alice, "plan", None)
        record(officer.user, "read", other, "chart", other)
        record(dave.user, "read", None, "patient", alice.uid, outcome=DENIED)
    client.force_login(officer.user)

    def whats(**params) -> list[str]:
        response = client.get(CSV, params)
        assert response.status_code == 200
        return sorted(r["what"] for r in _rows(response) if r["what"] != "audit-log")

    assert whats(user="dave@example.org") == ["patient"]
    assert whats(patient=str(other.uid)) == ["chart"]
    assert whats(patient=str(alice.uid)) == ["chart", "patient", "plan"]  # the refusal too
    assert whats(action="update") == ["plan"]
    assert whats(outcome="denied") == ["patient"]
    assert whats(since="2026-11-01", until="2026-11-03") == ["chart"]
    assert whats(since="2026-11-05") == ["chart", "patient", "plan"]
    page = client.get(URL, {"patient": str(alice.uid), "action": "read"})
    assert page.status_code == 200
    assert b"Alice Able" in page.content and b"Other Person" not in page.content


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"patient": "not-an-id"}, b"valid UUID"),
        ({"action": "steal"}, b"Select a valid choice"),
        ({"since": "0001-01-01"}, b"between 2000-01-01 and 2999-12-31"),
        ({"until": "9999-12-31"}, b"between 2000-01-01 and 2999-12-31"),
        ({"since": "2026-11-05", "until": "2026-11-01"}, b"comes before the first"),
        ({"since": "yesterday"}, b"valid date"),
    ],
)
def test_it_answers_bad_filters_with_400_saying_what_is_wrong(
    client: Client, officer, params, says
):
    client.force_login(officer.user)
    for url in (URL, CSV):
        response = client.get(url, params)
        assert response.status_code == 400
        assert says in response.content


def test_the_csv_export_is_written_to_the_log_before_its_rows(client: Client, officer, alice):
    record(officer.user, "read", alice, "chart", alice)
    client.force_login(officer.user)
    response = client.get(CSV, {"patient": str(alice.uid)})
    assert response["Content-Type"].startswith("text/csv")
    exported = AuditEntry.objects.filter(user=officer.user, action="export", what="audit-log")
    assert exported.count() == 1 and exported.get().route == "records:audit_csv"
    rows = _rows(response)
    assert [r["what"] for r in rows] == ["chart"]
    assert rows[0]["patient"] == "Alice Able" and rows[0]["patient_uid"] == str(alice.uid)


def test_a_name_that_looks_like_a_formula_is_exported_as_text(client: Client, officer, clinic):
    sly = Patient.objects.create(clinic=clinic, name='=HYPERLINK("http://evil.example")')
    record(officer.user, "read", sly, "chart", sly)
    client.force_login(officer.user)
    (row,) = _rows(client.get(CSV, {"patient": str(sly.uid)}))
    assert row["patient"] == "'" + sly.name


def test_the_page_reads_the_same_number_of_queries_for_1_and_25_entries(
    client: Client, officer, clinic
):
    def grow(n: int) -> None:
        for i in range(n):
            p = Patient.objects.create(clinic=clinic, name=f"Patient {i:02d}")
            record(officer.user, "read", p, "chart", p)

    client.force_login(officer.user)
    with time_machine.travel(datetime.now(UTC), tick=False):
        grow(1)
        client.get(URL)  # the first request after login may write the session

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(URL)
            assert response.status_code == 200
            return len(ctx.captured_queries)

        one = count()
        grow(24)
        many = count()
        assert b"Patient 23" in client.get(URL).content
    assert many == one, f"the audit page reads row by row: {one} then {many} queries"
