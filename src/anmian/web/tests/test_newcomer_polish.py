"""Issue 10's last walk, as a newcomer reads the pages: an adopted plan says so on the chart,
a locked diary night says why and what to do, a phone's header is one row with a menu that
needs no script, and a button never stands in the middle of a sentence."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import expect

from anmian.web.records.models import Plan
from anmian.web.records.services import save_assessment
from anmian.web.tests.test_diary import night
from anmian.web.tests.world import bookable

NOW = datetime(2026, 3, 3, 8, tzinfo=UTC)  # a Tuesday morning in London (GMT, so 08:00)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _paragraphs(html: str, words: str) -> list[str]:
    return [p for p in re.findall(r"<p\b[^>]*>.*?</p>", html, re.S) if words in p]


@pytest.fixture
def assessed(alice):
    with time_machine.travel(NOW, tick=False):
        return save_assessment(alice.user, {"findings": ["leg-crawling", "pale-face"], "age": 50})


# --- 1. the chart after a plan is adopted ---


@pytest.mark.django_db
def test_the_chart_offers_to_adopt_a_plan_not_yet_adopted(client: Client, alice, bob, assessed):
    client.force_login(bob.user)
    html = client.get(f"/clinic/patients/{alice.uid}/").content.decode()
    assert re.search(r'<button type="submit">Adopt its plan</button>', html)  # the main action
    assert "Plan adopted" not in html and "Adopt again" not in html


@pytest.mark.django_db
def test_an_adopted_plan_says_when_and_by_whom_and_adopting_again_is_secondary(
    client: Client, alice, bob, assessed
):
    client.force_login(bob.user)
    with time_machine.travel(NOW, tick=False):
        client.post(f"/clinic/assessments/{assessed.uid}/adopt/")
        html = client.get(f"/clinic/patients/{alice.uid}/").content.decode()
    plan = Plan.objects.get()
    text = _text(html)
    assert "Plan adopted Tue 3 Mar 2026, 08:00 by Bob Baker, and shared with the patient." in text
    assert f'href="/clinic/plans/{plan.uid}/"' in html
    assert "Adopt its plan" not in html
    again = re.search(r"<button ([^>]*)>Adopt again as a new plan</button>", html)
    assert again and 'class="link"' in again.group(1)  # a quiet link, not the main button


@pytest.mark.django_db
def test_adopting_again_puts_the_new_plan_first_on_the_patient_s_page(
    client: Client, alice, bob, assessed
):
    client.force_login(bob.user)
    with time_machine.travel(NOW, tick=False):
        client.post(f"/clinic/assessments/{assessed.uid}/adopt/")
    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        client.post(f"/clinic/assessments/{assessed.uid}/adopt/")
        chart = _text(client.get(f"/clinic/patients/{alice.uid}/").content.decode())
    assert "Plan adopted Tue 10 Mar 2026, 08:00 by Bob Baker" in chart  # the latest adoption
    client.force_login(alice.user)
    mine = _text(client.get("/accounts/mine/").content.decode())
    first, second = mine.index("Shared by Bob Baker on 10 Mar 2026"), mine.index("on 3 Mar 2026")
    assert first < second


# --- 2. a locked night in the diary ---


def _night(day: str) -> dict:
    return night(night_of=day)


@pytest.fixture
def diary_client(client: Client, alice) -> Client:
    client.force_login(alice.user)
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        for day in ("2026-11-19", "2026-11-10"):
            assert client.post("/diary/new/", _night(day)).status_code == 302, day
    return client


@pytest.mark.django_db
def test_the_diary_says_why_older_nights_are_locked_and_what_to_do(diary_client):
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        html = diary_client.get("/diary/").content.decode()
    (note,) = _paragraphs(html, "is locked")
    assert "A night can be changed for 3 days after it" in _text(note)  # the site's rule
    assert "tell your practitioner at your next visit" in note
    assert 'id="why-locked"' in note and '<a href="#why-locked">locked</a>' in html
    assert 'href="/diary/night/2026-11-19/"' in html  # last night can still be changed


@pytest.mark.django_db
def test_the_rule_told_is_the_one_applied(diary_client, settings):
    settings.ANMIAN_DIARY_EDIT_DAYS = 1
    with time_machine.travel("2026-11-21 12:00:00+00:00", tick=False):
        html = diary_client.get("/diary/").content.decode()
        refused = diary_client.post("/diary/night/2026-11-19/", _night("2026-11-19"))
    assert "A night can be changed for 1 day after it" in _text(html)
    assert 'href="/diary/night/2026-11-19/"' not in html  # two days on: locked by the rule
    assert refused.status_code == 400
    assert "a night can be changed for 1 day after it only" in refused.content.decode()


@pytest.mark.django_db
def test_no_lock_note_while_every_night_can_be_changed(client: Client, alice):
    client.force_login(alice.user)
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        client.post("/diary/new/", _night("2026-11-19"))
        html = client.get("/diary/").content.decode()
    assert "why-locked" not in html and "is locked" not in html


# --- 4. a sentence, then its button ---


@pytest.mark.django_db
def test_the_waitlist_is_a_sentence_then_a_button(client: Client, alice, bob):
    kind = bookable(bob)
    client.force_login(alice.user)
    with time_machine.travel(NOW, tick=False):
        html = client.get(f"/booking/book/?type={kind.pk}").content.decode()
    (sentence,) = _paragraphs(html, "No time suits you?")
    assert "<button" not in sentence
    assert "Join the waitlist and we will offer you the first time" in sentence
    assert re.search(
        r'<p><button type="submit" class="secondary">Join the waitlist</button></p>', html
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/mine/", "/booking/"])
def test_choosing_a_clinic_is_a_sentence_then_a_button(client: Client, charlie, path):
    client.force_login(charlie.user)  # a person in no clinic
    html = client.get(path).content.decode()
    (sentence,) = _paragraphs(html, "You have not joined a clinic yet")
    assert "<a" not in sentence and "choose one to book with it." in sentence
    assert '<p><a class="button" href="/accounts/clinics/">Choose your clinic</a></p>' in html


# --- 3. the header on a phone and on a desktop ---


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_phone_s_header_is_one_row_with_a_menu_and_the_language(browser, live_server):
    # Without JavaScript: <details> opens on its own, and the language buttons post a form.
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    header = page.locator("header.site").bounding_box()
    menu = page.locator("details.menu > summary")
    boxes = [
        page.locator(s).bounding_box()
        for s in ("header .brand", "details.lang-quick > summary", "details.menu > summary")
    ]
    assert header and all(boxes) and menu.is_visible()
    tops = [b["y"] + b["height"] / 2 for b in boxes if b]
    assert max(tops) - min(tops) < 8, tops  # side by side: one row
    assert header["height"] < 2 * max(b["height"] for b in boxes if b), header
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The home page's next steps are not behind the menu.
    assert page.locator("main a:has-text('Start the self-check')").is_visible()
    self_check = page.locator("header nav a:has-text('Self-check')")
    assert not self_check.is_visible()  # folded until asked for
    menu.click()
    assert self_check.is_visible() and page.locator("header a:has-text('Log in')").is_visible()
    self_check.click()
    page.wait_for_url("**/self-check/**")

    page.click("details.lang-quick > summary")
    page.click("details.lang-quick button:has-text('繁體中文')")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "zh-Hant"
    assert "/self-check/" in page.url  # back on the page the switch was used on
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_open_menus_pass_axe_and_read_at_11px(browser, live_server):
    from anmian.web.tests.test_browser import AXE
    from anmian.web.tests.test_every_page import SMALL_TEXT_JS

    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.add_script_tag(path=os.path.normpath(AXE))
    for panel in ("details.menu", "details.lang-quick"):
        page.click(f"{panel} > summary")
        assert page.locator(f"header.site {panel}[open]").count() == 1
        # one open at a time: site.js closes the other on its toggle event, which comes after
        # the click returns, so the count is waited for rather than read at once
        expect(page.locator("header.site details[open]")).to_have_count(1)
        found = page.evaluate("async () => (await axe.run()).violations")
        serious = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [] and page.evaluate(SMALL_TEXT_JS, 11) == [], panel
    page.keyboard.press("Escape")
    expect(page.locator("header.site details[open]")).to_have_count(0)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_desktop_s_header_shows_its_links_as_before(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    for name in ("Home", "Self-check", "Library", "Evidence", "Log in", "Sign up"):
        assert page.locator(f"header a:has-text('{name}')").is_visible(), name
    assert not page.locator("details.menu > summary").is_visible()
    # the language too, last in the row (test_zh_walk_browser: not only in the footer)
    assert page.locator("details.lang-quick").is_visible()
    box = page.locator("header.site").bounding_box()
    assert box and box["height"] < 80  # one row, as it was
    context.close()
