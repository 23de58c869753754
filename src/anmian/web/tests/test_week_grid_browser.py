"""The staff week on a phone, in Chromium (issue 10): with or without JavaScript the page
never scrolls sideways, the grid scrolls inside its own box instead, every day and today's
mark are there; with JavaScript the box opens with today's column in view."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from anmian.web.tests.test_every_page import PEOPLE, PHONE, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX = """() => {
  const box = document.querySelector('.weekgrid-scroll').getBoundingClientRect();
  const today = document.querySelector('.weekgrid thead th.today');
  const day = today ? today.getBoundingClientRect() : null;
  return {
    page: document.documentElement.scrollWidth,
    inner: document.querySelector('.weekgrid-scroll').scrollWidth,
    outer: document.querySelector('.weekgrid-scroll').clientWidth,
    days: document.querySelectorAll('.weekgrid thead tr:first-child th[scope=colgroup]').length,
    todayInView: day ? day.left >= box.left - 1 && day.right <= box.right + 1 : null,
  };
}"""


@pytest.mark.parametrize("javascript", [False, True])
def test_the_week_on_a_phone_scrolls_inside_its_box(browser, live_server, javascript):
    call_command("load_demo_clinic", stdout=io.StringIO())
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    _login(page, live_server.url, PEOPLE["practitioner"])
    page.goto(f"{live_server.url}/booking/calendar/?view=week&who=all")
    seen = page.evaluate(BOX)
    assert seen["page"] <= PHONE["width"], "the page scrolls sideways"
    assert seen["inner"] > seen["outer"], "the grid should scroll inside its own box"
    assert seen["days"] == 7
    assert page.locator(".weekgrid thead th[aria-current=date]").count() == 1
    assert "Dr Ann Wu" in page.locator(".weekgrid thead").inner_text()
    if javascript:
        assert seen["todayInView"], "the box should open at today's column"
    context.close()
