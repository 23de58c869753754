"""The short self-check in Chromium, as a person on a phone sees it (Playwright driving
Debian's Chromium against the live test server; marked `browser`, as test_browser.py)."""

from __future__ import annotations

import itertools

import pytest

from anmian.engine.inputs import CRITERIA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("js", [True, False])
def test_a_grouped_questions_answers_stand_one_a_line_on_a_phone(browser, live_server, js):
    """Side by side, a long answer wraps and its radio button reads as the one before's: on a
    phone each answer of the bowel question has a line of its own, its button at its start."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=js)
    page = context.new_page()
    page.goto(f"{live_server.url}/self-check/questions/choice/bowels/")
    labels = page.locator("fieldset.q label:has(input[name=answer])")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    radios = page.locator("input[name=answer]")
    buttons = [radios.nth(i).bounding_box() for i in range(radios.count())]
    context.close()
    assert len(boxes) == 5  # three kinds of bowels, none of these, not sure
    for above, below in itertools.pairwise(boxes):
        assert below["y"] >= above["y"] + above["height"] - 1  # below it, not beside it
    assert len({round(b["x"]) for b in buttons}) == 1  # every button at the line's start


def test_the_browsers_back_button_shows_the_answers_given_with_js_on(browser, live_server):
    """With JavaScript, a step's answers are sent without a page load; Back in the browser
    must still show them ticked (htmx's own copy of the page had them blank)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/self-check/")
    page.fill("#id_age", "58")
    page.click("#wizard form button[type=submit]")
    page.wait_for_url("**/step/screening/")
    for c in CRITERIA:
        page.check(f"input[name={c}][value=yes]")
    page.click("#wizard form button[type=submit]")
    page.wait_for_url("**/step/safety/")
    page.go_back()
    page.wait_for_url("**/step/screening/")
    page.wait_for_selector(f"input[name={CRITERIA[0]}]")  # the page is back, not the safety step
    ticked = page.locator("input[type=radio][value=yes]:checked").count()
    header = page.locator("header").count()
    stored = page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    context.close()
    assert ticked == len(CRITERIA)
    assert header == 1  # the whole page, not the form alone
    assert "urge_to_move" not in stored  # no copy of the answers kept in the browser


@pytest.mark.parametrize("js", [True, False])
def test_a_checklists_boxes_stand_one_a_line_on_a_phone(browser, live_server, js):
    """A checklist on a phone: each finding on a line of its own, every box at the line's
    start, a long label wrapping beside its box (not under it), and nothing wider than the
    screen; ticking and Next work with or without JavaScript."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=js)
    page = context.new_page()
    page.goto(f"{live_server.url}/self-check/questions/list/heat-cold/")
    labels = page.locator("fieldset.q label:has(input[name=ticked])")
    rows = [labels.nth(i).bounding_box() for i in range(labels.count())]
    ticks = page.locator("input[name=ticked]")
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    words = page.locator("fieldset.q label:has(input[name=ticked]) span")
    texts = [words.nth(i).bounding_box() for i in range(words.count())]
    width = page.evaluate("document.documentElement.scrollWidth")
    page.check("input[name=ticked] >> nth=0")
    page.click("#wizard form button[type=submit]")
    page.wait_for_load_state()
    context.close()
    assert len(rows) == 7  # the seven findings of the list
    for above, below in itertools.pairwise(rows):
        assert below["y"] >= above["y"] + above["height"] - 1  # below it, not beside it
    assert len({round(b["x"]) for b in boxes}) == 1  # every box at the line's start
    # every line of a label, a wrapped one's second too, starts right of its box
    assert all(b["x"] + b["width"] <= t["x"] + 1 for b, t in zip(boxes, texts, strict=True))
    assert any(t["height"] > 1.5 * b["height"] for b, t in zip(boxes, texts, strict=True))
    assert width <= 390
