"""The short self-check in Chromium, as a person on a phone sees it (Playwright driving
Debian's Chromium against the live test server; marked `browser`, as test_browser.py)."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: run `make test`, which installs it with apt")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # see test_browser.py
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
