"""An unpaid order keeps its stock for ANMIAN_SHOP_HOLD_MINUTES (issue 14: "released when ...
abandoned (time limit from settings)"), then the worker's every-minute schedule cancels it and
puts its stock back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import time_machine

from anmian.web.jobs import tasks
from anmian.web.shop import services
from anmian.web.shop.models import Order, Product
from anmian.web.shop.testing import PEOPLE, catalogue, person

PLACED_AT = "2026-12-01 10:00 +0000"


@pytest.fixture
def placed(db):
    catalogue()
    buyer = services.buyer_for(person("p", **PEOPLE["plain"]).user)
    with time_machine.travel(PLACED_AT, tick=False):
        return services.place_order(buyer, [("acupressure-probe", 3)], "pickup")


def stock() -> int:
    return Product.objects.get(slug="acupressure-probe").stock


def test_the_hold_is_thirty_minutes_unless_set(settings):
    assert settings.ANMIAN_SHOP_HOLD_MINUTES == 30


def test_the_schedule_keeps_an_order_within_the_hold(placed, settings):
    settings.ANMIAN_SHOP_HOLD_MINUTES = 10
    with time_machine.travel("2026-12-01 10:09 +0000", tick=False):
        tasks.run_schedule.call_local()
    placed.refresh_from_db()
    assert placed.state == Order.PLACED and stock() == 37


def test_the_schedule_releases_an_order_past_the_hold_from_settings(placed, settings):
    settings.ANMIAN_SHOP_HOLD_MINUTES = 10
    with time_machine.travel("2026-12-01 10:11 +0000", tick=False):
        tasks.run_schedule.call_local()
        tasks.run_schedule.call_local()  # the next minute: nothing is given back twice
    placed.refresh_from_db()
    assert placed.state == Order.CANCELLED and stock() == 40


def test_a_paid_order_is_never_released(placed, settings):
    Order.objects.filter(pk=placed.pk).update(state=Order.PAID)
    with time_machine.travel("2026-12-02 10:00 +0000", tick=False):
        assert services.release_abandoned() == 0
    assert stock() == 37


def test_it_refuses_to_start_with_a_hold_under_a_minute():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "import anmian.web.settings"],
        env=clean | {"DEBUG": "true", "ANMIAN_SHOP_HOLD_MINUTES": "0"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ANMIAN_SHOP_HOLD_MINUTES=0 must be at least 1" in result.stderr
