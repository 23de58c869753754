"""Everything the self-check puts to a person who chose 中文 has Chinese of its own: the long
form's headings, the adaptive intake's questions (a yes asked again included) and why each is
asked, the five screening questions, the leg scale, the findings asked and the conditions to
tick. The list is read from the data, so a new question or heading written in English only
fails here; each Chinese text must be Chinese, not the English copied into the field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

from anmian.engine.inputs import CRITERIA
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.loader import KnowledgeError, data_dir, load

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
PLACEHOLDER = re.compile(r"\{\w+\}")
# Fields of intake.yaml that a person never reads: ids, references, lists of ids, the model's
# numbers and the name of the scale the severity step uses.
NOT_SHOWN = {"id", "refs", "findings", "categories", "model", "severity_scale"}


def _shown(node: BaseModel, where: str) -> list[tuple[str, str, str | None]]:
    """(where, English, its zh-Hant twin or None) for every English text under `node`: each
    text field `x` is shown to a person, and a Chinese page shows `zh_x` instead."""
    out: list[tuple[str, str, str | None]] = []
    for name in type(node).model_fields:
        value = getattr(node, name)
        if name in NOT_SHOWN or name.startswith("zh_"):
            continue
        if isinstance(value, BaseModel):
            out += _shown(value, f"{where}.{name}")
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            for item in value:
                out += _shown(item, f"{where}.{name}.{getattr(item, 'id', '?')}")
        elif isinstance(value, str):
            out.append((f"{where}.{name}", value, getattr(node, f"zh_{name}", None)))
    return out


def self_check_texts(kb: KnowledgeBase) -> list[tuple[str, str, str | None]]:
    """What the self-check shows, with its Chinese: intake.yaml (every heading and sentence),
    the screening criteria, the severity scale's note and items, each finding's question and
    name, each condition's name."""
    out = _shown(kb.intake, "intake")
    for c in CRITERIA:
        out.append((f"screening.{c}", kb.screening[c].text, kb.screening[c].zh_text))
    scale = kb.scales[kb.intake.severity_scale]
    out.append((f"scales.{scale.id}.note", scale.note, scale.zh_note))
    for item in scale.items:
        out.append((f"scales.{scale.id}.{item.id}", item.text, item.zh_text))
        zh = item.zh_answers if len(item.zh_answers) == len(item.answers) else ()
        for n, answer in enumerate(item.answers):
            out.append((f"scales.{scale.id}.{item.id}.{n}", answer, zh[n] if zh else None))
    for f in kb.findings.values():
        out.append((f"findings.{f.id}.question", f.question, f.zh_question))
        out.append((f"findings.{f.id}.label", f.label, f.zh))
    for c in kb.conditions.values():
        out.append((f"conditions.{c.id}", c.name, c.zh_name))
    return out


def untranslated(texts: list[tuple[str, str, str | None]]) -> list[str]:
    """Where a text has no Chinese: none, empty, the English itself, or mostly Latin letters."""
    return [
        where
        for where, english, zh in texts
        if not zh
        or not zh.strip()
        or zh.strip() == english.strip()
        or len(CJK.findall(zh)) <= len(LATIN.findall(zh))
    ]


def test_every_text_of_the_self_check_has_chinese_of_its_own(kb: KnowledgeBase):
    texts = self_check_texts(kb)
    # the sweep reaches what the walk of 2026-12-03 found in English: the long form's headings
    # and the severity scale's note, as well as the intake's questions and the findings
    wheres = {w for w, _, _ in texts}
    assert {"intake.groups.legs.label", "intake.groups.tongue.label"} <= wheres
    assert any(w.startswith("intake.questions.") for w in wheres)
    assert "scales.anmian-leg-scale.note" in wheres
    assert len(texts) > 400
    assert untranslated(texts) == []


