"""Staff move orders on (ready, posted, collected, delivered), print packing slips and see
what runs low; every change of state emails the buyer a receipt."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from anmian.web.shop import services
from anmian.web.shop.models import Order, Product
from anmian.web.shop.payments import PROVIDER
from anmian.web.shop.testing import catalogue, person


@pytest.fixture
def shop(db):
    return catalogue()


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_user("till@clinic.example", "till@clinic.example")
    user.user_permissions.add(Permission.objects.get(codename="change_order"))
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def paid_order(delivery="pickup", address=None, capture=None) -> Order:
    buyer = services.buyer_for(person("buyer", age=40).user)
    order = services.place_order(buyer, [("acupressure-probe", 1)], delivery, address)
    return services.record_payment(PROVIDER.notification(PROVIDER.callback_data(order, "paid")))


def test_staff_mark_a_pickup_order_ready_then_collected(staff_client, shop):
    order = paid_order()
    url = f"/shop/staff/orders/{order.uid}/"
    assert staff_client.post(url, {"to": "ready"}).status_code == 302
    assert staff_client.post(url, {"to": "collected"}).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.COLLECTED


def test_a_pickup_order_cannot_be_posted(staff_client, shop):
    order = paid_order()
    r = staff_client.post(f"/shop/staff/orders/{order.uid}/", {"to": "shipped"})
    assert r.status_code == 422 and "cannot become" in r.content.decode()
    order.refresh_from_db()
    assert order.state == Order.PAID


def test_an_unpaid_order_cannot_be_marked_ready(staff_client, shop):
    buyer = services.buyer_for(person("slow", age=40).user)
    order = services.place_order(buyer, [("acupressure-probe", 1)], "pickup")
    r = staff_client.post(f"/shop/staff/orders/{order.uid}/", {"to": "ready"})
    assert r.status_code == 422
    order.refresh_from_db()
    assert order.state == Order.PLACED


def test_a_postal_order_is_posted_then_delivered_and_its_slip_has_the_address(staff_client, shop):
    address = services.Address("Mei Lin", "1 High Street", "Oxford", "OX1 1AA")
    order = paid_order("post", address)
    slip = staff_client.get(f"/shop/staff/orders/{order.uid}/slip/").content.decode()
    assert "OX1 1AA" in slip and "Steel acupressure probe" in slip
    staff_client.post(f"/shop/staff/orders/{order.uid}/", {"to": "shipped"})
    staff_client.post(f"/shop/staff/orders/{order.uid}/", {"to": "delivered"})
    order.refresh_from_db()
    assert order.state == Order.DELIVERED


def test_the_orders_page_filters_by_state_and_lists_low_stock(staff_client, shop):
    paid_order()
    Product.objects.filter(slug="calf-heat-wrap").update(stock=2)
    page = staff_client.get("/shop/staff/orders/?state=paid").content.decode()
    assert "Mark ready" in page
    assert "Calf heat wrap: 2 left" in page
    assert "Mark ready" not in staff_client.get("/shop/staff/orders/?state=placed").content.decode()


def test_the_staff_pages_are_not_for_patients(client, shop):
    order = paid_order()
    patient = person("nosy", age=30)
    client.force_login(patient.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/shop/staff/orders/").status_code == 403
    assert client.post(f"/shop/staff/orders/{order.uid}/", {"to": "ready"}).status_code == 403
    order.refresh_from_db()
    assert order.state == Order.PAID


def test_each_change_of_state_emails_a_receipt(
    shop, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order()
        services.advance(order, Order.READY)
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [
        "Your order is placed",
        "Payment received: your receipt",
        "Your order is ready to collect",
    ]
    receipt = mailoutbox[1]
    assert receipt.to == ["buyer@shop.example"]
    assert "1 x Steel acupressure probe at £12.00" in receipt.body
    assert "£12.00" in receipt.alternatives[0][0]


def test_a_replayed_payment_sends_no_second_receipt(
    shop, mailoutbox, django_capture_on_commit_callbacks
):
    buyer = services.buyer_for(person("twice", age=40).user)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.place_order(buyer, [("acupressure-probe", 1)], "pickup")
        data = PROVIDER.callback_data(order, "paid")
        services.record_payment(PROVIDER.notification(data))
        services.record_payment(PROVIDER.notification(data))
    assert [m.subject for m in mailoutbox].count("Payment received: your receipt") == 1


def test_a_full_refund_goes_through_the_provider_and_ends_the_order(
    shop, mailoutbox, django_capture_on_commit_callbacks
):
    order = paid_order()
    with django_capture_on_commit_callbacks(execute=True):
        services.refund(order, PROVIDER)
    assert order.state == Order.REFUNDED
    assert order.refunded == order.total
    assert [m.subject for m in mailoutbox] == ["Your refund"]


def test_a_partial_refund_keeps_the_order_and_refunds_no_more_than_was_paid(staff_client, shop):
    order = paid_order()
    url = f"/shop/staff/orders/{order.uid}/"
    assert staff_client.post(url, {"to": "refunded", "amount": "5.00"}).status_code == 302
    order.refresh_from_db()
    assert order.state == Order.PAID and order.refunded == 5
    r = staff_client.post(url, {"to": "refunded", "amount": "7.01"})
    assert r.status_code == 422 and "between 0.01 and 7.00" in r.content.decode()
    assert staff_client.post(url, {"to": "refunded", "amount": "lots"}).status_code == 422
    assert order.refunded == 5


def test_an_unpaid_order_cannot_be_refunded(shop):
    buyer = services.buyer_for(person("unpaid", age=40).user)
    order = services.place_order(buyer, [("acupressure-probe", 1)], "pickup")
    with pytest.raises(services.BadRequest):
        services.refund(order, PROVIDER)


def test_the_release_command_frees_the_stock_of_unpaid_orders(shop):
    import time_machine
    from django.core.management import call_command

    buyer = services.buyer_for(person("idle", age=40).user)
    with time_machine.travel("2026-12-01 09:00 +0000", tick=False):
        services.place_order(buyer, [("acupressure-probe", 4)], "pickup")
    with time_machine.travel("2026-12-01 10:00 +0000", tick=False):
        out = io.StringIO()
        call_command("release_abandoned_orders", "--minutes", "30", stdout=out)
    assert "Released 1" in out.getvalue()
    assert Product.objects.get(slug="acupressure-probe").stock == 40
    assert Order.objects.get().state == Order.CANCELLED
