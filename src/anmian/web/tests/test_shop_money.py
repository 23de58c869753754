"""Prices in the clinic's currency (ANMIAN_CURRENCY, GBP by default), written as the reader's
language writes money (CLDR: "£1,234.50" in British English, "¥12.00" for yuan in Simplified
Chinese), and a currency setting that is not a code stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from anmian.web.shop.money import format_money


@pytest.mark.parametrize(
    ("code", "lang", "amount", "written"),
    [
        ("GBP", "en-gb", "1234.5", "£1,234.50"),
        ("GBP", "en-gb", "0", "£0.00"),
        ("EUR", "en-gb", "12", "€12.00"),
        ("USD", "en-gb", "12", "US$12.00"),
        ("CNY", "en-gb", "12", "CN¥12.00"),
        ("CNY", "zh-hans", "12", "¥12.00"),
        ("JPY", "en-gb", "1500", "JP¥1,500"),  # the yen has no minor unit
        ("SEK", "en-gb", "12", "SEK\u00a012.00"),  # an unknown sign: the code, as CLDR does
        ("GBP", "en-gb", "-5", "-£5.00"),
    ],
)
def test_it_writes_an_amount_in_the_clinics_currency(code, lang, amount, written):
    with override_settings(ANMIAN_CURRENCY=code), translation.override(lang):
        assert format_money(Decimal(amount)) == written


def test_the_default_currency_is_pounds(settings):
    assert settings.ANMIAN_CURRENCY == "GBP"


def test_a_product_page_shows_the_price_in_the_configured_currency(client, db):
    from anmian.web.shop.testing import catalogue

    probe = catalogue()["acupressure-probe"]
    with override_settings(ANMIAN_CURRENCY="EUR"):
        page = client.get(probe.get_absolute_url()).content.decode()
    assert f"€{probe.price}" in page and "£" not in page.split("<main", 1)[-1]


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", "import anmian.web.settings"],
        env=clean | {"DEBUG": "true"} | env,
        capture_output=True,
        text=True,
    )


def test_it_refuses_to_start_with_a_currency_that_is_not_a_code():
    result = _start({"ANMIAN_CURRENCY": "pounds"})
    assert result.returncode != 0
    assert "ANMIAN_CURRENCY='POUNDS' is not a currency code" in result.stderr
