"""Everyday Chinese for what the English reader already reads. A tester's walk of the self-check
in 简体 and 繁體 (2026-12-03) wrote 走一走就好些, 躺在床上更严重, 上次验血铁偏低 and 我在吃舍曲林,
and all four were "not understood" while "walking helps", "worse in bed", "iron was low at my
last blood test" and "I am taking sertraline" were read.

Each Chinese phrase is read as its English counterpart is (the English reader is the oracle),
and that reading is also written out by hand, from what the Chinese says: relief by walking is
"moving does not ease it" absent (IRLSSG criterion 2), worse lying in bed is worse at night,
low iron at a blood test is a history of low iron."""

from __future__ import annotations

import pytest

from anmian.engine import assess, parse_input
from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase

RELIEVED = {"not-relieved-by-movement": "absent"}
IN_BED = {"worse-night": "present"}
LOW_IRON = {"low-iron-history": "present"}

# (English, its meaning by hand, Chinese in Traditional, the same in Simplified)
PHRASES = [
    ("walking helps", RELIEVED, "走一走就好", "走一走就好"),
    ("walking helps", RELIEVED, "走一走就好些", "走一走就好些"),
    # walking makes it more comfortable
    ("walking helps", RELIEVED, "走路會舒服點", "走路会舒服点"),
    ("walking helps", RELIEVED, "活動後緩解", "活动后缓解"),  # eased after moving
    ("worse in bed", IN_BED, "躺下更嚴重", "躺下更严重"),  # worse when lying down
    ("worse in bed", IN_BED, "躺在床上更嚴重", "躺在床上更严重"),
    ("worse in bed", IN_BED, "晚上躺在床上更厲害", "晚上躺在床上更厉害"),
    ("iron was low at my last blood test", LOW_IRON, "上次驗血鐵偏低", "上次验血铁偏低"),
    ("low ferritin", LOW_IRON, "鐵蛋白低", "铁蛋白低"),
    ("iron deficiency", LOW_IRON, "缺鐵", "缺铁"),
]


def read(kb: KnowledgeBase, text: str, whole: bool = True) -> dict[str, str]:
    """What `text` reads as; with `whole`, nothing of it may be left not understood (the
    English reader still leaves "blood test" of the iron phrase)."""
    got = resolve([text], indexes(kb)[0])
    assert not (whole and got.unresolved), (text, [u.part for u in got.unresolved])
    return {m.id: m.status for m in got.matches}


@pytest.mark.parametrize(("english", "meaning", "hant", "hans"), PHRASES)
def test_each_phrase_in_both_scripts_is_read_as_the_english_is(kb, english, meaning, hant, hans):
    assert read(kb, english, whole=False) == meaning
    assert read(kb, hant) == meaning
    assert read(kb, hans) == meaning


@pytest.mark.parametrize("text", ["走路也沒有好轉", "走路也没有好转"])
def test_walking_that_does_not_help_is_not_read_as_relief(kb, text):
    # "walking does not make it better either": moving does not ease it, as the English
    # "walking doesn't help at all" reads
    assert read(kb, text) == read(kb, "walking doesn't help at all")
    assert read(kb, text) == {"not-relieved-by-movement": "present"}


def test_a_denied_relief_is_not_relief(kb):
    # 不會 (will not) before the relief wording turns it round
    assert read(kb, "不會走一走就好") == {"not-relieved-by-movement": "present"}


def medicines(kb: KnowledgeBase, story: str) -> list[tuple[str, str]]:
    doc = {"findings": ["leg-crawling", story]}
    result = assess(parse_input(doc), kb, allow_unknown=True).to_dict()
    unread = [u["part"] for u in result["input"].get("unresolved") or []]
    assert unread == [], unread
    return [(m["medication"], m["status"]) for m in result["input"].get("medications") or []]


@pytest.mark.parametrize(
    "story",
    [
        "I am taking sertraline",  # the English reader, the oracle
        "我在吃舍曲林",
        "我在吃左洛复",  # Zoloft's brand name in China (its label: 商品名称 左洛复)
        "我在吃左洛復",
        "每天服用舍曲林",
    ],
)
def test_sertraline_in_a_story_is_read_as_the_medicine(kb, story):
    assert medicines(kb, story) == [("sertraline", "present")]


def test_sertraline_denied_in_chinese_is_not_taken(kb):
    assert medicines(kb, "我沒有吃舍曲林") in ([], [("sertraline", "absent")])


@pytest.mark.parametrize("written", ["舍曲林", "左洛复", "左洛復", "華法林 5mg"])
def test_a_name_in_the_medicines_box_is_read(kb, written):
    doc = {"findings": ["leg-crawling"], "medications": [written]}
    result = assess(parse_input(doc), kb, allow_unknown=True).to_dict()
    got = [m["medication"] for m in result["input"].get("medications") or []]
    assert got == ["warfarin" if "華" in written else "sertraline"]
