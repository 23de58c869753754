"""Pattern ranking: classic presentations lead with their pattern, with reasons shown."""

from __future__ import annotations

import pytest
from tests.conftest import run
from tests.kb_edits import with_entry, with_rules

from anmian.engine.differentiate import differentiate
from anmian.knowledge import KnowledgeBase


def _key_findings(kb: KnowledgeBase, pattern_id: str, n: int = 6) -> set[str]:
    """A textbook presentation: the pattern's heaviest findings."""
    p = kb.patterns[pattern_id]
    return {f.finding for f in sorted(p.findings, key=lambda f: (-f.weight, f.finding))[:n]}


def _pattern_ids(kb_fixture=None):
    from anmian.knowledge import get_kb

    return sorted(get_kb().patterns)


@pytest.mark.parametrize("pattern_id", _pattern_ids())
def test_a_textbook_presentation_puts_its_pattern_at_or_near_the_top(
    kb: KnowledgeBase, pattern_id: str
):
    ranked = differentiate(kb, _key_findings(kb, pattern_id))
    top = [r.id for r in ranked[:3]]
    # A combined pattern's textbook signs are also its parts' signs, so a part may tie it.
    assert pattern_id in top, (pattern_id, [(r.id, r.score) for r in ranked[:4]])


def test_each_pattern_has_a_distinct_signature(kb: KnowledgeBase):
    signatures = {pid: frozenset(_key_findings(kb, pid)) for pid in kb.patterns}
    assert len(set(signatures.values())) == len(signatures)


def test_scores_are_between_zero_and_one_and_ranked(kb: KnowledgeBase):
    ranked = differentiate(kb, set(list(kb.findings)[:40]))
    scores = [r.score for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)


def test_it_shows_the_findings_for_and_against(kb: KnowledgeBase):
    pattern = kb.patterns["kidney-yang-deficiency"]
    pro = pattern.findings[0].finding
    con = pattern.against[0].finding
    result = next(r for r in differentiate(kb, {pro, con}) if r.id == pattern.id)
    assert [e.finding for e in result.for_] == [pro]
    assert [e.finding for e in result.against] == [con]


def test_contrary_findings_lower_the_score(kb: KnowledgeBase):
    pattern = kb.patterns["kidney-yang-deficiency"]
    base = _key_findings(kb, pattern.id)
    plain = next(r for r in differentiate(kb, base) if r.id == pattern.id).score
    against = {f.finding for f in pattern.against} - base
    lowered = next(r for r in differentiate(kb, base | against) if r.id == pattern.id).score
    assert lowered < plain


def test_supporting_findings_alone_cannot_lead(kb: KnowledgeBase):
    pattern = kb.patterns["blood-stasis"]
    support = {f.finding for f in pattern.findings if not f.key}
    result = next(r for r in differentiate(kb, support) if r.id == pattern.id)
    assert result.score <= kb.rules.no_key_finding_cap


def test_two_patterns_together_are_reported_as_combined(kb: KnowledgeBase):
    both = _key_findings(kb, "liver-qi-stagnation", 5) | _key_findings(kb, "damp-phlegm", 5)
    ranked = differentiate(kb, both)
    chosen = {r.id for r in ranked if r.role in ("primary", "combined")}
    assert {"liver-qi-stagnation", "damp-phlegm"} <= chosen


def test_a_combined_pattern_does_not_repeat_its_parts(kb: KnowledgeBase):
    ranked = differentiate(kb, _key_findings(kb, "qi-blood-deficiency", 8))
    chosen = [r.id for r in ranked if r.role in ("primary", "combined")]
    if chosen[0] == "qi-blood-deficiency":
        assert not {"qi-deficiency", "blood-deficiency"} & set(chosen)


def test_no_findings_of_any_pattern_gives_no_leader(kb: KnowledgeBase):
    assert [r for r in differentiate(kb, set()) if r.role == "primary"] == []


# --- limits from the knowledge base (rules.yaml `limits`) ---


def _chosen(kb: KnowledgeBase, findings: set[str]) -> list[str]:
    return [r.id for r in differentiate(kb, findings) if r.role in ("primary", "combined")]


# Five patterns that share no part, each with its key findings: all compete to be combined.
# (Every key finding of every pattern would let a combined pattern with three parts lead and
# cover them, so fewer would be left to combine.)
UNRELATED = [
    "liver-qi-stagnation", "damp-phlegm", "blood-stasis", "kidney-yang-deficiency",
    "wei-qi-deficiency",
]  # fmt: skip


def _many_patterns(kb: KnowledgeBase) -> set[str]:
    return {f.finding for pid in UNRELATED for f in kb.patterns[pid].findings if f.key}


def test_a_plan_combines_at_most_three_patterns(kb: KnowledgeBase):
    assert len(_chosen(kb, _many_patterns(kb))) == 3


def test_the_number_of_patterns_combined_comes_from_the_knowledge_base(kb: KnowledgeBase):
    findings = _many_patterns(kb)
    assert len(_chosen(with_rules(kb, "limits", max_patterns=1), findings)) == 1
    assert len(_chosen(with_rules(kb, "limits", max_patterns=4), findings)) == 4


# --- a finding only the other sex can have ---

# Signs of Liver Qi stagnation, two of them of periods (findings with sex: female).
STAGNATION = ["irritability", "frequent-sighing", "pms-breast-tenderness", "worse-before-period"]


