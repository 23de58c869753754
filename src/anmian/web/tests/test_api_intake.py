"""POST /api/v1/intake/next: one stateless step of the intake, the same as `anmian intake
--json`; when done, the same assessment as POST /api/v1/assess; bad requests are a 400 with
the reason and nothing stored."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from typer.testing import CliRunner

from anmian.cli import app
from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment

URL = "/api/v1/intake/next"
RED_FLAGS = sorted(f.id for f in get_kb().findings.values() if f.category == "red-flag")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def post(client: Client, body: object):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json")


def answered(**extra):
    return {
        "screening": dict.fromkeys(CRITERIA, True),
        "absent": list(RED_FLAGS),
        "pregnant": False,
        "breastfeeding": False,
        "medications": ["warfarin"],
        "conditions": [],
        "text": ["creepy-crawly feeling in my calves every evening"],
    } | extra


def test_an_empty_request_gets_the_first_safety_question(client: Client):
    r = post(client, {})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["next"]["kind"] == "screening" and body["next"]["id"] == CRITERIA[0]
    assert body["asked"] == 0 and body["assessment"] is None
    assert {"id", "probability"} <= set(body["patterns"][0])


def test_it_answers_as_the_cli_does(client: Client):
    doc = answered(present=["palpitations"])
    cli = CliRunner().invoke(app, ["intake", "--json"], input=json.dumps(doc))
    assert cli.exit_code == 0, cli.output
    assert post(client, doc).json() == json.loads(cli.stdout)


def test_when_done_it_carries_the_same_assessment_as_assess(client: Client):
    doc = answered(present=["palpitations", "pale-face", "poor-memory"], budget=1)
    body = post(client, doc).json()
    for _ in range(5):  # the yes answers the result rests on are asked again: the same yes
        if body["next"] is None:
            break
        assert body["next"]["kind"] in ("confirmation", "recheck"), body["next"]
        again = [o["finding"] for o in body["next"]["options"]] or [body["next"]["id"]]
        doc.setdefault("confirmed", []).extend(again)
        body = post(client, doc).json()
    assert body["next"] is None and body["assessment"] is not None
    same = {
        "findings": ["pale-face", "palpitations", "poor-memory", *doc["text"]],  # ids sorted
        "screening": doc["screening"],
        "pregnant": False,
        "breastfeeding": False,
        "medications": ["warfarin"],
        "conditions": [],
        "audience": "self-care",
    }
    assessed = client.post(
        "/api/v1/assess?detail=full", json.dumps(same), content_type="application/json"
    )
    assert body["assessment"] == assessed.json()
    # warfarin reached the plan's safety checks
    assert any("warfarin" in json.dumps(e) for e in body["assessment"]["safety"]["excluded"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"present": ["no-such-finding"]}, "unknown finding ids: 'no-such-finding'"),
        ({"present": ["fatigue"], "absent": ["fatigue"]}, "in both present and absent"),
        ({"absent": ["fatigue"] * 501}, "too many finding ids: 501"),
        ({"budget": 0}, "budget"),
        ("{nope", "not valid JSON"),
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"confirmed": ["fatigue"]}, "'fatigue' is in confirmed but not answered"),
        ({"present": ["fatigue"], "confirmed": ["no-such"]}, "unknown finding ids: 'no-such'"),
        # a choice that is not one: no tongue is "blue" in the base
        ({"present": ["tongue-blue"]}, "unknown finding ids: 'tongue-blue'"),
        # a tongue body has one colour (maciocia-2005-foundations): both is no answer
        (
            {"present": ["tongue-pale", "tongue-red"]},
            "'tongue-pale' and 'tongue-red' are both in present, but they are answers to one "
            "question ('tongue-colour') that exclude each other",
        ),
    ],
)
def test_it_refuses_a_bad_request_with_400_and_the_reason(client: Client, body, reason):
    before = Assessment.objects.count()
    r = post(client, body)
    assert r.status_code == 400
    assert reason in r.json()["error"]
    assert Assessment.objects.count() == before  # nothing stored


def test_a_second_look_at_the_yes_answers_is_a_question_of_its_own_with_chinese_words(
    client: Client,
):
    # Heart Blood deficiency's key symptoms (maciocia-2005-foundations), with the budget spent
    doc = answered(present=["palpitations", "poor-memory", "dream-disturbed-sleep"], budget=1)
    q = post(client, doc).json()["next"]
    assert q["kind"] == "recheck" and q["finding"] is None
    again = [o["finding"] for o in q["options"]]
    assert len(again) >= 2 and set(again) <= set(doc["present"])
    assert q["zh_question"] and q["zh_why"] and all(o["zh_label"] for o in q["options"])
    # taken back: the first is a no now; every one of the list is confirmed
    doc["confirmed"] = again
    doc["present"] = [f for f in doc["present"] if f != again[0]]
    doc["absent"] = [*doc["absent"], again[0]]
    nxt = post(client, doc).json()["next"]
    assert nxt is None or not {o["finding"] for o in nxt["options"]} & set(again)


def test_a_checklist_offers_its_findings_in_both_scripts(client: Client):
    doc = answered(text=[])
    q = post(client, doc).json()["next"]
    assert q["kind"] == "checklist" and q["finding"] is None
    listed = next(c for c in get_kb().intake.checklists if c.id == q["id"])
    found = [o["finding"] for o in q["options"]]
    assert 2 <= len(found) <= 7 and set(found) <= set(listed.findings)
    assert q["unsure_label"] and q["zh_unsure_label"]
    hans = client.post(
        URL + "?lang=zh-Hans", json.dumps(doc), content_type="application/json"
    ).json()["next"]
    hant_labels = [o["zh_label"] for o in q["options"]]
    hans_labels = [o["zh_label"] for o in hans["options"]]
    assert all(hans_labels) and [len(x) for x in hans_labels] == [len(x) for x in hant_labels]
    # the answer comes back in the lists: the first ticked, the others no; one question
    doc |= {"present": found[:1], "absent": [*doc["absent"], *found[1:]]}
    after = post(client, doc).json()
    assert after["asked"] == 1 and after["next"]["id"] != q["id"]


def test_it_is_rate_limited_like_assess(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "1/min"
    post(client, {})
    assert post(client, {}).status_code == 429


def test_the_document_describes_its_request_and_response(client: Client):
    doc = client.get("/api/openapi.json").json()
    op = doc["paths"][URL]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert {"present", "absent", "unsure", "confirmed", "text", "budget"} <= set(
        schema["properties"]
    )
    assert {"200", "400", "429"} <= set(op["responses"])


def test_a_grouped_question_offers_its_choices_in_both_scripts(client: Client):
    # a practitioner is asked the tongue body's colour as one question (pale, red, purple)
    doc = answered(audience="practitioner", text=[])
    q = post(client, doc).json()["next"]
    assert q["kind"] == "choice" and q["finding"] is None
    found = [c["finding"] for c in q["choices"] if c["answer"] == "finding"]
    assert set(found) == {"tongue-pale", "tongue-red", "tongue-purple"}
    assert [c["answer"] for c in q["choices"][-2:]] == ["none", "unsure"]
    hans = client.post(
        URL + "?lang=zh-Hans", json.dumps(doc), content_type="application/json"
    ).json()["next"]
    pale = next(c for c in hans["choices"] if c["finding"] == "tongue-pale")
    assert pale["zh_label"] == "舌淡"
    # the answer comes back in the lists: red chosen, the others no
    others = [f for f in found if f != "tongue-red"]
    doc |= {"present": ["tongue-red"], "absent": [*doc["absent"], *others]}
    after = post(client, doc).json()
    assert after["asked"] == 1 and after["next"]["id"] != "tongue-colour"
