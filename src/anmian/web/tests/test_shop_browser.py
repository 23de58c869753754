"""The shop in Chromium (Playwright), as the issue's two journeys, at a phone's width and a
desktop's: a pregnant visitor is refused an aroma stick whose oil (sage) is ruled out in
pregnancy and shown the alternative; a patient buys the acupressure tool their adopted plan
names (from "Tools for this plan" on their page), pays with the dummy provider, and staff
mark it collected. Screenshots go to $ANMIAN_SHOTS (default /tmp/shop)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from anmian.web.records.models import Plan
from anmian.web.shop.models import Order
from anmian.web.shop.testing import catalogue, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("ANMIAN_SHOTS", "/tmp/shop"))
WIDTHS = [390, 1280]  # a phone and a desktop


def logged_in_page(browser, base: str, user=None, width: int = 390):
    context = browser.new_context(viewport={"width": width, "height": 844})
    if user is not None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
        )
    return context, context.new_page()


def shot(page, name: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pregnant_visitor_is_refused_the_sage_stick_and_shown_the_alternative(
    browser, live_server, width
):
    catalogue()
    context, page = logged_in_page(browser, live_server.url, width=width)
    page.goto(f"{live_server.url}/shop/p/clear-head-stick/")
    page.get_by_role("button", name="Add to cart").click()
    # An anonymous visitor is asked the safety questions before anything with rules.
    page.get_by_label("I am pregnant or trying to conceive").check()
    page.get_by_label("Age of the person who will use it").fill("31")
    page.get_by_role("button", name="Save and continue").click()
    assert page.url.endswith("/shop/p/clear-head-stick/")
    safety = page.locator("#safety ~ ul").first.inner_text()
    assert "Not for you" in page.content() and "Sage oil" in safety
    assert page.get_by_role("button", name="Add to cart").count() == 0  # refused: no button
    shot(page, "refused-in-pregnancy", width)
    page.get_by_role("link", name="Calm evening aroma stick").click()
    assert "Not for you" not in page.content()
    for box in page.locator("input[name=acknowledge]").all():
        box.check()
    page.get_by_role("button", name="Add to cart").click()
    assert page.url.endswith("/shop/cart/")
    assert "Calm evening aroma stick" in page.content()
    assert "Clear head" not in page.content()
    shot(page, "alternative-in-cart", width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_balm_leaves_the_cart_when_the_self_check_then_says_warfarin(
    browser, live_server, width
):
    """The walk of shots 43-45: the warming leg balm (wintergreen) in the cart with no
    medicines declared, then the self-check says warfarin. The cart no longer lists the balm
    and says why; checkout finds nothing left to order."""
    catalogue()
    context, page = logged_in_page(browser, live_server.url, width=width)
    page.goto(f"{live_server.url}/shop/p/warming-leg-balm/")
    for box in page.locator("input[name=acknowledge]").all():  # clove's caution, for anyone
        box.check()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_label("Age of the person who will use it").fill("62")
    page.get_by_role("button", name="Save and continue").click()
    for box in page.locator("input[name=acknowledge]").all():
        box.check()
    page.get_by_role("button", name="Add to cart").click()
    assert page.url.endswith("/shop/cart/") and "Warming leg balm" in page.content()
    page.goto(f"{live_server.url}/self-check/step/context/")
    page.fill("#id_medication_1", "warfarin")
    saved = "/self-check/step/context/"  # its answer kept once the POST is answered
    with page.expect_response(lambda r: saved in r.url and r.request.method == "POST"):
        page.click("#wizard form button[type=submit]")
    # the answer is followed to the next step: going to the cart before that page is there
    # would abort one navigation or the other
    page.wait_for_url(lambda url: saved not in url)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/shop/cart/")
    notice = page.get_by_role("alert").inner_text()
    assert "Taken out of your cart" in notice and "Warming leg balm" in notice
    assert "blood thinner" in notice
    assert page.locator("table").count() == 0  # no line left: the balm is not listed
    assert "Your cart is empty" in page.locator("main").inner_text()
    shot(page, "balm-taken-out-after-warfarin", width)
    page.goto(f"{live_server.url}/shop/checkout/")
    assert page.url.endswith("/shop/cart/")  # nothing to check out
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_patient_buys_the_tool_their_plan_names_pays_and_staff_mark_it_collected(
    browser, live_server, clinic, bob, width
):
    catalogue()
    patient = person("mei", clinic=clinic, age=58)
    assessment = patient.assessments.get()
    # The plan their practitioner adopted names SP6 and ST36, pressed at home.
    Plan.objects.create(
        patient=patient, assessment=assessment, adopted_by=bob, points=["sp6", "st36"]
    )
    context, page = logged_in_page(browser, live_server.url, patient.user, width)
    page.goto(f"{live_server.url}/accounts/mine/")
    tools = page.locator("section.tools")
    assert "SP6" in tools.inner_text()
    shot(page, "tools-for-the-plan", width)
    tools.get_by_role("link", name="Steel acupressure probe").click()
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Pick up at the clinic").check()
    page.get_by_role("button", name="Place the order").click()
    shot(page, "dummy-payment", width)
    page.get_by_role("button", name="Pay £12.00").click()
    assert "Paid" in page.locator("main").inner_text()
    order = Order.objects.get()
    assert order.state == Order.PAID and order.user == patient.user
    context.close()

    staff = get_user_model().objects.create_user("till@clinic.example", "till@clinic.example")
    staff.user_permissions.add(Permission.objects.get(codename="change_order"))
    context, page = logged_in_page(browser, live_server.url, staff, width)
    page.goto(f"{live_server.url}/shop/staff/orders/")
    page.get_by_role("button", name="Mark ready").click()
    page.get_by_role("button", name="Mark collected").click()
    row = page.locator("tr", has_text="Steel acupressure probe")
    assert "Collected" in row.inner_text()
    shot(page, "staff-marked-collected", width)
    context.close()

    context, page = logged_in_page(browser, live_server.url, patient.user, width)
    page.goto(f"{live_server.url}/shop/orders/{order.uid}/")
    assert "Collected" in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_upload_a_product_photo_and_the_catalogue_shows_it(
    browser, live_server, settings, tmp_path, width
):
    import io

    from PIL import Image

    settings.STORAGES = settings.STORAGES | {
        "shop_photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        }
    }
    catalogue()
    staff = get_user_model().objects.create_user("stock@clinic.example", "stock@clinic.example")
    staff.user_permissions.add(Permission.objects.get(codename="change_product"))
    context, page = logged_in_page(browser, live_server.url, staff, width)
    page.goto(f"{live_server.url}/shop/staff/products/")
    item = page.locator("#product-acupressure-probe")
    item.get_by_label("Photo").set_input_files(
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just some words"}
    )
    item.get_by_label("What it shows").fill("The probe in a hand")
    item.get_by_role("button", name="Upload").click()
    assert "not an image" in page.get_by_role("alert").inner_text()
    shot(page, "photo-refused", width)
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 120, 140)).save(picture, format="PNG")
    item = page.locator("#product-acupressure-probe")
    item.get_by_label("Photo").set_input_files(
        {"name": "probe.png", "mimeType": "image/png", "buffer": picture.getvalue()}
    )
    item.get_by_label("What it shows").fill("The probe in a hand")
    item.get_by_role("button", name="Upload").click()
    assert "is saved" in page.content()
    context.close()

    context, page = logged_in_page(browser, live_server.url, width=width)
    page.goto(f"{live_server.url}/shop/")
    photo = page.get_by_role("img", name="The probe in a hand")
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 400
    assert page.get_by_role("img", name="A purple aroma stick with a lavender flower on it")
    for img in page.locator("img.product-photo").all():  # lazy: load each, as scrolling would
        img.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    shot(page, "catalogue", width)
    context.close()
