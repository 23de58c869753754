"""The self-check in the person's own words: free text, autocomplete, the reading shown back,
uncertain readings confirmed before the plan, and a plan on hold shown first."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anmian.web.selfcheck import services
from anmian.web.selfcheck.steps import ANSWERS, to_engine_input
from anmian.web.selfcheck.views import _steps
from anmian.web.tests.test_selfcheck import answer, complete

pytestmark = pytest.mark.django_db
LEGS = {"legs": ["leg-crawling"]}
DOUBT = "My mother had restless legs. Maybe some chest pain.\nno palpitations"


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# --- the free-text step ---


def test_it_asks_in_own_words_just_before_the_context_step():
    ids = [s.identifier for s in _steps()]
    assert ids.index("notes") == ids.index("context") - 1


def test_it_shows_a_textarea_of_at_most_2000_characters(client: Client):
    html = client.get("/self-check/step/notes/").content.decode()
    assert "Anything else about your legs, sleep or health?" in html
    assert re.search(r'<textarea name="story"[^>]*maxlength="2000"', html)


@pytest.mark.parametrize(
    ("story", "message"),
    [
        ("x" * 2001, "at most 2000 characters"),
        (". ".join(["legs crawl"] * 31), "Anmian reads up to 30"),
        ("my legs " * 30, "longer than 200 characters"),
        ("legs crawl\x00", "Null characters are not allowed"),
    ],
)
def test_it_refuses_text_it_cannot_read_and_keeps_no_answer(client: Client, story, message):
    response = answer(client, "notes", {"story": story})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "notes" not in client.session.get(ANSWERS, {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Legs crawl at night. Worse after coffee", ["Legs crawl at night", "Worse after coffee"]),
        ("one\n\n  \ntwo\r\nthree", ["one", "two", "three"]),
        ("Took 0.5 mg of it. Fine.", ["Took 0.5 mg of it", "Fine"]),
        ("  ...  \n.", []),
        ("", []),
    ],
)
def test_it_splits_free_text_on_line_breaks_and_full_stops(text, expected):
    assert services.phrases(text) == expected


def test_it_passes_the_sentences_to_the_engine_as_findings():
    answers = {"legs": {"leg-crawling": True}, "notes": {"story": "Calves ache.\nNo chest pain"}}
    assert to_engine_input(answers, _steps())["findings"] == [
        "leg-crawling",
        "Calves ache",
        "No chest pain",
    ]


def test_free_text_alone_is_enough_for_results(client: Client):
    response = complete(client, notes="My legs crawl in the evening and I must move them.")
    assert response.status_code == 200
    assert "Crawling or creeping feeling in the legs" in _main(response)


def test_words_it_cannot_read_at_all_give_a_400_page_not_a_500(client: Client):
    response = complete(client, notes="flibbertigibbet wobble")
    assert response.status_code == 400
    assert b"Not enough answers yet" in response.content


# --- medicines and conditions, with suggestions ---


def test_it_offers_six_medicine_boxes_with_suggestions_from_the_knowledge_base(client: Client):
    html = client.get("/self-check/step/context/").content.decode()
    for n in range(1, 7):
        assert re.search(
            rf'<input type="text" name="medication_{n}"[^>]*list="medicine-names"', html
        )
    assert re.search(r'name="other_conditions"[^>]*list="condition-names"', html)
    medicines = html[html.index('<datalist id="medicine-names">') :].split("</datalist>")[0]
    conditions = html[html.index('<datalist id="condition-names">') :].split("</datalist>")[0]
    assert '<option value="Warfarin">' in medicines  # a name
    assert '<option value="Coumadin">' in medicines  # a brand (synonym)
    assert '<option value="Anticoagulants (blood thinners)">' in medicines  # a drug class
    assert '<option value="Pregnancy">' in conditions and '<option value="IVF">' in conditions
    assert "warfarin" not in medicines.replace("Warfarin", "")  # ids are not offered


def test_the_htmx_context_step_carries_its_own_suggestions(client: Client):
    response = client.get("/self-check/step/context/", headers={"HX-Request": "true"})
    assert b'<datalist id="medicine-names">' in response.content


def test_it_reads_several_boxes_commas_and_other_conditions(client: Client):
    answer(
        client,
        "context",
        {
            "medication_1": "warfarin",
            "medication_2": "sertraline, Coumadin",
            "medication_6": "  ",
            "conditions": ["pregnancy"],
            "other_conditions": "diabetes, an odd rash",
        },
    )
    data = to_engine_input(client.session[ANSWERS], _steps())
    assert data["medications"] == ["warfarin", "sertraline", "Coumadin"]
    assert data["conditions"] == ["pregnancy", "diabetes", "an odd rash"]


def test_it_reads_allergies_in_own_words_into_the_engine_input(client: Client):
    html = client.get("/self-check/step/context/").content.decode()
    assert 'name="allergies"' in html and "Allergies (in your own words)" in html
    answer(client, "context", {"allergies": "ginseng, shellfish "})
    data = to_engine_input(client.session[ANSWERS], _steps())
    assert data["allergies"] == ["ginseng", "shellfish"]


def test_it_still_reads_the_single_medicines_box_of_an_older_session():
    data = to_engine_input({"context": {"medications": "warfarin, iron"}}, _steps())
    assert data["medications"] == ["warfarin", "iron"]


@pytest.mark.parametrize("field", ["medication_3", "other_conditions", "allergies"])
def test_it_refuses_an_overlong_item(client: Client, field):
    response = answer(client, "context", {field: "a" * 150})
    assert response.status_code == 400
    assert "keep each under 100 characters" in response.content.decode()


def test_it_refuses_a_condition_it_does_not_offer(client: Client):
    response = answer(client, "context", {"conditions": ["not-a-condition"]})
    assert response.status_code == 400


# --- how it read what was written ---


def test_it_shows_how_it_read_the_words_in_plain_words(client: Client):
    story = "My mother had restless legs. Used to have night sweats.\nno palpitations"
    html = _main(complete(client, LEGS, notes=story + "\nflibbertigibbet wobble"))
    read = html[html.index('id="read-h"') : html.index('id="scr-h"')]
    assert "Present" in read and "Family history of restless legs" in read
    assert "Not present" in read and "Palpitations" in read
    assert "In the past" in read and "Night sweats" in read
    assert "Not understood" in read and "“flibbertigibbet wobble”. Closest:" in read
    assert "One leg swollen, warm, red or tender" in read  # a suggestion, by its label
    assert "leg-crawling" not in read and "family-history-rls" not in read  # never ids


def test_it_says_which_medicines_and_conditions_it_did_not_know(client: Client):
    html = _main(
        complete(client, LEGS, context={"medication_1": "zzqdrug", "other_conditions": "gloopitis"})
    )
    assert "Medicines not recognised: zzqdrug" in html
    assert "Conditions not recognised: gloopitis" in html


def test_ticked_boxes_alone_show_no_reading_section(client: Client):
    assert 'id="read-h"' not in _main(complete(client, LEGS))


# --- uncertain readings confirmed before the plan ---


def test_it_asks_about_what_it_was_unsure_of_before_showing_the_plan(client: Client):
    response = complete(client, LEGS, notes=DOUBT)
    assert response.status_code == 200
    html = _main(response)
    form = html[html.index('<form method="post" action="/self-check/results/confirm/"') :]
    form = form[: form.index("</form>")]
    assert "Chest pain, especially when breathing in?" in form
    assert "You wrote: “Maybe some chest pain”" in form
    assert 'name="chest-pain" value="yes"' in form and 'name="chest-pain" value="no"' in form
    assert "Show my plan anyway" in form
    read = html[html.index('id="read-h"') :]
    assert read.index("Chest pain, especially") < read.index("Present")  # the doubt first
    assert "Not sure" not in read  # listed once, as the question
    assert "Points to press" not in html and "TCM patterns that fit" not in html
    assert "shown once you have answered" in html


def test_a_confirmed_no_becomes_a_denial_and_the_plan_is_shown(client: Client):
    complete(client, LEGS, notes=DOUBT)
    response = client.post("/self-check/results/confirm/", {"chest-pain": "no"})
    assert response.status_code == 302 and response["Location"].endswith(
        "/self-check/results/#read-h"
    )
    data = to_engine_input(client.session[ANSWERS], _steps())
    assert "no chest-pain" in data["findings"] and "Maybe some chest pain" not in data["findings"]
    html = _main(client.get("/self-check/results/"))
    assert "Points to press" in html and "SP6" in html
    assert "Chest pain, especially when breathing in: <strong>no</strong>" in html
    assert 'action="/self-check/results/confirm/"' not in html
    assert 'role="alert"' not in html.split('id="read-h"')[0]  # no hold any more


def test_a_confirmed_yes_becomes_a_finding_and_its_referral(client: Client):
    complete(client, LEGS, notes=DOUBT)
    client.post("/self-check/results/confirm/", {"chest-pain": "yes"})
    assert "chest-pain" in to_engine_input(client.session[ANSWERS], _steps())["findings"]
    html = _main(client.get("/self-check/results/"))
    assert "Emergency: Possible blood clot in the lung" in html
    assert "see a physician before you start" in html.lower()


def test_the_other_words_of_a_confirmed_sentence_still_count(client: Client):
    complete(client, notes="Legs crawl at night, maybe some chest pain")
    client.post("/self-check/results/confirm/", {"chest-pain": "no"})
    findings = to_engine_input(client.session[ANSWERS], _steps())["findings"]
    assert "Legs crawl at night, maybe some" in findings and "no chest-pain" in findings
    html = _main(client.get("/self-check/results/"))
    assert "Crawling or creeping feeling in the legs" in html


def test_a_no_does_not_silence_danger_words_it_was_not_about(client: Client):
    story = "I sometimes feel I might not want to wake up"
    complete(client, LEGS, notes=story)
    client.post("/self-check/results/confirm/", {"waking-often": "no"})
    assert story in to_engine_input(client.session[ANSWERS], _steps())["findings"]
    html = _main(client.get("/self-check/results/"))
    assert "Thoughts of suicide or self-harm" in html.split('id="ref-h"')[0]
    assert 'action="/self-check/results/confirm/"' not in html  # not asked twice


def test_the_plan_can_be_shown_anyway(client: Client):
    complete(client, LEGS, notes=DOUBT)
    response = client.post("/self-check/results/confirm/", {"anyway": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#plan-h")
    html = _main(client.get("/self-check/results/"))
    assert "Your plan is on hold." in html  # chest pain still holds it
    assert 'action="/self-check/results/confirm/"' in html  # the questions stay offered


@pytest.mark.parametrize("data", [{}, {"chest-pain": "maybe"}, {"chest-pain": ""}])
def test_an_unanswered_or_wrong_confirmation_is_400_with_the_questions(client: Client, data):
    complete(client, LEGS, notes=DOUBT)
    response = client.post("/self-check/results/confirm/", data)
    assert response.status_code == 400
    html = _main(response)
    assert "Please answer yes or no for each." in html and "Choose yes or no." in html
    assert "Points to press" not in html


def test_a_confirmation_of_something_not_asked_is_ignored(client: Client):
    complete(client, LEGS, notes=DOUBT)
    client.post("/self-check/results/confirm/", {"chest-pain": "no", "leg-crawling": "no"})
    findings = to_engine_input(client.session[ANSWERS], _steps())["findings"]
    assert "no leg-crawling" not in findings


def test_a_confirmation_with_nothing_to_confirm_goes_back_to_the_results(client: Client):
    assert client.post("/self-check/results/confirm/", {"x": "yes"})["Location"] == (
        "/self-check/results/"
    )
    complete(client, LEGS)
    assert client.post("/self-check/results/confirm/", {})["Location"] == "/self-check/results/"


def test_confirm_refuses_get(client: Client):
    assert client.get("/self-check/results/confirm/").status_code == 405


def test_new_words_forget_the_old_confirmations(client: Client):
    complete(client, LEGS, notes=DOUBT)
    client.post("/self-check/results/confirm/", {"anyway": "1"})
    client.post("/self-check/results/confirm/", {"chest-pain": "no"})
    answer(client, "notes", {"story": "Maybe some chest pain at night."})
    answers = client.session[ANSWERS]
    assert services.CONFIRM not in answers and services.SHOW_PLAN not in answers
    assert 'action="/self-check/results/confirm/"' in _main(client.get("/self-check/results/"))


def test_saving_the_same_words_again_keeps_the_confirmations(client: Client):
    complete(client, LEGS, notes=DOUBT)
    client.post("/self-check/results/confirm/", {"chest-pain": "no"})
    answer(client, "notes", {"story": DOUBT})
    assert services.CONFIRM in client.session[ANSWERS]


# --- a plan on hold ---


def test_a_plan_on_hold_says_so_first_and_in_the_plan(client: Client):
    # A danger that the words only hint at (NHS: chest pain "like something heavy is
    # pressing on your chest") holds the plan until someone has checked what it means.
    complete(
        client,
        LEGS,
        notes="My leg goes numb and it feels like something heavy is sitting on my chest.",
    )
    html = _main(client.get("/self-check/results/"))
    hold = re.search(r'<section class="hold" role="alert"[^>]*>(.*?)</section>', html, re.S)
    assert hold and html.index('class="hold"') < html.index('id="ref-h"')
    assert "Your plan is on hold" in hold.group(1)
    assert "You wrote" in hold.group(1)  # the engine's advice on what to do now
    plan = html[html.index('id="plan-h"') :]
    assert "Your plan is on hold." in plan and "No points, herbs or formulas" in plan
    assert "which may be a sign of" in plan and "pulmonary-embolism" not in html
    assert "Points to press" not in plan
    assert "Print this plan" not in html  # nothing to print while the plan waits
    # the hold's advice is not repeated among the other referrals
    assert "Please check:" not in html[html.index('id="ref-h"') :]


def test_an_emergency_read_for_sure_says_do_it_now_first(client: Client):
    # New trouble holding urine with leg numbness can be cauda equina syndrome: NICE CKS
    # (sciatica, red flags) sends the person to an emergency department at once, so the
    # first thing the summary says is to go now, not "before you start the plan".
    complete(client, LEGS, notes="My leg goes numb and my bladder leaks.")
    html = _main(client.get("/self-check/results/"))
    first = html[html.index("What to do first") : html.index('id="ref-h"')]
    assert "Possible pressure on the nerves of the lower spine" in first
    assert "Do this now." in first
    assert "Please see a physician before you start the plan below." not in first


def test_a_saved_assessment_on_hold_shows_the_hold(client: Client, alice):
    from anmian.engine import assess, parse_input
    from anmian.knowledge import get_kb
    from anmian.web.records.models import Assessment

    data = {"findings": ["leg-crawling", "maybe some chest pain"]}
    result = assess(parse_input(data), get_kb(), allow_unknown=True).to_dict()
    a = Assessment.objects.create(patient=alice, kb_version="x", input=data, result=result)
    client.force_login(alice.user)
    html = _main(client.get(f"/accounts/mine/assessments/{a.uid}/"))
    assert '<section class="hold" role="alert"' in html
    assert "Chest pain, especially when breathing in" in html  # the reading, in words


def test_a_saved_assessment_from_an_older_engine_still_shows(client: Client, alice_assessment):
    del alice_assessment.result["input"]["readings"]
    alice_assessment.save()
    client.force_login(alice_assessment.patient.user)
    response = client.get(f"/accounts/mine/assessments/{alice_assessment.uid}/")
    assert response.status_code == 200


# --- the JavaScript path ---


def test_htmx_is_told_to_swap_in_a_400_form_with_its_errors(client: Client):
    html = client.get("/self-check/step/about/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    import json

    handling = json.loads(meta.group(1))["responseHandling"]
    first_400 = next(h for h in handling if re.fullmatch(h["code"].replace(".", r"\d"), "400"))
    assert first_400["swap"] is True
    assert (
        next(h for h in handling if re.fullmatch(h["code"].replace(".", r"\d"), "500"))["swap"]
        is False
    )


def test_an_htmx_step_with_errors_answers_400_with_the_form_and_errors(client: Client):
    response = client.post(
        "/self-check/step/notes/", {"story": "x" * 2001}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert b"<html" not in response.content and b'class="errors" role="alert"' in response.content
