"""Shop figures: for each page and API call of the shop, the median time of repeated calls and
the number of database queries one call takes, with the demo catalogue (16 products) loaded.
The queries must not grow with the catalogue: compare the rows with 16 and with 160 products.

Run: .venv/bin/python bench/shop.py   SQLite in a temporary folder unless DATABASE_URL names
another database (e.g. postgres://postgres@127.0.0.1:5432/bench, created by the run: its
tables are made by migrate). Prints figures; asserts nothing but the status of each call.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("ANMIAN_DATA_DIR", tempfile.mkdtemp(prefix="anmian-bench-shop-"))
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("SECURE_TLS", "false")
os.environ["DJANGO_SETTINGS_MODULE"] = "anmian.web.settings"
os.environ["ALLOWED_HOSTS"] = "testserver"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from anmian.engine import assess, parse_input  # noqa: E402
from anmian.knowledge import get_kb  # noqa: E402
from anmian.web.records.models import ApiToken, Clinic, Plan, Practitioner  # noqa: E402
from anmian.web.shop.models import Product  # noqa: E402
from anmian.web.shop.testing import catalogue, person  # noqa: E402

FINDINGS = ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin", "palpitations"]
FORM = "application/x-www-form-urlencoded"


def measure(client: Client, method: str, url: str, runs: int, expect: int, **kw) -> tuple:
    call = getattr(client, method)
    call(url, **kw)  # warm caches
    times, queries, status = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = call(url, **kw)
            times.append((time.perf_counter() - t) * 1000)
        queries, status = len(ctx.captured_queries), response.status_code
        assert status == expect, (url, status, response.content[:300])
    return statistics.median(times), queries, status


def more_products(n: int) -> None:
    """Copies of the demo catalogue, so the catalogue holds n products in all."""
    demo = list(Product.objects.filter(slug__in=catalogue()).order_by("pk"))
    copies = []
    for i in range(n - len(demo)):
        p = demo[i % len(demo)]
        copies.append(
            Product(
                **{
                    f.name: getattr(p, f.name)
                    for f in Product._meta.concrete_fields
                    if f.name not in ("id", "slug")
                },
                slug=f"{p.slug}-{i}",
            )
        )
    Product.objects.bulk_create(copies)


def world():
    clinic = Clinic.objects.create(name="Bench clinic", time_zone="Europe/London")
    patient = person("buyer", clinic=clinic, age=52, medications=["warfarin 5mg"])
    prac_user = person("prac", clinic=clinic).user
    prac = Practitioner.objects.create(user=prac_user, clinic=clinic, display_name="P")
    assessment = patient.assessments.get()
    assessment.result = assess(parse_input({"findings": FINDINGS, "age": 52}), get_kb()).to_dict()
    assessment.save()
    points = [p["id"] for p in assessment.result["plan"]["points"]]
    Plan.objects.create(patient=patient, assessment=assessment, adopted_by=prac, points=points)
    client = Client()
    client.force_login(patient.user)
    return client, patient


def rows(client: Client, token: str) -> list[tuple]:
    auth = {"headers": {"Authorization": f"Bearer {token}"}}
    client.post("/shop/p/acupressure-probe/add/", {"quantity": "1"})
    client.post("/shop/p/calf-heat-wrap/add/", {"quantity": "1"})
    order_body = json.dumps(
        {"items": [{"product": "acupressure-probe", "quantity": 1}], "delivery": "pickup"}
    )
    placed = client.post("/api/v1/shop/orders", order_body, content_type="application/json", **auth)
    uid = placed.json()["uid"]
    return [
        ("catalogue", "get", "/shop/", 20, 200, {}),
        ("product page (body chart)", "get", "/shop/p/acupressure-probe/", 20, 200, {}),
        ("cart, 2 lines", "get", "/shop/cart/", 20, 200, {}),
        ("checkout form", "get", "/shop/checkout/", 20, 200, {}),
        ("my page, tools for the plan", "get", "/accounts/mine/", 10, 200, {}),
        ("my orders", "get", "/shop/orders/", 20, 200, {}),
        ("API products (safe_for_me)", "get", "/api/v1/shop/products", 20, 200, auth),
        ("API one order", "get", f"/api/v1/shop/orders/{uid}", 20, 200, auth),
        (
            "API place an order",
            "post",
            "/api/v1/shop/orders",
            20,
            201,
            {"data": order_body, "content_type": "application/json"} | auth,
        ),
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    vendor = connection.vendor
    print(f"{vendor}, in-process (Django test client), median of repeated calls")
    client, patient = world()
    token = ApiToken.issue(patient.user)
    for size in (16, 160):
        if size > Product.objects.count():
            more_products(size)
        Product.objects.update(stock=100_000)  # the placing rows take stock each run
        for label, method, url, runs, expect, kw in rows(client, token):
            ms, queries, _ = measure(client, method, url, runs, expect, **kw)
            print(f"{size:4d} products  {label:30} {ms:8.1f} ms   {queries:3d} queries")


if __name__ == "__main__":
    main()
