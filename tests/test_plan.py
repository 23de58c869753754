"""The plan: how many formulas a pattern brings comes from the knowledge base (rules.yaml `limits`)."""

from __future__ import annotations

from tests.kb_edits import with_rules

from anmian.engine.context import Context
from anmian.engine.differentiate import PatternResult
from anmian.engine.plan import build_plan
from anmian.engine.safety import Safety
from anmian.knowledge import KnowledgeBase

# Two formulas, neither with a rule for a person without tags.
PATTERN = "damp-phlegm"


def _plan(kb: KnowledgeBase, pattern_id: str = PATTERN):
    p = kb.patterns[pattern_id]
    ranked = [PatternResult(p.id, p.name, p.pinyin, p.chinese, [], 1.0, "primary")]
    return build_plan(kb, ranked, Context(), Safety())


def test_a_pattern_brings_one_formula(kb: KnowledgeBase):
    assert len(kb.patterns[PATTERN].formulas) >= 2
    assert [f.id for f in _plan(kb).formulas] == [kb.patterns[PATTERN].formulas[0]]


def test_the_formulas_per_pattern_come_from_the_knowledge_base(kb: KnowledgeBase):
    edited = with_rules(kb, "limits", formulas_per_pattern=2)
    assert [f.id for f in _plan(edited).formulas] == list(kb.patterns[PATTERN].formulas[:2])
