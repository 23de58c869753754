"""The whole journey of issue 10, written as the two people walk it, on a phone and a desktop.

Nia, new to Anmian, signs up, confirms by email, joins the demo clinic, does the self-check,
saves it, books a first consultation and then the course its summary suggests, keeps her diary for a week, looks at her
progress and downloads the PDF report. Dr Ann Wu, the demo clinic's practitioner, logs in to
today's schedule, finds Nia's first session there, opens her chart, adopts the plan of her
self-check and writes a session note. Nia then sees the plan Dr Wu shared on her own page.

Time is pinned to a weekday morning a few days ahead (time-machine, ticking), so "today" has
clinic hours whatever day the suite runs; a week ahead, so cookies set now are still valid in
the browser's own clock."""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from anmian.web.tests.test_browser import _complete_wizard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONDON = ZoneInfo("Europe/London")  # the demo clinic's time zone
DEMO_PASSWORD = "demo-only-password"  # load_demo_clinic's, for a local demonstration only
PRACTITIONER = "practitioner@demo.anmian"


def _next_weekday_morning() -> datetime:
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while day.weekday() >= 5:  # the demo clinic's weekday hours are 9:00 to 19:00
        day += timedelta(days=1)
    return datetime.combine(day, time(8, 30), LONDON)


