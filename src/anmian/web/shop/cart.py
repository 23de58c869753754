"""The cart: in the session for a visitor, in the database for an account; the two merge at
login. Only `services.add_to_cart` puts something in, after the safety check."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from anmian.web.shop.models import MAX_QUANTITY, CartItem, Product

SESSION_KEY = "shop_cart"  # {slug: {"q": quantity, "p": price seen, "a": [caution keys]}}


@dataclass
class Line:
    product: Product
    quantity: int
    price_seen: Decimal
    acknowledged: list[str]

    @property
    def amount(self) -> Decimal:
        return self.product.price * self.quantity

    @property
    def price_changed(self) -> bool:
        return self.price_seen != self.product.price


def _authenticated(request: Any) -> bool:
    return request.user.is_authenticated


def lines(request: Any) -> list[Line]:
    if _authenticated(request):
        rows = CartItem.objects.filter(user=request.user).select_related("product")
        return [
            Line(r.product, r.quantity, r.price_seen, list(r.acknowledged))
            for r in rows
            if r.product.active
        ]
    raw = request.session.get(SESSION_KEY, {})
    products = Product.objects.filter(slug__in=list(raw), active=True).in_bulk(field_name="slug")
    return [
        Line(products[s], int(v["q"]), Decimal(v["p"]), list(v.get("a", [])))
        for s, v in raw.items()
        if s in products
    ]


def put(request: Any, product: Product, quantity: int, acknowledged: list[str]) -> None:
    """Set the line of `product` (quantity already validated, safety already checked)."""
    if _authenticated(request):
        CartItem.objects.update_or_create(
            user=request.user,
            product=product,
            defaults={
                "quantity": quantity,
                "price_seen": product.price,
                "acknowledged": acknowledged,
            },
        )
        return
    raw = dict(request.session.get(SESSION_KEY, {}))
    raw[product.slug] = {"q": quantity, "p": str(product.price), "a": acknowledged}
    request.session[SESSION_KEY] = raw


def remove(request: Any, product: Product) -> None:
    if _authenticated(request):
        CartItem.objects.filter(user=request.user, product=product).delete()
        return
    raw = dict(request.session.get(SESSION_KEY, {}))
    raw.pop(product.slug, None)
    request.session[SESSION_KEY] = raw


def clear(request: Any) -> None:
    if _authenticated(request):
        CartItem.objects.filter(user=request.user).delete()
    request.session.pop(SESSION_KEY, None)


def merge_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The visitor's lines join the account's: quantities add up (to the shop's limit), and
    the account keeps the acknowledgements of both. Checked again at checkout."""
    raw = request.session.pop(SESSION_KEY, None) if request is not None else None
    if not raw:
        return
    products = Product.objects.filter(slug__in=list(raw), active=True).in_bulk(field_name="slug")
    for slug, v in raw.items():
        product = products.get(slug)
        if product is None:
            continue
        row = CartItem.objects.filter(user=user, product=product).first()
        if row is None:
            CartItem.objects.create(
                user=user,
                product=product,
                quantity=min(int(v["q"]), MAX_QUANTITY),
                price_seen=Decimal(v["p"]),
                acknowledged=list(v.get("a", [])),
            )
        else:
            row.quantity = min(row.quantity + int(v["q"]), MAX_QUANTITY)
            row.acknowledged = sorted(set(row.acknowledged) | set(v.get("a", [])))
            row.save()
