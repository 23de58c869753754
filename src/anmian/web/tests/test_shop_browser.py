"""The shop in Chromium (Playwright), as the issue's two journeys: a pregnant visitor is
refused an aroma stick whose oil is ruled out in pregnancy and shown the alternative; a
patient buys the acupressure tool their plan names, pays with the dummy provider, and staff
mark it collected."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from anmian.web.shop.models import Order
from anmian.web.shop.testing import catalogue, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: run `make test`, which installs it with apt")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the live server's ORM runs in its thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def logged_in_page(browser, base: str, user=None):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    if user is not None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
        )
    return context, context.new_page()


def test_a_pregnant_visitor_is_refused_the_sage_stick_and_buys_the_alternative(
    browser, live_server
):
    catalogue()
    context, page = logged_in_page(browser, live_server.url)
    page.goto(f"{live_server.url}/shop/p/clear-head-stick/")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_label("I am pregnant or trying to conceive").check()
    page.get_by_label("Age of the person who will use it").fill("31")
    page.get_by_role("button", name="Save and continue").click()
    assert "Not for you" in page.content()
    assert "Sage oil" in page.locator("#safety ~ ul").first.inner_text()
    page.get_by_role("link", name="Calm evening aroma stick").click()
    for box in page.locator("input[name=acknowledge]").all():
        box.check()
    page.get_by_role("button", name="Add to cart").click()
    assert page.url.endswith("/shop/cart/")
    assert "Calm evening aroma stick" in page.content()
    assert "Clear head" not in page.content()
    context.close()


def test_a_patient_buys_and_pays_for_the_tool_and_staff_mark_it_collected(browser, live_server):
    catalogue()
    buyer = person("mei", age=58)
    context, page = logged_in_page(browser, live_server.url, buyer.user)
    page.goto(f"{live_server.url}/shop/p/acupressure-probe/")
    assert "SP6" in page.content()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Pick up at the clinic").check()
    page.get_by_role("button", name="Place the order").click()
    page.get_by_role("button", name="Pay £12.00").click()
    assert "Paid" in page.content()
    context.close()

    staff = get_user_model().objects.create_user("till@clinic.example", "till@clinic.example")
    staff.user_permissions.add(Permission.objects.get(codename="change_order"))
    context, page = logged_in_page(browser, live_server.url, staff)
    page.goto(f"{live_server.url}/shop/staff/orders/")
    page.get_by_role("button", name="Mark ready").click()
    page.get_by_role("button", name="Mark collected").click()
    assert Order.objects.get().state == Order.COLLECTED
    context.close()
