"""The knowledge base's Chinese: present on every finding, in hanzi, in Traditional
characters, one meaning per wording, and tone-marked pinyin that spells the toneless one."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from anmian.knowledge import KnowledgeBase
from anmian.knowledge.loader import KnowledgeError, data_dir, load

ROOT = Path(__file__).resolve().parent.parent


def _break(tmp_path: Path, rel: str, old: str, new: str) -> list[str]:
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load(root)
    return info.value.problems


def test_every_finding_has_a_chinese_label_question_and_wordings(kb: KnowledgeBase):
    lacking = [f.id for f in kb.findings.values() if not (f.zh and f.zh_question)]
    assert not lacking
    assert all(f.zh_synonyms for f in kb.findings.values())


def test_it_refuses_a_finding_without_its_chinese_label(tmp_path: Path):
    problems = _break(tmp_path, "findings/sweating.yaml", "  zh: 盜汗\n", "")
    assert "findings/sweating.yaml: entry 'night-sweats': field 'zh': every finding needs it" in (
        "\n".join(problems)
    )


def test_it_refuses_latin_letters_in_a_hanzi_field(tmp_path: Path):
    problems = _break(tmp_path, "findings/sweating.yaml", "  zh: 盜汗\n", "  zh: dao han\n")
    assert any(
        "findings/sweating.yaml: entry 'night-sweats': field 'zh'" in p
        and "Chinese characters" in p
        for p in problems
    )


def test_it_refuses_a_chinese_name_of_a_point_that_is_not_hanzi(tmp_path: Path):
    problems = _break(tmp_path, "points/legs.yaml", "chinese: 三陰交", "chinese: Sanyinjiao")
    assert any("points/legs.yaml: entry 'sp6': field 'chinese'" in p for p in problems)


def test_it_refuses_a_chinese_wording_that_names_two_findings(tmp_path: Path):
    problems = _break(
        tmp_path, "findings/sweating.yaml", "zh_synonyms: [盜汗,", "zh_synonyms: [自汗, 盜汗,"
    )
    assert any("zh synonym '自汗' also names finding" in p for p in problems)


def test_chinese_fields_are_written_in_traditional_characters(kb: KnowledgeBase):
    # zh_hans.json maps each Simplified form of the characters Anmian reads to its
    # Traditional one: none of those Simplified forms belongs in a zh-Hant field
    table = json.loads((files("anmian.engine") / "zh_hans.json").read_text(encoding="utf-8"))
    simplified = set(table["chars"]) - set(table["shared"])  # 里 is 里 in 足三里
    assert len(simplified) > 100  # the table covers the base's wordings
    for f in kb.findings.values():
        for text in (f.zh, f.zh_question, *f.zh_synonyms, *f.zh_absent_synonyms):
            assert not set(text or "") & simplified, (f.id, text)
    for kind in ("patterns", "points", "herbs", "formulas"):
        for e in kb.table(kind).values():
            assert not set(e.chinese) & simplified, (kind, e.id, e.chinese)


def _bare(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    return re.sub(r"[^a-z]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


@pytest.mark.parametrize("kind", ["patterns", "points", "herbs", "formulas"])
def test_pinyin_with_tone_marks_spells_the_toneless_pinyin(kb: KnowledgeBase, kind: str):
    for e in kb.table(kind).values():
        assert e.pinyin_tones, (kind, e.id)
        assert _bare(e.pinyin_tones) in _bare(e.pinyin), (kind, e.id)
        # a tone mark on most syllables (only a neutral-tone syllable has none)
        assert unicodedata.normalize("NFD", e.pinyin_tones) != e.pinyin_tones, (kind, e.id)


@pytest.mark.parametrize(
    ("point", "reviewed"),
    [("sp6", "Sānyīnjiāo"), ("li11", "Qūchí"), ("bl15", "Xīnshū"), ("ki3", "Tàixī")],
)
def test_point_pinyin_follows_the_acupuncture_reading(kb: KnowledgeBase, point, reviewed):
    # 曲 is qū (bent) in point names and 兪 is shū (a back transport point)
    assert kb.points[point].pinyin_tones == reviewed


def test_the_glossarys_name_for_rls_is_the_one_the_base_uses(kb: KnowledgeBase):
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert "| Restless Legs Syndrome (RLS) | 不寧腿症候群 |" in glossary
    assert kb.findings["restless-legs"].zh == "不寧腿"
    assert "不寧腿症候群" in kb.findings["restless-legs"].zh_synonyms


def test_every_red_flag_and_advice_item_says_what_to_do_in_chinese(kb: KnowledgeBase):
    assert all(f.zh_title and f.zh_reason for f in kb.red_flags.values())
    assert all(a.zh_title and a.zh_text for a in kb.advice.values())


def test_it_refuses_a_red_flag_without_its_chinese_reason(tmp_path: Path):
    text = (data_dir() / "red-flags/red-flags.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  zh_reason:"))
    problems = _break(tmp_path, "red-flags/red-flags.yaml", line + "\n", "")
    assert any(
        "red-flags/red-flags.yaml: entry 'dvt-suspected': field 'zh_reason'" in p for p in problems
    )


def test_it_refuses_english_advice_in_a_chinese_field(tmp_path: Path):
    problems = _break(
        tmp_path, "advice/diet.yaml", "  zh_title: 多吃含鐵的食物", "  zh_title: Include iron foods"
    )
    assert any(
        "advice/diet.yaml: entry 'diet-iron-rich-foods': field 'zh_title'" in p for p in problems
    )


def test_every_point_has_its_location_and_pressing_in_chinese(kb: KnowledgeBase):
    assert all(p.zh_location for p in kb.points.values())
    assert all(p.zh_acupressure for p in kb.points.values() if p.acupressure)


def test_a_pregnancy_warning_in_english_pressing_is_in_the_chinese_too(kb: KnowledgeBase):
    # the English tells a pregnant person to leave the point out: the Chinese must say so
    warned = [p for p in kb.points.values() if p.acupressure and "pregnant" in p.acupressure]
    assert warned  # SP6, LI4, BL60, CV4, CV6 carry the warning
    for p in warned:
        assert "懷孕" in (p.zh_acupressure or ""), p.id


def _rules(kb: KnowledgeBase) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [(h.id, r) for h in kb.herbs.values() for r in h.safety]
    out += [(f.id, r) for f in kb.formulas.values() for r in f.safety]
    out += [(p.id, r) for p in kb.points.values() for r in p.cautions]
    out += [(a.id, r) for a in kb.advice.values() for r in a.safety]
    out += [(o.id, r) for o in kb.oils.values() for r in o.safety]
    return out + [("technique_rules", r) for r in kb.rules.technique_rules]


def test_everything_else_a_person_reads_has_its_chinese(kb: KnowledgeBase):
    rules = _rules(kb)
    assert len(rules) > 600  # every safety rule of herbs, formulas, points, advice and oils
    assert all(r.zh_text for _, r in rules)
    assert all(len(h.zh_actions) == len(h.actions) for h in kb.herbs.values())
    assert all(f.zh_actions for f in kb.formulas.values())
    for p in kb.patterns.values():
        assert p.zh_description and p.zh_tongue and p.zh_pulse, p.id
        assert p.zh_principle and p.zh_self_care, p.id
        assert all(x.zh_role for x in p.points), p.id
    assert all(x.zh_role for x in kb.rules.base_points)
    assert all(c.zh_name for c in kb.conditions.values())
    assert all(c.zh_rls_link for c in kb.conditions.values() if c.rls_link)
    assert all(d.zh_name for d in kb.drug_classes.values())
    assert all(m.zh_name and m.zh_description for m in kb.mimics.values())
    for scale in kb.scales.values():
        assert scale.zh_name and scale.zh_note
        assert all(b.zh_label for b in scale.bands)
    r = kb.rules
    assert r.course_single.zh_note and r.course_combined.zh_note
    assert all(h.zh_text for h in r.herbal_holds)


# What each rule is about must be named in its Chinese too: a pregnancy rule that does not
# say 孕 has lost its point in translation (the words are the glossary's and the base's own).
NAMED = {
    "pregnancy": ("孕",),
    "breastfeeding": ("哺乳", "母乳"),
    "anticoagulant": ("抗凝血", "華法林"),
    "antiplatelet": ("抗血小板", "阿斯匹靈"),
    "epilepsy": ("癲癇",),
    "child": ("兒童", "孩子", "嬰兒", "幼兒", "未滿18歲"),
    "dialysis": ("洗腎",),
    "kidney-failure": ("腎",),
    "liver-disease": ("肝",),
    "lymphoedema": ("淋巴水腫",),
    "thrombocytopenia": ("血小板",),
    "bleeding-disorder": ("凝血", "出血"),
    "heavy-menstrual-bleeding": ("月經",),
    "varicose-veins": ("靜脈",),
}


def test_each_safety_rule_names_in_chinese_what_it_is_about(kb: KnowledgeBase):
    lost = [
        (entry, r.when, r.zh_text)
        for entry, r in _rules(kb)
        if r.when in NAMED and not any(w in (r.zh_text or "") for w in NAMED[r.when])
    ]
    assert not lost


def test_severity_bands_read_as_their_chinese_severity(kb: KnowledgeBase):
    # the IRLS bands (Walters 2003): none, mild, moderate, severe, very severe
    labels = {b.label: b.zh_label for b in kb.scales["irls"].bands}
    assert labels == {"none": "無", "mild": "輕度", "moderate": "中度", "severe": "重度",
                      "very severe": "極重度"}  # fmt: skip


def test_it_refuses_a_safety_rule_without_its_chinese(tmp_path: Path):
    text = (data_dir() / "herbs/blood.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("    zh_text:"))
    problems = _break(tmp_path, "herbs/blood.yaml", line + "\n", "")
    assert any(
        "herbs/blood.yaml: entry 'chuan-xiong': field 'safety.0.zh_text': every entry needs it" in p
        for p in problems
    )


def test_it_refuses_a_herb_whose_chinese_actions_do_not_match(tmp_path: Path):
    problems = _break(tmp_path, "herbs/blood.yaml", '  - "活血行氣"\n', "")
    assert any(
        "entry 'chuan-xiong': field 'zh_actions': one zh-Hant line for each of the 2 actions" in p
        for p in problems
    )


def test_it_refuses_english_in_a_pattern_description(tmp_path: Path):
    text = (data_dir() / "patterns/damp.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  zh_description:"))
    problems = _break(tmp_path, "patterns/damp.yaml", line, "  zh_description: Damp and phlegm")
    assert any("field 'zh_description'" in p and "written in Chinese" in p for p in problems)


def test_it_refuses_a_chinese_message_that_drops_a_placeholder(tmp_path: Path):
    problems = _break(
        tmp_path,
        "rules.yaml",
        'zh_medication_warning: "{name}（{classes}）',
        'zh_medication_warning: "{name}（',
    )
    assert any("zh_medication_warning': needs the English's placeholders" in p for p in problems)


def test_it_refuses_a_chinese_verdict_without_the_criteria(tmp_path: Path):
    problems = _break(tmp_path, "rules.yaml", "全部必要條件（{failed}）", "全部必要條件")
    assert any("zh_criteria_not_met" in p and "{failed}" in p for p in problems)


def test_a_patterns_tongue_and_pulse_read_in_the_glossarys_words(kb: KnowledgeBase):
    # docs/glossary.md: pale tongue 舌淡, thin pulse 脈細, wiry pulse 脈弦 (as 弦)
    assert "舌淡" in (kb.patterns["blood-deficiency"].zh_tongue or "")
    assert "脈細" in (kb.patterns["blood-deficiency"].zh_pulse or "")
    assert "弦" in (kb.patterns["liver-qi-stagnation"].zh_pulse or "")


def test_a_point_paired_with_another_names_the_same_point_in_chinese(kb: KnowledgeBase):
    # "With LR3 ..." is 配太衝 (LR3 is 太衝, WHO 2008), "With LI4 ..." 配合谷 (LI4 is 合谷)
    names = {"LR3": "太衝", "LI4": "合谷", "KI7": "復溜", "BL62": "申脈"}
    paired = [x for p in kb.patterns.values() for x in p.points if x.role.startswith("With ")]
    assert paired
    for x in paired:
        code = x.role.removeprefix("With ").split()[0].strip(",")
        if code in names:
            assert (x.zh_role or "").startswith(f"配{names[code]}"), (x.point, x.zh_role)


def test_our_own_leg_scale_and_screening_questions_read_in_chinese(kb: KnowledgeBase):
    # Anmian's own wording only: the licensed scales (IRLS, ISI, PSQI) store no items at all
    for scale in kb.scales.values():
        if scale.id != "anmian-leg-scale":
            assert not scale.items, scale.id
    items = kb.scales["anmian-leg-scale"].items
    assert items and all(i.zh_text and len(i.zh_answers) == len(i.answers) for i in items)
    assert all("過去7天" in (i.zh_text or "") for i in items if "past 7 days" in i.text)
    assert all(q.zh_text for q in kb.screening.values())
    # the first criterion is the urge to move (glossary: 想動腿的衝動)
    assert "想動腿的衝動" in (kb.screening["urge_to_move"].zh_text or "")


def test_it_refuses_a_scale_item_with_too_few_chinese_answers(tmp_path: Path):
    problems = _break(tmp_path, "scales/scales.yaml", '      - "強烈到無法招架"\n', "")
    assert any(
        "field 'items.0.zh_answers': one zh-Hant answer for each of the 5" in p for p in problems
    )


def test_every_essential_oil_has_its_chinese_name(kb: KnowledgeBase):
    # as Taiwan's shops and aromatherapy texts name them: 薰衣草精油, 冬青精油
    assert kb.oils["lavender-oil"].zh_name == "薰衣草精油"
    assert kb.oils["wintergreen-oil"].zh_name == "冬青精油"
    assert all(o.zh_name and o.zh_name.endswith(("精油", "）")) for o in kb.oils.values())


def test_it_refuses_an_essential_oil_without_its_chinese_name(tmp_path: Path):
    problems = _break(tmp_path, "oils/oils.yaml", "  zh_name: 薰衣草精油\n", "")
    assert any("entry 'lavender-oil': field 'zh_name': every entry needs it" in p for p in problems)


def test_it_refuses_a_regulator_warning_without_its_chinese(tmp_path: Path):
    old = "    zh_regulator: 澳洲藥物管理局\n"
    problems = _break(tmp_path, "herbs/tonify.yaml", old, "")
    assert any(
        "entry 'he-shou-wu': field 'regulator_warnings.1.zh_regulator': every entry needs it" in p
        for p in problems
    )
