"""The shop's JSON API: the same safety check as the site, answered as the issue asks
(201 with the order, 409 when stock runs out, 422 with the reason when not safe)."""

from __future__ import annotations

import pytest

from anmian.web.records.models import ApiToken
from anmian.web.shop.models import Order, Product
from anmian.web.shop.testing import PEOPLE, catalogue, person


@pytest.fixture
def shop(db):
    return catalogue()


def bearer(name: str) -> dict[str, str]:
    user = person(name, **PEOPLE[name]).user
    return {"Authorization": f"Bearer {ApiToken.issue(user)}"}


def order(client, headers, items, delivery="pickup", **extra):
    return client.post(
        "/api/v1/shop/orders",
        {"items": items, "delivery": delivery, **extra},
        content_type="application/json",
        headers=headers,
    )


def test_anyone_can_list_the_products_without_a_verdict(client, shop):
    body = client.get("/api/v1/shop/products").json()
    assert {p["slug"] for p in body} == set(shop)
    assert all(p["safe_for_me"] is None for p in body)


def test_a_person_on_warfarin_sees_which_products_are_not_safe_and_why(client, shop):
    body = client.get("/api/v1/shop/products", headers=bearer("on-warfarin")).json()
    stick = next(p for p in body if p["slug"] == "muscle-ease-stick")
    assert stick["safe_for_me"] is False
    assert any("blood thinner" in r["text"] for r in stick["reasons"])
    assert stick["alternative"] == "calm-evening-stick"
    probe = next(p for p in body if p["slug"] == "acupressure-probe")
    assert probe["safe_for_me"] is True


def test_an_order_is_created_with_201_and_a_payment_link(client, shop):
    r = order(client, bearer("plain"), [{"product": "acupressure-probe", "quantity": 2}])
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "placed" and body["total"] == "24.00"
    assert body["payment_url"].endswith(f"/shop/orders/{body['uid']}/pay/")
    assert Product.objects.get(slug="acupressure-probe").stock == 38


def test_an_order_for_more_than_the_stock_is_a_409(client, shop):
    Product.objects.filter(slug="calf-heat-wrap").update(stock=1)
    r = order(client, bearer("plain"), [{"product": "calf-heat-wrap", "quantity": 2}])
    assert r.status_code == 409
    assert r.json()["available"] == 1
    assert not Order.objects.exists()


def test_an_unsafe_order_is_a_422_with_the_reason_and_the_alternative(client, shop):
    r = order(client, bearer("on-warfarin"), [{"product": "muscle-ease-stick", "quantity": 1}])
    assert r.status_code == 422
    body = r.json()
    assert "blood thinner" in body["error"]
    assert body["alternative"] == "calm-evening-stick"
    assert not Order.objects.exists()


def test_cautions_are_acknowledged_by_their_keys(client, shop):
    headers = bearer("plain")
    r = order(client, headers, [{"product": "sunlit-calm-stick", "quantity": 1}])
    assert r.status_code == 422
    keys = [c["key"] for c in r.json()["cautions"]]
    r = order(client, headers, [{"product": "sunlit-calm-stick", "quantity": 1}], acknowledged=keys)
    assert r.status_code == 201


def test_a_postal_order_needs_the_whole_address(client, shop):
    address = {"name": "Mei", "line": "1 High St", "city": "Oxford", "postcode": ""}
    r = order(
        client,
        bearer("plain"),
        [{"product": "acupressure-probe", "quantity": 1}],
        delivery={"address": address},
    )
    assert r.status_code == 422 and "postcode" in r.json()["error"]


@pytest.mark.parametrize("qty", [0, -3, 1000])
def test_bad_quantities_are_refused_with_a_message(client, shop, qty):
    r = order(client, bearer("plain"), [{"product": "acupressure-probe", "quantity": qty}])
    assert r.status_code == 422 and "quantity" in r.json()["error"]


def test_ordering_needs_a_login(client, shop):
    r = order(client, {}, [{"product": "acupressure-probe", "quantity": 1}])
    assert r.status_code == 401


def test_an_order_is_seen_only_by_its_buyer(client, shop):
    headers = bearer("plain")
    uid = order(client, headers, [{"product": "acupressure-probe", "quantity": 1}]).json()["uid"]
    assert client.get(f"/api/v1/shop/orders/{uid}", headers=headers).json()["uid"] == uid
    other = client.get(f"/api/v1/shop/orders/{uid}", headers=bearer("pregnant"))
    assert other.status_code == 404


def test_the_shop_is_in_the_openapi_document(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/shop/products", "/api/v1/shop/orders", "/api/v1/shop/orders/{uid}"} <= set(
        paths
    )


def test_a_retried_order_with_the_same_idempotency_key_places_one_order(client, shop):
    headers = bearer("plain") | {"Idempotency-Key": "retry-1"}
    items = [{"product": "acupressure-probe", "quantity": 2}]
    first = order(client, headers, items).json()["uid"]
    again = order(client, headers, items)
    assert again.status_code == 201 and again.json()["uid"] == first
    assert Order.objects.count() == 1
    assert Product.objects.get(slug="acupressure-probe").stock == 38
    headers["Idempotency-Key"] = "retry-2"
    assert order(client, headers, items).json()["uid"] != first


def test_an_idempotency_key_that_is_too_long_is_refused(client, shop):
    headers = bearer("plain") | {"Idempotency-Key": "k" * 101}
    r = order(client, headers, [{"product": "acupressure-probe", "quantity": 1}])
    assert r.status_code == 400 and "Idempotency-Key" in r.json()["error"]


def test_an_order_at_a_price_the_person_was_not_shown_is_a_409(client, shop):
    Product.objects.filter(slug="acupressure-probe").update(price="13.00")
    items = [{"product": "acupressure-probe", "quantity": 1, "price": "12.00"}]
    r = order(client, bearer("plain"), items)
    assert r.status_code == 409 and "13.00" in r.json()["error"]
    assert not Order.objects.exists()
