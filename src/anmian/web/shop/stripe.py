"""Stripe behind the PaymentProvider protocol, configured only from the environment
(ANMIAN_STRIPE_SECRET_KEY, ANMIAN_STRIPE_WEBHOOK_SECRET; settings refuse one without the
other). It talks to Stripe's REST API over HTTPS with the standard library, so no SDK is
installed: a Checkout Session per order, a Refund per refund, and webhooks verified by their
Stripe-Signature header (HMAC-SHA256 of "timestamp.body" with the signing secret, as Stripe
documents at docs.stripe.com/webhooks#verify-manually). The tests never call it."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from anmian.web.shop.errors import BadRequest, ShopError
from anmian.web.shop.models import Order, Payment
from anmian.web.shop.money import DECIMALS
from anmian.web.shop.services import Notification

API = "https://api.stripe.com/v1"
TOLERANCE = 300  # seconds: an older signed webhook is a replay (Stripe's default tolerance)
TIMEOUT = 20


class ProviderError(ShopError):
    status = 502


class BadSignature(BadRequest):
    status = 400


class NotForUs(ShopError):
    """An event the shop does not act on: answered 200 so Stripe stops sending it."""

    status = 200


def minor_units(amount: Decimal, currency: str) -> int:
    return int((amount * (10 ** DECIMALS.get(currency, 2))).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    return Decimal(value) / (10 ** DECIMALS.get(currency.upper(), 2))


class StripeProvider:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str):
        self.secret_key, self.webhook_secret = secret_key, webhook_secret

    def _post(self, path: str, fields: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{API}{path}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Authorization": f"Bearer {self.secret_key}",
                "Idempotency-Key": idempotency_key,  # a retried call does the thing once
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise ProviderError(
                "The payment provider could not be reached; nothing was charged. "
                "Please try again in a minute."
            ) from exc

    def start(self, order: Order) -> str:
        currency = settings.ANMIAN_CURRENCY
        back = settings.ANMIAN_SITE_URL.rstrip("/") + reverse("shop:order", args=[order.uid])
        session = self._post(
            "/checkout/sessions",
            {
                "mode": "payment",
                "client_reference_id": str(order.uid),
                "metadata[order]": str(order.uid),
                "line_items[0][quantity]": 1,
                "line_items[0][price_data][currency]": currency.lower(),
                "line_items[0][price_data][unit_amount]": minor_units(order.total, currency),
                "line_items[0][price_data][product_data][name]": str(order),
                "customer_email": order.email,
                "success_url": back,
                "cancel_url": back,
            },
            f"checkout-{order.uid}",  # the same order always opens the same session
        )
        return str(session["url"])

    def refund(self, order: Order, amount: Decimal) -> str:
        paid = order.payments.filter(provider=self.name, status="paid").first()
        if paid is None:
            raise BadRequest("This order was not paid through Stripe.")
        done = Payment.objects.filter(order=order, status="refunded").count()
        refund = self._post(
            "/refunds",
            {
                "payment_intent": paid.reference,
                "amount": minor_units(amount, settings.ANMIAN_CURRENCY),
            },
            f"refund-{order.uid}-{done}-{amount}",
        )
        return str(refund["id"])

    def verify(self, payload: str, header: str, now: float | None = None) -> dict[str, Any]:
        """The event of a genuine, recent webhook; BadSignature otherwise."""
        parts: dict[str, list[str]] = {}
        for item in header.split(","):
            key, _, value = item.strip().partition("=")
            parts.setdefault(key, []).append(value)
        try:
            stamp = int(parts.get("t", [""])[0])
        except ValueError:
            raise BadSignature("The payment notification's signature is wrong.") from None
        expected = hmac.new(
            self.webhook_secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256
        ).hexdigest()
        if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
            raise BadSignature("The payment notification's signature is wrong.")
        if abs((time.time() if now is None else now) - stamp) > TOLERANCE:
            raise BadSignature("The payment notification is too old.")
        try:
            return json.loads(payload)
        except ValueError:
            raise BadRequest("The payment notification is not JSON.") from None

    def notification(self, data: dict[str, Any]) -> Notification:
        """`data` is {"payload": the raw body, "signature": the Stripe-Signature header}."""
        event = self.verify(str(data.get("payload", "")), str(data.get("signature", "")))
        kind = event.get("type")
        session = (event.get("data") or {}).get("object") or {}
        order_uid = str(session.get("client_reference_id") or "")
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            if session.get("payment_status") != "paid":
                raise NotForUs("Not paid yet: waiting for the payment to clear.")
            status = "paid"
            # The payment's own id: the same payment told twice (completed, then succeeded)
            # finds its Payment row and changes nothing.
            reference = str(session.get("payment_intent") or session.get("id") or "")
        elif kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
            status, reference = "failed", str(event.get("id") or "")
        else:
            raise NotForUs(f"Ignored: {kind}.")
        amount = from_minor_units(
            int(session.get("amount_total") or 0), str(session.get("currency") or "")
        )
        return Notification(self.name, reference, order_uid, status, amount)
