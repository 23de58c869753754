"""The wizard's steps come from the knowledge base: its groups (intake.yaml), its severity
scale, and who is asked what (a finding with `sex` is not asked of the other sex)."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from anmian.knowledge import KnowledgeBase, get_kb
from anmian.knowledge.models import IntakeGroup
from anmian.web.selfcheck.steps import Step, build_steps, to_engine_input

KB = get_kb()
PERIODS = {f.id for f in KB.findings.values() if f.sex == "female"}


def _asked(steps: list[Step], sex: str | None) -> dict[str, set[str]]:
    """step identifier -> the findings it asks, for a person who gave this sex."""
    answers = {"about": {"sex": sex or ""}}
    return {
        s.identifier: set(s.form_class.base_fields)
        for s in steps
        if s.is_applicable(answers) and s.identifier not in ("about", "screening", "severity")
    }


def test_the_groups_are_those_of_the_knowledge_base():
    ids = [s.identifier for s in build_steps(KB)]
    groups = [g.id for g in KB.intake.groups]
    assert [i for i in dict.fromkeys(ids) if i in groups] == groups


def test_an_edited_group_changes_the_steps():
    groups = (
        IntakeGroup(
            id="body", label="Your body", zh_label="身體", categories=("leg", "timing", "sleep")
        ),
        *[g for g in KB.intake.groups if g.id not in ("legs", "sleep-mood")],
    )
    kb = dataclasses.replace(KB, intake=KB.intake.model_copy(update={"groups": groups}))
    steps = {s.identifier: s for s in build_steps(kb)}
    assert "legs" not in steps and "sleep-mood" not in steps
    # the label is lazy, drawn in each page's language
    with translation.override("en"):
        assert str(steps["body"].label) == "Your body"
    with translation.override("zh-hant"):
        assert str(steps["body"].label) == "身體"
    asked = set(steps["body"].form_class.base_fields)
    assert {"leg-crawling", "worse-evening"} <= asked
    assert any(KB.findings[f].category == "sleep" for f in asked)
    assert not any(KB.findings[f].category == "mood" for f in asked)


def _short_scale_kb() -> KnowledgeBase:
    scale = KB.scales[KB.intake.severity_scale]
    short = scale.model_copy(update={"id": "short-scale", "items": scale.items[:3]})
    kb = dataclasses.replace(KB, scales={**KB.scales, "short-scale": short})
    return dataclasses.replace(
        kb, intake=kb.intake.model_copy(update={"severity_scale": "short-scale"})
    )


def test_the_severity_step_asks_the_scale_the_knowledge_base_names():
    steps = build_steps(_short_scale_kb())
    severity = next(s for s in steps if s.identifier == "severity")
    assert len(severity.form_class.base_fields) == 3
    answers = {"about": {}, "legs": {"leg-crawling": True}, "severity": {"a": 1, "b": 2, "c": 3}}
    data = to_engine_input(answers, steps)
    assert data["severity"] == {"scale": "short-scale", "answers": [1, 2, 3]}


def test_the_packaged_severity_scale_is_our_own_tracker():
    steps = build_steps(KB)
    answers = {"legs": {"leg-crawling": True}, "severity": dict.fromkeys("abcdefghij", 1)}
    assert to_engine_input(answers, steps)["severity"]["scale"] == "anmian-leg-scale"


def test_a_man_is_not_asked_about_periods_or_vaginal_bleeding():
    asked = _asked(build_steps(KB), "male")
    assert "menstruation" not in asked
    assert not set().union(*asked.values()) & PERIODS
    # the rest of the legs step and of the safety check is still asked
    assert {"leg-crawling", "worse-evening"} <= asked["legs"]
    assert asked["safety"]


@pytest.mark.parametrize("sex", ["female", "other", None])
def test_anyone_but_a_man_is_asked_everything(sex: str | None):
    asked = _asked(build_steps(KB), sex)
    assert set().union(*asked.values()) >= PERIODS
    assert {"worse-before-period", "worse-after-period"} <= asked["legs"]
    assert "vaginal-bleeding" in asked["safety"]


def test_each_step_is_asked_once_whatever_the_sex():
    steps = build_steps(KB)
    for sex in ("female", "male", "other", ""):
        ids = [s.identifier for s in steps if s.is_applicable({"about": {"sex": sex}})]
        assert len(ids) == len(set(ids)), sex


def test_a_finding_without_sex_is_asked_of_everyone():
    # Made female-only in an edited base, a leg finding leaves a man's legs step.
    findings = dict(KB.findings)
    findings["leg-crawling"] = findings["leg-crawling"].model_copy(update={"sex": "female"})
    kb = dataclasses.replace(KB, findings=findings)
    assert "leg-crawling" in _asked(build_steps(KB), "male")["legs"]
    assert "leg-crawling" not in _asked(build_steps(kb), "male")["legs"]