@pytest.fixture
def morning():
    with time_machine.travel(_next_weekday_morning(), tick=True):
        call_command("load_demo_clinic", stdout=io.StringIO())
        yield datetime.now(LONDON).date()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_newcomer_and_a_practitioner_walk_the_whole_journey(
    browser,
    live_server,
    morning,
    width,
):
    from anmian.web.records.models import Practitioner

    base = live_server.url
    email = f"nia{width}@example.org"
    doctor = Practitioner.objects.get(user__username=PRACTITIONER).display_name
    shots = os.environ.get("ANMIAN_SCREENSHOTS")  # a folder: each step saved there to look at
    nia_context = browser.new_context(viewport={"width": width, "height": 900})
    nia = nia_context.new_page()

    def look(page, name: str) -> str:
        """What the person sees on this page; it never scrolls sideways."""
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if shots:
            page.screenshot(path=f"{shots}/walk-{width}-{name}.png", full_page=True)
        return page.locator("main").inner_text()

    # --- Nia signs up and confirms her address ---
    nia.goto(f"{base}/")
    nia.click("main a:has-text('Create an account to book')")
    nia.fill("#id_name", "Nia Newcomer")
    nia.fill("#id_email", email)
    nia.fill("#id_password", "a long walk by the river")
    nia.click("main button[type=submit]")
    nia.wait_for_url("**/signup/sent/")
    link = re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    nia.goto(f"{base}{link.group(1)}")
    nia.click("main button[type=submit]")
    nia.wait_for_url("**/accounts/mine/")
    assert "You have not joined a clinic yet" in look(nia, "1-confirmed")

    # --- she joins the demo clinic ---
    nia.goto(f"{base}/accounts/clinics/")
    nia.locator("li.card", has_text="Anmian Demo Clinic").locator("button:has-text('Join')").click()
    nia.wait_for_load_state()
    assert "You have joined Anmian Demo Clinic" in nia.locator(".messages").inner_text()

    # --- the self-check, saved to her account ---
    _complete_wizard(nia, base, {"leg-crawling", "palpitations", "pale-face", "tongue-pale"})
    seen = look(nia, "2-results")
    assert "what this means" in seen.lower() and "what to do first" in seen.lower()
    assert "Your answers fit restless legs syndrome" in seen
    assert "possible-rls" not in seen
    nia.click("main button:has-text('Save to my account')")
    nia.wait_for_url("**/accounts/mine/")
    nia.click("main table a")  # her saved assessment
    course = re.search(r"(\d+) weeks, \d+ to \d+ sessions a week", look(nia, "3-saved"))
    assert course, "the summary names the course"
    weeks = course.group(1)

    # --- the course the summary suggests: it follows a first consultation, so she books that
    # first, today at 10:00, and then the course from next week at the same time ---
    nia.click("main a:has-text('Book this course')")
    nia.wait_for_url("**/booking/course/**")
    course_url = nia.url
    assert "A course of treatment follows a first consultation" in look(nia, "4-course-first")
    nia.click("main .notice a")
    nia.wait_for_url("**/booking/book/**")
    nia.select_option("#practitioner", label=doctor)
    nia.click("main button:has-text('Show free times')")
    nia.locator("main .slots form.slot button", has_text="10:00").first.click()
    nia.wait_for_url("**/booking/book/confirm/**")
    assert "First consultation" in nia.locator("main").inner_text()
    nia.click("main button:has-text('Book it')")
    nia.wait_for_url("**/booking/")
    assert "Booked: First consultation" in nia.locator(".messages").inner_text()
    nia.goto(course_url)
    assert nia.locator("#weeks").input_value() == weeks
    assert "follows a first consultation" not in nia.locator("main").inner_text()
    kind = nia.locator("#type option", has_text="Acupuncture session").first
    nia.select_option("#type", value=kind.get_attribute("value"))
    nia.select_option("#practitioner", label=doctor)
    nia.fill("#first_day", (morning + timedelta(days=7)).isoformat())
    nia.fill("#time", "10:00")
    look(nia, "4-course")
    nia.click("main button:has-text('Book the course')")
    nia.wait_for_load_state()
    assert f"Booked: a course of {weeks} weekly sessions" in nia.locator(".messages").inner_text()
    nia.goto(f"{base}/booking/")
    assert nia.locator("ul.appointments li").count() == int(weeks) + 1

    # --- a week of diary nights ---
    for n in range(7, 0, -1):
        nia.goto(f"{base}/diary/new/")
        nia.fill("#id_night_of", (morning - timedelta(days=n)).isoformat())
        nia.fill("#id_severity", str(3 + n % 4))
        for field, value in (
            ("bedtime", "22:30"),
            ("lights_out", "23:00"),
            ("final_wake", "06:30"),
            ("out_of_bed", "07:00"),
        ):
            nia.fill(f"#id_{field}", value)
        nia.fill("#id_sleep_latency_min", "20")
        nia.fill("#id_quality", "3")
        nia.click("main button[type=submit]")
        nia.wait_for_load_state()
        assert nia.url.endswith("/diary/"), nia.locator("main").inner_text()[:300]

    # --- her progress, and the report to take to her practitioner ---
    nia.goto(f"{base}/diary/progress/")
    assert "7 nights in the diary" in look(nia, "5-progress")
    href = nia.locator("main a:has-text('A4')").get_attribute("href")
    report = nia.request.get(base + href)
    assert report.status == 200 and report.headers["content-type"] == "application/pdf"
    assert report.body()[:4] == b"%PDF"

    # --- Dr Wu's day: Nia's first session is on today's schedule ---
    doc_context = browser.new_context(viewport={"width": width, "height": 900})
    doc = doc_context.new_page()
    doc.goto(f"{base}/accounts/login/")
    doc.fill("#id_username", PRACTITIONER)
    doc.fill("#id_password", DEMO_PASSWORD)
    doc.click("main button[type=submit]")
    doc.wait_for_url("**/booking/calendar/**")
    today = look(doc, "6-today")
    assert "Nia Newcomer" in today and "10:00" in today

    # --- her chart: adopt the self-check's plan, write a note ---
    doc.click("main a:has-text('Nia Newcomer')")
    doc.wait_for_url("**/clinic/patients/**")
    chart_url = doc.url
    look(doc, "7-chart")
    doc.click("main button:has-text('Adopt its plan')")
    doc.wait_for_load_state()
    doc.goto(chart_url)
    doc.click("main a:has-text('New session note')")
    doc.fill("#id_date", morning.isoformat())
    doc.fill("#id_points_needled", "SP6, both, even\nHT7, both, even")
    doc.fill("#id_response", "Legs calmer by the end of the session.")
    look(doc, "8-note")
    doc.click("main button:has-text('Save the note')")
    doc.wait_for_load_state()
    doc.goto(chart_url)
    chart = look(doc, "9-chart-after")
    assert "Legs calmer by the end of the session." in chart
    assert f"by {doctor}" in chart  # the plan she adopted is on the chart
    doc_context.close()

    # --- Nia sees the plan Dr Wu shared ---
    nia.goto(f"{base}/accounts/mine/")
    mine = look(nia, "10-plan-shared")
    assert "My care plan" in mine and f"Shared by {doctor}" in mine
    assert "SP6" in mine
    nia_context.close()
