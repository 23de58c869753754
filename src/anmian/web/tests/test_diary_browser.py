"""The diary in Chromium on a 390 px phone, as a person uses it: the date is there and can be
changed, a saved night opens and saves again, the quick entry, charts that can be read."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from anmian.web.diary.models import DiaryEntry
from anmian.web.tests import world
from anmian.web.tests.test_browser import _login, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def today_in(patient):
    return datetime.now(ZoneInfo(patient.clinic.time_zone)).date()


def keep(patient, *days_ago: int) -> None:
    today = today_in(patient)
    for n in days_ago:
        world.night(
            patient, today - timedelta(days=n), severity=3 + n % 5, onset=time(21, 0)
        ).save()


def test_a_person_opens_a_saved_night_changes_it_and_saves(page, live_server, alice):  # noqa: F811
    keep(alice, 1)
    night = today_in(alice) - timedelta(days=1)
    _login(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/diary/")
    page.click("main a:has-text('Edit')")
    assert page.input_value("#id_night_of") == night.isoformat()
    assert page.input_value("#id_bedtime") == "22:30"
    page.fill("#id_severity", "1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/diary/")
    assert DiaryEntry.objects.get().severity == 1


def test_a_tired_person_answers_three_questions_for_last_night(page, live_server, alice):  # noqa: F811
    _login(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/diary/")
    page.click("main a:has-text('Quick entry')")
    today = today_in(alice)
    assert page.input_value("#id_night_of") == today.isoformat()
    page.fill("#id_night_of", (today - timedelta(days=1)).isoformat())  # it can be changed
    page.fill("#id_severity", "6")
    page.fill("#id_quality", "2")
    assert page.locator("main form input:visible, main form select:visible").count() == 3
    page.click("main button[type=submit]")
    page.wait_for_url("**/diary/")
    assert "no times yet" in page.locator("main").inner_text()
    assert DiaryEntry.objects.get().night_of == today - timedelta(days=1)


def test_chart_labels_are_readable_on_a_phone_and_nothing_scrolls_sideways(
    page,  # noqa: F811
    live_server,
    alice,
    tmp_path,
):
    keep(alice, *(n for n in range(1, 30) if n not in (10, 11, 12)))
    _login(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}/diary/progress/")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart text')].map(t =>
             parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert len(sizes) > 20 and min(sizes) >= 11, sorted(sizes)[:5]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # three missing nights break the severity line: two runs, not one slope across
    path = page.locator("svg[aria-labelledby^='sev-t'] path.line").get_attribute("d")
    assert path and path.count("M") == 2
    page.screenshot(path=str(tmp_path / "progress-390.png"), full_page=True)


@pytest.mark.parametrize(
    "path", ["/diary/", "/diary/new/", "/diary/quick/", "/diary/import/", "/diary/score/"]
)
def test_the_diary_pages_fit_a_phone_without_scrolling_sideways(
    page,  # noqa: F811
    live_server,
    alice,
    path,
    tmp_path,
):
    keep(alice, 1, 2)
    _login(page, live_server.url, alice.user.email)
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
