"""Accounts: sign-up, login throttling, password reset, and a patient's own assessments."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from anmian.engine.inputs import CRITERIA
from anmian.web.records.models import Assessment, AuditEntry, Patient
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
YES = dict.fromkeys(CRITERIA, "yes")


def _confirm_from_email(client: Client) -> None:
    """Follow the confirmation link of the last email and press its button, as a person does."""
    path = re.search(r"/accounts/activate/\S+/", mail.outbox[-1].body).group(0)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302


def test_it_signs_up_a_patient_who_confirms_by_email_and_is_then_logged_in(client: Client):
    response = client.post(
        "/accounts/signup/",
        {"name": "Eve", "email": "Eve@Example.org", "password": "a long enough passphrase"},
    )
    assert response.status_code == 302
    patient = Patient.objects.get(user__username="eve@example.org")
    assert patient.name == "Eve"
    assert client.get("/accounts/mine/").status_code == 302  # not before confirming
    _confirm_from_email(client)
    assert client.get("/accounts/mine/").status_code == 200


def test_it_hashes_passwords_with_argon2_in_production():
    from anmian.web import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"name": "Eve", "email": "not-an-email", "password": "a long enough passphrase"},
            "valid email",
        ),
        ({"name": "Eve", "email": "eve@example.org", "password": "short"}, "too short"),
        (
            {"name": "", "email": "eve@example.org", "password": "a long enough passphrase"},
            "required",
        ),
    ],
)
def test_sign_up_refuses_bad_input_and_keeps_what_was_typed(client: Client, data, message):
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html


def test_sign_up_saves_an_anonymous_self_check_to_the_new_account(client: Client):
    client.post("/self-check/step/about/", {"age": "50"})
    client.post("/self-check/step/screening/", YES)
    client.post("/self-check/step/legs/", {"leg-crawling": "on"})
    client.post(
        "/accounts/signup/",
        {"name": "Eve", "email": "eve@example.org", "password": "a long enough passphrase"},
    )
    _confirm_from_email(client)
    saved = Assessment.objects.get(patient__user__username="eve@example.org")
    assert "leg-crawling" in saved.input["findings"]
    assert saved.result["screening"]["verdict"] == "possible-rls"


def test_login_is_throttled_after_repeated_failures(client: Client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice@example.org", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": PASSWORD}
    )
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_login_works_with_the_right_password(client: Client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_the_login_asks_for_the_email_a_person_signed_up_with(client: Client):
    """Sign-up asks for an email, never a username; the login names the same thing."""
    signup = client.get("/accounts/signup/").content.decode()
    login = client.get("/accounts/login/").content.decode()
    assert '<label for="id_email">Email' in signup
    assert '<label for="id_username">Email' in login and "Username" not in login


def test_password_reset_sends_an_email_with_a_working_link(client: Client, alice):
    client.post("/accounts/password-reset/", {"email": "alice@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another fine passphrase", "new_password2": "another fine passphrase"},
    )
    assert done.status_code == 302
    login = {"username": "alice@example.org", "password": "another fine passphrase"}
    assert client.post("/accounts/login/", login).status_code == 302


def test_a_patient_sees_their_own_assessment_and_the_read_is_audited(
    client: Client, alice, alice_assessment
):
    client.force_login(alice.user)
    response = client.get(f"/accounts/mine/assessments/{alice_assessment.uid}/")
    assert response.status_code == 200
    assert b"TCM patterns that fit" in response.content
    assert AuditEntry.objects.filter(user=alice.user, action="read", patient=alice).count() == 1


def test_another_patient_gets_404(client: Client, alice_assessment, charlie):
    client.force_login(charlie.user)
    assert client.get(f"/accounts/mine/assessments/{alice_assessment.uid}/").status_code == 404


def test_a_practitioner_of_another_clinic_gets_404(client: Client, alice_assessment, dave):
    client.force_login(dave.user)
    assert client.get(f"/accounts/mine/assessments/{alice_assessment.uid}/").status_code == 404


def test_anonymous_is_sent_to_login(client: Client, alice_assessment):
    response = client.get(f"/accounts/mine/assessments/{alice_assessment.uid}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_assessments_refuses_post(client: Client, alice):
    client.force_login(alice.user)
    assert client.post("/accounts/mine/").status_code == 405


def test_no_health_data_in_urls(alice_assessment):
    assert str(alice_assessment.uid) in f"/accounts/mine/assessments/{alice_assessment.uid}/"
    assert "alice" not in f"/accounts/mine/assessments/{alice_assessment.uid}/"


def test_the_audit_log_is_append_only(alice, alice_assessment):
    from anmian.web.records.audit import record as audit

    audit(alice.user, "read", alice, "assessment", alice_assessment)
    entry = AuditEntry.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="update")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_an_empty_sign_up_post_is_refused_not_ignored(client: Client):
    response = client.post("/accounts/signup/", {})
    assert response.status_code == 400 and b"required" in response.content


def test_a_logged_in_patient_keeps_the_self_check_once_and_the_save_is_audited(
    client: Client, alice
):
    client.force_login(alice.user)
    client.post("/self-check/step/about/", {"age": "50"})
    client.post("/self-check/step/screening/", YES)
    client.post("/self-check/step/legs/", {"leg-crawling": "on"})
    assert client.post("/accounts/mine/save/").status_code == 302
    assert client.post("/accounts/mine/save/").status_code == 302  # the answers were used up
    saved = Assessment.objects.get(patient=alice)
    assert "leg-crawling" in saved.input["findings"]
    assert AuditEntry.objects.filter(
        user=alice.user, action="create", what="assessment", object_uid=str(saved.uid)
    ).exists()


def test_an_account_without_a_patient_record_saves_nothing(client: Client, bob):
    client.force_login(bob.user)
    client.post("/self-check/step/about/", {"age": "50"})
    client.post("/self-check/step/screening/", YES)
    client.post("/self-check/step/legs/", {"leg-crawling": "on"})
    assert client.post("/accounts/mine/save/").status_code == 302
    assert Assessment.objects.count() == 0
