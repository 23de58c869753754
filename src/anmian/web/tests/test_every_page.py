"""Every page a logged-in patient and a logged-in practitioner can reach, on a 390 px phone
(issue 10): nothing scrolls sideways, no text is drawn under 11 px, and axe-core finds no
serious or critical violation.

The pages are not a hand list: every site route the URL resolver knows (tests/routes.py) that
the access matrix lets the person GET ("ok"), filled in with the demo clinic's own records
(mei's record, assessment, plan and appointment) and kept when it answers an HTML page. A new
page is swept the day it gets its access-matrix line."""

from __future__ import annotations

import io
import os
import re
import uuid

import pytest
from django.core.management import call_command
from django.test import Client

from anmian.web.tests.routes import site_routes
from anmian.web.tests.test_access_matrix import ROLES, _url, entry_for
from anmian.web.tests.test_browser import AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-only-password"  # load_demo_clinic's, for a local demonstration only
PEOPLE = {"patient": "mei@demo.anmian", "practitioner": "practitioner@demo.anmian"}
PHONE = {"width": 390, "height": 844}
SMALLEST_PX = 11  # issue 10: no text under 11 px on a phone
# Pages that are not for reading in a browser, or that act when opened, are left out by
# what they answer (not HTML) and by these prefixes: the admin has its own look and its own
# accessibility work upstream, the API docs are swept in test_api_docs_browser.py.
SKIP_PREFIXES = ("admin/", "api/")
# Views of one route that the resolver cannot list: the staff week of the whole clinic (one
# column per practitioner a day, the widest table of the site) and the list of today.
VIEWS = {"practitioner": ["/booking/calendar/?view=week&who=all", "/booking/calendar/?view=day"]}

# Measured in the page: text drawn smaller than the limit. SVG text is scaled with its
# drawing, so its size is the font size times the drawing's scale on screen.
SMALL_TEXT_JS = """(limit) => {
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.skip, .visually-hidden, [aria-hidden=true]')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not drawn (a folded section)
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      if (m) size *= Math.hypot(m.a, m.b);
    }
    if (size < limit) small.push(`${el.tagName.toLowerCase()} ${size.toFixed(1)}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  return small;
}"""


def _demo_ids() -> dict[str, uuid.UUID]:
    from anmian.web.booking.models import Appointment
    from anmian.web.records.models import Assessment, Patient, Plan

    mei = Patient.objects.get(user__username=PEOPLE["patient"])
    return {
        "patient": mei.uid,
        "assessment": Assessment.objects.filter(patient=mei).latest("created").uid,
        "plan": Plan.objects.filter(patient=mei).latest("created").uid,
        "appointment": Appointment.objects.filter(patient=mei).latest("start").uid,
    }


def pages_for(role: str, ids: dict[str, uuid.UUID], client: Client) -> list[str]:
    """The HTML pages `role` may open: from the resolver and the access matrix, each asked
    once with the test client (cheap) so only pages that answer HTML go to the browser."""
    column = ROLES.index(role)
    found = []
    for route in site_routes():
        entry = entry_for(route.key)
        if route.pattern.startswith(SKIP_PREFIXES) or entry is None:
            continue
        method, outcomes = entry
        if method != "GET" or outcomes[column] != "ok":
            continue
        url = _url(route, ids)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append(url)
    return sorted(set(found) | set(VIEWS.get(role, [])))


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"{email} could not log in"


@pytest.mark.parametrize("role", ["patient", "practitioner"])
def test_every_page_fits_a_phone_reads_at_11px_and_passes_axe(browser, live_server, role):
    from django.contrib.auth import get_user_model

    call_command("load_demo_clinic", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username=PEOPLE[role]))
    urls = pages_for(role, _demo_ids(), client)
    assert len(urls) >= 10, urls  # the sweep reaches the person's pages, not a login wall

    context = browser.new_context(viewport=PHONE, bypass_csp=True)  # axe is an inline script
    page = context.new_page()
    _login(page, live_server.url, PEOPLE[role])
    shots = os.environ.get("ANMIAN_SCREENSHOTS")
    problems: list[str] = []
    for url in urls:
        page.goto(live_server.url + url)
        if shots:
            name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
            page.screenshot(path=f"{shots}/every-{role}-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{url}: scrolls sideways ({width} px wide)")
        small = page.evaluate(SMALL_TEXT_JS, SMALLEST_PX)
        if small:
            problems.append(f"{url}: text under {SMALLEST_PX} px: {small[:3]}")
        page.add_script_tag(path=os.path.normpath(AXE))
        found = page.evaluate("async () => (await axe.run()).violations")
        serious = [
            f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}"
            for v in found
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems.append(f"{url}: axe: {serious}")
    context.close()
    assert not problems, f"{len(problems)} problems on {len(urls)} pages:\n" + "\n".join(problems)
