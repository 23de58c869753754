"""Two-factor authentication (issue 11): practitioners, staff and admins see no patient data
before a second factor; patients may turn it on. Codes are computed here from the secret the
page shows, by RFC 6238 itself, not by the library under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from anmian.web.records.models import ApiToken
from anmian.web.tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unverified_logins")]


def totp(secret: str, at: float | None = None, digits: int = 6) -> str:
    """RFC 6238 with HMAC-SHA1 and 30-second steps, as authenticator apps compute it."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def test_the_code_helper_gives_the_rfc_6238_test_vector():
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59, digits=8) == "94287082"
    assert totp(secret, at=1111111109, digits=8) == "07081804"


def _secret(page: str) -> str:
    return re.search(r"Key: <code>([A-Z2-7 ]+)</code>", page).group(1)


def _enrol(client: Client) -> tuple[str, list[str]]:
    """Goes through the enrolment page as a person would: the secret, then a code from it."""
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    secret = _secret(page)
    done = client.post("/accounts/two-factor/enrol/", {"code": totp(secret)})
    assert done.status_code == 200, done.content
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.content.decode())
    return secret, codes


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "root@example.org", "root@example.org", PASSWORD
    )


def _patient_data_urls(alice) -> list[str]:
    return [
        "/clinic/patients/",
        f"/clinic/patients/{alice.uid}/",
        f"/clinic/patients/{alice.uid}/notes/new/",
        "/booking/calendar/",
    ]


def test_a_practitioner_without_two_factor_is_sent_to_enrol_from_every_patient_page(
    client: Client, alice, bob, alice_assessment
):
    client.force_login(bob.user)
    for url in _patient_data_urls(alice):
        response = client.get(url)
        assert response.status_code == 302, url
        target = urlparse(response["Location"])
        assert target.path == "/accounts/two-factor/enrol/"
        assert parse_qs(target.query)["next"] == [url]
        assert b"Alice" not in response.content


def test_after_enrolling_the_practitioner_sees_the_same_pages(
    client: Client, alice, bob, alice_assessment
):
    client.force_login(bob.user)
    _enrol(client)
    for url in _patient_data_urls(alice):
        assert client.get(url).status_code == 200, url
    assert b"Alice Able" in client.get("/clinic/patients/").content


def test_a_practitioner_with_an_authenticator_is_asked_for_the_code_at_each_login(
    client: Client, alice, bob
):
    client.force_login(bob.user)
    secret, _ = _enrol(client)
    client.logout()
    client.force_login(bob.user)
    response = client.get("/clinic/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/?next=")
    with time_machine.travel(time.time() + 30):  # a new code: the enrolment's is used up
        verified = client.post(
            "/accounts/two-factor/verify/",
            {"code": totp(secret), "next": "/clinic/patients/"},
        )
        assert verified.status_code == 302 and verified["Location"] == "/clinic/patients/"
        assert b"Alice Able" in client.get("/clinic/patients/").content


def test_passing_the_second_factor_gives_the_session_a_new_key(client: Client, bob):
    client.force_login(bob.user)
    before = client.cookies["sessionid"].value
    _enrol(client)
    assert client.cookies["sessionid"].value != before


def test_the_admin_is_closed_to_an_admin_without_two_factor(client: Client, superuser, alice):
    client.force_login(superuser)
    for url in ("/admin/", "/admin/records/patient/", f"/admin/records/patient/{alice.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/two-factor/enrol/")
    _enrol(client)
    assert b"Alice Able" in client.get("/admin/records/patient/").content


def test_the_api_by_session_answers_401_to_an_unverified_practitioner(client: Client, alice, bob):
    client.force_login(bob.user)
    response = client.get("/api/v1/patients")
    assert response.status_code == 401
    assert "two-factor" in response.json()["error"] and b"Alice" not in response.content


def _token(client: Client, username: str, **extra: str):
    body = {"username": username, "password": PASSWORD, **extra}
    return client.post("/api/v1/tokens", body, content_type="application/json")


def test_a_practitioner_without_two_factor_gets_no_token(client: Client, bob):
    response = _token(client, "bob@example.org")
    assert response.status_code == 401
    assert "/accounts/two-factor/" in response.json()["error"]
    assert not ApiToken.objects.exists()


def test_a_practitioner_with_two_factor_gets_a_token_only_with_a_current_code(client: Client, bob):
    client.force_login(bob.user)
    secret, _ = _enrol(client)
    api = Client()
    assert "`otp`" in _token(api, "bob@example.org").json()["error"]
    later = time.time() + 30  # the enrolment used the code of now
    assert _token(api, "bob@example.org", otp=totp(secret, at=later - 600)).status_code == 401
    assert not ApiToken.objects.exists()
    with time_machine.travel(later + 5):  # past the wait after a wrong code
        response = _token(api, "bob@example.org", otp=totp(secret))
    assert response.status_code == 201, response.content
    assert ApiToken.objects.filter(user=bob.user).count() == 1


