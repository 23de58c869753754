"""POST /api/v1/assess with text as people write it, and with text no one should send: the
API answers with a reading or a clear 400, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client

URL = "/api/v1/assess?detail=full"  # the whole result: readings included


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def post(client: Client, body: object):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def test_it_reports_each_reading_with_its_status(client: Client):
    r = post(client, {"findings": ["creepy crawlies in my calves, no night sweats"]})
    assert r.status_code == 200
    readings = r.json()["input"]["readings"]
    assert {x["finding"] for x in readings["present"]} >= {"leg-crawling"}
    assert [x["finding"] for x in readings["absent"]] == ["night-sweats"]


def test_danger_words_put_the_plan_on_hold_through_the_api(client: Client):
    # danger words no finding places (a bladder change beside back pain: cauda equina,
    # Royal Free leaflet); "better off without me" is now read as the self-harm red flag
    r = post(client, {"findings": ["leg-crawling", "my bladder is playing up and my back aches"]})
    assert r.status_code == 200
    body = r.json()
    assert body["plan"]["status"] == "on-hold" and body["plan"]["points"] == []
    assert body["safety"]["referrals"][0]["urgency"] == "emergency"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"findings": ["  "]}, "blank"),
        ({"findings": ["leg-crawling"] * 10_000}, "findings"),
        ({"findings": ["crawling " * 12_000]}, "findings[0]"),
        ({"findings": ["leg-crawling"], "medications": ["5mg " * 100]}, "medications[0]"),
    ],
)
def test_bad_text_gets_a_clear_400(client: Client, body, message):
    r = post(client, body)
    assert r.status_code == 400, r.content
    assert message in r.json()["error"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("紫色大象", "not a Chinese wording Anmian knows"),
        ("😀😀😀", "unknown findings"),
        ("\u0000\u001b[31m", "unknown findings"),
    ],
)
def test_text_it_cannot_read_gets_a_clear_422_with_what_was_not_understood(
    client: Client, text, message
):
    r = post(client, {"findings": [text]})
    assert r.status_code == 422, r.content
    assert message in r.json()["error"] and r.json()["unresolved"]
