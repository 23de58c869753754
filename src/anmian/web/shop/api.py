"""The shop through the JSON API: products with whether each is safe for the caller, and
orders placed through the same service as the site (so the same safety check)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Literal, cast

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from anmian.web.apiauth import AUTH, ApiError, Error
from anmian.web.shop import services
from anmian.web.shop.models import Order, Product
from anmian.web.shop.payments import PROVIDER

router = Router(tags=["shop"])


class ReasonOut(Schema):
    ingredient: str
    text: str


class ProductOut(Schema):
    slug: str
    name: str
    kind: str
    description: str
    price: Decimal
    tax_rate: Decimal
    stock: int
    oils: list[str]
    herbs: list[str]
    formulas: list[str]
    points: list[str]
    patterns: list[str]
    # only for an authenticated caller: whether the shop would sell it to them, and why not
    safe_for_me: bool | None = None
    reasons: list[ReasonOut] = []
    cautions: list[ReasonOut] = []
    alternative: str | None = None


class AddressIn(Schema):
    name: str
    line: str
    city: str
    postcode: str


class DeliveryIn(Schema):
    address: AddressIn


class ItemIn(Schema):
    product: str
    quantity: int
    # The price the person was shown; when the product's price differs, the answer is 409.
    price: Decimal | None = None


class OrderIn(Schema):
    items: list[ItemIn]
    delivery: Literal["pickup"] | DeliveryIn
    # keys of the cautions the person has read and accepted (from GET /products)
    acknowledged: list[str] = []


class LineOut(Schema):
    product: str | None  # null on the line that pays for a course
    course: uuid.UUID | None = None
    name: str
    quantity: int
    unit_price: Decimal


class OrderOut(Schema):
    uid: uuid.UUID
    state: str
    delivery: str
    total: Decimal
    tax: Decimal
    lines: list[LineOut]
    prescribed_by: str | None = None
    payment_url: str | None = None


class CautionOut(Schema):
    key: str
    text: str


def _reasons(rs: list[services.Reason]) -> list[dict[str, str]]:
    return [{"ingredient": r.ingredient, "text": f"{r.name}: {r.text}"} for r in rs]


def _product(p: Product, buyer: services.Buyer | None, pool: list[Product] | None = None) -> dict:
    out = {
        f: getattr(p, f)
        for f in ProductOut.model_fields
        if f not in ("safe_for_me", "reasons", "cautions", "alternative")
    }
    if buyer is not None:
        check = services.check_product(p, buyer, pool=pool)
        out |= {
            "safe_for_me": check.allowed,
            "reasons": _reasons(check.excluded),
            "cautions": [
                {"ingredient": c.key, "text": f"{c.name}: {c.text}"} for c in check.cautions
            ],
            "alternative": check.alternative.slug if check.alternative else None,
        }
        if check.allowed is False and not check.excluded:
            out["reasons"] = [{"ingredient": "", "text": check.refusal()}]
    return out


def _order(o: Order, request: HttpRequest) -> dict:
    return {
        "uid": o.uid,
        "state": o.state,
        "delivery": o.delivery,
        "total": o.total,
        "tax": o.tax,
        "lines": [
            {
                "product": ln.product.slug if ln.product else None,
                "course": ln.course.uid if ln.course else None,
                "name": ln.name,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
            }
            for ln in o.lines.select_related("product", "course")
        ],
        "prescribed_by": o.prescribed_by.display_name if o.prescribed_by else None,
        "payment_url": request.build_absolute_uri(PROVIDER.start(o))
        if o.state == Order.PLACED
        else None,
    }


def _optional_user(request: HttpRequest):
    for auth in AUTH:
        try:
            user = auth(request)
        except Exception:  # a bad token is treated as no token here: the list is public
            user = None
        if user:
            return user
    return None


@router.get("/products", response=list[ProductOut], summary="The shop's products")
def products(request: HttpRequest, kind: str | None = None):
    """Public. With a bearer token or login session, each product says whether it is safe
    for the caller (`safe_for_me`), why not (`reasons`) and its cautions, whose `ingredient`
    field is the key to send back in `acknowledged`."""
    user = _optional_user(request)
    buyer = services.buyer_for(user) if user else None
    qs = Product.objects.filter(active=True).select_related("alternative")
    if kind:
        qs = qs.filter(kind=kind)
    pool = list(qs)
    return [_product(p, buyer, pool) for p in pool]


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 100:
        raise ApiError(400, "Idempotency-Key must be 1 to 100 characters")
    return key


@router.post(
    "/orders",
    auth=AUTH,
    response={201: OrderOut, 400: Error, 401: Error, 409: Error, 422: Error},
    summary="Place an order (201), or 409 when stock runs out, 422 when not safe for you",
)
def create_order(request: HttpRequest, body: OrderIn):
    """Send an `Idempotency-Key` header so that a retried request places one order."""
    buyer = services.buyer_for(request.user)
    if isinstance(body.delivery, DeliveryIn):
        delivery, address = Order.POST, services.Address(**body.delivery.address.dict())
    else:
        delivery, address = Order.PICKUP, None
    try:
        order = services.place_order(
            buyer,
            [(i.product, i.quantity) for i in body.items],
            delivery,
            address,
            acknowledged=body.acknowledged,
            prices_seen={i.product: i.price for i in body.items if i.price is not None},
            idempotency_key=_idempotency_key(request),
        )
    except services.ShopError as exc:
        raise ApiError(exc.status, exc.message, **exc.extra) from None
    return Status(201, _order(order, request))


@router.get(
    "/orders/{uid}",
    auth=AUTH,
    response={200: OrderOut, 401: Error, 404: Error, 422: Error},
    summary="One of my orders",
)
def one_order(request: HttpRequest, uid: uuid.UUID):
    user = cast(User, request.user)  # AUTH lets only a logged-in account through
    order = Order.objects.filter(uid=uid, user=user).first()
    if order is None:
        raise Http404("no such order")
    return _order(order, request)
