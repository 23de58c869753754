"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Marked `browser`; `make test` installs Chromium (apt) and runs them with everything else.
"""

from __future__ import annotations

import os

import pytest

from anmian.engine.inputs import CRITERIA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    yield context.new_page()
    context.close()


def _pass_the_first_steps(page) -> None:
    """The steps before the questions, as a 58-year-old woman who answers yes to every criterion."""
    page.fill("#id_age", "58")
    page.select_option("#id_sex", "female")
    page.click("main button[type=submit]")  # main: a logged-in header has a Log out button
    page.wait_for_url("**/step/screening/")
    for c in CRITERIA:
        page.check(f"input[name={c}][value=yes]")


def _complete_wizard(page, base: str, ticks: set[str], story: str = "") -> None:
    """The long form ("answer everything"), ticking `ticks` wherever they are offered."""
    page.goto(f"{base}/self-check/")
    page.click("button:has-text('Answer everything')")
    page.wait_for_url("**/step/legs/")
    page.goto(f"{base}/self-check/")
    _pass_the_first_steps(page)
    for _ in range(20):
        if "/results/" in page.url:
            return
        for name in ticks:
            box = page.locator(f"input[name='{name}']")
            if box.count():
                box.check()
        if story and page.locator("textarea[name=story]").count():
            page.fill("textarea[name=story]", story)
        radios = page.locator("input[type=radio][value='2']")
        for i in range(radios.count()):
            radios.nth(i).check()
        before = page.url
        page.click("main button[type=submit]")
        page.wait_for_function("u => location.href !== u", arg=before)
    raise AssertionError(f"the wizard did not reach the results: {page.url}")


def test_a_person_completes_the_wizard_and_sees_the_body_chart(page, live_server):
    _complete_wizard(
        page, live_server.url, {"leg-crawling", "palpitations", "pale-face", "tongue-pale"}
    )
    assert page.locator("h1").inner_text() == "Your results"
    assert "Book this course" in page.locator("section.summary").inner_text()
    page.click("#plan-h")  # on a phone the plan is folded under its heading: open it
    assert page.locator("svg.bodychart circle.pt").count() > 3
    assert "SP6" in page.locator("ul.points").inner_text()


def test_a_red_flag_shows_the_referral_first(page, live_server):
    _complete_wizard(page, live_server.url, {"leg-crawling", "one-leg-swollen-warm-red"})
    referrals = page.locator(".referrals")
    assert referrals.is_visible()
    assert "Emergency" in referrals.inner_text()
    box = referrals.bounding_box()
    patterns = page.locator("#pat-h").bounding_box()
    assert box and patterns and box["y"] < patterns["y"]


def test_the_handout_prints_without_navigation(page, live_server):
    _complete_wizard(page, live_server.url, {"leg-crawling", "pale-face"})
    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert page.locator(".charts").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    assert page.pdf(format="Letter")[:4] == b"%PDF"


def test_the_wizard_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _complete_wizard(page, live_server.url, {"leg-crawling"})
    assert page.locator("h1").inner_text() == "Your results"
    context.close()


AXE = os.path.join(
    os.path.dirname(__file__), *[".."] * 4, ".venv", "npm", "node_modules", "axe-core", "axe.min.js"
)


def _serious_violations(browser, url: str) -> list[str]:
    # bypass_csp: axe is injected as an inline script, which our CSP rightly forbids
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(path=os.path.normpath(AXE))
    found = page.evaluate("async () => (await axe.run()).violations")
    context.close()
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/library/points/",
        "/library/points/sp6/",
        "/library/herbs/he-shou-wu/",
        "/library/patterns/blood-deficiency/",
        "/library/evidence/",
        "/library/references/",
        "/accounts/login/",
        "/self-check/step/about/",
        "/self-check/step/screening/",
        "/self-check/step/legs/",
        "/self-check/step/notes/",
        "/self-check/step/context/",
    ],
)
def test_main_pages_have_no_serious_accessibility_violations(browser, live_server, path):
    assert _serious_violations(browser, live_server.url + path) == []


def test_the_results_page_has_no_serious_accessibility_violations(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _complete_wizard(page, live_server.url, {"leg-crawling", "pale-face", "tongue-pale"})
    page.add_script_tag(path=os.path.normpath(AXE))
    found = page.evaluate("async () => (await axe.run()).violations")
    context.close()
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []


def test_a_practitioner_edits_a_plan_and_is_refused_an_unsafe_herb(
    page, live_server, bob, alice_assessment
):
    from anmian.web.records.models import Plan
    from anmian.web.tests.conftest import PASSWORD

    alice_assessment.input = alice_assessment.input | {"medications": ["warfarin"]}
    alice_assessment.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "bob@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")  # the header has buttons too (its language)
    page.goto(f"{live_server.url}/clinic/patients/")
    page.click("text=Alice Able")
    page.click("button:has-text('Adopt its plan')")
    page.wait_for_url("**/clinic/plans/**")
    page.check("input[name=herbs][value=dang-gui]")
    page.click("button:has-text('Save the plan')")
    alert = page.locator("main [role=alert]")
    assert "Not saved: unsafe for this patient" in alert.inner_text()
    assert "warfarin" in alert.inner_text()
    assert "dang-gui" not in Plan.objects.get().herbs


def test_a_person_enters_a_week_of_nights_and_sees_the_chart_change(page, live_server, alice):
    from datetime import date, timedelta

    from anmian.web.tests.conftest import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "alice@example.org")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")  # the header has buttons too (its language)
    today = date.today()

    def dots() -> int:
        page.goto(f"{live_server.url}/diary/progress/")
        return page.locator("svg#sev, svg[aria-labelledby^='sev-t'] circle.dot").count()

    assert dots() == 0
    for n in range(7, 0, -1):  # a week of missed nights, filled in today
        page.goto(f"{live_server.url}/diary/new/")
        page.fill("#id_night_of", (today - timedelta(days=n)).isoformat())
        page.fill("#id_severity", str(3 + n))
        for field, value in (
            ("bedtime", "22:30"),
            ("lights_out", "23:00"),
            ("final_wake", "06:30"),
            ("out_of_bed", "07:00"),
        ):
            page.fill(f"#id_{field}", value)
        page.fill("#id_sleep_latency_min", "20")
        page.fill("#id_quality", "3")
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith("/diary/"), page.locator("main").inner_text()[:500]
    assert dots() == 7
    assert "7 nights in the diary" in page.locator("main").inner_text()


def _login(page, base: str, email: str) -> None:
    from anmian.web.tests.conftest import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/mine/")


@pytest.fixture
def bookable(clinic, bob):
    from datetime import time

    from anmian.web.booking.models import AppointmentType, WorkingHours

    for weekday in range(7):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(17))
    return AppointmentType.objects.create(clinic=clinic, name="Follow-up", duration_min=45)


def test_a_patient_books_a_course_and_sees_it(page, live_server, alice, bookable):
    from datetime import date, timedelta

    _login(page, live_server.url, "alice@example.org")
    page.goto(f"{live_server.url}/booking/course/")
    page.fill("#first_day", (date.today() + timedelta(days=7)).isoformat())
    page.fill("#time", "10:00")
    page.fill("#weeks", "4")
    page.click("main button[type=submit]")
    page.wait_for_url("**/booking/")
    assert page.locator("ul.appointments li").count() == 4


def test_a_second_browser_loses_the_race_and_is_offered_another_time(
    browser, live_server, alice, charlie, bookable
):
    from anmian.web.booking.models import Appointment

    charlie.clinic = alice.clinic
    charlie.save()
    pages = []
    for email in ("alice@example.org", "charlie@example.org"):
        context = browser.new_context()
        p = context.new_page()
        _login(p, live_server.url, email)
        p.goto(f"{live_server.url}/booking/book/")
        pages.append(p)
    first_slot = "main .slots form.slot button"
    label = pages[0].locator(first_slot).first.get_attribute("aria-label")
    pages[0].locator(first_slot).first.click()
    pages[0].click("main button:has-text('Book it')")  # the confirmation step
    pages[0].wait_for_url("**/booking/")
    pages[1].locator(
        f"main button[aria-label='{label}']"
    ).first.click()  # the same slot, seen before it was taken
    pages[1].click("main button:has-text('Book it')")
    pages[1].wait_for_load_state()
    alert = pages[1].locator("main [role=alert]")
    assert "That time was just taken" in alert.inner_text()
    pages[1].locator("main [role=alert] form.slot button").first.click()
    pages[1].click("main button:has-text('Book it')")
    pages[1].wait_for_url("**/booking/")
    assert Appointment.objects.filter(status="booked").count() == 2
    assert len({a.start for a in Appointment.objects.all()}) == 2


def test_a_person_writes_confirms_what_was_unsure_and_then_sees_the_plan(page, live_server):
    story = "My mother had restless legs. Maybe some chest pain.\nno palpitations"
    _complete_wizard(page, live_server.url, {"leg-crawling"}, story=story)
    hold = page.locator("section.hold[role=alert]")
    assert hold.is_visible() and "on hold" in hold.inner_text()
    read = page.locator("section.read")
    assert "Family history of restless legs" in read.inner_text()
    assert "Palpitations" in read.inner_text()
    assert page.locator("ul.points").count() == 0  # the plan waits for the answer
    page.locator("form.confirm input[name=chest-pain][value=no]").check()
    page.click("form.confirm button:has-text('Confirm my answers')")
    page.wait_for_selector("ul.points", state="attached")
    page.click("#plan-h")  # folded on a phone: open it
    assert "SP6" in page.locator("ul.points").inner_text()
    assert page.locator("section.hold").count() == 0
    page.click("#read-h")  # the reading, now answered, folds too
    assert "Chest pain, especially when breathing in: no" in page.locator(".read").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing pushes the phone page sideways


def test_a_person_may_see_the_plan_before_confirming(page, live_server):
    _complete_wizard(page, live_server.url, {"leg-crawling"}, story="Maybe some chest pain.")
    page.click("button:has-text('Show my plan anyway')")
    page.wait_for_url("**/results/#plan-h")
    assert "Your plan is on hold." in page.locator("section:has(#plan-h)").inner_text()


def test_with_javascript_a_step_refused_shows_its_errors(page, live_server):
    page.goto(f"{live_server.url}/self-check/step/screening/")
    page.click("main button[type=submit]")  # nothing answered: the server answers 400
    errors = page.locator("#wizard .errors[role=alert]")
    errors.wait_for()
    assert "Please answer" in errors.inner_text()
    assert page.locator("#wizard .has-error").count() == 5
    assert page.url.endswith("/self-check/step/screening/")


def test_the_questions_and_the_hold_have_no_serious_accessibility_violations(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    _complete_wizard(page, live_server.url, {"leg-crawling"}, story="Maybe some chest pain.")
    assert page.locator("form.confirm").is_visible()
    page.add_script_tag(path=os.path.normpath(AXE))
    found = page.evaluate("async () => (await axe.run()).violations")
    context.close()
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []


def test_a_person_on_a_phone_finishes_the_short_self_check_and_sees_results(page, live_server):
    """The default path: safety steps, then one question a screen, then the results."""
    truth = {"palpitations", "pale-face", "poor-memory", "dizziness", "pale-lips-nails"}
    page.goto(f"{live_server.url}/self-check/")
    _pass_the_first_steps(page)
    asked = 0
    for _ in range(60):
        if "/results/" in page.url:
            break
        before = page.url
        if "/questions/list/" in page.url:  # a checklist: tick the ones this person has
            asked += 1
            values = page.locator("input[name=ticked]").evaluate_all("es => es.map(e => e.value)")
            assert 2 <= len(values) <= 7 and page.locator("input[name=unsure]").count() == 1
            for v in values:
                if v in truth:
                    page.check(f"input[name=ticked][value={v}]")
        elif "/questions/again/" in page.url:  # the yes answers looked at again: all true
            asked += 1
            assert page.locator("input[name=kept]:checked").count() >= 2
        elif "/questions/choice/" in page.url:  # one of findings that exclude each other
            asked += 1
            values = page.locator("input[name=answer]").evaluate_all("es => es.map(e => e.value)")
            assert values[-2:] == ["none", "unsure"] and len(values) >= 4
            had = next((v for v in values if v in truth), "none")
            page.check(f"input[name=answer][value={had}]")
        elif "/questions/" in page.url:
            asked += 1
            assert page.locator("input[name=answer]").count() == 3  # one question a screen
            assert "more question" in page.locator("p.progress").inner_text() or asked > 1
            finding = page.url.rstrip("/").rsplit("/", 1)[-1]
            page.check(f"input[name=answer][value={'yes' if finding in truth else 'no'}]")
        else:
            if page.locator("textarea[name=story]").count():
                page.fill("textarea[name=story]", "crawling in my calves every evening")
            radios = page.locator("input[type=radio][value='2']")
            for i in range(radios.count()):
                radios.nth(i).check()
        page.click("#wizard form button[type=submit]")
        page.wait_for_function("u => location.href !== u", arg=before)
    assert "/results/" in page.url, page.url
    assert 0 < asked <= 31
    assert page.locator("h1").inner_text() == "Your results"
    assert "TCM patterns that fit" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("question", ["leg-crawling", "choice/bowels", "list/leg-sensations"])
def test_a_short_path_question_has_no_serious_accessibility_violations(
    browser, live_server, question
):
    url = f"{live_server.url}/self-check/questions/{question}/"
    assert _serious_violations(browser, url) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_a_new_person_signs_up_joins_the_demo_clinic_and_books_a_session(
    browser, live_server, width
):
    """The newcomer's first visit, as issue 10 walks it: sign up, confirm by email, join the
    demo clinic from the booking page, pick a day and a time, confirm, see it booked."""
    import io
    import re

    from django.core import mail
    from django.core.management import call_command

    from anmian.web.booking.models import Appointment

    call_command("load_demo_clinic", stdout=io.StringIO())
    shots = os.environ.get("ANMIAN_SCREENSHOTS")  # a folder: each step saved there to look at
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    def step(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if shots:
            page.screenshot(path=f"{shots}/journey-{width}-{name}.png", full_page=True)

    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_name", "Nia Newcomer")
    page.fill("#id_email", f"nia{width}@example.org")
    page.fill("#id_password", "a long walk by the river")
    step("1-signup")
    page.click("main button[type=submit]")
    page.wait_for_url("**/signup/sent/")
    link = re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(f"{base}{link.group(1)}")
    page.click("main button[type=submit]")  # confirming is a button, never the link alone
    page.wait_for_url("**/accounts/mine/")
    assert "You have not joined a clinic yet" in page.locator("main").inner_text()
    step("2-confirmed")

    if width == 390:  # on a phone the header's links are in its menu
        page.click("header summary:has-text('Menu')")
    page.click("header a:has-text('Appointments')")
    page.click("main a:has-text('Book an appointment')")
    page.wait_for_url("**/accounts/clinics/")  # not a dead end: the choice of a clinic
    assert "Booking needs a clinic" in page.locator(".messages").inner_text()
    demo = page.locator("li.card", has_text="Anmian Demo Clinic")
    assert "020 7946 0321" in demo.inner_text() and "Willow Lane" in demo.inner_text()
    step("3-clinics")
    demo.locator("button:has-text('Join')").click()
    page.wait_for_url("**/booking/book/")
    assert "You have joined Anmian Demo Clinic" in page.locator(".messages").inner_text()
    page.select_option("#type", label="Acupuncture session (45 min)")
    page.click("main button:has-text('Show free times')")
    days = page.locator("nav.daypicker a")
    assert days.count() >= 5
    days.nth(1).click()  # another day than the first offered
    assert page.locator("section.daypart h3").first.inner_text() in (
        "Morning",
        "Afternoon",
        "Evening",
    )
    step("4-times")
    page.locator("main .slots form.slot button").first.click()
    page.wait_for_url("**/booking/book/confirm/**")
    summary = page.locator("main").inner_text()
    for shown in ("Acupuncture session", "£50.00", "Cancellation policy", "020 7946 0321"):
        assert shown in summary, shown
    step("5-confirm")
    page.click("main button:has-text('Book it')")
    page.wait_for_url("**/booking/")
    assert "Booked: Acupuncture session" in page.locator(".messages").inner_text()
    assert page.locator("ul.appointments li").count() == 1
    step("6-booked")
    context.close()
    assert (
        Appointment.objects.filter(patient__user__username=f"nia{width}@example.org").count() == 1
    )
