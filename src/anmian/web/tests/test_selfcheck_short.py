"""The self-check's short path (the default): after the safety steps, one question a screen,
chosen by the engine's intake, "about N more questions", back works, answers kept in the
session, plain forms that work without JavaScript; "answer everything" keeps the long form."""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest
from django.test import Client

from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb
from anmian.web.selfcheck.steps import build_steps, to_engine_input

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


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The short path without checklists, each yes asked again alone: the yes/no screen,
    which still asks a checklist's last open finding and a lone confirmation."""
    from anmian.web.selfcheck import views

    m = KB.intake.model.model_copy(update={"recheck": 1})
    plain = dataclasses.replace(
        KB, intake=KB.intake.model_copy(update={"checklists": (), "model": m})
    )
    monkeypatch.setattr(views, "get_kb", lambda: plain)


def boxes(html: str, name: str) -> list[str]:
    """The values of a page's checkboxes of this name, in order."""
    return re.findall(rf'type="checkbox" name="{name}" value="([a-z0-9-]+)"', html)


def current(client: Client) -> str:
    """The finding the next question is about (follows /self-check/questions/)."""
    response = client.get("/self-check/questions/")
    assert response.status_code == 302
    found = re.search(r"/self-check/questions/([a-z0-9-]+)/$", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def answer_next(client: Client, yes: set[str], otherwise: str = "no") -> str | None:
    """Answer the next question of the short path as a person with the findings `yes`; a
    grouped question with the one they have, or none of these (not sure, for "unsure").
    The question's address, or None at the results."""
    where = client.get("/self-check/questions/")["Location"]
    if where == "/self-check/results/":
        return None
    asked = where.rstrip("/").rsplit("/", 1)[-1]
    if "/questions/list/" in where:  # tick the ones they have
        shown = boxes(client.get(where).content.decode(), "ticked")
        data: dict[str, object] = {"ticked": [f for f in shown if f in yes]}
        if otherwise == "unsure":
            data["unsure"] = "yes"
        client.post(where, data)
        return where
    if "/questions/again/" in where:  # yes answers looked at again: keep the true ones
        shown = boxes(client.get(where).content.decode(), "kept")
        client.post(where, {"kept": [f for f in shown if f in yes]})
        return where
    if "/questions/choice/" in where:
        group = next(q for q in KB.intake.exclusive if q.id == asked)
        had = next((f for f in group.findings if f in yes), None)
        answer = had or ("unsure" if otherwise == "unsure" else "none")
    else:
        answer = "yes" if asked in yes else otherwise
    client.post(where, {"answer": answer})
    return where


def test_the_short_path_skips_the_long_form_and_leads_to_questions(client: Client):
    response = client.post("/self-check/step/safety/", {})
    assert response["Location"] == "/self-check/step/severity/"
    response = safety_steps(client)
    assert response["Location"] == "/self-check/questions/"


@pytest.mark.usefixtures("one_at_a_time")
def test_it_asks_one_question_a_screen_with_about_how_many_are_left(client: Client):
    safety_steps(client)
    finding = current(client)
    html = client.get(f"/self-check/questions/{finding}/").content.decode()
    assert KB.findings[finding].question in html
    assert re.search(r"About \d+ more questions", html)
    assert html.count('name="answer"') == 3  # yes, no, not sure: one question
    assert 'type="checkbox"' not in html


@pytest.mark.usefixtures("one_at_a_time")
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


@pytest.mark.usefixtures("one_at_a_time")
def test_back_from_the_first_question_goes_to_the_last_step(client: Client):
    safety_steps(client)
    page = client.get(f"/self-check/questions/{current(client)}/").content.decode()
    assert 'href="/self-check/step/context/"' in page


@pytest.mark.usefixtures("one_at_a_time")
def test_changing_an_earlier_answer_keeps_the_later_ones(client: Client):
    safety_steps(client)
    first = current(client)
    client.post(f"/self-check/questions/{first}/", {"answer": "yes"})
    second = current(client)
    client.post(f"/self-check/questions/{second}/", {"answer": "no"})
    client.post(f"/self-check/questions/{first}/", {"answer": "no"})
    assert client.session["selfcheck"]["intake"]["absent"] == [second, first]


@pytest.mark.usefixtures("one_at_a_time")
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
        if answer_next(client, truth) is None:
            break
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
    groups = {q.id for q in KB.intake.exclusive if set(q.findings) & periods}
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        where = answer_next(client, set(), otherwise="unsure")
        if where is None:
            break
        asked = where.rstrip("/").rsplit("/", 1)[-1]
        assert asked not in periods and asked not in groups
        assert not set(boxes(client.get(where).content.decode(), "ticked")) & periods
    else:
        raise AssertionError("the short path never ended")


@pytest.mark.usefixtures("one_at_a_time")
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


# --- grouped questions: findings that exclude each other, one screen of radio buttons -----


def to_a_grouped_question(client: Client) -> str:
    """Answer no until the short path asks a grouped question; its address."""
    safety_steps(client)
    for _ in range(KB.intake.model.budget):
        where = client.get("/self-check/questions/")["Location"]
        if "/questions/choice/" in where:
            return where
        assert where != "/self-check/results/", "no grouped question was asked"
        answer_next(client, set())
    raise AssertionError("no grouped question was asked")


def test_a_grouped_question_is_one_screen_of_radio_buttons(client: Client):
    where = to_a_grouped_question(client)
    group = next(q for q in KB.intake.exclusive if where.endswith(f"/{q.id}/"))
    html = client.get(where).content.decode()
    assert group.question in html
    for f in group.findings:
        assert f'type="radio" name="answer" value="{f}"' in html
        assert KB.findings[f].label in html
    assert 'value="none"' in html and "None of these" in html
    assert 'value="unsure"' in html and "Not sure" in html
    assert 'type="checkbox"' not in html and f'action="{where}"' in html  # a plain form
    assert re.search(r"About \d+ more questions|About one more question|Nearly done", html)


def test_choosing_one_keeps_it_and_answers_the_others_no(client: Client):
    where = to_a_grouped_question(client)
    group = next(q for q in KB.intake.exclusive if where.endswith(f"/{q.id}/"))
    chosen, *others = group.findings
    response = client.post(where, {"answer": chosen})  # no JavaScript: a form post
    assert response.status_code == 302 and response["Location"] == "/self-check/questions/"
    kept = client.session["selfcheck"]["intake"]
    assert chosen in kept["present"] and set(others) <= set(kept["absent"])
    nxt = client.get("/self-check/questions/")["Location"]
    assert nxt != where
    page = client.get(nxt).content.decode()
    assert f'href="{where}"' in page  # Back goes to the grouped question
    again = client.get(where).content.decode()
    assert f'value="{chosen}" checked' in again
    # answered again after going back: none of these now, the yes taken back
    client.post(where, {"answer": "none"})
    kept = client.session["selfcheck"]["intake"]
    assert chosen not in kept["present"] and set(group.findings) <= set(kept["absent"])


def test_a_grouped_question_refuses_an_answer_it_does_not_offer(client: Client):
    where = to_a_grouped_question(client)
    before = dict(client.session["selfcheck"]["intake"])
    response = client.post(where, {"answer": "one-leg-swollen-warm-red"})
    assert response.status_code == 400
    assert "Choose one answer." in response.content.decode()
    assert client.session["selfcheck"]["intake"] == before  # nothing kept


def test_a_grouped_question_that_is_not_one_is_404(client: Client):
    assert client.get("/self-check/questions/choice/tongue-shape/").status_code == 404


def test_a_grouped_question_reads_in_chinese(client: Client):
    where = to_a_grouped_question(client)
    group = next(q for q in KB.intake.exclusive if where.endswith(f"/{q.id}/"))
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    html = client.get(where).content.decode()
    assert group.zh_question in html
    assert all(KB.findings[f].zh in html for f in group.findings)
    assert KB.intake.questions.zh_choice_none in html and group.question not in html


# --- two answers of one grouped question ticked on the long form ---------------------------


def test_two_answers_that_exclude_each_other_are_asked_again_not_skipped_to_results(
    client: Client,
):
    """Loose stools and constipation with hard, dry stools ticked together on the long form
    (bowels are one or the other most of the time; swinging between them is a third answer):
    switching to the short path asks the bowel question again, saying why, rather than
    jumping to the results; the person's other answers stay."""
    safety_steps(client)
    client.post("/self-check/mode/", {"mode": "full"})
    client.post(
        "/self-check/step/digestion/",
        {"loose-stools": "on", "constipation-dry-stools": "on", "poor-appetite": "on"},
    )
    client.post("/self-check/step/sleep-mood/", {"dream-disturbed-sleep": "on"})
    assert (
        client.post("/self-check/mode/", {"mode": "short"})["Location"] == "/self-check/questions/"
    )
    where = client.get("/self-check/questions/")["Location"]
    assert where == "/self-check/questions/choice/bowels/"
    response = client.get(where)
    assert response.status_code == 200
    html = response.content.decode()
    assert "How are your bowel movements" in html
    assert "cannot both be true" in html
    assert "Loose or soft stools" in html and "Constipation with dry, hard stools" in html
    assert 'value="alternating-bowels"' in html  # what the two ticks together may mean
    assert "checked" not in html  # asked afresh
    response = client.post(where, {"answer": "alternating-bowels"})
    assert response["Location"] == "/self-check/questions/"
    assert client.get("/self-check/questions/")["Location"] != where  # asked once
    # on the long form, the answer given replaces the two ticks; the other ticks stay
    kept = client.session["selfcheck"]
    assert kept["digestion"]["loose-stools"] is False
    assert kept["digestion"]["constipation-dry-stools"] is False
    assert kept["digestion"]["poor-appetite"] is True
    assert kept["sleep-mood"]["dream-disturbed-sleep"] is True
    assert "alternating-bowels" in kept["intake"]["present"]


def test_two_answers_that_exclude_each_other_are_asked_again_in_chinese(client: Client):
    safety_steps(client)
    client.post("/self-check/mode/", {"mode": "full"})
    client.post("/self-check/step/temperature/", {"feeling-cold": "on", "feeling-hot": "on"})
    client.post("/self-check/mode/", {"mode": "short"})
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    where = client.get("/self-check/questions/")["Location"]
    assert where == "/self-check/questions/choice/body-temperature/"
    html = client.get(where).content.decode()
    assert "畏寒怕冷" in html and "怕熱" in html
    assert "不可能同時" in html
    assert "cannot both be true" not in html


# --- what a person sees along the way ------------------------------------------------------


def about(html: str) -> int:
    """The count of questions left that a screen shows ("Nearly done" is none)."""
    if "About one more question" in html:
        return 1
    found = re.search(r"About (\d+) more questions", html)
    if found:
        return int(found.group(1))
    assert "Nearly done" in html
    return 0


def test_the_count_of_questions_left_never_goes_up(client: Client):
    """A count that rises ("about 19 more", then "about 24 more") reads as going backwards,
    one that stands still as being stuck: each answer takes one off, down to one more."""
    safety_steps(client, notes="crawling feeling in my calves every evening")
    truth = {"palpitations", "pale-face", "poor-memory", "dizziness", "pale-lips-nails"}
    counts, seen = [], {}
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        where = client.get("/self-check/questions/")["Location"]
        if where == "/self-check/results/":
            break
        counts.append(about(client.get(where).content.decode()))
        seen.setdefault(where, counts[-1])
        answer_next(client, truth)
    else:
        raise AssertionError("the short path never ended")
    assert len(counts) > 5
    assert counts == sorted(counts, reverse=True), counts
    assert all(b < a or b <= 1 for a, b in itertools.pairwise(counts)), counts
    first, count = next(iter(seen.items()))
    assert about(client.get(first).content.decode()) == count  # Back: the same count


def test_next_on_ones_own_words_goes_on_to_the_questions_not_back_to_the_medicines(
    client: Client,
):
    """The questions ask the medicines before the person's own words; "Next" on the words
    then leads to the questions, not to the medicines just answered."""
    client.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    client.post("/self-check/step/screening/", YES)
    client.post("/self-check/step/safety/", {})
    client.post("/self-check/step/severity/", SEVERITY)
    client.post("/self-check/step/context/", {})
    assert client.get("/self-check/questions/")["Location"] == "/self-check/step/notes/"
    response = client.post("/self-check/step/notes/", {"story": ""})
    assert response["Location"] == "/self-check/questions/"


def test_a_tick_taken_back_on_the_short_path_is_gone_from_the_long_form_and_the_results(
    client: Client,
):
    """Ticked on the long form, then answered no when the short path asks it (again): the
    no is the person's answer now, on the long form and in what the results rest on."""
    safety_steps(client)
    client.post("/self-check/mode/", {"mode": "full"})
    client.post("/self-check/step/energy/", {"palpitations": "on", "dizziness": "on"})
    client.post("/self-check/mode/", {"mode": "short"})
    client.post("/self-check/questions/palpitations/", {"answer": "no"})
    energy = client.get("/self-check/step/energy/").content.decode()
    assert re.search(r'<input[^>]*name="palpitations"[^>]*checked', energy) is None
    assert re.search(r'<input[^>]*name="dizziness"[^>]*checked', energy)  # the other stays
    assert client.get("/self-check/results/").status_code == 200
    found = to_engine_input(client.session["selfcheck"], build_steps(KB))["findings"]
    assert "palpitations" not in found and "dizziness" in found


@pytest.mark.parametrize(("language", "words"), [("zh-hant", "心臟衰竭"), ("zh-hans", "心脏衰竭")])
def test_the_conditions_to_tick_read_in_chinese(client: Client, language: str, words: str):
    """On a Chinese page the medicines step's conditions were in English ('Heart failure')."""
    safety_steps(client)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/self-check/step/context/").content.decode()
    box = re.search(r'value="heart-failure"[^>]*>\s*([^<]+)</label>', html)
    assert box, "no box for heart failure"  # the answer kept is the condition's id
    assert box.group(1).strip() == words


def test_the_last_step_of_the_short_path_says_questions_follow(client: Client):
    """'Step 6 of 6' and then 'about 20 more questions' reads as a promise broken."""
    client.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    html = client.get("/self-check/step/context/").content.decode()
    assert re.search(r"Step (\d+) of \1, then questions one at a time", html)
    client.post("/self-check/mode/", {"mode": "full"})
    html = client.get("/self-check/step/context/").content.decode()
    assert re.search(r"Step (\d+) of \1\s", html) and "then questions" not in html


# --- checklists: "which of these do you notice?", one screen of checkboxes ------------------


def to_a_checklist(client: Client) -> str:
    safety_steps(client)
    where = client.get("/self-check/questions/")["Location"]
    assert "/self-check/questions/list/" in where, where
    return where


def test_after_the_steps_a_checklist_is_one_screen_of_checkboxes(client: Client):
    where = to_a_checklist(client)
    listed = next(q for q in KB.intake.checklists if where.endswith(f"/{q.id}/"))
    html = client.get(where).content.decode()
    assert listed.question in html and f'action="{where}"' in html  # a plain form
    shown = boxes(html, "ticked")
    assert 2 <= len(shown) <= 7 and set(shown) <= set(listed.findings)
    assert all(KB.findings[f].label in html for f in shown)
    assert 'name="unsure" value="yes"' in html and KB.intake.questions.checklist_unsure in html
    assert 'type="radio"' not in html
    assert re.search(r"About \d+ more questions|About one more question", html)
    assert 'href="/self-check/step/context/"' in html  # Back: the last step


def test_ticked_is_a_yes_unticked_a_no_and_back_shows_the_ticks(client: Client):
    where = to_a_checklist(client)
    shown = boxes(client.get(where).content.decode(), "ticked")
    response = client.post(where, {"ticked": shown[:2]})  # no JavaScript: a form post
    assert response.status_code == 302 and response["Location"] == "/self-check/questions/"
    kept = client.session["selfcheck"]["intake"]
    assert set(shown[:2]) <= set(kept["present"]) and set(shown[2:]) <= set(kept["absent"])
    nxt = client.get("/self-check/questions/")["Location"]
    assert nxt != where
    assert f'href="{where}"' in client.get(nxt).content.decode()  # Back: the checklist
    again = client.get(where).content.decode()
    for f in shown:
        ticked = re.search(rf'name="ticked" value="{f}" checked', again) is not None
        assert ticked == (f in shown[:2])
    # answered again after going back: nothing ticked now, the yeses taken back
    client.post(where, {})
    kept = client.session["selfcheck"]["intake"]
    assert not set(shown) & set(kept["present"]) and set(shown) <= set(kept["absent"])


def test_not_sure_about_the_rest_leaves_them_not_sure(client: Client):
    where = to_a_checklist(client)
    shown = boxes(client.get(where).content.decode(), "ticked")
    client.post(where, {"ticked": shown[:1], "unsure": "yes"})
    kept = client.session["selfcheck"]["intake"]
    assert shown[0] in kept["present"] and set(shown[1:]) <= set(kept["unsure"])
    assert not set(shown) & set(kept["absent"])
    assert 'name="unsure" value="yes" checked' in client.get(where).content.decode()


def test_a_checklist_refuses_a_tick_it_does_not_offer(client: Client):
    where = to_a_checklist(client)
    before = client.session["selfcheck"].get("intake")
    response = client.post(where, {"ticked": ["one-leg-swollen-warm-red"]})
    assert response.status_code == 400
    assert "Tick only answers from the list." in response.content.decode()
    assert client.session["selfcheck"].get("intake") == before  # nothing kept


def test_a_checklist_that_is_not_one_is_404(client: Client):
    assert client.get("/self-check/questions/list/bowels/").status_code == 404


def test_a_checklist_reads_in_chinese(client: Client):
    where = to_a_checklist(client)
    listed = next(q for q in KB.intake.checklists if where.endswith(f"/{q.id}/"))
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    html = client.get(where).content.decode()
    assert listed.zh_question in html and listed.question not in html
    assert all(KB.findings[f].zh in html for f in boxes(html, "ticked"))
    assert KB.intake.questions.zh_checklist_unsure in html


def test_the_yes_answers_are_looked_at_again_before_the_results(client: Client):
    """Heart Blood deficiency's signs ticked; before the results they come back as a list
    ticked already, and one unticked there is a no in what the results rest on."""
    safety_steps(client)
    dropped = None
    for _ in range(KB.intake.model.budget + KB.intake.model.max_confirmations + 1):
        where = client.get("/self-check/questions/")["Location"]
        if where == "/self-check/results/":
            break
        if where == "/self-check/questions/again/":
            html = client.get(where).content.decode()
            assert "Before the results" in html
            shown = boxes(html, "kept")
            assert len(re.findall(r'name="kept" value="[a-z0-9-]+" checked', html)) == len(shown)
            dropped = dropped or shown[0]
            client.post(where, {"kept": [f for f in shown if f != dropped]})
            continue
        answer_next(client, HEART_BLOOD - ({dropped} if dropped else set()))
    else:
        raise AssertionError("the short path never ended")
    assert dropped is not None, "the yes answers were not looked at again"
    kept = client.session["selfcheck"]["intake"]
    assert dropped in kept["absent"] and dropped in kept["confirmed"]
    found = to_engine_input(client.session["selfcheck"], build_steps(KB))["findings"]
    assert dropped not in found
