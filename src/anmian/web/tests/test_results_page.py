"""The self-check's results page as a person reads it (issue 10): a summary first (what this
means, what to do first, the course with a button to book it), then sections that fold; names
and sentences, never ids or tags; needling cautions only for whoever holds the needles."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anmian.web.tests.test_selfcheck import complete

pytestmark = pytest.mark.django_db

BLOOD_DEFICIENCY = {
    "legs": ["leg-crawling"],
    "sleep-mood": ["palpitations"],
    "energy": ["pale-face"],
    "tongue": ["tongue-pale"],
}
ON_WARFARIN = {"medication_1": "warfarin"}


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _text(html: str) -> str:
    """What a person reads: the words, without the markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_it_opens_with_a_summary_before_every_other_section(client: Client):
    html = _main(complete(client, BLOOD_DEFICIENCY))
    summary = html[html.index('<section class="summary') : html.index("</section>")]
    words = _text(summary)
    assert "What this means" in words and "What to do first" in words
    # All five criteria were answered yes (test_selfcheck.complete): the IRLSSG verdict.
    assert "Your answers fit restless legs syndrome" in words
    assert "not a diagnosis" in words
    for later in ('id="plan-h"', 'id="pat-h"', 'id="scr-h"'):
        assert html.index('<section class="summary') < html.index(later)


def test_the_summary_offers_to_book_the_course_the_plan_suggests(client: Client):
    html = _main(complete(client, BLOOD_DEFICIENCY))
    found = re.search(
        r'href="(/booking/course/\?weeks=(\d+))"[^>]*>.*?Book this course', html, re.S
    )
    assert found, "a 'Book this course' button leading to the course booking"
    weeks = found.group(2)
    summary = _text(html[html.index('<section class="summary') : html.index("</section>")])
    assert f"{weeks} weeks" in summary  # the button books the length the summary names
    assert Client().get(found.group(1)).status_code == 302  # a stranger is asked to log in


def test_every_section_after_the_summary_folds_without_javascript(client: Client):
    html = _main(complete(client, BLOOD_DEFICIENCY, context=ON_WARFARIN))
    after = html[html.index("</section>", html.index('<section class="summary')) :]
    headings = re.findall(r"<summary><h2[^>]*>(.*?)</h2></summary>", after)
    for heading in ("Your plan", "TCM patterns that fit", "Screening", "Cautions"):
        assert any(heading in h for h in headings), (heading, headings)
    assert "<details open" not in html  # folded until the person opens one (site.js opens
    # them on a wide screen, where there is room)


def test_no_raw_ids_or_tags_reach_the_patient(client: Client):
    text = _text(_main(complete(client, BLOOD_DEFICIENCY, context=ON_WARFARIN)))
    for raw in ("possible-rls", "criteria-not-met", "urge_to_move", "technique cupping"):
        assert raw not in text
    assert "technique bleeding" not in text and "formula tian-wang" not in text
    # What safety left out, by name and in sentences (warfarin: no cupping, McCulloch 2015).
    assert "Cupping: No cupping while taking medicines that raise bleeding risk" in text


def test_a_formula_left_out_for_several_herbs_is_named_once(client: Client):
    html = _main(complete(client, BLOOD_DEFICIENCY, context=ON_WARFARIN))
    left = html[html.index('id="exc-h"') :]
    left = left[: left.index("</details>")]
    names = re.findall(r"<li><strong>(.*?)</strong>", left)
    assert names and len(names) == len(set(names)), names


def test_a_patient_sees_no_needling_cautions(client: Client):
    text = _text(_main(complete(client, BLOOD_DEFICIENCY, context=ON_WARFARIN)))
    assert "Needling at" not in text
    assert "needle shallowly" not in text


def test_a_practitioner_sees_the_needling_cautions(client: Client, bob):
    client.force_login(bob.user)
    text = _text(_main(complete(client, BLOOD_DEFICIENCY, context=ON_WARFARIN)))
    # On a blood thinner, needle shallowly and press after (McCulloch 2015).
    assert "Needling at" in text and "needle shallowly" in text


def test_the_saved_assessments_list_names_the_verdict_in_words(client: Client, alice_assessment):
    client.force_login(alice_assessment.patient.user)
    text = _text(_main(client.get("/accounts/mine/")))
    verdict = alice_assessment.result["screening"]["verdict"]
    assert verdict not in text
