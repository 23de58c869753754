"""Order emails: one receipt for every change of state, sent after the change commits."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from anmian.web.accounts.language import language_of
from anmian.web.shop.models import Order

SUBJECTS = {
    Order.PLACED: _("Your order is placed"),
    Order.PAID: _("Payment received: your receipt"),
    Order.READY: _("Your order is ready to collect"),
    Order.SHIPPED: _("Your order is on its way"),
    Order.COLLECTED: _("Your order was collected"),
    Order.DELIVERED: _("Your order was delivered"),
    Order.CANCELLED: _("Your order is cancelled"),
    Order.REFUNDED: _("Your refund"),
    "partial-refund": _("A part of your order is refunded"),
}


def send(order_pk: int, state: str) -> None:
    """Mail the receipt for the change to `state` (the state it changed to, not the one it
    may have reached by the time the mail goes)."""
    order = Order.objects.get(pk=order_pk)
    if not order.email:
        return
    if state in dict(Order.STATES):
        order.state = state
    context = {"o": order, "lines": list(order.lines.all()), "site": settings.ANMIAN_SITE_URL}
    # In the buyer's saved language (the staff member who moves the order on may read
    # another); for a visitor without an account, the language of the request that sends it.
    with translation.override(_language(order)):
        text = render_to_string("shop/email.txt", context)
        html = render_to_string("shop/email.html", context)
        subject = str(SUBJECTS[state])
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email])
    message.attach_alternative(html, "text/html")
    message.send()


def _language(order: Order) -> str:
    if order.user_id is not None:
        return language_of(order.user)
    return translation.get_language() or settings.LANGUAGE_CODE


def after_commit(order: Order, state: str) -> None:
    """Mail once the change is committed; a change that rolled back mails nothing, and a mail
    server that fails then is logged rather than undoing the change."""
    transaction.on_commit(partial(send, order.pk, state), robust=True)
