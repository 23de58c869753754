"""A person's words are shown back as they wrote them. The reader converts Simplified to
Traditional to look wordings up (engine/zh.py), and a tester's walk of the 简体 self-check
(2026-12-03) found "How Anmian read what you wrote" listing their Simplified words in
Traditional characters (躺在床上更嚴重 for 躺在床上更严重)."""

from __future__ import annotations

import pytest

from anmian.engine.resolve import indexes, resolve
from anmian.knowledge import KnowledgeBase

# 飞机 (aeroplane) and 紫色 (purple) name nothing Anmian reads: they stay not understood.
SIMPLIFIED = "腿部蚁走感，夜间加重，紫色飞机"
TRADITIONAL = "腿部蟻走感，夜間加重，紫色飛機"


def shown(kb: KnowledgeBase, text: str) -> tuple[list[str], list[str]]:
    got = resolve([text], indexes(kb)[0])
    return [m.part for m in got.matches], [u.part for u in got.unresolved]


@pytest.mark.parametrize("text", [SIMPLIFIED, TRADITIONAL])
def test_the_parts_read_and_not_understood_are_in_the_persons_own_script(kb, text):
    parts, unread = shown(kb, text)
    # cut by hand from the text: the wordings, then the words after the last comma
    assert parts == [text[:5], text[6:10]]
    assert unread == [text[11:]]


def test_simplified_words_are_not_shown_in_traditional_characters(kb):
    parts, unread = shown(kb, SIMPLIFIED)
    assert parts == ["腿部蚁走感", "夜间加重"]
    assert unread == ["紫色飞机"]
    # a whole phrase that is one wording is shown as written too
    assert shown(kb, "腿部蚁走感") == (["腿部蚁走感"], [])


def test_the_positions_hold_after_a_question_and_a_sentence_break(kb):
    # a question mark, a full stop and leading spaces before the unread run
    _, unread = shown(kb, "腿部蚁走感？  紫色飞机。头晕")
    assert unread == ["紫色飞机"]
    assert shown(kb, "我的腿每天晚上像蚂蚁在爬，紫色飞机")[1] == ["紫色飞机"]
