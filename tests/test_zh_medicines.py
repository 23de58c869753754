"""Medicines written in Chinese, as a person who chose 中文 types them in the self-check's
boxes: each is read as the medicine it names, so its cautions hold (a Chinese name used to be
an unknown medicine, and every herb was held back). The names are the Chinese approved names
(the WHO INN list's Chinese names as the mainland's pharmacopoeia and Taiwan's TFDA write them),
in Traditional and Simplified characters. Brand names are tested elsewhere
(tests/test_zh_story_phrases.py: 左洛复, sertraline's brand on its mainland label), as the
English brands (Zoloft, Coumadin) are synonyms in the knowledge base."""

from __future__ import annotations

import pytest

from anmian.engine import assess, parse_input
from anmian.knowledge import KnowledgeBase


def medicines(kb: KnowledgeBase, written: str) -> list[str]:
    doc = {"findings": ["leg-crawling"], "medications": [written]}
    result = assess(parse_input(doc), kb, allow_unknown=True).to_dict()
    return [m["medication"] for m in result["input"].get("medications") or []]


@pytest.mark.parametrize(
    ("written", "medicine"),
    [
        # blood thinners: the herbs' bleeding cautions rest on them
        ("華法林", "warfarin"),
        ("华法林", "warfarin"),
        ("利伐沙班", "rivaroxaban"),
        ("阿斯匹靈", "aspirin"),  # Taiwan
        ("阿司匹林", "aspirin"),  # the mainland
        ("氯吡格雷", "clopidogrel"),
        ("布洛芬", "ibuprofen"),
        # medicines that can bring on or worsen restless legs
        ("苯海拉明", "diphenhydramine"),
        ("舍曲林", "sertraline"),
        ("米氮平", "mirtazapine"),
        ("胃復安", "metoclopramide"),
        # treatments of restless legs, and others the plan is checked against
        ("普拉克索", "pramipexole"),
        ("左旋多巴", "levodopa"),
        ("加巴喷丁", "gabapentin"),
        ("硫酸亞鐵", "ferrous-sulfate"),
        ("二甲雙胍", "metformin"),
        ("胰岛素", "insulin"),
    ],
)
def test_a_medicine_written_in_chinese_is_read(kb, written, medicine):
    assert medicines(kb, written) == [medicine]


def test_a_dose_beside_a_chinese_name_is_read_past(kb):
    assert medicines(kb, "華法林 5mg") == ["warfarin"]


@pytest.mark.parametrize("written", ["安定", "維生素D", "中藥", "降血壓藥"])
def test_words_that_name_no_one_medicine_stay_unknown(kb, written):
    # 安定 is also "calm", a lay name of diazepam only in some places: never guessed
    assert medicines(kb, written) == []


def test_warfarin_in_chinese_keeps_the_blood_thinners_cautions(kb):
    doc = {"findings": ["leg-crawling"], "medications": ["華法林"]}
    chinese = assess(parse_input(doc), kb, allow_unknown=True).to_dict()
    english = assess(
        parse_input(doc | {"medications": ["warfarin"]}), kb, allow_unknown=True
    ).to_dict()
    # the same things left out, for the same reasons (each says what it was triggered by,
    # the medicine as the person wrote it)
    left_out = [(e["kind"], e["item"], e["reason"]) for e in chinese["safety"]["excluded"]]
    assert left_out == [(e["kind"], e["item"], e["reason"]) for e in english["safety"]["excluded"]]
    assert ("technique", "bleeding") in [(k, i) for k, i, _ in left_out]  # no bloodletting
    assert not [w for w in chinese["safety"]["warnings"] if w["id"].startswith("unknown-")]
