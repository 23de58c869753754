"""Stripe is chosen only when the environment configures it, and a half configuration stops
start-up (issue 14: "a real provider such as Stripe configured only from the environment, never
tested against the internet"). Nothing here reaches Stripe: the webhook signature is checked
offline with Stripe's documented scheme (HMAC-SHA256 of "t.body" with the signing secret)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from anmian.web.shop.payments import DummyProvider, select
from anmian.web.shop.stripe import BadSignature, StripeProvider

KEY, WHSEC = "sk_test_" + "a" * 24, "whsec_" + "b" * 32


def _start(env: dict[str, str], code: str = "import anmian.web.settings"):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ANMIAN_STRIPE_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=clean | {"DEBUG": "true"} | env,
        capture_output=True,
        text=True,
    )


def test_the_dummy_provider_is_used_without_stripe_settings():
    assert isinstance(select(SimpleNamespace(ANMIAN_PAYMENT_PROVIDER="dummy")), DummyProvider)


def test_stripe_is_selected_when_configured():
    config = SimpleNamespace(
        ANMIAN_PAYMENT_PROVIDER="stripe",
        ANMIAN_STRIPE_SECRET_KEY=KEY,
        ANMIAN_STRIPE_WEBHOOK_SECRET=WHSEC,
    )
    provider = select(config)
    assert isinstance(provider, StripeProvider) and provider.name == "stripe"
    assert provider.secret_key == KEY and provider.webhook_secret == WHSEC


def test_the_environment_with_both_keys_selects_stripe_at_start_up():
    code = (
        "import django; django.setup(); "
        "from anmian.web.shop.payments import PROVIDER; print(PROVIDER.name)"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "ANMIAN_STRIPE_SECRET_KEY": KEY,
        "ANMIAN_STRIPE_WEBHOOK_SECRET": WHSEC,
    }
    result = _start(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stripe"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ANMIAN_STRIPE_SECRET_KEY": KEY}, "ANMIAN_STRIPE_WEBHOOK_SECRET"),
        ({"ANMIAN_STRIPE_WEBHOOK_SECRET": WHSEC}, "ANMIAN_STRIPE_SECRET_KEY"),
    ],
)
def test_it_refuses_to_start_with_half_a_stripe_configuration(env, missing):
    result = _start(env)
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {
                "ANMIAN_STRIPE_SECRET_KEY": "pk_test_" + "a" * 24,
                "ANMIAN_STRIPE_WEBHOOK_SECRET": WHSEC,
            },
            "ANMIAN_STRIPE_SECRET_KEY is not a Stripe secret key",
        ),
        (
            {"ANMIAN_STRIPE_SECRET_KEY": KEY, "ANMIAN_STRIPE_WEBHOOK_SECRET": "b" * 32},
            "ANMIAN_STRIPE_WEBHOOK_SECRET is not a webhook signing secret",
        ),
    ],
)
def test_it_refuses_to_start_with_a_key_of_the_wrong_kind(env, message):
    # a publishable key (pk_) in the secret's place is the usual slip
    result = _start(env)
    assert result.returncode != 0 and message in result.stderr


def _signed(body: str, stamp: int, secret: str = WHSEC) -> str:
    mac = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def test_a_genuine_webhook_is_read_and_a_forged_or_old_one_refused():
    provider = StripeProvider(KEY, WHSEC)
    body = json.dumps({"id": "evt_1", "type": "checkout.session.completed"})
    assert provider.verify(body, _signed(body, 1_000_000), now=1_000_010)["id"] == "evt_1"
    with pytest.raises(BadSignature):
        provider.verify(body, _signed(body, 1_000_000, secret="whsec_other"), now=1_000_010)
    with pytest.raises(BadSignature):
        provider.verify(body.replace("evt_1", "evt_2"), _signed(body, 1_000_000), now=1_000_010)
    with pytest.raises(BadSignature, match="too old"):
        provider.verify(body, _signed(body, 1_000_000), now=1_000_000 + 301)
    with pytest.raises(BadSignature):
        provider.verify(body, "", now=1_000_010)


def test_the_stripe_webhook_is_not_there_without_stripe(client, db):
    assert (
        client.post("/shop/payments/stripe/", "{}", content_type="application/json").status_code
        == 404
    )
