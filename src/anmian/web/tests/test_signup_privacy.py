"""Sign-up never tells whether an email has an account here: the answer is the same, and
the email's owner is the one told. Issue 11: "Sign-up tells whether an email is registered"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from anmian.web.records.models import Patient
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
FORM = {"name": "Mallory", "password": "a long enough passphrase"}


def _sign_up(email: str, client: Client | None = None):
    return (client or Client()).post("/accounts/signup/", FORM | {"email": email}, follow=True)


def _activation_path() -> str:
    return re.search(r"/accounts/activate/\S+/", mail.outbox[-1].body).group(0)


def test_sign_up_answers_the_same_for_a_taken_and_a_new_email(alice):
    taken, new = _sign_up("alice@example.org"), _sign_up("nobody@example.org")
    assert taken.status_code == new.status_code == 200
    assert taken.redirect_chain == new.redirect_chain
    strip = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub(b"", taken.content) == strip.sub(b"", new.content)


def test_the_owner_of_a_taken_email_is_told_by_email_and_nothing_changes(alice):
    _sign_up("Alice@Example.org")
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    body = mail.outbox[0].body
    assert "already have one" in body and "/accounts/password-reset/" in body
    assert "/accounts/activate/" not in body
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.name == "Alice Able" and alice.user.check_password(PASSWORD)
    assert get_user_model().objects.filter(username="alice@example.org").count() == 1


def test_a_new_account_waits_for_its_email_to_be_confirmed(client: Client):
    _sign_up("eve@example.org", client)
    user = get_user_model().objects.get(username="eve@example.org")
    assert not user.is_active
    login = {"username": "eve@example.org", "password": FORM["password"]}
    assert Client().post("/accounts/login/", login).status_code == 200  # refused
    assert mail.outbox[-1].to == ["eve@example.org"]


def test_opening_the_link_does_not_confirm_pressing_the_button_does(client: Client):
    _sign_up("eve@example.org", client)
    path = _activation_path()
    scanner = Client()  # a mail scanner opens every link
    assert scanner.get(path).status_code == 200
    assert not get_user_model().objects.get(username="eve@example.org").is_active
    assert "_auth_user_id" not in scanner.session
    assert client.post(path).status_code == 302
    assert get_user_model().objects.get(username="eve@example.org").is_active
    assert client.get("/accounts/mine/").status_code == 200


def test_a_confirmation_link_works_once(client: Client):
    _sign_up("eve@example.org", client)
    path = _activation_path()
    client.post(path)
    again = Client().post(path)
    assert again.status_code == 400 and b"not valid" in again.content


@pytest.mark.parametrize(("minutes", "status"), [(59, 302), (61, 400)])
def test_a_confirmation_link_works_for_one_hour(minutes, status):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _sign_up("eve@example.org")
        path = _activation_path()
    with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
        assert Client().post(path).status_code == status


@pytest.mark.parametrize(
    "uid",
    ["bm90LWEtbnVtYmVy", "!!!", "MTIzNDU2Nzg5", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"],
)
def test_a_broken_confirmation_link_is_a_400_not_a_500(uid):
    assert Client().get(f"/accounts/activate/{uid}/abc-def/").status_code == 400


def test_someone_who_signs_up_with_my_email_first_cannot_keep_it_from_me():
    _sign_up("eve@example.org")  # Mallory, who never sees Eve's inbox
    eve = Client()
    eve.post(
        "/accounts/signup/",
        {"name": "Eve", "email": "eve@example.org", "password": "eve's own passphrase"},
    )
    eve.post(_activation_path())
    user = get_user_model().objects.get(username="eve@example.org")
    assert user.is_active and user.check_password("eve's own passphrase")
    assert Patient.objects.get(user=user).name == "Eve"


def test_an_account_switched_off_by_the_clinic_stays_off(alice):
    user = alice.user
    user.last_login = timezone.now()
    user.is_active = False
    user.save()
    _sign_up("alice@example.org")
    user.refresh_from_db()
    assert not user.is_active and user.check_password(PASSWORD)
    assert "/accounts/activate/" not in mail.outbox[-1].body


def test_password_reset_answers_the_same_for_a_taken_and_a_new_email(alice):
    taken = Client().post("/accounts/password-reset/", {"email": "alice@example.org"}, follow=True)
    new = Client().post("/accounts/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert taken.redirect_chain == new.redirect_chain
    # The same page, but for the per-visitor CSRF token in the footer's language form.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", taken.content) == token.sub(b"", new.content)