def test_the_check_finds_a_heading_left_in_english(kb: KnowledgeBase):
    """The check can fail: a heading whose Chinese is its English, or a sentence without a
    Chinese twin, is reported by where it is."""
    groups = tuple(
        g.model_copy(update={"zh_label": g.label}) if g.id == "menstruation" else g
        for g in kb.intake.groups
    )
    intake = kb.intake.model_copy(update={"groups": groups})
    assert untranslated(_shown(intake, "intake")) == ["intake.groups.menstruation.label"]
    assert untranslated([("x", "Periods", None), ("y", "Periods", "Periods 月經")]) == ["x", "y"]


def test_a_chinese_sentence_keeps_the_placeholders_of_the_english(kb: KnowledgeBase):
    """{label} in the question asked again, {first} and {second} in why a question is asked:
    the Chinese names the same finding or patterns (in Chinese), so it has the same slots."""
    for where, english, zh in _shown(kb.intake, "intake"):
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(zh or "")), where


def test_a_yes_asked_again_reads_in_chinese_for_every_finding(kb: KnowledgeBase):
    """The intake's sentences about one finding ({label}: the question asked again before the
    results) name it by its Chinese label and read in Chinese alone, whichever it is."""
    about_one = [zh for _, en, zh in _shown(kb.intake, "intake") if "{label}" in en]
    assert about_one
    for zh in about_one:
        for f in kb.findings.values():
            asked = (zh or "").format(label=f.zh)
            assert f.zh in asked and not LATIN.search(asked), f.id


def _break(tmp_path: Path, old: str, new: str) -> list[str]:
    root = tmp_path / "data"
    shutil.copytree(data_dir(), root)
    path = root / "intake.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load(root)
    return info.value.problems


def test_it_refuses_a_heading_without_its_chinese(tmp_path: Path):
    problems = _break(tmp_path, "    zh_label: 月經\n", "")
    assert "intake.yaml: field 'groups.5.zh_label': Field required" in problems


def test_it_refuses_a_heading_whose_chinese_is_english(tmp_path: Path):
    problems = _break(tmp_path, "    zh_label: 月經\n", "    zh_label: Periods\n")
    assert any("groups.5.zh_label" in p and "written in Chinese" in p for p in problems)


# Textbook terms of the Chinese clinical literature (the WHO International Standard
# Terminologies on Traditional Chinese Medicine, 2022, and the inquiry chapters of TCM
# diagnosis textbooks) that a person ticks on the self-check's lists: a patient who is not a
# clinician may not know them, so each comes with everyday words too.
TEXTBOOK_TERMS = {
    "五心煩熱",
    "兩顴潮紅",
    "寒熱往來",
    "五更瀉",
    "頭重如裹",
    "少氣懶言",
    "自汗",
    "脅肋脹滿",
    "口渴不欲飲",
    "午後潮熱",
    "面色萎黃",
    "面色晦暗",
    "咽中如有物阻",
    "動則氣短",
}


def test_a_textbook_term_a_person_ticks_comes_with_everyday_words(kb: KnowledgeBase):
    named = {f.zh: f for f in kb.findings.values() if f.zh in TEXTBOOK_TERMS}
    assert set(named) == TEXTBOOK_TERMS  # each term is a finding's Chinese name
    lacking = [f.id for f in named.values() if not f.zh_plain]
    assert lacking == []


def test_everyday_words_are_not_the_term_nor_a_question(kb: KnowledgeBase):
    import json
    from importlib.resources import files

    table = json.loads((files("anmian.engine") / "zh_hans.json").read_text(encoding="utf-8"))
    simplified = set(table["chars"]) - set(table["shared"])
    plain = [f for f in kb.findings.values() if f.zh_plain]
    assert len(plain) >= len(TEXTBOOK_TERMS)
    for f in plain:
        words = f.zh_plain or ""
        assert f.zh and f.zh not in words, f.id  # other words, not the term again
        assert "是否" not in words and "？" not in words, f.id  # a thing to tick, not asked
        assert not set(words) & simplified, f.id  # zh-Hant, as every zh field