def _evidence(kb: KnowledgeBase, sex: str | None) -> set[str]:
    fields = {"sex": sex} if sex else {}
    out = run(kb, findings=STAGNATION, **fields)
    lead = next(p for p in out["patterns"] if p["id"] == "liver-qi-stagnation")
    return {e["finding"] for e in lead["for"]}


def test_a_finding_of_periods_counts_for_a_woman_and_for_anyone_who_has_not_said(
    kb: KnowledgeBase,
):
    for sex in ("female", "other", None):
        assert {"pms-breast-tenderness", "worse-before-period"} <= _evidence(kb, sex)


def test_a_finding_of_periods_does_not_count_for_a_man(kb: KnowledgeBase):
    evidence = _evidence(kb, "male")
    assert "irritability" in evidence
    assert not {"pms-breast-tenderness", "worse-before-period"} & evidence


def test_a_denied_finding_of_periods_does_not_count_against_a_man(kb: KnowledgeBase):
    # Made key, a denied finding counts against its pattern; for a man it cannot count.
    pattern = kb.patterns["liver-qi-stagnation"]
    findings = tuple(
        f.model_copy(update={"key": True}) if f.finding == "pms-breast-tenderness" else f
        for f in pattern.findings
    )
    edited = with_entry(kb, "patterns", pattern.id, findings=findings)
    present, denied = {"irritability", "frequent-sighing"}, {"pms-breast-tenderness"}

    def against(sex: str) -> list[str]:
        ranked = differentiate(edited, present, denied, sex=sex)
        return [e.finding for e in next(r for r in ranked if r.id == pattern.id).against]

    assert against("female") == ["pms-breast-tenderness"]
    assert against("male") == []


def test_a_danger_sign_is_kept_whatever_the_sex_given(kb: KnowledgeBase):
    # The sex field may be wrong; a referral is never dropped over it.
    out = run(kb, findings=["leg-crawling", "vaginal-bleeding"], sex="male", pregnant=True)
    assert "bleeding-in-pregnancy" in {r["id"] for r in out["safety"]["referrals"]}


# --- textbook presentations (the weights of docs/knowledge-base.md, "Key symptoms") ---
# Each expectation is the pattern a textbook names for the presentation, not the YAML's
# numbers: Maciocia's "key symptoms" lines (maciocia-2005-foundations) and, for a combined
# pattern, the indication of its classical formula (formulas-strategies).


# Ba Zhen Tang's indication (formulas-strategies), Qi and Blood deficiency: a pale face,
# fatigue, shortness of breath, a weak voice, palpitations, poor appetite, a pale tongue, a
# thin and weak pulse.
QI_AND_BLOOD = {
    "pale-face", "fatigue", "breathless-on-exertion", "weak-voice", "palpitations",
    "poor-appetite", "tongue-pale", "pulse-thin", "pulse-weak",
}  # fmt: skip


def _leader(kb: KnowledgeBase, findings: set[str]) -> str | None:
    return next((r.id for r in differentiate(kb, findings) if r.role == "primary"), None)


@pytest.mark.parametrize(
    ("findings", "pattern"),
    [
        # Heart Blood deficiency: palpitations, insomnia, poor memory, Pale tongue
        ({"palpitations", "poor-sleep", "poor-memory", "tongue-pale"}, "heart-blood-deficiency"),
        # ... and without the palpitations, insomnia and poor memory still point there
        ({"poor-sleep", "poor-memory", "tongue-pale", "pulse-thin"}, "heart-blood-deficiency"),
        # Liver Blood deficiency: blurred vision, scanty periods, dull-pale face, Pale tongue
        (
            {"blurred-vision", "scanty-pale-periods", "pale-face", "tongue-pale"},
            "liver-blood-deficiency",
        ),
        # Kidney Yang deficiency: backache, feeling cold, abundant clear urine, Pale tongue,
        # Deep pulse
        (
            {
                "low-back-pain",
                "feeling-cold",
                "frequent-pale-urination",
                "tongue-pale",
                "pulse-deep",
            },
            "kidney-yang-deficiency",
        ),
        # ... its Pale, wet tongue with cold limbs and backache, before any Qi pattern
        ({"cold-hands-feet", "coat-wet", "tongue-pale", "low-back-pain"}, "kidney-yang-deficiency"),
        # Qi and Blood deficiency (above)
        (QI_AND_BLOOD, "qi-blood-deficiency"),
    ],
)
def test_a_textbook_presentation_leads_with_the_textbook_s_pattern(
    kb: KnowledgeBase, findings: set[str], pattern: str
):
    assert _leader(kb, findings) == pattern, [(r.id, r.score) for r in differentiate(kb, findings)]


def test_cramps_count_for_liver_blood_deficiency(kb: KnowledgeBase):
    # Liver Blood fails to nourish the sinews: cramps (maciocia-2005-foundations).
    ranked = differentiate(kb, {"knotted-muscle-cramps", "tongue-pale", "pulse-thin", "dizziness"})
    lbd = next(r for r in ranked if r.id == "liver-blood-deficiency")
    assert "knotted-muscle-cramps" in {e.finding for e in lbd.for_}
    assert ranked[0].id in ("liver-blood-deficiency", "blood-deficiency")


def test_tiredness_and_poor_sleep_alone_put_no_pattern_first(kb: KnowledgeBase):
    # RLS itself breaks sleep and leaves people tired by day (the IRLS scores both as its
    # impact, walters-2003-irls): in this population they tell no pattern apart.
    assert _leader(kb, {"fatigue", "poor-sleep", "difficulty-falling-asleep"}) is None
