"""Joining a clinic, as a person does: at sign-up, from the list later, or through the
invitation a clinic sends; and the profile the clinic sees."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client

from anmian.web.records.models import AuditEntry, Clinic, ClinicInvite, Patient

pytestmark = pytest.mark.django_db
STRONG = "a long walk by the river"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def listed(clinic) -> Clinic:
    clinic.address, clinic.phone = "1 Quiet Road, Leeds", "01632 960000"
    clinic.save()
    return clinic


def test_the_clinics_are_listed_with_address_and_phone(client: Client, charlie, listed, dave):
    client.force_login(charlie.user)
    page = _text(client.get("/accounts/clinics/"))
    assert "Quiet Nights Clinic" in page and "Elsewhere Clinic" in page
    assert "1 Quiet Road, Leeds" in page and "01632 960000" in page


def test_choosing_a_clinic_joins_it_and_leads_to_booking(client: Client, charlie, listed):
    client.force_login(charlie.user)
    response = client.post("/accounts/clinics/", {"clinic": listed.pk})
    assert response.status_code == 302 and response["Location"] == "/booking/book/"
    charlie.refresh_from_db()
    assert charlie.clinic == listed
    assert AuditEntry.objects.filter(patient=charlie, what="clinic", action="update").exists()


def test_an_unknown_clinic_is_a_404_and_changes_nothing(client: Client, charlie):
    client.force_login(charlie.user)
    assert client.post("/accounts/clinics/", {"clinic": "99999"}).status_code == 404
    assert client.post("/accounts/clinics/", {"clinic": "x; drop"}).status_code == 404
    assert client.post("/accounts/clinics/", {"clinic": "9" * 40}).status_code == 404
    assert client.post("/accounts/clinics/", {}).status_code == 404
    charlie.refresh_from_db()
    assert charlie.clinic is None


def test_a_practitioner_cannot_join_as_a_patient(client: Client, bob, dave):
    client.force_login(bob.user)
    assert client.post("/accounts/clinics/", {"clinic": dave.clinic.pk}).status_code == 404


def test_my_page_without_a_clinic_offers_the_choice(client: Client, charlie):
    client.force_login(charlie.user)
    page = _text(client.get("/accounts/mine/"))
    assert "You have not joined a clinic yet" in page and "Choose your clinic" in page
    booking = _text(client.get("/booking/"))
    assert "Choose your clinic" in booking


def test_a_person_chooses_the_clinic_at_sign_up(client: Client, listed):
    response = client.post(
        "/accounts/signup/",
        {"name": "Nia New", "email": "nia@example.org", "password": STRONG, "clinic": listed.pk},
    )
    assert response.status_code == 302
    assert Patient.objects.get(user__username="nia@example.org").clinic == listed


def test_sign_up_without_a_clinic_is_allowed(client: Client, listed):
    client.post(
        "/accounts/signup/", {"name": "Nia New", "email": "nia@example.org", "password": STRONG}
    )
    assert Patient.objects.get(user__username="nia@example.org").clinic is None


def test_staff_add_a_patient_and_the_invitation_is_emailed(
    client: Client, bob, listed, django_capture_on_commit_callbacks
):
    client.force_login(bob.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/clinic/patients/invite/", {"name": "Ivy Invited", "email": "Ivy@Example.org"}
        )
    assert response.status_code == 302
    made = Patient.objects.get(name="Ivy Invited")
    assert made.clinic == listed and made.user is None
    (sent,) = mail.outbox
    assert sent.to == ["ivy@example.org"] and "Quiet Nights Clinic" in sent.subject
    token = ClinicInvite.objects.get().token
    assert f"/accounts/invite/{token}/" in sent.body and "01632 960000" in sent.body


def test_the_invitation_form_says_what_is_wrong(client: Client, bob):
    client.force_login(bob.user)
    response = client.post("/clinic/patients/invite/", {"name": "Ivy", "email": "not an email"})
    assert response.status_code == 400 and "Enter a valid email address" in _text(response)
    assert 'value="Ivy"' in response.content.decode()  # what was typed is kept
    assert mail.outbox == [] and not Patient.objects.filter(name="Ivy").exists()


def test_a_patient_cannot_send_invitations(client: Client, alice):
    client.force_login(alice.user)
    response = client.post("/clinic/patients/invite/", {"name": "X", "email": "x@example.org"})
    assert response.status_code == 404 and mail.outbox == []


def _invite(client, bob) -> str:
    client.force_login(bob.user)
    client.post("/clinic/patients/invite/", {"name": "Ivy Invited", "email": "ivy@example.org"})
    client.logout()
    return ClinicInvite.objects.get().token


def test_following_the_invitation_joins_the_clinic_and_takes_over_its_record(
    client: Client, bob, charlie, listed
):
    token = _invite(client, bob)
    page = _text(client.get(f"/accounts/invite/{token}/"))
    assert "Quiet Nights Clinic invites you" in page and "Sign up to join" in page
    client.force_login(charlie.user)
    response = client.post(f"/accounts/invite/{token}/")
    assert response.status_code == 302 and response["Location"] == "/booking/book/"
    mine = Patient.objects.get(user=charlie.user)
    assert mine.clinic == listed and mine.name == "Ivy Invited"  # the record the clinic made


def test_an_invitation_works_once(client: Client, bob, charlie, alice):
    token = _invite(client, bob)
    client.force_login(charlie.user)
    client.post(f"/accounts/invite/{token}/")
    client.force_login(alice.user)
    again = client.post(f"/accounts/invite/{token}/")
    assert again.status_code == 404 and "unknown or has been used" in _text(again)
    assert client.get("/accounts/invite/not-a-token/").status_code == 404


def test_sign_up_from_an_invitation_preselects_the_clinic(client: Client, bob, listed):
    token = _invite(client, bob)
    page = client.get(f"/accounts/signup/?invite={token}").content.decode()
    assert re.search(rf'<option value="{listed.pk}" selected>', page)


def test_the_profile_is_kept_and_the_clinic_sees_it(client: Client, alice, bob):
    client.force_login(alice.user)
    response = client.post(
        "/accounts/profile/",
        {
            "date_of_birth": "14/03/1968",
            "sex": "female",
            "phone": "07700 900123",
            "emergency_contact": "Jun (husband) 07700 900124",
            "preferred_contact": "sms",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.date_of_birth == date(1968, 3, 14) and alice.preferred_contact == "sms"
    client.force_login(bob.user)
    chart = _text(client.get(f"/clinic/patients/{alice.uid}/"))
    assert "07700 900123" in chart and "Jun (husband) 07700 900124" in chart
    assert "prefers text message" in chart


def test_a_wrong_date_of_birth_says_the_format_and_keeps_what_was_typed(client: Client, alice):
    client.force_login(alice.user)
    response = client.post(
        "/accounts/profile/",
        {"date_of_birth": "the fourteenth", "phone": "0770", "preferred_contact": "email"},
    )
    assert response.status_code == 400
    assert "Enter the date as YYYY-MM-DD or DD/MM/YYYY." in _text(response)
    assert 'value="0770"' in response.content.decode()


def test_signing_up_from_an_invitation_takes_over_the_clinics_record(client: Client, bob, listed):
    token = _invite(client, bob)
    client.get(f"/accounts/signup/?invite={token}")
    client.post(
        "/accounts/signup/",
        {"name": "Ivy", "email": "ivy@example.org", "password": STRONG, "clinic": listed.pk},
    )
    link = re.search(r"(/accounts/activate/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link)  # confirming logs the person in
    mine = Patient.objects.get(user__username="ivy@example.org")
    assert mine.name == "Ivy Invited" and mine.clinic == listed  # the record the clinic made
    assert ClinicInvite.objects.get().used is not None


@pytest.mark.parametrize("path", ["/booking/book/", "/booking/course/", "/booking/book/confirm/"])
def test_every_booking_page_leads_a_person_without_a_clinic_to_the_choice(
    client: Client, charlie, listed, path
):
    client.force_login(charlie.user)
    response = client.get(path, follow=True)
    assert response.redirect_chain == [("/accounts/clinics/", 302)]
    assert response.status_code == 200 and "Join Quiet Nights Clinic" in _text(response)


@pytest.mark.parametrize("token", ["bad\x00token", "x" * 500, "a b", "../../etc"])
def test_a_malformed_invitation_is_a_clear_404_never_a_500(client: Client, charlie, token):
    from urllib.parse import quote

    assert client.get(f"/accounts/invite/{quote(token)}/").status_code == 404
    assert client.get("/accounts/signup/", {"invite": token}).status_code == 200
    client.force_login(charlie.user)
    assert client.post(f"/accounts/invite/{quote(token)}/").status_code == 404
