"""Tools for this plan on the pages where a person reads their plan: the self-check's results
and the patient's own page (the plan their practitioner adopted); and the product page's
points, patterns and advice. Nothing the person's safety rules exclude is offered."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anmian.web.records.models import Assessment, Plan
from anmian.web.shop.testing import catalogue, person
from anmian.web.tests.test_selfcheck import complete

TICKS = {"legs": ["leg-crawling"]}


@pytest.fixture
def shop(db):
    return catalogue()


def tools_section(page: str) -> str:
    found = re.search(r'<section class="tools".*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_the_results_page_offers_the_probe_for_the_plans_points(client: Client, shop):
    page = complete(client, TICKS).content.decode()
    tools = tools_section(page)
    assert "Tools for this plan" in tools
    assert "/shop/p/acupressure-probe/" in tools and "SP6" in tools
    # the wintergreen stick is for the same leg points: offered to whom nothing rules it out
    assert "/shop/p/muscle-ease-stick/" in tools


def test_the_results_page_offers_no_wintergreen_to_a_person_on_warfarin(client: Client, shop):
    # Wintergreen is rich in methyl salicylate, which adds to warfarin's effect (oils.yaml).
    page = complete(client, TICKS, context={"medication_1": "warfarin"}).content.decode()
    tools = tools_section(page)
    assert tools, "other tools are still offered"
    for slug, product in shop.items():
        if "wintergreen-oil" in product.oils:
            assert f"/shop/p/{slug}/" not in tools


def test_the_results_page_offers_no_wintergreen_in_pregnancy(client: Client, shop):
    page = complete(client, TICKS, context={"pregnant": "on"}).content.decode()
    tools = tools_section(page)
    assert "/shop/p/acupressure-probe/" in tools
    assert "/shop/p/muscle-ease-stick/" not in tools


def _adopted(clinic, bob, data: dict, points: list[str], name: str = "plan") -> Plan:
    patient = person(name, clinic=clinic, **data)
    assessment = Assessment.objects.get(patient=patient)
    assessment.result = {
        "plan": {"topical": [{"id": "topical-aroma-acupressure", "title": "Aroma acupressure"}]}
    }
    assessment.save()
    return Plan.objects.create(
        patient=patient, assessment=assessment, adopted_by=bob, points=points
    )


def test_the_patients_page_shows_tools_beside_the_adopted_plan(client: Client, shop, clinic, bob):
    plan = _adopted(clinic, bob, {"age": 45}, ["sp6", "st36", "lr3", "ki3", "ht7"])
    client.force_login(plan.patient.user, backend="django.contrib.auth.backends.ModelBackend")
    tools = tools_section(client.get("/accounts/mine/").content.decode())
    assert "/shop/p/acupressure-probe/" in tools and "SP6" in tools
    assert "Aroma acupressure" in tools  # the advice of the assessment the plan came from


def test_the_patients_page_offers_nothing_their_safety_rules_exclude(
    client: Client, shop, clinic, bob
):
    points = ["yintang", "gb20"]
    for name, data in (("plain", {"age": 31}), ("pregnant", {"age": 31, "pregnant": True})):
        plan = _adopted(clinic, bob, data, points, name=name)
        client.force_login(plan.patient.user, backend="django.contrib.auth.backends.ModelBackend")
        tools = tools_section(client.get("/accounts/mine/").content.decode())
        # sage oil is ruled out in pregnancy (oils.yaml), so its stick is only for the other
        assert ("/shop/p/clear-head-stick/" in tools) is (name == "plain"), name


def test_a_needle_only_point_brings_no_home_tool(client: Client, shop, clinic, bob):
    # A point a person cannot find and press safely alone is the practitioner's, not a shop's.
    from anmian.knowledge import get_kb

    needle_only = [p.id for p in get_kb().points.values() if not p.self_care]
    plan = _adopted(clinic, bob, {"age": 45}, needle_only[:3])
    client.force_login(plan.patient.user, backend="django.contrib.auth.backends.ModelBackend")
    tools = tools_section(client.get("/accounts/mine/").content.decode())
    for code in [get_kb().points[p].code for p in needle_only[:3]]:
        assert f"for {code}" not in tools


def test_a_product_page_names_its_points_patterns_and_advice(client: Client, shop):
    page = client.get("/shop/p/acupressure-probe/").content.decode()
    assert "For the points" in page and "SP6" in page and "<svg" in page
    assert "For the self-care advice" in page
