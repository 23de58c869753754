"""The shop's pages and API take as many queries with a big catalogue as with the demo one:
no query per product (bench/shop.py prints the figures)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anmian.web.records.models import ApiToken
from anmian.web.shop.models import Product
from anmian.web.shop.testing import PEOPLE, catalogue, person


def grow(n: int) -> None:
    demo = list(Product.objects.order_by("pk"))
    fields = [f.name for f in Product._meta.concrete_fields if f.name not in ("id", "slug")]
    Product.objects.bulk_create(
        Product(**{f: getattr(p, f) for f in fields}, slug=f"{p.slug}-{i}")
        for i, p in enumerate(demo[i % len(demo)] for i in range(n))
    )


def count(client, url: str, **kw) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kw).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/shop/products", "/shop/"])
def test_the_catalogue_for_a_person_on_warfarin_takes_the_same_queries_when_it_grows(
    client, db, url
):
    # On warfarin, every wintergreen product is refused and an alternative looked for.
    catalogue()
    user = person("w", **PEOPLE["on-warfarin"]).user
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    client.force_login(user)
    count(client, url, headers=headers)  # the first call of a token also notes its use
    small = count(client, url, headers=headers)
    grow(100)
    assert count(client, url, headers=headers) == small
