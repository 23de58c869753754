"""The self-check as a person who chose 中文 reads it, step by step (found walking it at 390
and 1280 px on 2026-12-03): the long form's headings were English ("Your legs", "Periods"),
the severity step's note was English, and the conditions box for dialysis read 透析（透析）
in Simplified Chinese."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client

from anmian.knowledge import get_kb
from anmian.web.selfcheck.steps import build_steps
from anmian.web.tests.test_i18n import _compiled, lang_of  # noqa: F401 - compiles the messages
from anmian.web.tests.test_i18n_pages import english_left

pytestmark = pytest.mark.django_db
KB = get_kb()


def _in_chinese(client: Client, language: str, mode: str = "full") -> None:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    # a woman, so the periods step is on her way too
    client.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    client.post("/self-check/mode/", {"mode": mode})


def _heading(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, "no heading"
    return htmllib.unescape(found.group(1)).strip()


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "no title"
    return htmllib.unescape(found.group(1)).strip()


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "zh-hans",
            {"legs": "您的腿部症状", "sleep-mood": "睡眠与情绪", "menstruation": "月经"},
        ),
        (
            "zh-hant",
            {"legs": "您的腿部症狀", "sleep-mood": "睡眠與情緒", "menstruation": "月經"},
        ),
    ],
)
def test_the_long_forms_headings_read_in_chinese(client: Client, language, headings):
    _in_chinese(client, language)
    for ident, words in headings.items():
        html = client.get(f"/self-check/step/{ident}/").content.decode()
        assert _heading(html) == words
        assert _title(html).startswith(words)  # the tab and a screen reader's page name too
    tongue = _heading(client.get("/self-check/step/tongue/").content.decode())
    assert "镜子" in tongue if language == "zh-hans" else "鏡子" in tongue  # use a mirror


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_no_step_of_the_long_form_keeps_its_english_heading(client: Client, language):
    _in_chinese(client, language)
    for group in KB.intake.groups:
        html = client.get(f"/self-check/step/{group.id}/").content.decode()
        assert group.label not in html, group.id


def test_an_english_page_keeps_the_english_headings(client: Client):
    client.post("/self-check/step/about/", {"age": "55", "sex": "female"})
    client.post("/self-check/mode/", {"mode": "full"})
    assert _heading(client.get("/self-check/step/legs/").content.decode()) == "Your legs"


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ["追踪表", "不能用来诊断"]), ("zh-hant", ["追蹤表", "不能用來診斷"])],
)
def test_the_severity_steps_note_reads_in_chinese(client: Client, language, words):
    """The note on our own leg scale (what it is, not the IRLS; for following change, not
    for diagnosis) was English above ten Chinese questions."""
    _in_chinese(client, language, mode="short")
    html = client.get("/self-check/step/severity/").content.decode()
    assert all(w in html for w in words)
    assert "own tracker" not in html and "not validated" not in html


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "透析"), ("zh-hant", "洗腎（透析）")])
def test_the_dialysis_box_names_it_once(client: Client, language, words):
    """Taiwan says 洗腎 and adds the clinical 透析; the mainland word for both is 透析, so the
    Simplified box read 透析（透析）."""
    _in_chinese(client, language, mode="short")
    html = client.get("/self-check/step/context/").content.decode()
    box = re.search(r'value="dialysis"[^>]*>\s*([^<]+)</label>', html)
    assert box, "no box for dialysis"
    assert box.group(1).strip() == words


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_every_step_of_the_self_check_reads_in_chinese(client: Client, language):
    """Each step, short path and long form, in the language chosen, with no English left
    outside the site's short allow-list (our name, units, IRLS)."""
    _in_chinese(client, language)
    problems = []
    steps = list(dict.fromkeys(s.identifier for s in build_steps(KB)))
    assert {"about", "severity", "legs", "tongue", "context"} <= set(steps)
    for ident in steps:
        html = client.get(f"/self-check/step/{ident}/").content.decode()
        if lang_of(html) != ("zh-Hans" if language == "zh-hans" else "zh-Hant"):
            problems.append(f"{ident}: lang is {lang_of(html)}")
        left = english_left(html, [])
        if left:
            problems.append(f"{ident}: {left}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("language", "story", "name"),
    [("zh-hans", "我可能有盗汗。", "盗汗"), ("zh-hant", "我可能有盜汗。", "盜汗")],
)
def test_what_anmian_was_not_sure_of_is_asked_in_chinese(client: Client, language, story, name):
    """A finding read as maybe ("可能") is asked again on the results page before the plan:
    the question was the English label ("Night sweats?"), and so was the answer kept."""
    _in_chinese(client, language, mode="short")
    client.post("/self-check/step/notes/", {"story": story})
    html = client.get("/self-check/results/").content.decode()
    legends = [htmllib.unescape(x).strip() for x in re.findall(r"<legend>(.*?)</legend>", html)]
    assert legends == [f"{name}？"]
    response = client.post("/self-check/results/confirm/", {"night-sweats": "yes"})
    assert response.status_code == 302
    told = client.get("/self-check/results/").content.decode()
    kept = re.search(r"<h3>[^<]*</h3>\s*<ul><li>([^<:]+):\s*<strong>", told)
    assert kept, "no answer kept"
    assert kept.group(1).strip() == name


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["手心、脚心和胸口发热（五心烦热）", "一阵冷、一阵热（寒热往来）"]),
        ("zh-hant", ["手心、腳心和胸口發熱（五心煩熱）", "一陣冷、一陣熱（寒熱往來）"]),
    ],
)
def test_a_list_to_tick_says_a_textbook_term_in_everyday_words_too(client: Client, language, words):
    """五心煩熱 alone is a clinician's word; the English list says "Heat in the palms, soles
    and chest"."""
    from anmian.web.tests.test_selfcheck_short import safety_steps

    safety_steps(client)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/self-check/questions/list/heat-cold/").content.decode()
    boxes = [
        htmllib.unescape(x).strip()
        for x in re.findall(r'name="ticked"[^>]*>\s*<span>([^<]+)</span>', html)
    ]
    assert all(w in boxes for w in words), boxes
    assert ("盗汗" if language == "zh-hans" else "盜汗") in boxes  # a word everyone knows stays


