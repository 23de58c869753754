"""The self-assessment wizard: steps, answers kept, results with safety first."""

from __future__ import annotations

import pytest
from django.test import Client

from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb
from anmian.web.selfcheck.views import _steps

pytestmark = pytest.mark.django_db
KB = get_kb()
YES = dict.fromkeys(CRITERIA, "yes")


def answer(client: Client, step: str, data: dict) -> object:
    return client.post(f"/self-check/step/{step}/", data)


def complete(
    client: Client,
    ticks: dict[str, list[str]] | None = None,
    context: dict | None = None,
    notes: str = "",
):
    ticks = ticks or {}
    answer(client, "about", {"age": "55", "sex": "female"})
    answer(client, "screening", YES)
    for step in _steps():
        if step.identifier in ("about", "screening", "context"):
            continue
        if step.identifier == "notes":
            answer(client, "notes", {"story": notes})
            continue
        if step.identifier == "severity":
            answer(
                client, "severity", {item.id: "2" for item in KB.scales["anmian-leg-scale"].items}
            )
            continue
        answer(client, step.identifier, dict.fromkeys(ticks.get(step.identifier, []), "on"))
    answer(client, "context", context or {})
    return client.get("/self-check/results/")


def test_it_starts_at_the_first_step(client: Client):
    response = client.get("/self-check/")
    assert response.status_code == 302
    assert response["Location"].endswith("/self-check/step/about/")


def test_each_step_shows_progress(client: Client):
    response = client.get("/self-check/step/screening/")
    assert response.status_code == 200
    assert b"Step 2 of" in response.content


def test_a_validation_error_keeps_the_answers_given(client: Client):
    response = answer(client, "screening", {"urge_to_move": "yes"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="yes" required id="id_urge_to_move_0" checked' in html or "checked" in html
    assert "Please answer" in html


def test_answers_survive_going_back(client: Client):
    answer(client, "about", {"age": "61", "sex": "male"})
    response = client.get("/self-check/step/about/")
    assert b'value="61"' in response.content


def test_htmx_gets_only_the_form(client: Client):
    response = client.get("/self-check/step/about/", headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b"<form" in response.content


def test_an_unknown_step_is_404(client: Client):
    assert client.get("/self-check/step/nope/").status_code == 404


def test_periods_are_not_asked_of_men(client: Client):
    answer(client, "about", {"age": "40", "sex": "male"})
    assert client.get("/self-check/step/menstruation/").status_code == 404


def test_results_show_patterns_plan_and_body_chart(client: Client):
    response = complete(
        client,
        {
            "legs": ["leg-crawling"],
            "sleep-mood": ["palpitations", "dream-disturbed-sleep"],
            "energy": ["pale-face"],
            "tongue": ["tongue-pale"],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "TCM patterns that fit" in html
    assert "<svg" in html and 'class="pt"' in html
    assert "SP6" in html
    assert "does not diagnose" in html


def test_a_red_flag_puts_the_referral_first(client: Client):
    response = complete(client, {"safety": ["one-leg-swollen-warm-red"], "legs": ["leg-crawling"]})
    html = response.content.decode()
    assert "See a clinician" in html
    assert html.index("See a clinician") < html.index("TCM patterns that fit")
    assert "see a physician before you start" in html.lower()


def test_no_findings_gives_a_friendly_page(client: Client):
    response = complete(client)
    assert response.status_code == 200
    assert b"Not enough answers yet" in response.content


def test_restart_clears_the_answers(client: Client):
    answer(client, "about", {"age": "61"})
    assert client.post("/self-check/restart/").status_code == 302
    assert b'value="61"' not in client.get("/self-check/step/about/").content


def test_restart_refuses_get(client: Client):
    assert client.get("/self-check/restart/").status_code == 405


def test_results_refuse_post(client: Client):
    assert client.post("/self-check/results/").status_code == 405


def test_an_htmx_answer_swaps_in_the_next_step_and_sets_its_address(client: Client):
    response = client.post("/self-check/step/about/", {"age": "50"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/self-check/step/screening/"
    assert b"<html" not in response.content and b"The five key questions" in response.content


def test_the_last_htmx_answer_leads_to_the_short_path_s_questions(client: Client):
    response = client.post("/self-check/step/context/", {}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/self-check/questions/"


def test_the_last_htmx_answer_of_the_long_form_redirects_to_the_results(client: Client):
    client.post("/self-check/mode/", {"mode": "full"})
    response = client.post("/self-check/step/context/", {}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/self-check/results/"


def test_the_tongue_step_has_a_drawing_for_each_question(client: Client):
    html = client.get("/self-check/step/tongue/").content.decode()
    tongue_findings = [
        f for f in KB.findings.values() if f.category in ("tongue-body", "tongue-coat")
    ]
    assert html.count('<svg class="tongue"') == len(tongue_findings)
