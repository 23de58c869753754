"""`?lang=` on the API (issue 16): `/api/v1/assess` and `/api/v1/intake/next` answer with the
same structure and Chinese names and prose in `zh` fields beside the English, as
`anmian assess --lang` does; an unknown code is English with no error.

Expected names are the standard ones, not read from the knowledge base: SP6 is 三陰交 and ST36
足三里 (WHO Standard Acupuncture Point Locations, 2008), night sweats 盜汗 and palpitations 心悸
(WHO International Standard Terminologies on Traditional Medicine, 2007)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from typer.testing import CliRunner

from anmian.cli import app
from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb

ASSESS = "/api/v1/assess"
INTAKE = "/api/v1/intake/next"
EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "free-text.json"
RED_FLAGS = sorted(f.id for f in get_kb().findings.values() if f.category == "red-flag")
ZH_KEYS = {"zh", "zh_text", "zh_location", "zh_acupressure", "lang"}
# the prose: screening, severity, look-alikes, formulas, course, exclusions and cautions
ZH_KEYS |= {"zh_explanation", "zh_band", "zh_note", "zh_description", "zh_actions", "zh_reason"}
ZH_KEYS |= {"zh_disclaimer"}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def post(client: Client, url: str, body: object):
    if url.startswith(ASSESS):  # the whole result, readings included (not the compact one)
        url += ("&" if "?" in url else "?") + "detail=full"
    return client.post(url, data=json.dumps(body), content_type="application/json")


def strip_zh(node):
    """The result with every Chinese field taken out: what English readers get."""
    if isinstance(node, dict):
        return {k: strip_zh(v) for k, v in node.items() if k not in ZH_KEYS}
    if isinstance(node, list):
        return [strip_zh(v) for v in node]
    return node


def keys(node) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in keys(v)}
    return set()


def doc() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_it_adds_traditional_chinese_beside_the_english(client: Client):
    english = post(client, ASSESS, doc()).json()
    r = post(client, f"{ASSESS}?lang=zh-Hant", doc())
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["lang"] == "zh-Hant"
    # the same structure: take the Chinese out and it is the English answer
    assert strip_zh(body) == english
    points = {p["code"]: p for p in body["plan"]["points"]}
    assert points["SP6"]["zh"] == "三陰交" and points["ST36"]["zh"] == "足三里"
    assert all(p["zh_location"] for p in points.values())
    read = {r["finding"]: r["zh"] for rs in body["input"]["readings"].values() for r in rs}
    assert read["night-sweats"] == "盜汗" and read["palpitations"] == "心悸"
    assert all(p.get("zh") for p in body["patterns"])


def test_its_safety_prose_is_in_chinese_too(client: Client):
    body = {**doc(), "medications": ["warfarin"]}
    r = post(client, f"{ASSESS}?lang=zh-Hant", body).json()
    assert strip_zh(r) == post(client, ASSESS, body).json()
    excluded = r["safety"]["excluded"]
    assert excluded and all(e.get("zh_reason") for e in excluded)
    # cupping (拔罐, WHO IST 2007) is left out with a blood thinner, and the Chinese says why
    assert "拔罐" in next(e for e in excluded if e["item"] == "cupping")["zh_reason"]
    assert r["screening"]["zh_explanation"]
    assert r["plan"]["course"]["zh_note"]


def test_it_gives_simplified_chinese_for_zh_hans(client: Client):
    body = post(client, f"{ASSESS}?lang=zh-Hans", doc()).json()
    assert body["lang"] == "zh-Hans"
    points = {p["code"]: p["zh"] for p in body["plan"]["points"]}
    assert points["SP6"] == "三阴交"
    read = {r["finding"]: r["zh"] for rs in body["input"]["readings"].values() for r in rs}
    assert read["night-sweats"] == "盗汗"


@pytest.mark.parametrize("code", ["zh-TW", "zh_hant", "ZH-HANT"])
def test_it_reads_the_code_as_people_write_it(client: Client, code: str):
    assert post(client, f"{ASSESS}?lang={code}", doc()).json()["lang"] == "zh-Hant"


@pytest.mark.parametrize("code", ["xx", "fr", "", "zh-Klingon", "en"])
def test_an_unknown_code_is_english_with_no_error(client: Client, code: str):
    english = post(client, ASSESS, doc()).json()
    r = post(client, f"{ASSESS}?lang={code}", doc())
    assert r.status_code == 200, r.content
    assert r.json() == english
    assert not keys(english) & ZH_KEYS


def test_it_answers_as_the_cli_does(client: Client):
    cli = CliRunner().invoke(app, ["assess", str(EXAMPLE), "--format", "json", "--lang", "zh-Hant"])
    assert cli.exit_code == 0, cli.output
    assert post(client, f"{ASSESS}?lang=zh-Hant", doc()).json() == json.loads(cli.stdout)


def test_bad_input_is_still_a_400_in_chinese_mode(client: Client):
    r = post(client, f"{ASSESS}?lang=zh-Hant", {"findings": ["leg-crawling"], "age": 500})
    assert r.status_code == 400 and "age" in r.json()["error"]


def intake_done(client: Client, lang: str) -> dict:
    body_doc = {
        "screening": dict.fromkeys(CRITERIA, True),
        "absent": list(RED_FLAGS),
        "present": ["palpitations", "pale-face", "poor-memory"],
        "pregnant": False,
        "breastfeeding": False,
        "medications": ["warfarin"],
        "conditions": [],
        "text": ["creepy-crawly feeling in my calves every evening"],
        "budget": 1,
    }
    body = post(client, f"{INTAKE}?lang={lang}", body_doc).json()
    assert "next" in body, body
    for _ in range(5):  # a yes the result rests on is asked again
        if body["next"] is None:
            break
        body_doc.setdefault("confirmed", []).append(body["next"]["id"])
        body = post(client, f"{INTAKE}?lang={lang}", body_doc).json()
    assert body["next"] is None, body["next"]
    return body


def test_the_intake_carries_the_chinese_assessment(client: Client):
    english = intake_done(client, "en")
    body = intake_done(client, "zh-Hant")
    assert body["assessment"]["lang"] == "zh-Hant"
    assert strip_zh(body) == english
    read = {f["finding"]: f.get("zh") for f in body["assessment"]["input"]["findings"]}
    assert read["palpitations"] == "心悸"


def test_the_intake_question_is_simplified_for_zh_hans(client: Client):
    safety_answered = {
        "screening": dict.fromkeys(CRITERIA, True),
        "absent": list(RED_FLAGS),
        "pregnant": False,
        "breastfeeding": False,
        "medications": [],
        "conditions": [],
        "text": ["creepy-crawly feeling in my calves every evening"],
    }
    hant = post(client, f"{INTAKE}?lang=zh-Hant", safety_answered).json()["next"]
    hans = post(client, f"{INTAKE}?lang=zh-Hans", safety_answered).json()["next"]
    assert hant["kind"] == "checklist" and hant["zh_question"] and hans["zh_question"]
    assert len(hans["zh_question"]) == len(hant["zh_question"])
    # no character a Simplified reader would not use: the traditional forms are gone
    traditional = set("動覺體時間麼這個會說們對過還")
    assert not set(hans["zh_question"]) & traditional, hans["zh_question"]
    assert post(client, f"{INTAKE}?lang=xx", {}).json() == post(client, INTAKE, {}).json()


def test_the_document_names_the_parameter(client: Client):
    spec = client.get("/api/openapi.json").json()
    for path in (ASSESS, INTAKE):
        params = {p["name"]: p for p in spec["paths"][f"/api{path[4:]}"]["post"]["parameters"]}
        assert "zh-Hant" in params["lang"]["description"]


# --- error bodies: the English `error` stays, `zh_error` says in Chinese what is wrong ---------
# The expected Chinese is what a reader of the English message should be told (the field as
# written, the limit, the words not understood), not read from the code's tables.


def both(client: Client, method: str, url: str, lang: str = "zh-Hant", **kw):
    """The English answer and the one asked in `lang`, with the same request."""
    sep = "&" if "?" in url else "?"
    call = getattr(client, method)
    return call(url, **kw), call(f"{url}{sep}lang={lang}", **kw)


def same_english(en, zh) -> dict:
    """The Chinese answer is the English one plus `zh_error`; returns the Chinese body."""
    assert zh.status_code == en.status_code
    body = zh.json()
    assert {k: v for k, v in body.items() if k != "zh_error"} == en.json()
    assert isinstance(body.get("zh_error"), str) and body["zh_error"], body
    return body


def raw(body: str) -> dict:
    return {"data": body, "content_type": "application/json"}


def test_an_engine_field_error_is_in_chinese_naming_the_field(client: Client):
    kw = raw(json.dumps({"findings": ["leg-crawling"], "age": 500}))
    en, zh = both(client, "post", ASSESS, **kw)
    body = same_english(en, zh)
    assert en.status_code == 400
    assert body["zh_error"] == "欄位「age」有誤：不可大於 120。請修正後再重新送出。"


def test_a_body_that_is_not_json_or_not_an_object_is_explained(client: Client):
    en, zh = both(client, "post", ASSESS, **raw("{"))
    assert en.status_code == 400 and "JSON" in same_english(en, zh)["zh_error"]
    en, zh = both(client, "post", ASSESS, **raw("[]"))
    body = same_english(en, zh)
    assert "JSON 物件" in body["zh_error"] and "'findings'" in body["zh_error"]


def test_unknown_findings_are_quoted_back_in_chinese(client: Client):
    kw = raw(json.dumps({"findings": ["zzzz qqqq"]}))
    en, zh = both(client, "post", ASSESS, **kw)
    body = same_english(en, zh)
    assert en.status_code == 422 and body["unresolved"][0]["text"] == "zzzz qqqq"
    assert "「zzzz qqqq」" in body["zh_error"] and "allow_unknown=true" in body["zh_error"]


@pytest.mark.django_db
def test_a_missing_field_is_a_422_in_chinese(client: Client):
    en, zh = both(client, "post", "/api/v1/tokens", **raw(json.dumps({"username": "x"})))
    body = same_english(en, zh)
    assert en.status_code == 422
    where = en.json()["error"].split("'")[1]  # the field as the English error writes it
    assert where.endswith("password")
    assert body["zh_error"].startswith(f"欄位「{where}」有誤：這是必填欄位")


@pytest.mark.django_db
def test_401s_say_what_to_send(client: Client, alice):
    en, zh = both(client, "get", "/api/v1/me/assessments")
    assert en.status_code == 401 and "Authorization: Bearer" in same_english(en, zh)["zh_error"]
    wrong = raw(json.dumps({"username": "alice@example.org", "password": "nope"}))
    en, zh = both(client, "post", "/api/v1/tokens", **wrong)
    assert en.status_code == 401 and "密碼錯誤" in same_english(en, zh)["zh_error"]


@pytest.mark.django_db
def test_a_403_and_a_404_in_chinese(client: Client, alice, charlie, alice_assessment):
    from anmian.web.records.models import ApiToken

    headers = {"Authorization": f"Bearer {ApiToken.issue(alice.user)}"}
    en, zh = both(client, "get", "/api/v1/patients", headers=headers)
    assert en.status_code == 403 and "中醫師" in same_english(en, zh)["zh_error"]
    other = {"Authorization": f"Bearer {ApiToken.issue(charlie.user)}"}
    en, zh = both(client, "get", f"/api/v1/assessments/{alice_assessment.uid}", headers=other)
    body = same_english(en, zh)
    assert en.status_code == 404 and body["error"] == "not found"
    assert body["zh_error"].startswith("找不到")


@pytest.mark.django_db
def test_a_taken_time_is_a_409_in_chinese(client: Client, alice, bob):
    from datetime import UTC, datetime, time

    import time_machine

    from anmian.web.records.models import ApiToken
    from anmian.web.tests.world import bookable

    kind = bookable(bob, until=time(19), buffer_after_min=15)
    headers = {"Authorization": f"Bearer {ApiToken.issue(alice.user)}"}
    url = "/api/v1/booking/appointments"

    def book(start: str) -> dict:
        b = {"practitioner": bob.pk, "appointment_type": kind.pk, "start": start}
        return {**raw(json.dumps(b)), "headers": headers}

    with time_machine.travel(datetime(2026, 3, 2, 8, tzinfo=UTC), tick=False):
        assert client.post(url, **book("2026-03-03T10:00:00+00:00")).status_code == 201
        en, zh = both(client, "post", url, **book("2026-03-03T10:15:00+00:00"))
    body = same_english(en, zh)
    assert en.status_code == 409 and "`alternatives`" in body["zh_error"]


def test_a_429_in_chinese(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "1/min"
    kw = raw(json.dumps({"findings": ["leg-crawling"]}))
    assert client.post(ASSESS, **kw).status_code == 200
    en, zh = both(client, "post", ASSESS, **kw)
    assert en.status_code == 429 and "稍候再試" in same_english(en, zh)["zh_error"]


def test_zh_hans_errors_are_simplified(client: Client):
    en, zh = both(client, "get", "/api/v1/me/assessments", lang="zh-Hans")
    body = same_english(en, zh)
    assert "令牌" in body["zh_error"] and "權杖" not in body["zh_error"]


@pytest.mark.parametrize("code", ["xx", "fr", "", "en"])
def test_an_unknown_code_gives_no_zh_error_and_no_other_error(client: Client, code: str):
    en, other = both(client, "post", ASSESS, lang=code, **raw(json.dumps({"age": 500})))
    assert (other.status_code, other.json()) == (en.status_code, en.json())
    assert "zh_error" not in other.json()


def test_the_document_names_zh_error(client: Client):
    spec = client.get("/api/openapi.json").json()
    described = spec["components"]["schemas"]["Error"]["properties"]["zh_error"]["description"]
    assert "zh-Hant" in described


def test_the_intakes_unknown_ids_are_quoted_back_in_chinese(client: Client):
    ids = [f"zz-{n}" for n in range(1, 7)]  # six: the English shows five "and 1 more"
    en, zh = both(client, "post", INTAKE, **raw(json.dumps({"present": ids})))
    body = same_english(en, zh)
    assert en.status_code == 400 and "and 1 more" in body["error"]
    assert "「zz-1」、「zz-2」" in body["zh_error"] and "另有 1 個" in body["zh_error"]
    assert "more" not in body["zh_error"]


@pytest.mark.django_db
def test_the_shops_out_of_stock_409_is_in_chinese(client: Client):
    from anmian.web.records.models import ApiToken
    from anmian.web.shop.models import Product
    from anmian.web.shop.testing import PEOPLE, catalogue, person

    catalogue()
    Product.objects.filter(slug="calf-heat-wrap").update(stock=1)
    user = person("plain", **PEOPLE["plain"]).user
    headers = {"Authorization": f"Bearer {ApiToken.issue(user)}"}
    items = {"items": [{"product": "calf-heat-wrap", "quantity": 2}], "delivery": "pickup"}
    en, zh = both(client, "post", "/api/v1/shop/orders", headers=headers, **raw(json.dumps(items)))
    body = same_english(en, zh)
    name = Product.objects.get(slug="calf-heat-wrap").name  # as the English names it
    assert en.status_code == 409 and body["zh_error"].startswith("抱歉，")
    assert name in body["zh_error"] and "庫存不足" in body["zh_error"]
