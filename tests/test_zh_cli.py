"""`anmian assess --lang`: Chinese names beside the English, the same structure for every
language, and English for a code Anmian does not know (issue 16's rule, with no error)."""

from __future__ import annotations

import json
import re
from pathlib import Path
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


# --- the report's own headings and labels (issue 16: the CLI's text output in Chinese) ---

# A person whose report has every part: referrals, readings of each kind, screening with a
# severity and a look-alike, patterns, points, formulas, advice, course, cautions, exclusions,
# and words Anmian does not understand.
EVERYTHING = json.dumps(
    {
        "findings": [
            "腿部蟻走感，夜間加重",
            "舌淡苔白，脈細",
            "心悸、頭暈",
            "多夢",
            "沒有盜汗",
            "my mother has restless legs",
            "glorp zzz",
        ],
        "age": 58,
        "sex": "female",
        "medications": ["sertraline", "warfarin", "foozol"],
        "conditions": ["blorp"],
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
# What may stay in Latin letters in a Chinese report: the product's name, the codes and
# acronyms clinicians write as they are (point codes, ICD-11, IRLS, IRLSSG, SSRI), reference
# ids, and what the person wrote themselves (their medicines and words Anmian did not read).
ALLOWED = re.compile(
    r"_?\[[a-z0-9][a-z0-9, -]*\]_?"  # reference ids (Rich shows them without the _ _)
    r"|「[^」]*」"  # the person's own words, quoted
    r"|\b(?:[A-Z]{2}|EX-[A-Z]{2})\d+\b|\b[A-Z]{2}\d[0-9A-Z]?\b"  # point codes, ICD-11 codes
    r"|ICD-11|IRLSSG|IRLS|SSRI|Anmian"
    r"|知[識识][庫库]版本 \S+"  # the knowledge base's version
)


def _without_english_names(line: str) -> str:
    """`line` without the "中文 (English)" names' English: a bracket that follows Chinese."""
    out, i = [], 0
    while i < len(line):
        if line.startswith(" (", i) and i and re.match(r"[\u3400-\u9fff）]", line[i - 1]):
            depth, j = 0, i + 1
            for j in range(i + 1, len(line)):
                depth += {"(": 1, ")": -1}.get(line[j], 0)
                if depth == 0:
                    break
            i = j + 1
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def _english_left(report: str, person: str) -> list[str]:
    own = {w.casefold() for w in re.findall(r"[A-Za-z]+", person)}
    left = []
    for line in report.splitlines():
        rest = ALLOWED.sub(" ", _without_english_names(line))
        left += [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w.casefold() not in own]
    return left


def _po(msgid: str, lang: str = "zh_Hant") -> str:
    """The site's own translation of `msgid`, so the CLI says what the web page says."""
    import polib

    po = Path(__file__).resolve().parent.parent / "src" / "anmian" / "web" / "locale"
    entry = polib.pofile(str(po / lang / "LC_MESSAGES" / "django.po")).find(msgid)
    assert entry is not None and entry.msgstr, msgid
    return entry.msgstr


def test_the_chinese_markdown_report_has_no_english_outside_the_allow_list():
    md = _assess_doc(EVERYTHING, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    assert _english_left(md, EVERYTHING) == []
    # and it is the whole report, not an empty one
    for msgid in ("See a clinician", "Cautions", "Left out for your safety", "Not understood"):
        assert f"## {_po(msgid)}" in md, msgid
    assert "## 相符的中醫證型" in md and "### 穴位" in md and "### 療程" in md


def test_the_chinese_terminal_report_has_no_english_outside_the_allow_list():
    # a terminal wide enough that Rich wraps no line, so each name stays whole on its line
    args = ["assess", "-", "--lang", "zh-Hant", "-f", "text", "--allow-unknown"]
    got = runner.invoke(app, args, input=EVERYTHING, env={"COLUMNS": "2000"})
    assert got.exit_code == 0, got.output
    text = got.output
    assert _po("See a clinician") in text and "See a clinician" not in text
    assert _po("Left out for your safety") in text and "穴位" in text
    assert _english_left(text, EVERYTHING) == []


def test_the_chinese_report_names_what_it_leaves_out_and_why_in_chinese():
    md = _assess_doc(EVERYTHING, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    left_out = md.split(f"## {_po('Left out for your safety')}")[1].split("##")[0]
    # cupping with a blood thinner (glossary: 拔罐), and the person's medicine as they wrote it
    assert f"療法 **{_glossary_zh('cupping')}**" in left_out
    assert "原因：藥物：warfarin" in left_out
    assert "because" not in left_out and "cupping" not in left_out
    # the criteria by the glossary's names, answered in Chinese
    assert f"- {_glossary_zh('worse at rest')}：否" in md


def test_the_english_report_keeps_its_english_headings():
    md = _assess_doc(EVERYTHING, "-f", "md", "--allow-unknown")
    for heading in ("## See a clinician", "## Cautions", "## Left out for your safety"):
        assert heading in md
    assert "(because: medications: warfarin)" in md
    assert "請就醫" not in md


def test_the_simplified_report_s_headings_are_simplified():
    md = _assess_doc(EVERYTHING, "--lang", "zh-Hans", "-f", "md", "--allow-unknown")
    assert f"## {_po('See a clinician', 'zh_Hans')}" in md
    assert f"## {_po('Cautions', 'zh_Hans')}" in md
    headings = "".join(line for line in md.splitlines() if line.startswith("#"))
    assert not set(headings) & set("請醫為項讀實計畫證劑療"), headings
    # mainland usage: 计划 for the plan, while 畫 elsewhere stays 画 (画小圈, how to press)
    assert "## 您的计划" in md and "画小圈" in md and "划小圈" not in md
    assert _english_left(md, EVERYTHING) == []


def _case(case_id: str) -> str:
    """A person of the clinical safety cases (tests/clinical), as `anmian assess` reads them."""
    import yaml

    folder = Path(__file__).resolve().parent / "clinical"
    for name in ("cases.yaml", "cases-danger.yaml", "cases-guards.yaml"):
        for case in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            if case["id"] == case_id:
                return json.dumps(case["person"], ensure_ascii=False)
    raise AssertionError(case_id)


def test_a_plan_on_hold_says_so_in_chinese():
    person = _case("older-new-onset-weight-loss-01")
    md = _assess_doc(person, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    assert "**您的計畫暫停中。**" in md
    assert "Something you wrote" not in md and "assess again" not in md
    assert _english_left(md, person) == []


def test_allergies_are_explained_in_chinese():
    person = _case("allergy-ginseng-spleen-qi-01")
    md = _assess_doc(person, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    assert "you told us you are allergic" not in md
    assert "過敏" in md.split(f"## {_po('Left out for your safety')}")[1]
    person = _case("allergy-unknown-shellfish-qi-01")
    md = _assess_doc(person, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    assert "Anmian does not know the allergy" not in md and "這種過敏原" in md


def test_a_regulator_s_notice_reads_in_the_base_s_chinese():
    person = _case("device-icd-practitioner-01")
    zh = json.loads(_assess_doc(person, "--lang", "zh-Hant", "-f", "json", "--allow-unknown"))
    notices = [w for w in zh["safety"]["warnings"] if w["id"].startswith("regulator:")]
    assert notices and all(w.get("zh_text") for w in notices)
    md = _assess_doc(person, "--lang", "zh-Hant", "-f", "md", "--allow-unknown")
    assert "Warned the public" not in md and "英國藥品及保健產品管理局" in md


def test_a_medicine_whose_name_has_brackets_still_gets_its_class_in_chinese():
    # "Antidepressant (type not named)" is the base's entry for an antidepressant not named
    doc = json.dumps({"findings": ["腿部蟻走感"], "medications": ["antidepressant"]})
    zh = json.loads(_assess_doc(doc, "--lang", "zh-Hant", "-f", "json"))
    (caution,) = [w for w in zh["safety"]["warnings"] if w["id"].startswith("medication-may")]
    assert caution["zh_text"].startswith("Antidepressant (type not named)（抗憂鬱劑")
    assert "(Antidepressant" not in caution["zh_text"]
