"""The self-check's short path (the default): after the safety steps, one question a screen,
chosen by the engine's intake, "about N more questions", back works, answers kept in the
session, plain forms that work without JavaScript; "answer everything" keeps the long form."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb

pytestmark = pytest.mark.django_db
KB = get_kb()
YES = dict.fromkeys(CRITERIA, "yes")
SEVERITY = {item.id: "2" for item in KB.scales["anmian-leg-scale"].items}


# Heart Blood deficiency's key symptoms (maciocia-2005-foundations)
HEART_BLOOD = {"palpitations", "poor-memory", "poor-sleep", "dream-disturbed-sleep", "pale-face"}


def safety_steps(client: Client, notes: str = "", sex: str = "female") -> object:
    """The wizard's steps of the short path; answers the last and returns its response."""
    client.post("/self-check/step/about/", {"age": "55", "sex": sex})
    client.post("/self-check/step/screening/", YES)
    client.post("/self-check/step/safety/", {})
    client.post("/self-check/step/severity/", SEVERITY)
    client.post("/self-check/step/notes/", {"story": notes})
    return client.post("/self-check/step/context/", {})


def current(client: Client) -> str:
    """The finding the next question is about (follows /self-check/questions/)."""
    response = client.get("/self-check/questions/")
    assert response.status_code == 302
    found = re.search(r"/self-check/questions/([a-z0-9-]+)/$", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def test_the_short_path_skips_the_long_form_and_leads_to_questions(client: Client):
    response = client.post("/self-check/step/safety/", {})
    assert response["Location"] == "/self-check/step/severity/"
    response = safety_steps(client)
    assert response["Location"] == "/self-check/questions/"


def test_it_asks_one_question_a_screen_with_about_how_many_are_left(client: Client):
    safety_steps(client)
    finding = current(client)
    html = client.get(f"/self-check/questions/{finding}/").content.decode()
    assert KB.findings[finding].question in html
    assert re.search(r"About \d+ more questions", html)
    assert html.count('name="answer"') == 3  # yes, no, not sure: one question
    assert 'type="checkbox"' not in html


def test_an_answer_moves_on_and_is_kept_for_going_back(client: Client):
    safety_steps(client)
    first = current(client)
    response = client.post(f"/self-check/questions/{first}/", {"answer": "yes"})
    assert response["Location"] == "/self-check/questions/"
    second = current(client)
    assert second != first
    page = client.get(f"/self-check/questions/{second}/").content.decode()
    assert f'href="/self-check/questions/{first}/"' in page  # Back goes to the first question
    again = client.get(f"/self-check/questions/{first}/").content.decode()
    assert 'value="yes" checked' in again


def test_back_from_the_first_question_goes_to_the_last_step(client: Client):
    safety_steps(client)
    page = client.get(f"/self-check/questions/{current(client)}/").content.decode()
    assert 'href="/self-check/step/context/"' in page


def test_changing_an_earlier_answer_keeps_the_later_ones(client: Client):
    safety_steps(client)
    first = current(client)
    client.post(f"/self-check/questions/{first}/", {"answer": "yes"})
    second = current(client)
    client.post(f"/self-check/questions/{second}/", {"answer": "no"})
    client.post(f"/self-check/questions/{first}/", {"answer": "no"})
    assert client.session["selfcheck"]["intake"]["absent"] == [second, first]


def test_it_refuses_an_answer_that_is_not_one_of_the_three(client: Client):
    safety_steps(client)
    first = current(client)
    response = client.post(f"/self-check/questions/{first}/", {"answer": "maybe"})
    assert response.status_code == 400
    assert "Choose yes, no or not sure" in response.content.decode()
    assert "intake" not in client.session["selfcheck"]


@pytest.mark.parametrize("finding", ["no-such-finding", "one-leg-swollen-warm-red"])
def test_a_question_that_is_not_one_is_404(client: Client, finding: str):
    assert client.get(f"/self-check/questions/{finding}/").status_code == 404


def test_a_step_not_yet_answered_is_asked_first(client: Client):
    client.post("/self-check/step/about/", {"age": "55"})
    response = client.get("/self-check/questions/")
    assert response["Location"] == "/self-check/step/screening/"


def test_answering_to_the_end_shows_results_with_the_answers(client: Client):
    safety_steps(client, notes="crawling feeling in my calves every evening")
    truth = {"palpitations", "pale-face", "poor-memory", "dizziness", "pale-lips-nails"}
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        response = client.get("/self-check/questions/")
        if response["Location"] == "/self-check/results/":
            break
        finding = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        client.post(
            f"/self-check/questions/{finding}/", {"answer": "yes" if finding in truth else "no"}
        )
    else:
        raise AssertionError("the short path never ended")
    html = client.get("/self-check/results/").content.decode()
    assert "TCM patterns that fit" in html
    assert "Heart Blood" in html or "Blood" in html


def test_answer_everything_keeps_the_long_form(client: Client):
    response = client.post("/self-check/mode/", {"mode": "full"})
    assert response["Location"] == "/self-check/step/legs/"
    assert client.post("/self-check/step/safety/", {})["Location"] == "/self-check/step/severity/"
    response = client.post("/self-check/step/severity/", SEVERITY)
    assert response["Location"] == "/self-check/step/legs/"
    assert client.post("/self-check/step/context/", {})["Location"] == "/self-check/results/"


def test_the_mode_switch_refuses_get(client: Client):
    assert client.get("/self-check/mode/").status_code == 405


def test_a_man_is_not_asked_about_periods_on_the_short_path(client: Client):
    safety_steps(client, sex="male")
    periods = {f.id for f in KB.findings.values() if f.sex == "female"}
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        response = client.get("/self-check/questions/")
        if response["Location"] == "/self-check/results/":
            break
        finding = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        assert finding not in periods
        client.post(f"/self-check/questions/{finding}/", {"answer": "unsure"})


def test_a_yes_the_result_rests_on_is_asked_again_in_other_words(client: Client):
    safety_steps(client)
    said, again = set(), []
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        response = client.get("/self-check/questions/")
        if response["Location"] == "/self-check/results/":
            break
        finding = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        page = client.get(response["Location"]).content.decode()
        if finding in said:  # asked a second time, in the confirmation's own words
            again.append(finding)
            assert "Before the results" in page and "checked" not in page  # asked afresh
        said.add(finding)
        # yes to Heart Blood's signs, but the first one asked again is taken back
        yes = finding in HEART_BLOOD and finding != (again[0] if again else None)
        client.post(f"/self-check/questions/{finding}/", {"answer": "yes" if yes else "no"})
    else:
        raise AssertionError("the short path never ended")
    assert again, "no yes was asked again"
    kept = client.session["selfcheck"]["intake"]
    assert again[0] in kept["absent"] and again[0] in kept["confirmed"]
