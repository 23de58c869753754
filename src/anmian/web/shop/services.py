"""The shop's rules, the one door for the site, the API and the admin.

Nothing reaches a cart or an order without `check_product` (shop/safety.py, exported here),
which applies the knowledge base's safety rules of every ingredient (herbs, formulas and essential oils) to the buyer's
safety context, built by the engine exactly as for their plan. Stock is taken with one
conditional UPDATE per line (`stock >= n`), which the database applies atomically on SQLite
and PostgreSQL alike, so the last item is never sold twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from anmian.knowledge import get_kb
from anmian.web.core.kbtext import in_page_language
from anmian.web.shop import cart, notify
from anmian.web.shop.courses import CourseBill, course_bill, order_course
from anmian.web.shop.errors import (
    BadRequest,
    NotSafe,
    OutOfStock,
    PriceChanged,
    ShopError,
    UnknownOrder,
)
from anmian.web.shop.models import MAX_QUANTITY, Order, OrderLine, Payment, Product
from anmian.web.shop.safety import (
    QUESTIONS,
    Buyer,
    ProductCheck,
    Reason,
    buyer_for,
    check_product,
    questions_input,
    unacknowledged,
)

# The safety check, the errors and course orders are part of this door: callers use
# services.check_product, services.ShopError, services.order_course and friends.
__all__ = [
    "QUESTIONS",
    "BadRequest",
    "Buyer",
    "CourseBill",
    "NotSafe",
    "OutOfStock",
    "PriceChanged",
    "ProductCheck",
    "Reason",
    "ShopError",
    "UnknownOrder",
    "buyer_for",
    "check_product",
    "course_bill",
    "order_course",
    "questions_input",
    "unacknowledged",
]


def require_safe(product: Product, buyer: Buyer, acknowledged: Collection[str]) -> ProductCheck:
    """The check for adding to a cart and for ordering: refuses what is not safe, and
    cautions that were not acknowledged."""
    check = check_product(product, buyer)
    if not check.allowed:
        alt = check.alternative
        raise NotSafe(
            check.refusal(),
            product=product.slug,
            reasons=[r.text for r in check.excluded],
            needs_questions=check.needs_questions,
            needs_prescription=check.needs_prescription,
            alternative=alt.slug if alt else None,
        )
    missing = unacknowledged(check, acknowledged)
    if missing:
        refused = NotSafe(
            _("Please read and accept the cautions for %(product)s first.")
            % {"product": product.name},
            product=product.slug,
            cautions=[{"key": c.key, "text": f"{c.name}: {c.text}"} for c in missing],
        )
        refused.shown = [c.shown for c in missing]  # for the page, in its language
        raise refused
    return check


def parse_quantity(raw: Any) -> int:
    try:
        n = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(_("The quantity must be a whole number.")) from None
    if isinstance(raw, float) and raw != n:
        raise BadRequest(_("The quantity must be a whole number."))
    if not 1 <= n <= MAX_QUANTITY:
        raise BadRequest(_("The quantity must be between 1 and %(most)s.") % {"most": MAX_QUANTITY})
    return n


def get_product(slug: str) -> Product:
    product = Product.objects.filter(slug=slug, active=True).first()
    if product is None:
        raise BadRequest(_("There is no product '%(slug)s'.") % {"slug": slug}, product=slug)
    return product


# --- orders ---


@dataclass
class Address:
    name: str = ""
    line: str = ""
    city: str = ""
    postcode: str = ""

    def problems(self) -> list[str]:
        missing = {
            "name": _("the name is missing"),
            "line": _("the street address is missing"),
            "city": _("the town is missing"),
            "postcode": _("the postcode is missing"),
        }
        return [text for f, text in missing.items() if not getattr(self, f).strip()]


def place_order(
    buyer: Buyer,
    items: list[tuple[str, Any]],
    delivery: str,
    address: Address | None = None,
    acknowledged: Collection[str] = (),
    prices_seen: dict[str, Decimal] | None = None,
    email: str = "",
    idempotency_key: str | None = None,
) -> Order:
    """Check every line, take the stock and write the order, all or nothing. With an
    idempotency key, a repeat of the same request returns the order it placed."""
    if idempotency_key and buyer.user is not None:
        earlier = Order.objects.filter(user=buyer.user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    try:
        return _place(
            buyer, items, delivery, address, acknowledged, prices_seen, email, idempotency_key
        )
    except IntegrityError:
        # The same key raced in from a second request: its order won, this one rolled back.
        earlier = Order.objects.filter(user=buyer.user, idempotency_key=idempotency_key).first()
        if idempotency_key and earlier is not None:
            return earlier
        raise


def _place(
    buyer: Buyer,
    items: list[tuple[str, Any]],
    delivery: str,
    address: Address | None,
    acknowledged: Collection[str],
    prices_seen: dict[str, Decimal] | None,
    email: str,
    idempotency_key: str | None,
) -> Order:
    if not items:
        raise BadRequest(_("The order has no items."))
    quantities: dict[str, int] = {}
    for slug, qty in items:
        quantities[str(slug)] = quantities.get(str(slug), 0) + parse_quantity(qty)
    if any(q > MAX_QUANTITY for q in quantities.values()):
        raise BadRequest(_("The quantity must be between 1 and %(most)s.") % {"most": MAX_QUANTITY})
    if delivery not in (Order.PICKUP, Order.POST):
        raise BadRequest("Delivery must be 'pickup' or a postal address.")
    address = address or Address()
    if delivery == Order.POST and address.problems():
        raise BadRequest(
            _("The address is incomplete: %(problems)s.")
            % {"problems": _("; ").join(address.problems())}
        )
    products = {slug: get_product(slug) for slug in quantities}
    prescriber = None
    acked: list[str] = []
    for slug, product in products.items():
        check = require_safe(product, buyer, acknowledged)
        prescriber = prescriber or check.prescriber
        acked += [c.key for c in check.cautions]
        seen = (prices_seen or {}).get(slug)
        if seen is not None and Decimal(seen) != product.price:
            raise PriceChanged(
                _(
                    "The price of %(product)s has changed from %(seen)s to %(price)s; "
                    "please check your cart and order again."
                )
                % {"product": product.name, "seen": seen, "price": product.price},
                product=slug,
                price=str(product.price),
            )
    with transaction.atomic():
        # Lines in a fixed order, so two orders for the same products cannot deadlock.
        for slug in sorted(quantities, key=lambda s: products[s].pk):
            taken = Product.objects.filter(
                pk=products[slug].pk, active=True, stock__gte=quantities[slug]
            ).update(stock=F("stock") - quantities[slug])
            if not taken:
                raise OutOfStock(
                    _("Sorry, there are not enough of %(product)s left.")
                    % {"product": products[slug].name},
                    product=slug,
                    available=Product.objects.get(pk=products[slug].pk).stock,
                )
        # Prices read again under the rows' write locks, so the order is what was charged.
        fresh = Product.objects.in_bulk([p.pk for p in products.values()])
        total = sum((fresh[p.pk].price * quantities[s] for s, p in products.items()), Decimal(0))
        tax = sum(
            (
                fresh[p.pk].price * quantities[s] * p.tax_rate / (100 + p.tax_rate)
                for s, p in products.items()
            ),
            Decimal(0),
        ).quantize(Decimal("0.01"))
        order = Order.objects.create(
            user=buyer.user,
            email=email or getattr(buyer.user, "email", "") or "",
            delivery=delivery,
            address_name=address.name.strip(),
            address_line=address.line.strip(),
            address_city=address.city.strip(),
            address_postcode=address.postcode.strip(),
            total=total,
            tax=tax,
            prescribed_by=prescriber,
            cautions_acknowledged=sorted(set(acked)),
            idempotency_key=idempotency_key if buyer.user is not None else None,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=p,
                name=p.name,
                quantity=quantities[s],
                unit_price=fresh[p.pk].price,
                tax_rate=p.tax_rate,
            )
            for s, p in products.items()
        )
        notify.after_commit(order, Order.PLACED)
    return order


def cancel_order(order: Order) -> bool:
    """Cancel a placed order and give its stock back; False when it was not placed (a second
    cancel, or paid: a paid order is refunded, not cancelled here)."""
    with transaction.atomic():
        changed = Order.objects.filter(pk=order.pk, state=Order.PLACED).update(
            state=Order.CANCELLED, cancelled_at=timezone.now()
        )
        if changed:
            for line in order.lines.filter(product__isnull=False):
                product_id = cast(int, line.product_id)  # not null: filtered so
                Product.objects.filter(pk=product_id).update(stock=F("stock") + line.quantity)
            notify.after_commit(order, Order.CANCELLED)
    order.refresh_from_db()
    return bool(changed)


LOW_STOCK = 5  # at or below this, a product is on the staff's low-stock list


def advance(order: Order, to: str) -> Order:
    """Staff move a paid order on (ready or posted, then collected or delivered); any other
    move is refused, and a second click on the same button changes nothing."""
    current = Order.objects.get(pk=order.pk)
    expected = next(
        (frm for (frm, how), nxt in Order.NEXT.items() if nxt == to and how == current.delivery),
        None,
    )
    if expected is None:
        raise BadRequest(
            f"An order for {current.get_delivery_display().lower()} cannot become '{to}'."
        )
    with transaction.atomic():
        changed = Order.objects.filter(pk=order.pk, state=expected).update(
            state=to, changed_at=timezone.now()
        )
        if changed:
            notify.after_commit(order, to)
    order.refresh_from_db()
    if not changed and order.state != to:
        raise BadRequest(
            f"This order is {order.get_state_display().lower()}; it cannot become '{to}' now."
        )
    return order


def release_abandoned(minutes: int | None = None) -> int:
    """Cancel orders left unpaid for longer than `minutes` (settings.ANMIAN_SHOP_HOLD_MINUTES
    when None), releasing their stock. Each is cancelled by one conditional UPDATE, so two
    workers running it at once cancel (and email) each order once."""
    if minutes is None:
        minutes = settings.ANMIAN_SHOP_HOLD_MINUTES
    cutoff = timezone.now() - timedelta(minutes=minutes)
    return sum(
        cancel_order(o) for o in Order.objects.filter(state=Order.PLACED, created__lt=cutoff)
    )


@dataclass(frozen=True)
class Notification:
    """A payment provider's word about an order, its signature already checked."""

    provider: str
    reference: str
    order_uid: str
    status: str  # "paid" or "failed"
    amount: Decimal