@pytest.mark.parametrize(
    ("language", "heading", "colon"),
    [("zh-hans", "您的计划：可以按压的穴位", "："), ("en", "Your plan: Points to press", ": ")],
)
def test_the_results_put_chinese_punctuation_between_a_name_and_its_text(
    client: Client, language, heading, colon
):
    """'您的计划: 可以按压的穴位' and '作息规律: 每天…': a Latin colon and space inside Chinese."""
    from anmian.web.tests.test_selfcheck_short import safety_steps

    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    safety_steps(client, notes="crawling in my calves in the evening; pale face; poor sleep")
    html = client.get("/self-check/results/").content.decode()
    assert heading in html
    # the diet and daily life items: a list after each of its headings, a name and its text
    lists = "".join(re.findall(r"</h3><ul>(.*?)</ul>", html, re.S))
    advice = re.findall(r"<li><strong>[^<]+</strong>(.{0,2})", lists)
    assert len(advice) >= 3
    assert all(a.startswith(colon) for a in advice), advice


# --- what a Chinese reader writes: sentences end with 。！？ and lists are joined by ，、


def test_chinese_full_stops_end_a_sentence():
    """The free text was split only on '. ', so a Chinese story was one long sentence."""
    from anmian.web.selfcheck import services

    text = "傍晚小腿像有蟲在爬。晚上睡不好！手腳冰涼。"
    assert services.phrases(text) == ["傍晚小腿像有蟲在爬", "晚上睡不好！", "手腳冰涼"]
    assert services.phrases("Legs crawl. 晚上睡不好。") == ["Legs crawl", "晚上睡不好"]


def test_a_list_in_chinese_is_split_on_its_commas(client: Client):
    """華法林，阿斯匹靈 in one medicine box was one medicine no one knows, so its cautions
    fell away; 、 is the comma Chinese lists things with."""
    _in_chinese(client, "zh-hant", mode="short")
    client.post(
        "/self-check/step/context/",
        {"medication_1": "華法林，阿斯匹靈、二甲雙胍", "allergies": "花生；薰衣草"},
    )
    from anmian.web.selfcheck.steps import to_engine_input

    data = to_engine_input(client.session["selfcheck"], build_steps(KB))
    assert data["medications"] == ["華法林", "阿斯匹靈", "二甲雙胍"]
    assert data["allergies"] == ["花生", "薰衣草"]


@pytest.mark.parametrize(
    ("story", "words"),
    [
        ("腿很麻。" * 31, "Anmian 最多讀 30 句"),
        ("腿很麻" * 70, "超過 200 個字。請用句號（。）或換行"),
    ],
)
def test_free_text_too_long_is_refused_in_chinese(client: Client, story, words):
    _in_chinese(client, "zh-hant", mode="short")
    response = client.post("/self-check/step/notes/", {"story": story})
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and "sentences" not in html and "characters" not in html


def test_a_medicine_too_long_is_refused_in_chinese(client: Client):
    _in_chinese(client, "zh-hans", mode="short")
    response = client.post("/self-check/step/context/", {"medication_1": "药" * 101})
    assert response.status_code == 400
    html = response.content.decode()
    assert "当作一项药物太长了；每一项请少于 100 个字" in html
    assert "too long" not in html
