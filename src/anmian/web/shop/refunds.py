"""Refunds of cancelled sessions of a course paid for in one order.

The clinic's policy, as every booking page states it (booking/_policy.html) and the cancel
page adds for a paid session: a session cancelled at least ANMIAN_CHANGE_NOTICE_HOURS before
its start, or cancelled by the clinic at any time, is refunded its share of the order (the
price paid for that session, never more than is left to refund); a session the patient asks
to cancel later than that is not refunded. The person reads which applies before confirming.

Booking calls `SessionRefunds` through its cancel hook (booking.services.add_cancel_hook,
registered in ShopConfig.ready), so booking never imports the shop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from anmian.web.booking.errors import BookingError
from anmian.web.shop import services
from anmian.web.shop.models import Order, OrderLine
from anmian.web.shop.money import format_money
from anmian.web.shop.payments import PROVIDER


def refund_due(start: datetime, *, by_clinic: bool, now: datetime) -> bool:
    """The policy: the clinic's own cancellation always refunds; the patient's only with the
    notice the clinic asks for."""
    notice = timedelta(hours=settings.ANMIAN_CHANGE_NOTICE_HOURS)
    return by_clinic or start - now >= notice


@dataclass(frozen=True)
class SessionRefund:
    order: Order
    amount: Decimal  # what cancelling now pays back (0 when the policy gives nothing)
    due: bool

    def note(self) -> str:
        hours = settings.ANMIAN_CHANGE_NOTICE_HOURS
        if not self.due:
            return (
                f"This session was paid for online ({self.order}). It starts in less than "
                f"{hours} hours, so by the clinic's cancellation policy cancelling it now "
                "refunds nothing."
            )
        return (
            f"This session was paid for online ({self.order}): cancelling it refunds "
            f"{format_money(self.amount)} to the card it was paid with, and a receipt is "
            "emailed."
        )


def _paid_line(appointment: Any) -> OrderLine | None:
    return (
        OrderLine.objects.filter(appointments=appointment, order__state__in=Order.PAID_STATES)
        .select_related("order")
        .first()
    )


def preview(appointment: Any, *, by_clinic: bool, now: datetime) -> SessionRefund | None:
    """What cancelling this session would pay back; None when no paid order covers it."""
    line = _paid_line(appointment)
    if line is None:
        return None
    order = line.order
    already = order.payments.filter(appointment=appointment, status="refunded").exists()
    left = order.total - order.refunded
    due = refund_due(appointment.start, by_clinic=by_clinic, now=now) and not already
    amount = min(line.unit_price, left) if due else Decimal("0.00")
    return SessionRefund(order, amount, due and amount > 0)


class SessionRefunds:
    """Booking's cancel hook: the note before confirming, and the refund once cancelled."""

    def note(self, appointment: Any, *, by_clinic: bool, now: datetime) -> str | None:
        found = preview(appointment, by_clinic=by_clinic, now=now)
        if found is not None:
            return found.note()
        if _open_order(appointment) is not None:
            return (
                "The unpaid order for this course will be cancelled; the course page makes a "
                "new bill for the sessions still booked."
            )
        return None

    def cancelled(self, appointment: Any, *, by_clinic: bool, now: datetime) -> None:
        """Runs inside booking's transaction: a refund the provider refuses undoes the
        cancellation, so a session is never cancelled with its money kept by mistake."""
        placed = _open_order(appointment)
        if placed is not None:
            services.cancel_order(placed)  # its total counted this session
        found = preview(appointment, by_clinic=by_clinic, now=now)
        if found is None or not found.due:
            return
        try:
            services.refund(found.order, PROVIDER, found.amount, appointment=appointment)
        except services.ShopError as exc:
            raise BookingError(exc.message, "refund-failed", exc.status) from None


def _open_order(appointment: Any) -> Order | None:
    line = (
        OrderLine.objects.filter(appointments=appointment, order__state=Order.PLACED)
        .select_related("order")
        .first()
    )
    return line.order if line is not None else None