def test_a_wrong_code_is_refused_and_slows_the_next_try(client: Client, alice, bob):
    client.force_login(bob.user)
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    secret = _secret(page)
    wrong = f"{(int(totp(secret)) + 1) % 10**6:06d}"
    response = client.post("/accounts/two-factor/enrol/", {"code": wrong})
    assert response.status_code == 400 and b"wrong or has expired" in response.content
    assert client.get("/clinic/patients/").status_code == 302
    with time_machine.travel(time.time() + 30):
        assert client.post("/accounts/two-factor/enrol/", {"code": totp(secret)}).status_code == 200
    client.logout()
    client.force_login(bob.user)
    with time_machine.travel(time.time() + 60, tick=False):
        response = client.post("/accounts/two-factor/verify/", {"code": "000000"})
        assert response.status_code == 400
        # The right code right after a wrong one waits too (django-otp doubles the wait).
        response = client.post("/accounts/two-factor/verify/", {"code": totp(secret)})
        assert response.status_code == 400 and b"Too many wrong codes" in response.content
    assert client.get("/clinic/patients/").status_code == 302


def test_a_backup_code_works_once(client: Client, alice, bob):
    client.force_login(bob.user)
    _, codes = _enrol(client)
    assert len(codes) == 10 == len(set(codes))
    for attempt, expected in ((1, 302), (2, 400)):
        other = Client()
        other.force_login(bob.user)
        response = other.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
        assert response.status_code == expected, attempt
    assert other.get("/clinic/patients/").status_code == 302  # the second session: not verified
    assert StaticToken.objects.count() == 9


def test_backup_codes_are_stored_only_as_hashes(client: Client, bob):
    client.force_login(bob.user)
    _, codes = _enrol(client)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & ({c.replace("-", "") for c in codes} | set(codes))


def test_a_password_alone_cannot_enrol_a_second_authenticator(client: Client, bob):
    client.force_login(bob.user)
    _enrol(client)
    client.logout()
    client.force_login(bob.user)  # someone who knows only the password
    response = client.get("/accounts/two-factor/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert client.post("/accounts/two-factor/enrol/", {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=bob.user).count() == 1


def test_a_next_address_off_the_site_is_not_followed(client: Client, bob):
    client.force_login(bob.user)
    secret, _ = _enrol(client)
    client.logout()
    client.force_login(bob.user)
    with time_machine.travel(time.time() + 30):
        response = client.post(
            "/accounts/two-factor/verify/",
            {"code": totp(secret), "next": "https://evil.example/clinic/"},
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"


def test_a_patient_without_two_factor_is_unaffected(client: Client, alice, alice_assessment):
    client.force_login(alice.user)
    for url in (
        "/accounts/mine/",
        f"/accounts/mine/assessments/{alice_assessment.uid}/",
        "/diary/",
    ):
        assert client.get(url).status_code == 200, url
    assert _token(Client(), "alice@example.org").status_code == 201


def test_a_patient_may_turn_it_on_and_is_then_asked_at_login_and_for_a_token(client: Client, alice):
    client.force_login(alice.user)
    assert b"Off:" in client.get("/accounts/two-factor/").content
    secret, _ = _enrol(client)
    client.logout()
    client.force_login(alice.user)
    assert client.get("/accounts/mine/")["Location"].startswith("/accounts/two-factor/verify/")
    assert _token(Client(), "alice@example.org").status_code == 401
    with time_machine.travel(time.time() + 30):
        client.post("/accounts/two-factor/verify/", {"code": totp(secret)})
    assert client.get("/accounts/mine/").status_code == 200


def test_a_patient_may_turn_it_off_but_a_practitioner_may_not(client: Client, alice, bob):
    client.force_login(alice.user)
    _enrol(client)
    client.post("/accounts/two-factor/off/")
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    client.logout()
    client.force_login(alice.user)
    assert client.get("/accounts/mine/").status_code == 200

    client.force_login(bob.user)
    _enrol(client)
    response = client.post("/accounts/two-factor/off/", follow=True)
    assert b"must keep two-factor authentication on" in response.content
    assert TOTPDevice.objects.filter(user=bob.user, confirmed=True).exists()


def test_a_superuser_resets_a_lost_phone_and_the_next_login_enrols(client: Client, bob):
    client.force_login(bob.user)
    _enrol(client)
    out = StringIO()
    call_command("anmian_reset_2fa", "bob@example.org", stdout=out)
    assert "enrols a new authenticator" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=bob.user).exists()
    assert not StaticToken.objects.exists()
    client.logout()
    client.force_login(bob.user)
    assert client.get("/clinic/patients/")["Location"].startswith("/accounts/two-factor/enrol/")


def test_the_reset_command_names_an_unknown_account(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"nobody@example\.org"):
        call_command("anmian_reset_2fa", "nobody@example.org")


def test_the_setting_makes_it_optional_for_practitioners_too(client: Client, settings, bob):
    settings.ANMIAN_REQUIRE_2FA = False
    client.force_login(bob.user)
    assert client.get("/clinic/patients/").status_code == 200
    assert _token(Client(), "bob@example.org").status_code == 201


def test_the_demo_practitioner_logs_in_with_the_printed_key(client: Client):
    out = StringIO()
    call_command("load_demo_clinic", stdout=out)
    key = re.search(r"add the key ([A-Z2-7]+) to an authenticator app", out.getvalue()).group(1)
    login = {"username": "practitioner@demo.anmian", "password": "demo-only-password"}
    assert client.post("/accounts/login/", login).status_code == 302
    with time_machine.travel(time.time() + 30):  # the printed "now" code may be the same one
        response = client.post("/accounts/two-factor/verify/", {"code": totp(key)})
        assert response.status_code == 302
        assert client.get("/clinic/patients/").status_code == 200
