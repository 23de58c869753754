"""Tools for this plan: the products for a plan's self-acupressure points and self-care
advice, and only those that are safe for the person."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from anmian.engine import assess, parse_input
from anmian.knowledge import get_kb
from anmian.web.shop import services
from anmian.web.shop.testing import PEOPLE, catalogue, person

FINDINGS = ["leg-crawling", "pale-face", "tongue-pale", "pulse-thin", "palpitations"]


@pytest.fixture
def shop(db):
    return catalogue()


def result_for(data: dict) -> dict:
    return assess(parse_input({"findings": FINDINGS, **data}), get_kb()).to_dict()


def test_the_plans_points_bring_the_products_used_on_them(shop):
    data = PEOPLE["plain"]
    tools = services.tools_for(result_for(data), services.buyer_for(person("p", **data).user))
    slugs = [p.slug for p, _ in tools]
    assert "acupressure-probe" in slugs
    probe = dict((p.slug, serves) for p, serves in tools)["acupressure-probe"]
    assert "SP6" in probe  # SP6 is a base point of every plan (rules.yaml)
    assert not any(p.kind == "herbal" for p, _ in tools)


def test_a_person_on_warfarin_is_not_offered_a_wintergreen_product(shop):
    data = PEOPLE["on-warfarin"]
    tools = services.tools_for(result_for(data), services.buyer_for(person("w", **data).user))
    assert tools
    assert not any("wintergreen-oil" in p.oils for p, _ in tools)


def test_the_template_tag_shows_the_tools_beside_a_plan(shop):
    data = PEOPLE["plain"]
    request = RequestFactory().get("/")
    request.user = person("t", **data).user
    request.session = {}
    html = Template("{% load shop_tools %}{% tools_for_plan r %}").render(
        Context({"r": result_for(data), "request": request})
    )
    assert "Tools for this plan" in html and "/shop/p/acupressure-probe/" in html