def record_payment(n: Notification) -> Order:
    """Apply a payment notification once: a replay finds its Payment row and changes nothing."""
    order = Order.objects.filter(uid=n.order_uid).first() if _is_uuid(n.order_uid) else None
    if order is None:
        raise UnknownOrder("There is no such order.")
    if not n.reference:
        raise BadRequest("The payment notification has no reference.")
    if n.status not in ("paid", "failed"):
        raise BadRequest("The status must be 'paid' or 'failed'.")
    try:
        with transaction.atomic():
            Payment.objects.create(
                order=order,
                provider=n.provider,
                reference=n.reference,
                status=n.status,
                amount=n.amount,
            )
            if n.status == "paid" and n.amount == order.total:
                paid = Order.objects.filter(pk=order.pk, state=Order.PLACED).update(
                    state=Order.PAID, paid_at=timezone.now()
                )
                if paid:
                    notify.after_commit(order, Order.PAID)
    except IntegrityError:  # the same notification again: it was applied the first time
        order.refresh_from_db()
        return order
    if n.status == "failed":
        cancel_order(order)
    order.refresh_from_db()
    return order


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def refund(
    order: Order, provider: Any, amount: Decimal | None = None, appointment: Any = None
) -> Order:
    """Pay back `amount` (the rest of the order when None) through the provider. A full
    refund ends the order as refunded; a partial one leaves its state. Stock is not put back:
    staff decide that when the goods come back. `appointment`: the cancelled session of a
    paid course this refund is for (shop/refunds.py)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.state not in Order.PAID_STATES:
            raise BadRequest(
                f"This order is {locked.get_state_display().lower()}; only a paid order can be refunded."
            )
        left = locked.total - locked.refunded
        amount = left if amount is None else Decimal(amount)
        if not Decimal("0.01") <= amount <= left:
            raise BadRequest(f"The refund must be between 0.01 and {left}.")
        Payment.objects.create(
            order=locked,
            provider=provider.name,
            reference=provider.refund(locked, amount),
            status="refunded",
            amount=amount,
            appointment=appointment,
        )
        if amount == left:
            Order.objects.filter(pk=order.pk).update(
                state=Order.REFUNDED, changed_at=timezone.now()
            )
        notify.after_commit(order, Order.REFUNDED if amount == left else "partial-refund")
    order.refresh_from_db()
    return order


# --- the cart (web): the same checks as an order, before anything is kept ---


def add_to_cart(
    request: Any, buyer: Buyer, slug: str, quantity: Any, acknowledged: list[str]
) -> ProductCheck:
    product = get_product(slug)
    n = parse_quantity(quantity)
    check = require_safe(product, buyer, acknowledged)
    if n > product.stock:
        raise OutOfStock(
            _("Sorry, only %(n)s of %(product)s left.")
            % {"n": product.stock, "product": product.name},
            product=slug,
            available=product.stock,
        )
    cart.put(request, product, n, sorted(set(acknowledged) & {c.key for c in check.cautions}))
    return check


def recheck_cart(request: Any, buyer: Buyer) -> tuple[list[cart.Line], list[str]]:
    """The cart as it may be shown: every line checked again against what is known of the
    person now. A line was safe when it was added, but a self-check or an assessment since
    (warfarin, a pregnancy) may rule it out: the shop never keeps what it would not sell, so
    such a line is taken out, and the notice returned for it names the item and why, so
    nothing leaves the cart unsaid. A line waiting only for the safety questions (nothing is
    known of the person any more) stays: nothing rules it out yet, and checkout asks first."""
    kept: list[cart.Line] = []
    notices: list[str] = []
    for line in cart.lines(request):
        check = check_product(line.product, buyer)
        if check.allowed or check.needs_questions:
            kept.append(line)
            continue
        cart.remove(request, line.product)
        notices.append(_removal_notice(check))
    return kept, notices


def _removal_notice(check: ProductCheck) -> str:
    notice = _("Taken out of your cart: %(why)s") % {"why": check.refusal()}
    alternative = check.alternative
    if alternative is not None:
        notice += " " + _("%(product)s may suit you instead.") % {"product": alternative.name}
    return notice


def contact_problems(buyer: Buyer, name: str, email: str) -> list[str]:
    """What is missing to reach the buyer about their order: a signed-in account with an
    email is enough; anyone else gives a name and an email."""
    account_email: str = getattr(buyer.user, "email", "") or ""
    if buyer.user is not None and account_email:
        return []
    problems = []
    if not name.strip():
        problems.append(_("Give your name, so the clinic knows whose order it is."))
    if not email.strip():
        problems.append(_("Give an email address, for the receipt and news of the order."))
    return problems


def checkout(
    request: Any, buyer: Buyer, delivery: str, address: Address | None, email: str = ""
) -> Order:
    """The cart as an order, every line checked again; the cart is emptied when it is placed.
    A price that changed since the person saw it is shown to them and asked again. An order
    needs a way to reach the buyer (`contact_problems`)."""
    missing = contact_problems(buyer, (address or Address()).name, email)
    if missing:
        raise BadRequest(" ".join(missing))
    lines = cart.lines(request)
    acked = sorted({k for line in lines for k in line.acknowledged})
    try:
        order = place_order(
            buyer,
            [(line.product.slug, line.quantity) for line in lines],
            delivery,
            address,
            acknowledged=acked,
            prices_seen={line.product.slug: line.price_seen for line in lines},
            email=email,
        )
    except PriceChanged:
        for line in lines:
            cart.put(request, line.product, line.quantity, line.acknowledged)
        raise
    cart.clear(request)
    return order


# --- tools for a plan ---


def plan_as_result(plan: Any) -> dict[str, Any]:
    """An adopted plan (records.Plan) in the shape of an engine result's plan, for `tools_for`:
    its points as the practitioner left them (pressed at home only where the knowledge base
    says a person can find them safely), the self-care advice of the assessment it came from."""
    kb = get_kb()
    advice = (plan.assessment.result or {}).get("plan") or {}
    points = [
        {"id": p, "code": kb.points[p].code, "mode": "both" if kb.points[p].self_care else "needle"}
        for p in plan.points
        if p in kb.points
    ]
    return {
        "plan": {"points": points}
        | {k: advice.get(k, []) for k in ("diet", "lifestyle", "topical")}
    }


def tools_for(
    result: dict[str, Any], buyer: Buyer, limit: int = 6
) -> list[tuple[Product, list[str]]]:
    """Products for the self-care of an engine result's plan, safe for the buyer, most
    relevant first: each with the plan's point codes and advice titles it serves."""
    plan = result.get("plan") or {}
    points = {p["id"]: p["code"] for p in plan.get("points", []) if p.get("mode") != "needle"}
    kb_advice = get_kb().advice
    advice = {
        a["id"]: in_page_language(a["title"], getattr(kb_advice.get(a["id"]), "zh_title", None))
        for k in ("diet", "lifestyle", "topical")
        for a in plan.get(k, [])
    }
    found = []
    for product in Product.objects.filter(active=True, stock__gt=0).exclude(kind="herbal"):
        serves = [points[p] for p in product.points if p in points] + [
            advice[a] for a in product.advice if a in advice
        ]
        if serves and check_product(product, buyer, alternatives=False).allowed:
            found.append((product, serves))
    found.sort(key=lambda row: (-len(row[1]), row[0].name))
    return found[:limit]
