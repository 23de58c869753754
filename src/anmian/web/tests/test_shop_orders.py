"""Orders: stock taken once and atomically, states, payments applied once, bad input refused
with nothing half-written. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from anmian.web.shop import services
from anmian.web.shop.models import Order, Payment, Product
from anmian.web.shop.payments import PROVIDER, BadSignature
from anmian.web.shop.testing import PEOPLE, catalogue, person


@pytest.fixture
def shop(db):
    return catalogue()


@pytest.fixture
def plain(db):
    return services.buyer_for(person("plain", **PEOPLE["plain"]).user)


def stock(slug: str) -> int:
    return Product.objects.get(slug=slug).stock


def test_an_order_takes_its_stock_and_totals_its_lines(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 2), ("calf-heat-wrap", 1)], "pickup")
    assert order.state == Order.PLACED
    assert order.total == Decimal("12.00") * 2 + Decimal("18.00")
    assert order.tax == (order.total * 20 / 120).quantize(Decimal("0.01"))
    assert stock("acupressure-probe") == 40 - 2
    assert stock("calf-heat-wrap") == 25 - 1
    assert {(ln.product.slug, ln.quantity) for ln in order.lines.all()} == {
        ("acupressure-probe", 2),
        ("calf-heat-wrap", 1),
    }


def test_the_last_item_is_sold_once(shop, plain):
    Product.objects.filter(slug="calf-heat-wrap").update(stock=1)
    services.place_order(plain, [("calf-heat-wrap", 1)], "pickup")
    with pytest.raises(services.OutOfStock) as refused:
        services.place_order(plain, [("calf-heat-wrap", 1)], "pickup")
    assert refused.value.status == 409
    assert stock("calf-heat-wrap") == 0
    assert Order.objects.count() == 1


def test_an_order_short_of_one_line_takes_no_stock_at_all(shop, plain):
    Product.objects.filter(slug="calf-heat-wrap").update(stock=1)
    with pytest.raises(services.OutOfStock):
        services.place_order(plain, [("acupressure-probe", 3), ("calf-heat-wrap", 2)], "pickup")
    assert stock("acupressure-probe") == 40
    assert stock("calf-heat-wrap") == 1
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_never_sell_more_than_the_stock():
    shop = catalogue()
    Product.objects.filter(slug="calf-heat-wrap").update(stock=5)
    buyer = services.buyer_for(person("racer", age=40).user)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            services.place_order(buyer, [("calf-heat-wrap", 1)], "pickup")
            result = "ok"
        except services.OutOfStock:
            result = "out"
        except Exception as exc:  # a database error would be a bug: record it, fail below
            result = f"error: {exc!r}"
        finally:
            connection.close()  # each thread has its own connection; close it here
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) == ["ok", "out"], outcomes
    assert outcomes.count("ok") == 5
    assert stock("calf-heat-wrap") == 0
    assert Order.objects.count() == 5
    assert shop  # the catalogue was loaded in this transaction-less test


@pytest.mark.parametrize("qty", [0, -1, 21, 10**9, "two", None, 1.5])
def test_it_refuses_quantities_out_of_range_with_a_message(shop, plain, qty):
    with pytest.raises(services.BadRequest) as refused:
        services.place_order(plain, [("acupressure-probe", qty)], "pickup")
    assert "quantity" in refused.value.message
    assert stock("acupressure-probe") == 40
    assert not Order.objects.exists()


def test_it_refuses_an_unknown_product(shop, plain):
    with pytest.raises(services.BadRequest) as refused:
        services.place_order(plain, [("no-such-thing", 1)], "pickup")
    assert "no-such-thing" in refused.value.message


def test_it_refuses_a_postal_order_without_a_postcode(shop, plain):
    address = services.Address("Mei Lin", "1 High Street", "Oxford", "")
    with pytest.raises(services.BadRequest) as refused:
        services.place_order(plain, [("acupressure-probe", 1)], "post", address)
    assert "postcode" in refused.value.message
    assert stock("acupressure-probe") == 40


def test_a_postal_order_keeps_its_address(shop, plain):
    address = services.Address("Mei Lin", "1 High Street", "Oxford", "OX1 1AA")
    order = services.place_order(plain, [("acupressure-probe", 1)], "post", address)
    assert (order.delivery, order.address_postcode) == ("post", "OX1 1AA")


def test_a_price_changed_since_the_cart_is_told_and_not_charged(shop, plain):
    Product.objects.filter(slug="acupressure-probe").update(price=Decimal("15.00"))
    with pytest.raises(services.PriceChanged) as refused:
        services.place_order(
            plain,
            [("acupressure-probe", 1)],
            "pickup",
            prices_seen={"acupressure-probe": Decimal("12.00")},
        )
    assert "15.00" in refused.value.message
    assert stock("acupressure-probe") == 40


def test_an_unsafe_product_is_refused_at_order_time_and_nothing_is_written(shop):
    b = services.buyer_for(person("w", **PEOPLE["on-warfarin"]).user)
    with pytest.raises(services.NotSafe) as refused:
        services.place_order(b, [("acupressure-probe", 1), ("muscle-ease-stick", 1)], "pickup")
    assert refused.value.status == 422
    assert refused.value.extra["alternative"] == "calm-evening-stick"
    assert stock("acupressure-probe") == 40
    assert not Order.objects.exists()


def test_cancelling_gives_the_stock_back_once(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 3)], "pickup")
    assert services.cancel_order(order) is True
    assert services.cancel_order(order) is False
    assert order.state == Order.CANCELLED
    assert stock("acupressure-probe") == 40


def test_an_abandoned_order_is_released_after_the_hold(shop, plain):
    import time_machine

    with time_machine.travel("2026-12-01 10:00 +0000", tick=False):
        services.place_order(plain, [("acupressure-probe", 3)], "pickup")
    with time_machine.travel("2026-12-01 10:20 +0000", tick=False):
        assert services.release_abandoned(30) == 0
    with time_machine.travel("2026-12-01 10:31 +0000", tick=False):
        assert services.release_abandoned(30) == 1
    assert stock("acupressure-probe") == 40


# --- payments ---


def test_a_paid_notification_marks_the_order_paid(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 1)], "pickup")
    services.record_payment(PROVIDER.notification(PROVIDER.callback_data(order, "paid")))
    order.refresh_from_db()
    assert order.state == Order.PAID and order.paid_at is not None


def test_a_replayed_notification_records_one_payment(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 1)], "pickup")
    data = PROVIDER.callback_data(order, "paid")
    for _ in range(3):
        services.record_payment(PROVIDER.notification(data))
    assert Payment.objects.filter(order=order).count() == 1


def test_a_failed_payment_cancels_and_releases_the_stock(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 2)], "pickup")
    services.record_payment(PROVIDER.notification(PROVIDER.callback_data(order, "failed")))
    order.refresh_from_db()
    assert order.state == Order.CANCELLED
    assert stock("acupressure-probe") == 40


def test_a_notification_with_a_wrong_signature_changes_nothing(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 1)], "pickup")
    data = PROVIDER.callback_data(order, "paid") | {"amount": "0.01"}
    with pytest.raises(BadSignature):
        PROVIDER.notification(data)
    order.refresh_from_db()
    assert order.state == Order.PLACED and not Payment.objects.exists()


def test_a_notification_for_an_unknown_order_is_refused(shop, plain):
    order = services.place_order(plain, [("acupressure-probe", 1)], "pickup")
    data = PROVIDER.callback_data(order, "paid")
    order.uid = "00000000-0000-4000-8000-000000000000"
    forged = PROVIDER.callback_data(order, "paid") | {"reference": data["reference"]}
    forged["signature"] = PROVIDER.sign(
        forged["order"], forged["reference"], forged["status"], forged["amount"]
    )
    with pytest.raises(services.UnknownOrder):
        services.record_payment(PROVIDER.notification(forged))
    assert not Payment.objects.exists()


def test_an_order_of_prescribed_granules_names_the_prescriber(shop, bob):
    from anmian.web.records.models import Plan

    p = person("planned", clinic=bob.clinic, age=50)
    Plan.objects.create(
        patient=p, assessment=p.assessments.first(), adopted_by=bob, formula="suan-zao-ren-tang"
    )
    buyer = services.buyer_for(p.user)
    cautions = services.check_product(shop["suan-zao-ren-granules"], buyer).cautions
    order = services.place_order(
        buyer, [("suan-zao-ren-granules", 1)], "pickup", acknowledged=[c.key for c in cautions]
    )
    assert order.prescribed_by == bob


def test_a_product_naming_an_unknown_oil_cannot_be_saved_by_staff(shop):
    from django.core.exceptions import ValidationError

    product = shop["calm-evening-stick"]
    product.oils = ["lavender-oil", "unicorn-oil"]
    with pytest.raises(ValidationError) as refused:
        product.full_clean()
    assert "unicorn-oil" in str(refused.value)


def test_the_demo_clinic_loads_a_catalogue_of_every_kind_once(db):
    import io

    from django.core.management import call_command

    from anmian.web.shop.models import KINDS

    for _ in range(2):
        call_command("load_demo_clinic", stdout=io.StringIO())
    assert Product.objects.count() >= 15
    assert set(Product.objects.values_list("kind", flat=True)) == {k for k, _ in KINDS}
    for product in Product.objects.all():
        product.full_clean()  # every knowledge-base id it names exists
