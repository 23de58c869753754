"""API tokens as issue 11 asks: named, scoped (read or read-write), expiring (90 days unless
asked for fewer), last use recorded, listed and revocable on the account page and in the
admin, and a clear 4xx for every request that cannot be granted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from anmian.web.records.models import ApiToken
from anmian.web.tests.conftest import PASSWORD
from anmian.web.tests.world import pinned_clock

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)

_clock = pinned_clock(NOW)


def ask(client: Client, **fields):
    body = {"username": "alice@example.org", "password": PASSWORD, **fields}
    return client.post("/api/v1/tokens", body, content_type="application/json")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_named_scoped_and_expires_in_the_days_asked(client: Client, alice):
    response = ask(client, name="sleep app", scope="read-write", days=30)
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["scope"]) == ("sleep app", "read-write")
    assert datetime.fromisoformat(body["expires"]) == NOW + timedelta(days=30)
    row = ApiToken.objects.get(user=alice.user)
    assert (row.name, row.scope, row.expires) == ("sleep app", "read-write", NOW + timedelta(30))


def test_a_token_asked_without_scope_or_days_reads_only_for_90_days(client: Client, alice):
    body = ask(client).json()
    assert body["scope"] == "read"
    assert datetime.fromisoformat(body["expires"]) == NOW + timedelta(days=90)


@override_settings(ANMIAN_TOKEN_DAYS=7)
def test_the_default_lifetime_comes_from_the_setting(client: Client, alice):
    assert datetime.fromisoformat(ask(client).json()["expires"]) == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"days": -5}, "days"),
        ({"days": "soon"}, "days"),
        ({"scope": "admin"}, "scope"),
        ({"scope": "READ"}, "scope"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_a_token_that_cannot_be_granted_is_422_naming_the_field(
    client: Client, alice, fields, named
):
    response = ask(client, **fields)
    assert response.status_code == 422
    assert f"body.{named}" in response.json()["error"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [1, 365])
def test_one_and_365_days_are_granted(client: Client, alice, days):
    assert ask(client, days=days).status_code == 201


def test_a_read_token_reads(client: Client, alice, alice_assessment):
    token = ask(client, scope="read").json()["token"]
    assert client.get("/api/v1/me/assessments", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/booking/appointments", "/api/v1/shop/orders"])
def test_a_read_token_is_403_on_a_write_saying_why(client: Client, alice, url):
    token = ask(client, scope="read").json()["token"]
    response = client.post(url, {}, content_type="application/json", headers=bearer(token))
    assert response.status_code == 403
    error = response.json()["error"]
    assert "read-only" in error and "read-write" in error


def test_a_read_write_token_gets_past_the_scope_check_on_a_write(client: Client, alice):
    token = ask(client, scope="read-write").json()["token"]
    response = client.post(
        "/api/v1/booking/appointments", {}, content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 422  # the empty body, not the token, is refused


def test_an_expired_token_is_401_token_expired(client: Client, alice):
    token = ask(client, days=1).json()["token"]
    assert client.get("/api/v1/me/assessments", headers=bearer(token)).status_code == 200
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = client.get("/api/v1/me/assessments", headers=bearer(token))
    assert response.status_code == 401
    assert response.json()["error"].startswith("token expired")


def test_an_unknown_token_is_a_plain_401(client: Client):
    response = client.get("/api/v1/me/assessments", headers=bearer("not-a-token"))
    assert response.status_code == 401 and "expired" not in response.json()["error"]


def test_the_last_use_is_written_at_most_once_a_minute(client: Client, alice):
    token = ask(client).json()["token"]
    row = ApiToken.objects.get()
    assert row.last_used is None

    def use() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/me/assessments", headers=bearer(token)).status_code == 200
        return [
            q["sql"] for q in queries if "records_apitoken" in q["sql"] and "UPDATE" in q["sql"]
        ]

    assert len(use()) == 1
    row.refresh_from_db()
    assert row.last_used == NOW
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        assert use() == []
    row.refresh_from_db()
    assert row.last_used == NOW
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        assert len(use()) == 1
    row.refresh_from_db()
    assert row.last_used == NOW + timedelta(seconds=61)


# --- the account page ---


def test_the_tokens_page_lists_only_my_tokens_without_their_secret(client: Client, alice, charlie):
    mine = ApiToken.issue(alice.user, name="my phone", scope="read")
    ApiToken.issue(charlie.user, name="charlie's laptop")
    client.force_login(alice.user)
    page = client.get("/accounts/tokens/").content.decode()
    assert "my phone" in page and "read only" in page and "never" in page
    assert "charlie" not in page
    assert mine not in page and mine[:6] in page  # only its first characters, to recognise it


def test_the_account_page_links_to_the_tokens_page(client: Client, alice):
    client.force_login(alice.user)
    assert "/accounts/tokens/" in client.get("/accounts/mine/").content.decode()


def test_a_token_made_on_the_page_is_shown_once_and_works(client: Client, alice):
    client.force_login(alice.user)
    response = client.post("/accounts/tokens/", {"name": "diary sync", "scope": "read", "days": 10})
    assert response.status_code == 200
    token = response.context["made"]
    assert token in response.content.decode()
    assert token not in client.get("/accounts/tokens/").content.decode()
    row = ApiToken.objects.get(user=alice.user)
    assert (row.name, row.scope, row.expires) == ("diary sync", "read", NOW + timedelta(days=10))
    api = Client()
    assert api.get("/api/v1/me/assessments", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize(
    "form",
    [
        {"name": "x", "scope": "read", "days": 400},
        {"name": "x", "scope": "everything", "days": 10},
        {"name": " ", "scope": "read", "days": 10},
    ],
)
def test_a_bad_token_form_is_400_with_the_reason(client: Client, alice, form):
    client.force_login(alice.user)
    response = client.post("/accounts/tokens/", form)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoking_a_token_on_the_page_ends_it(client: Client, alice):
    token = ApiToken.issue(alice.user, name="old script")
    client.force_login(alice.user)
    row = ApiToken.objects.get()
    assert client.post(f"/accounts/tokens/{row.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.exists()
    assert Client().get("/api/v1/me/assessments", headers=bearer(token)).status_code == 401


def test_nobody_revokes_another_persons_token(client: Client, alice, charlie):
    ApiToken.issue(charlie.user)
    theirs = ApiToken.objects.get()
    client.force_login(alice.user)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post("/accounts/tokens/99999/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_revoking_needs_a_post(client: Client, alice):
    ApiToken.issue(alice.user)
    client.force_login(alice.user)
    assert client.get(f"/accounts/tokens/{ApiToken.objects.get().pk}/revoke/").status_code == 405
    assert ApiToken.objects.exists()


def test_the_tokens_page_needs_a_login(client: Client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_password_still_ends_every_token(client: Client, alice):
    token = ask(client, scope="read-write").json()["token"]
    alice.user.set_password("a completely new passphrase 42")
    alice.user.save()
    assert client.get("/api/v1/me/assessments", headers=bearer(token)).status_code == 401


# --- the admin ---


def test_the_admin_lists_tokens_without_secrets_and_revokes_them(client: Client, alice):
    token = ApiToken.issue(alice.user, name="clinic import")
    root = get_user_model().objects.create_superuser("root@example.org", password=PASSWORD)
    client.force_login(root)
    listing = client.get("/admin/records/apitoken/").content.decode()
    row = ApiToken.objects.get()
    assert "clinic import" in listing and row.digest not in listing and token not in listing
    detail = client.get(f"/admin/records/apitoken/{row.pk}/change/").content.decode()
    assert row.digest not in detail
    client.post(f"/admin/records/apitoken/{row.pk}/delete/", {"post": "yes"})
    assert not ApiToken.objects.exists()


def test_nobody_makes_a_token_in_the_admin(client: Client):
    root = get_user_model().objects.create_superuser("root@example.org", password=PASSWORD)
    client.force_login(root)
    assert client.get("/admin/records/apitoken/add/").status_code == 403


# --- the migration ---


@pytest.mark.django_db(transaction=True)
def test_tokens_from_before_the_migration_are_named_kept_writable_and_end_in_90_days(alice):
    before = [("records", "0003_audit_outcome_route")]
    after = [("records", "0004_api_token_name_scope_expiry")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("records", "ApiToken")
        old.objects.create(user_id=alice.user.pk, digest="d" * 64)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        state = executor.loader.project_state(after).apps
        row = state.get_model("records", "ApiToken").objects.get(digest="d" * 64)
        assert (row.name, row.scope) == ("token", "read-write")
        assert row.expires == NOW + timedelta(days=90)
    finally:
        # Later migrations back, so the tests after this one find the schema they expect.
        MigrationExecutor(connection).migrate(latest)
