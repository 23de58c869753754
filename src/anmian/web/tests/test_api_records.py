"""Authenticated API: tokens and sessions, own data only, JSON errors with the right status."""

from __future__ import annotations

import pytest
from django.test import Client

from anmian.web.records.models import ApiToken
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {ApiToken.issue(user)}"}


def test_a_token_is_issued_for_the_right_password_and_only_its_hash_stored(client: Client, alice):
    response = client.post(
        "/api/v1/tokens",
        {"username": "alice@example.org", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert ApiToken.objects.get().digest == ApiToken.hash(token) != token


def test_a_wrong_password_is_401(client: Client, alice):
    response = client.post(
        "/api/v1/tokens",
        {"username": "alice@example.org", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["error"]


def test_a_malformed_token_request_is_422_naming_the_field(client: Client):
    response = client.post("/api/v1/tokens", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert "password" in response.json()["error"]


def test_no_credentials_is_401(client: Client):
    assert client.get("/api/v1/me/assessments").status_code == 401


def test_a_bad_token_is_401(client: Client):
    assert (
        client.get("/api/v1/me/assessments", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )


def test_a_patient_lists_their_own_assessments_by_token(client: Client, alice, alice_assessment):
    rows = client.get("/api/v1/me/assessments", headers=bearer(alice.user)).json()
    assert [r["uid"] for r in rows] == [str(alice_assessment.uid)]


def test_a_patient_reads_their_assessment_by_session(client: Client, alice, alice_assessment):
    client.force_login(alice.user)
    body = client.get(f"/api/v1/assessments/{alice_assessment.uid}").json()
    assert body["result"]["patterns"]


@pytest.mark.parametrize("who", ["charlie", "dave"])
def test_others_get_404_for_alices_assessment(client: Client, alice_assessment, who, request):
    user = request.getfixturevalue(who).user
    response = client.get(f"/api/v1/assessments/{alice_assessment.uid}", headers=bearer(user))
    assert response.status_code == 404 and response.json() == {"error": "not found"}


def test_a_practitioner_lists_their_clinics_patients(client: Client, bob, alice, charlie):
    body = client.get("/api/v1/patients", headers=bearer(bob.user)).json()
    assert [r["name"] for r in body["results"]] == ["Alice Able"]


def test_a_patient_may_not_list_patients(client: Client, alice):
    response = client.get("/api/v1/patients", headers=bearer(alice.user))
    assert response.status_code == 403 and "practitioners" in response.json()["error"]


def test_a_bad_page_is_400(client: Client, bob):
    assert client.get("/api/v1/patients?page=0", headers=bearer(bob.user)).status_code == 400


def test_another_clinic_gets_404_for_a_patient(client: Client, alice, dave):
    response = client.get(f"/api/v1/patients/{alice.uid}/assessments", headers=bearer(dave.user))
    assert response.status_code == 404


def test_a_practitioner_reads_a_patients_assessments(client: Client, bob, alice, alice_assessment):
    rows = client.get(f"/api/v1/patients/{alice.uid}/assessments", headers=bearer(bob.user)).json()
    assert rows[0]["uid"] == str(alice_assessment.uid)


def test_the_wrong_method_is_405(client: Client, alice):
    assert client.post("/api/v1/me/assessments", headers=bearer(alice.user)).status_code == 405


# The site and the API reach records through the same services: the same people see the same
# things, and each read leaves the same audit entry.
SAME_TABLE = [("alice", 200), ("bob", 200), ("charlie", 404), ("dave", 404)]


@pytest.mark.parametrize(("who", "status"), SAME_TABLE)
def test_the_site_and_the_api_show_an_assessment_to_the_same_people(
    client: Client, alice_assessment, bob, charlie, dave, who, status, request
):
    from anmian.web.records.models import AuditEntry

    user = request.getfixturevalue(who).user
    uid = alice_assessment.uid
    client.force_login(user)
    site = client.get(f"/accounts/mine/assessments/{uid}/")
    client.logout()
    api = client.get(f"/api/v1/assessments/{uid}", headers=bearer(user))
    assert (site.status_code, api.status_code) == (status, status)
    reads = AuditEntry.objects.filter(user=user, what="assessment", object_uid=str(uid))
    assert reads.filter(outcome="allowed").count() == (2 if status == 200 else 0)
    assert reads.filter(outcome="denied").count() == (0 if status == 200 else 2)


def test_the_site_and_the_api_list_the_same_patients(client: Client, bob, alice, charlie, dave):
    from anmian.web.records.models import Patient

    Patient.objects.create(clinic=alice.clinic, name="Zoe Zhang")
    client.force_login(bob.user)
    html = client.get("/clinic/patients/?q=a").content.decode()
    client.logout()
    api = client.get("/api/v1/patients?q=a", headers=bearer(bob.user)).json()
    names = [r["name"] for r in api["results"]]
    assert names == ["Alice Able", "Zoe Zhang"]
    assert all(name in html for name in names) and "Charlie Cole" not in html
