"""Every page a patient and a practitioner can reach, in zh-Hant on a 390 px phone (issue 16):
Chinese wraps where English does not (no spaces between words) and a long run of hanzi or a
full-width bracket can push a page wider, so test_every_page's two measures are taken again
in Chinese: nothing scrolls sideways and no text is drawn under 11 px. The pages are the
same list (the resolver and the access matrix, the demo clinic's records)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from anmian.web.tests.test_every_page import (
    PEOPLE,
    PHONE,
    SMALL_TEXT_JS,
    SMALLEST_PX,
    _demo_ids,
    _login,
    pages_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", ["patient", "practitioner"])
def test_every_page_in_zh_hant_fits_a_phone_and_reads_at_11px(browser, live_server, role):
    call_command("load_demo_clinic", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username=PEOPLE[role]))
    urls = pages_for(role, _demo_ids(), client)
    assert len(urls) >= 10, urls

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.select_option("select[name=language]", "zh-hant")  # the switch, as a person would
    page.click("footer button[type=submit]")
    _login(page, live_server.url, PEOPLE[role])
    problems: list[str] = []
    for url in urls:
        page.goto(live_server.url + url)
        if page.evaluate("document.documentElement.lang") != "zh-Hant":
            problems.append(f"{url}: not in zh-Hant")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{url}: scrolls sideways ({width} px wide)")
        small = page.evaluate(SMALL_TEXT_JS, SMALLEST_PX)
        if small:
            problems.append(f"{url}: text under {SMALLEST_PX} px: {small[:3]}")
    context.close()
    assert not problems, f"{len(problems)} problems on {len(urls)} pages:\n" + "\n".join(problems)
