"""`anmian assess --lang`: Chinese names beside the English, the same structure for every
language, and English for a code Anmian does not know (issue 16's rule, with no error)."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from anmian.cli import app

runner = CliRunner()
DOC = json.dumps(
    {
        "findings": ["腿部蟻走感，夜間加重", "舌淡苔白，脈細", "心悸、頭暈", "沒有盜汗"],
        "age": 58,
        "sex": "female",
    },
    ensure_ascii=False,
)


def _assess(*args: str) -> Any:
    got = runner.invoke(app, ["assess", "-", *args], input=DOC)
    assert got.exit_code == 0, got.output
    return got.output


def _without_zh(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_zh(v) for k, v in node.items() if not k.startswith(("zh", "lang"))}
    if isinstance(node, list):
        return [_without_zh(v) for v in node]
    return node


def test_zh_hant_adds_chinese_names_and_keeps_the_english():
    zh = json.loads(_assess("--lang", "zh-Hant", "-f", "json"))
    en = json.loads(_assess("-f", "json"))
    assert _without_zh(zh) == en  # the same structure, the English untouched
    present = {r["finding"]: r for r in zh["input"]["readings"]["present"]}
    assert present["leg-crawling"]["zh"] == "腿部蟻走感"
    assert present["leg-crawling"]["label"] == "Crawling or creeping feeling in the legs"
    assert zh["input"]["readings"]["absent"][0]["zh"] == "盜汗"
    assert all(p["zh"] for p in zh["patterns"])
    sp6 = next(p for p in zh["plan"]["points"] if p["id"] == "sp6")
    assert sp6["zh"] == "三陰交"


def test_zh_hans_names_are_simplified():
    zh = json.loads(_assess("--lang", "zh-Hans", "-f", "json"))
    present = {r["finding"]: r["zh"] for r in zh["input"]["readings"]["present"]}
    assert present["leg-crawling"] == "腿部蚁走感"
    assert present["worse-night"] == "夜间加重"


def test_the_report_prints_chinese_names_first():
    md = _assess("--lang", "zh-Hant", "-f", "md")
    assert "腿部蟻走感 (crawling or creeping feeling in the legs)" in md
    assert "盜汗 (night sweats)" in md


def test_an_unknown_language_is_english_with_no_error():
    assert json.loads(_assess("--lang", "klingon", "-f", "json")) == json.loads(
        _assess("-f", "json")
    )


def test_referrals_and_advice_carry_their_chinese_text():
    zh = json.loads(_assess("--lang", "zh-Hant", "-f", "json"))
    iron = next(r for r in zh["safety"]["referrals"] if r["id"] == "iron-test")
    assert iron["zh"] == "請安排抽血檢查鐵質" and "鐵蛋白" in iron["zh_text"]
    assert iron["title"] == "Ask for an iron blood test"  # the English stays
    md = _assess("--lang", "zh-Hant", "-f", "md")
    assert "缺鐵是不寧腿常見" in md


def test_zh_hans_uses_the_glossarys_reviewed_terms():
    # docs/glossary.md marks where mainland usage is not a character conversion
    from pathlib import Path

    from anmian.engine.zh_result import to_simplified

    glossary = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
    rows = [line.split("|") for line in glossary.read_text(encoding="utf-8").splitlines()]
    overrides = [
        (cells[2].strip(), cells[3].split("(")[0].strip())
        for cells in rows
        if len(cells) > 4 and "**override**" in cells[3]
    ]
    assert len(overrides) >= 8
    for hant, hans in overrides:
        assert to_simplified(hant.split(" ")[0]) == hans, hant


WARFARIN = json.dumps(
    {
        "findings": ["腿部蟻走感，夜間加重", "舌淡苔白，脈細", "心悸、頭暈", "多夢"],
        "age": 58,
        "sex": "female",
        "medications": ["sertraline", "warfarin"],
        "screening": {
            "urge_to_move": True,
            "worse_at_rest": False,
            "relieved_by_movement": True,
            "evening_or_night": True,
        },
        "severity": {"scale": "irls", "total": 24},
    },
    ensure_ascii=False,
)


def _assess_doc(doc: str, *args: str) -> Any:
    got = runner.invoke(app, ["assess", "-", *args], input=doc)
    assert got.exit_code == 0, got.output
    return got.output


def _glossary_zh(english: str) -> str:
    from pathlib import Path

    glossary = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1] == english:
            return cells[2]
    raise AssertionError(f"{english!r} is not in docs/glossary.md")


def test_safety_reasons_and_cautions_carry_their_chinese():
    zh = json.loads(_assess_doc(WARFARIN, "--lang", "zh-Hant", "-f", "json"))
    en = json.loads(_assess_doc(WARFARIN, "-f", "json"))
    assert _without_zh(zh) == en
    excluded = zh["safety"]["excluded"]
    assert excluded and all(e.get("zh_reason") for e in excluded)
    # cupping is left out with a blood thinner, and the Chinese says so (拔罐, glossary)
    cupping = next(e for e in excluded if e["item"] == "cupping")
    assert _glossary_zh("cupping") in cupping["zh_reason"]
    warnings = zh["safety"]["warnings"]
    sertraline = next(w for w in warnings if w["id"] == "medication-may-worsen-rls:sertraline")
    assert "SSRI類抗憂鬱劑" in sertraline["zh_text"] and "不要自行停藥" in sertraline["zh_text"]
    needling = next(w for w in warnings if w["text"].startswith("Needling at "))
    assert needling["zh_text"].startswith("針刺（")  # the glossary's needling, then the codes


def test_the_screening_explains_itself_in_the_glossarys_words():
    zh = json.loads(_assess_doc(WARFARIN, "--lang", "zh-Hant", "-f", "json"))
    screening = zh["screening"]
    assert screening["verdict"] == "criteria-not-met"
    # the criterion answered no, named as docs/glossary.md names it
    assert _glossary_zh("worse at rest") in screening["zh_explanation"]
    assert "worse_at_rest" not in screening["zh_explanation"]
    # an IRLS total of 24 is in the severe band (21 to 30, Walters 2003)
    assert screening["severity"]["band"] == "severe"
    assert screening["severity"]["zh_band"] == "重度"
    assert all(m.get("zh") and m.get("zh_description") for m in screening["mimics"])


def test_the_report_reads_the_course_and_formulas_in_chinese():
    md = _assess_doc(WARFARIN, "--lang", "zh-Hant", "-f", "md")
    assert "第四週時檢視一次" in md or "每四週檢視一次" in md  # the course's note
    assert "One pattern leads" not in md and "Several patterns combine" not in md
    assert "Not with blood thinners" not in md  # every exclusion reads in Chinese


def test_zh_hans_converts_the_safety_prose_too():
    zh = json.loads(_assess_doc(WARFARIN, "--lang", "zh-Hans", "-f", "json"))
    text = " ".join(e["zh_reason"] for e in zh["safety"]["excluded"])
    assert "华法林" in text or "抗凝血药" in text
    assert not set(text) & set("華藥與險")  # no Traditional characters left in these words


def test_the_report_ends_with_the_chinese_disclaimer():
    md = _assess_doc(WARFARIN, "--lang", "zh-Hant", "-f", "md")
    assert "it does not diagnose" not in md
    assert "不作診斷" in md or "不能用來診斷" in md or "並非診斷" in md or "不是診斷" in md
