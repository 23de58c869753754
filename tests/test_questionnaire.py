"""Adaptive intake: it asks what separates the contenders and stops when nothing can change."""

from __future__ import annotations

import pytest

from anmian.engine.differentiate import differentiate
from anmian.engine.questionnaire import Intake
from anmian.knowledge import KnowledgeBase, get_kb


def _simulate(kb: KnowledgeBase, truth: set[str], limit: int = 80) -> tuple[Intake, int]:
    """Answer every question as a person with exactly the findings in `truth` would."""
    intake = Intake(kb)
    asked = 0
    while asked < limit:
        q = intake.next_question()
        if q is None:
            break
        intake.answer(q.id, q.id in truth)
        asked += 1
    return intake, asked


@pytest.mark.parametrize("pattern_id", sorted(get_kb().patterns))
def test_it_finds_the_pattern_of_a_textbook_presentation(kb: KnowledgeBase, pattern_id: str):
    p = kb.patterns[pattern_id]
    truth = {f.finding for f in sorted(p.findings, key=lambda f: -f.weight)[:6]}
    intake, _ = _simulate(kb, truth)
    top = [r.id for r in differentiate(kb, intake.present)[:3]]
    assert pattern_id in top


def test_it_never_asks_the_same_question_twice(kb: KnowledgeBase):
    intake = Intake(kb)
    seen = set()
    for _ in range(30):
        q = intake.next_question()
        if q is None:
            break
        assert q.id not in seen
        seen.add(q.id)
        intake.answer(q.id, False)


def test_it_stops_when_the_leader_cannot_be_overtaken(kb: KnowledgeBase):
    intake, asked = _simulate(kb, {"palpitations"}, limit=len(kb.findings))
    assert intake.next_question() is None
    assert asked < len(intake.stakes)


def test_free_text_seeds_the_intake(kb: KnowledgeBase):
    intake = Intake(kb)
    assert intake.add_text("ant-crawling sensation in the calves") == ["leg-crawling"]
    assert "leg-crawling" in intake.present


PERIODS = {f.id for f in get_kb().findings.values() if f.sex == "female"}


def _questions(kb: KnowledgeBase, sex: str | None) -> set[str]:
    """Every question the intake asks a person with every sign of Blood deficiency."""
    truth = {f.finding for f in kb.patterns["blood-deficiency"].findings}
    intake = Intake(kb, sex=sex)
    asked: set[str] = set()
    while (q := intake.next_question()) is not None and len(asked) < len(kb.findings):
        asked.add(q.id)
        intake.answer(q.id, q.id in truth)
    return asked


@pytest.mark.parametrize("sex", ["female", "other", None])
def test_it_asks_about_periods_of_anyone_but_a_man(kb: KnowledgeBase, sex: str | None):
    assert _questions(kb, sex) & PERIODS


def test_it_never_asks_a_man_about_periods(kb: KnowledgeBase):
    asked = _questions(kb, "male")
    assert asked and not asked & PERIODS
