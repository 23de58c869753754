"""A Chinese-first person's walk on a 390 px phone (2026-12-03, zh-Hans): the self-check's
long form shows its headings in Chinese, and the diary's list keeps each row's action on one
line (修改, 已锁定 stood one character a line in the narrow last column)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from anmian.web.tests import world
from anmian.web.tests.test_browser import _login, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An inline link drawn over several lines has a box for each line.
LINES_JS = "els => els.map(e => e.getClientRects().length)"


def _in_simplified_chinese(page, base: str) -> None:  # noqa: F811
    page.goto(base + "/")
    page.click("details.lang-quick summary")  # the phone header's language button
    page.click("details.lang-quick button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"


def test_the_diarys_row_actions_stay_on_one_line(page, live_server, alice):  # noqa: F811
    today = datetime.now(ZoneInfo(alice.clinic.time_zone)).date()
    for n in (1, 2, 10, 11):  # two nights still open to change, two locked
        world.night(alice, today - timedelta(days=n), severity=4, onset=time(21, 15)).save()
    _login(page, live_server.url, alice.user.email)
    _in_simplified_chinese(page, live_server.url)
    page.goto(live_server.url + "/diary/")
    links = page.locator("main table tbody td:last-child a")
    texts = links.all_inner_texts()
    assert "修改" in texts and "已锁定" in texts
    assert page.eval_on_selector_all("main table tbody td:last-child a", LINES_JS) == [1] * 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_long_form_reads_in_chinese_on_a_phone(page, live_server):  # noqa: F811
    _in_simplified_chinese(page, live_server.url)
    page.goto(live_server.url + "/self-check/")
    page.click("form.switch button[type=submit]")  # "answer everything"
    page.wait_for_url("**/step/legs/")
    assert page.inner_text("main h1") == "您的腿部症状"
    page.goto(live_server.url + "/self-check/step/tongue/")
    heading = page.locator("main h1")
    assert heading.inner_text() == "您的舌头（请在自然光下照镜子看）"
    assert heading.bounding_box()["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_desktop_shows_the_language_in_the_header_row(browser, live_server):
    """At 1280 px the only switch was the footer's, below a long English home page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()  # noqa: F811
    page.goto(live_server.url + "/")
    header = page.locator("header.site").bounding_box()
    switch = page.locator("details.lang-quick > summary")
    assert switch.is_visible()
    box = switch.bounding_box()
    assert header and box and box["y"] + box["height"] <= header["y"] + header["height"]
    login = page.locator("header a:has-text('Log in')").bounding_box()
    assert login and box["x"] > login["x"]  # last in the row, after the account's links
    assert header["height"] < 80  # still one row
    switch.click()
    page.click("details.lang-quick button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.locator("header a:has-text('自我检测')").is_visible()
    context.close()
