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


# --- Stripe's webhook and refunds, end to end but offline ---


def _event(order, kind="checkout.session.completed", intent="pi_123", event_id="evt_1"):
    session = {
        "client_reference_id": str(order.uid),
        "payment_status": "paid",
        "payment_intent": intent,
        "amount_total": int(order.total * 100),  # pence: Stripe's minor units for GBP
        "currency": "gbp",
    }
    return json.dumps({"id": event_id, "type": kind, "data": {"object": session}})


@pytest.fixture
def stripe(monkeypatch):
    from anmian.web.shop import staff, views

    provider = StripeProvider(KEY, WHSEC)
    monkeypatch.setattr(views, "PROVIDER", provider)
    monkeypatch.setattr(staff, "PROVIDER", provider)
    return provider


@pytest.fixture
def order(db):
    from anmian.web.shop import services
    from anmian.web.shop.testing import catalogue, person

    catalogue()
    buyer = services.buyer_for(person("buyer", age=40).user)
    return services.place_order(buyer, [("acupressure-probe", 1)], "pickup")


def _deliver(client, body: str, signature: str):
    return client.post(
        "/shop/payments/stripe/",
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


def test_a_signed_stripe_payment_is_recorded_once_however_often_it_comes(client, stripe, order):
    import time

    from anmian.web.shop.models import Order, Payment

    body = _event(order)
    for _ in range(3):  # Stripe retries until it hears 2xx; a replay is the same event
        assert _deliver(client, body, _signed(body, int(time.time()))).status_code == 200
    # the same payment told again by its second event kind changes nothing either
    later = _event(order, "checkout.session.async_payment_succeeded", event_id="evt_2")
    assert _deliver(client, later, _signed(later, int(time.time()))).status_code == 200
    order.refresh_from_db()
    assert order.state == Order.PAID
    assert Payment.objects.filter(order=order, status="paid").count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, now: (body, _signed(body, now, secret="whsec_forged")),
        lambda body, now: (body.replace("pi_123", "pi_999"), _signed(body, now)),
        lambda body, now: (body, _signed(body, now - 600)),  # a recording replayed later
        lambda body, now: ("not json", _signed("not json", now)),
        lambda body, now: (body, ""),
    ],
    ids=["wrong-secret", "altered-body", "too-old", "not-json", "no-signature"],
)
def test_a_bad_stripe_webhook_is_a_4xx_and_changes_nothing(client, stripe, order, tamper):
    import time

    from anmian.web.shop.models import Order, Payment

    body, signature = tamper(_event(order), int(time.time()))
    r = _deliver(client, body, signature)
    assert 400 <= r.status_code < 500, r.status_code
    order.refresh_from_db()
    assert order.state == Order.PLACED and not Payment.objects.exists()


def test_a_stripe_refund_asks_for_the_amount_in_pence_once_per_refund(stripe, order, monkeypatch):
    import time
    from decimal import Decimal

    from anmian.web.shop import services
    from anmian.web.shop import stripe as stripe_module
    from anmian.web.shop.models import Order

    body = _event(order)
    services.record_payment(
        stripe.notification({"payload": body, "signature": _signed(body, int(time.time()))})
    )
    sent = []

    class Answer:
        def __init__(self, n):
            self.n = n

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self):
            return json.dumps({"id": f"re_{self.n}"}).encode()

    def urlopen(request, timeout):
        sent.append((request.full_url, dict(request.header_items()), request.data.decode()))
        return Answer(len(sent))

    monkeypatch.setattr(stripe_module.urllib.request, "urlopen", urlopen)
    services.refund(order, stripe, Decimal("5.00"))
    services.refund(order, stripe)  # the rest: £7.00
    assert [s[0] for s in sent] == ["https://api.stripe.com/v1/refunds"] * 2
    assert "payment_intent=pi_123" in sent[0][2] and "amount=500" in sent[0][2]
    assert "amount=700" in sent[1][2]
    keys = [s[1]["Idempotency-key"] for s in sent]
    assert len(set(keys)) == 2  # two refunds, two keys: a retry of one reuses its own
    order.refresh_from_db()
    assert order.state == Order.REFUNDED and order.refunded == Decimal("12.00")
