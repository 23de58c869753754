"""Payment providers. django-payments was not added (README, "Payments: a small provider
protocol, not django-payments", says why): a provider is anything with this small protocol.
The dummy one below stands in for a real one in development and tests; Stripe
(shop/stripe.py) is selected when the environment configures it. Each calls
`services.record_payment` from its verified callback."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from django.conf import settings
from django.urls import reverse

from anmian.web.shop.models import Order
from anmian.web.shop.services import BadRequest, Notification


class BadSignature(BadRequest):
    status = 400


class PaymentProvider(Protocol):
    name: str

    def start(self, order: Order) -> str:
        """The URL where the person pays for the order."""
        ...

    def notification(self, data: dict[str, Any]) -> Notification:
        """A callback's data as a Notification; raises BadSignature when it is not genuine."""
        ...

    def refund(self, order: Order, amount: Decimal) -> str:
        """Ask the provider to pay `amount` back; returns the provider's reference for it."""
        ...


class DummyProvider:
    """Pays or fails at the press of a button; its callbacks are signed with the site's key,
    so a forged or altered one is refused like a real provider's would be."""

    name = "dummy"

    def start(self, order: Order) -> str:
        return reverse("shop:pay", args=[order.uid])

    def refund(self, order: Order, amount: Decimal) -> str:
        return f"refund-{secrets.token_hex(8)}"

    @staticmethod
    def sign(order_uid: str, reference: str, status: str, amount: str) -> str:
        message = f"{order_uid}|{reference}|{status}|{amount}".encode()
        key = hashlib.sha256(f"shop-dummy-payments:{settings.SECRET_KEY}".encode()).digest()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def callback_data(self, order: Order, status: str) -> dict[str, str]:
        """What the dummy provider posts back for a payment of the order."""
        data = {
            "order": str(order.uid),
            "reference": secrets.token_hex(8),
            "status": status,
            "amount": str(order.total),
        }
        return data | {"signature": self.sign(**_fields(data))}

    def notification(self, data: dict[str, Any]) -> Notification:
        fields = _fields(data)
        given = str(data.get("signature", ""))
        if not hmac.compare_digest(given, self.sign(**fields)):
            raise BadSignature("The payment notification's signature is wrong.")
        try:
            amount = Decimal(fields["amount"])
        except InvalidOperation:
            raise BadRequest("The payment amount is not a number.") from None
        return Notification(
            self.name, fields["reference"], fields["order_uid"], fields["status"], amount
        )


def _fields(data: dict[str, Any]) -> dict[str, str]:
    return {
        "order_uid": str(data.get("order", "")),
        "reference": str(data.get("reference", "")),
        "status": str(data.get("status", "")),
        "amount": str(data.get("amount", "")),
    }


def select(config: Any = settings) -> PaymentProvider:
    """Stripe when settings name its keys (settings.py refuses one without the other), else
    the dummy provider."""
    if getattr(config, "ANMIAN_PAYMENT_PROVIDER", "dummy") == "stripe":
        from anmian.web.shop.stripe import StripeProvider

        return StripeProvider(config.ANMIAN_STRIPE_SECRET_KEY, config.ANMIAN_STRIPE_WEBHOOK_SECRET)
    return DummyProvider()


PROVIDER: PaymentProvider = select()
