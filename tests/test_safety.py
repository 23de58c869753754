"""Safety rules: every rule in the data fires when it should and not otherwise, and nothing
excluded for a person ever reaches their plan."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import input_for_tag, run, without_tag_defaults

from anmian.engine import assess, parse_input
from anmian.engine.context import Context
from anmian.engine.differentiate import PatternResult
from anmian.engine.plan import (
    advice_allowed,
    build_plan,
    formula_allowed,
    herb_allowed,
    point_modes,
)
from anmian.engine.safety import Safety, referrals
from anmian.knowledge import KnowledgeBase, get_kb

KB = get_kb()


def _all_patterns_chosen(kb: KnowledgeBase) -> list[PatternResult]:
    """Every pattern in the plan at once: the widest possible set of candidates."""
    return [
        PatternResult(p.id, p.name, p.pinyin, p.chinese, [], 1.0, "combined")
        for p in kb.patterns.values()
    ]


def _plan_for(kb: KnowledgeBase, ctx: Context):
    safety = Safety(referrals=referrals(kb, ctx))
    return build_plan(kb, _all_patterns_chosen(kb), ctx, safety), safety


def _ctx(*tags: str) -> Context:
    ctx = Context()
    for t in tags:
        ctx.add(t, f"test: {t}")
    return ctx


def plan_violations(kb: KnowledgeBase, plan: Any, tags: set[str]) -> list[str]:
    """Independent re-check of a plan against the rules for a set of tags."""
    bad = []
    get = (lambda o, k: o[k]) if isinstance(plan, dict) else getattr
    for pt in get(plan, "points"):
        point = kb.points[get(pt, "id")]
        mode = get(pt, "mode")
        for r in (*kb.rules.technique_rules, *point.cautions):
            if r.when in tags and r.action == "exclude":
                if r.technique is None:
                    bad.append(f"point {point.id} excluded by {r.when}")
                elif r.technique == "needle" and mode in ("needle", "both"):
                    bad.append(f"needling at {point.id} excluded by {r.when}")
                elif r.technique == "acupressure" and mode in ("acupressure", "both"):
                    bad.append(f"acupressure at {point.id} excluded by {r.when}")
    herb_ids = {get(h, "id") for h in get(plan, "herbs")}
    for f in get(plan, "formulas"):
        formula = kb.formulas[get(f, "id")]
        herb_ids |= set(get(f, "ingredients"))
        for _, r in kb.formula_safety(formula):
            if r.when in tags and r.action == "exclude":
                bad.append(f"formula {formula.id} excluded by {r.when}")
    for hid in herb_ids:
        for r in kb.herbs[hid].safety:
            if r.when in tags and r.action == "exclude":
                bad.append(f"herb {hid} excluded by {r.when}")
    for kind in ("diet", "lifestyle", "topical"):
        for a in get(plan, kind):
            for r in kb.advice[get(a, "id")].safety:
                if r.when in tags and r.action == "exclude":
                    bad.append(f"advice {get(a, 'id')} excluded by {r.when}")
    for hold in kb.rules.herbal_holds:
        if set(hold.when) <= tags and (get(plan, "formulas") or get(plan, "herbs")):
            bad.append(f"herbs offered despite the hold {hold.id}")
    return bad


# --- every exclusion rule in the data, fired and not fired ---


def _exclusion_rules() -> list[tuple[str, str, str]]:
    rows = set()
    for h in KB.herbs.values():
        rows |= {("herb", h.id, r.when) for r in h.safety if r.action == "exclude"}
    for f in KB.formulas.values():
        rows |= {("formula", f.id, r.when) for r in f.safety if r.action == "exclude"}
    for p in KB.points.values():
        rows |= {("point", p.id, r.when) for r in p.cautions if r.action == "exclude"}
    for a in KB.advice.values():
        rows |= {("advice", a.id, r.when) for r in a.safety if r.action == "exclude"}
    return sorted(rows)


def _allowed(kb: KnowledgeBase, kind: str, item: str, ctx: Context) -> tuple[bool, Safety]:
    safety = Safety()
    if kind == "herb":
        return herb_allowed(kb, item, ctx, safety), safety
    if kind == "formula":
        return formula_allowed(kb, item, ctx, safety), safety
    if kind == "advice":
        return advice_allowed(kb, item, ctx, safety), safety
    modes = point_modes(kb.points[item], ctx, safety)
    # A technique-only rule (no electroacupuncture) keeps the point but reports the technique.
    return modes is not None and not safety.excluded, safety


@pytest.mark.parametrize(("kind", "item", "tag"), _exclusion_rules())
def test_each_exclusion_rule_fires(kb, kind, item, tag):
    allowed, safety = _allowed(kb, kind, item, _ctx(tag))
    assert not allowed
    assert safety.excluded and all(e.triggered_by == [f"test: {tag}"] for e in safety.excluded)
    plan, _ = _plan_for(kb, _ctx(tag))
    assert plan_violations(kb, plan, {tag}) == []


@pytest.mark.parametrize(("kind", "item", "tag"), _exclusion_rules())
def test_each_exclusion_rule_is_silent_without_its_tag(kb, kind, item, tag):
    allowed, safety = _allowed(kb, kind, item, _ctx())
    assert allowed and not safety.excluded


# --- every red flag, fired and not fired ---


def _flag_context(flag) -> Context:
    ctx = Context()
    for clause in flag.when:
        kind, _, target = clause[0].partition(":")
        if kind == "finding":
            ctx.findings[target] = [f"test {target}"]
        else:
            ctx.add(target, f"test {target}")
    return ctx


@pytest.mark.parametrize("flag_id", sorted(KB.red_flags))
def test_each_red_flag_fires(kb, flag_id):
    fired = {r.id for r in referrals(kb, _flag_context(kb.red_flags[flag_id]))}
    assert flag_id in fired


@pytest.mark.parametrize("flag_id", sorted(KB.red_flags))
def test_each_red_flag_is_silent_without_its_trigger(kb, flag_id):
    assert flag_id not in {r.id for r in referrals(kb, Context())}


# --- end-to-end cases through the public engine ---


def test_a_clot_sign_puts_an_emergency_referral_first(kb):
    out = run(
        kb, findings=["leg-crawling", "one-leg-swollen-warm-red"], labs={"ferritin_ng_ml": 30}
    )
    first = out["safety"]["referrals"][0]
    assert first["urgency"] == "emergency"
    assert out["plan"]["status"] == "see-physician-first"
    assert any("one-leg-swollen-warm-red" in t or "swollen" in t for t in first["triggered_by"])


def test_thoughts_of_self_harm_bring_an_emergency_referral(kb):
    out = run(kb, findings=["leg-crawling", "thoughts-of-self-harm"])
    assert out["safety"]["referrals"][0]["urgency"] == "emergency"


@pytest.mark.parametrize(
    ("labs", "age", "referral"),
    [
        ({"ferritin_ng_ml": 60}, 50, "iron-studies"),
        ({"ferritin_ng_ml": 75}, 50, "iron-studies"),
        ({"ferritin_ng_ml": 150, "tsat_percent": 15}, 50, "iron-studies"),
        ({"ferritin_ng_ml": 45}, 10, "iron-studies"),
        ({"ferritin_ng_ml": 90}, 50, "iron-borderline"),
        (None, 50, "iron-test"),
    ],
)
def test_iron_thresholds_follow_the_guideline(kb, labs, age, referral):
    fields = {"age": age} | ({"labs": labs} if labs else {})
    assert referral in {r["id"] for r in run(kb, **fields)["safety"]["referrals"]}


@pytest.mark.parametrize(
    ("labs", "age"),
    [({"ferritin_ng_ml": 150, "tsat_percent": 30}, 50), ({"ferritin_ng_ml": 60}, 10)],
)
def test_normal_iron_brings_no_iron_referral(kb, labs, age):
    ids = {r["id"] for r in run(kb, age=age, labs=labs)["safety"]["referrals"]}
    assert not ids & {"iron-studies", "iron-borderline", "iron-test"}


def test_a_medication_that_worsens_rls_brings_a_prescriber_warning_never_stop_advice(kb):
    out = run(kb, medications=["sertraline"])
    warning = next(
        w for w in out["safety"]["warnings"] if w["id"].startswith("medication-may-worsen-rls")
    )
    assert "prescriber" in warning["text"] or "prescribed" in warning["text"]
    assert "do not stop" in warning["text"].casefold()
    assert warning["triggered_by"] == ["medications: sertraline"]


def test_a_medication_that_does_not_worsen_rls_brings_no_such_warning(kb):
    out = run(kb, medications=["metformin"])
    assert not any(
        w["id"].startswith("medication-may-worsen-rls") for w in out["safety"]["warnings"]
    )


def test_suspected_augmentation_on_a_dopamine_agonist_brings_a_referral(kb):
    out = run(kb, findings=["leg-crawling", "symptoms-start-earlier"], medications=["pramipexole"])
    assert "suspected-augmentation" in {r["id"] for r in out["safety"]["referrals"]}


def test_earlier_onset_without_a_dopaminergic_drug_is_not_augmentation(kb):
    out = run(kb, findings=["leg-crawling", "symptoms-start-earlier"])
    assert "suspected-augmentation" not in {r["id"] for r in out["safety"]["referrals"]}


def test_unknown_medications_and_conditions_are_reported_and_herbs_held_back(kb):
    out = run(
        kb,
        findings=["pale-face", "leg-crawling", "tongue-pale"],
        medications=["zzqx-not-a-drug"],
        conditions=["zzqx-syndrome"],
    )
    assert out["input"]["unknown_medications"] == ["zzqx-not-a-drug"]
    assert out["input"]["unknown_conditions"] == ["zzqx-syndrome"]
    assert out["plan"]["formulas"] == [] and out["plan"]["herbs"] == []
    assert any(w["id"].startswith("unknown-medication") for w in out["safety"]["warnings"])


def test_warfarin_keeps_dang_gui_out_even_inside_a_formula(kb):
    out = run(
        kb,
        findings=["pale-face", "tongue-pale", "pulse-thin", "dizziness", "leg-crawling"],
        medications=["warfarin"],
    )
    herbs = {h["id"] for h in out["plan"]["herbs"]} | {
        i for f in out["plan"]["formulas"] for i in f["ingredients"]
    }
    assert "dang-gui" not in herbs
    assert any(e["item"] == "dang-gui" for e in out["safety"]["excluded"])


def test_pregnancy_keeps_forbidden_points_out(kb):
    out = run(kb, findings=["leg-crawling"], pregnant=True)
    codes = {p["id"] for p in out["plan"]["points"]}
    assert "sp6" not in codes
    assert any(e["item"] == "SP6" for e in out["safety"]["excluded"])


def test_a_pacemaker_rules_out_electroacupuncture(kb):
    out = run(kb, conditions=[kb.conditions["implanted-cardiac-device"].name])
    assert any(e["item"] == "electroacupuncture" for e in out["safety"]["excluded"])


# --- properties over random people ---

TAGS = sorted(KB.tags() - {"long-term-use", "iron-unknown"})
FINDINGS = sorted(KB.findings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    findings=st.lists(st.sampled_from(FINDINGS), min_size=1, max_size=12, unique=True),
    tags=st.lists(st.sampled_from(TAGS), max_size=4, unique=True),
)
def test_any_person_gets_a_valid_output_with_nothing_contraindicated(findings, tags):
    fields: dict[str, Any] = without_tag_defaults()
    for tag in tags:
        extra = input_for_tag(KB, tag)
        for key, value in extra.items():
            if key in ("medications", "conditions"):
                fields[key] = [*fields.get(key, []), *value]
            else:
                fields[key] = value
    out = assess(parse_input({"findings": findings, **fields}), KB, allow_unknown=True).to_dict()
    person_tags = set(out["input"]["context"])
    assert plan_violations(KB, out["plan"], person_tags) == []
    scores = [p["score"] for p in out["patterns"]]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 1 for s in scores)
    urgencies = [r["urgency"] for r in out["safety"]["referrals"]]
    order = {"emergency": 0, "urgent": 1, "routine": 2}
    assert urgencies == sorted(urgencies, key=order.__getitem__)
    assert out["disclaimer"]


def test_pregnancy_in_self_care_holds_back_every_herb(kb):
    out = run(kb, findings=["pale-face", "tongue-pale", "pulse-thin", "fatigue"], pregnant=True)
    assert out["plan"]["formulas"] == [] and out["plan"]["herbs"] == []
    assert any(
        "pregnan" in e["reason"] for e in out["safety"]["excluded"] if e["kind"] == "formula"
    )


def test_a_practitioner_plan_in_pregnancy_still_applies_each_herbs_rules(kb):
    out = run(
        kb,
        findings=["pale-face", "tongue-pale", "pulse-thin", "fatigue"],
        pregnant=True,
        audience="practitioner",
    )
    assert plan_violations(kb, out["plan"], set(out["input"]["context"])) == []


def test_check_choices_refuses_an_unsafe_edit_with_the_reason(kb):
    from anmian.engine.assess import person_context
    from anmian.engine.plan import check_choices

    ctx = person_context(
        parse_input({"findings": ["leg-crawling"], "medications": ["warfarin"], "pregnant": True}),
        kb,
    )
    review = check_choices(
        kb, ctx, points=["sp6", "st36"], formula="si-wu-tang", herbs=["dang-gui"]
    )
    items = {e.item for e in review.excluded}
    assert {"SP6", "si-wu-tang", "dang-gui"} <= items
    assert "ST36" not in items


def test_check_choices_accepts_a_safe_edit(kb):
    from anmian.engine.assess import person_context
    from anmian.engine.plan import check_choices

    ctx = person_context(
        parse_input({"findings": ["leg-crawling"], "audience": "practitioner"}), kb
    )
    assert check_choices(kb, ctx, points=["sp6", "st36"], formula="si-wu-tang").excluded == []


# --- allergies (issue 15) ---------------------------------------------------------------


def _allergic(allergies: list[str], **extra: Any):
    return assess(
        parse_input(
            {"findings": ["an urge to move my legs at night"], "allergies": allergies}
            | without_tag_defaults()
            | extra
        ),
        allow_unknown=True,
    )


@pytest.mark.parametrize(
    ("written", "herbs"),
    [
        ("allergic to ginseng", {"ren-shen"}),
        ("Ginseng - hives", {"ren-shen"}),
        ("ginsing", {"ren-shen"}),  # a spelling slip still counts: the cautious reading
        ("liquorice", {"gan-cao", "zhi-gan-cao"}),  # both forms of licorice
        ("dong quai", {"dang-gui"}),
        ("Dang Gui", {"dang-gui"}),
    ],
)
def test_it_reads_an_allergy_to_a_herb_by_its_everyday_or_pinyin_name(written, herbs):
    ctx = _allergic([written]).context
    assert {
        t.removeprefix("allergy:herb:") for t in ctx.tags if t.startswith("allergy:herb:")
    } == herbs
    assert not ctx.has("unknown-allergy")


def test_an_aspirin_allergy_rules_out_the_methyl_salicylate_oils():
    # methyl salicylate is a salicylate (methyl-salicylate-monograph): wintergreen and birch
    ctx = _allergic(["aspirin"]).context
    assert ctx.has("allergy:oil:wintergreen-oil") and ctx.has("allergy:oil:sweet-birch-oil")
    assert not ctx.has("allergy:oil:lavender-oil")


@pytest.mark.parametrize("written", ["none", "NKDA", "no known allergies", "n/a", "nil"])
def test_no_allergies_is_an_answer_not_an_allergy(written):
    ctx = _allergic([written]).context
    assert not any(t.startswith("allergy:") or t == "unknown-allergy" for t in ctx.tags)


def test_a_denied_allergy_rules_nothing_out():
    ctx = _allergic(["not allergic to ginger"]).context
    assert not ctx.has("allergy:herb:sheng-jiang")


def test_an_allergy_to_a_herb_leaves_out_every_formula_containing_it_with_the_reason():
    kb = get_kb()
    ctx = _allergic(["licorice"]).context
    safety = Safety()
    with_licorice = [
        f.id
        for f in kb.formulas.values()
        if {"gan-cao", "zhi-gan-cao"} & {i.herb for i in f.ingredients}
    ]
    assert with_licorice
    for fid in with_licorice:
        assert not formula_allowed(kb, fid, ctx, safety)
    reasons = [e.reason for e in safety.excluded if e.kind == "formula"]
    assert all("you told us you are allergic to" in r and '"licorice"' in r for r in reasons)


def test_an_allergy_leaves_out_topical_advice_that_puts_it_on_the_skin():
    kb = get_kb()
    safety = Safety()
    assert not advice_allowed(kb, "topical-ginger-compress", _allergic(["ginger"]).context, safety)
    assert advice_allowed(kb, "topical-warm-foot-soak", _allergic(["ginger"]).context, Safety())


def test_every_item_a_topical_advice_contains_is_a_herb_or_an_oil():
    kb = get_kb()
    contained = {c for a in kb.advice.values() for c in a.contains}
    assert contained and contained <= set(kb.herbs) | set(kb.oils)


def test_an_allergy_nothing_is_known_about_holds_herbs_and_skin_products_back():
    a = _allergic(["shellfish"], audience="self-care")
    assert a.context.has("unknown-allergy")
    assert not a.plan.formulas and not a.plan.herbs
    assert not {x.id for x in a.plan.topical} & {"topical-massage-oil", "topical-aroma-acupressure"}
    assert any(w.id == "unknown-allergy:shellfish" for w in a.safety.warnings)
    assert a.to_dict()["input"]["unknown_allergies"] == ["shellfish"]


def test_an_allergy_named_in_the_edit_of_a_plan_is_refused():
    from anmian.engine.assess import person_context
    from anmian.engine.plan import check_choices

    kb = get_kb()
    data = parse_input(
        {"findings": ["restless legs"], "allergies": ["ginseng"]} | without_tag_defaults()
    )
    review = check_choices(kb, person_context(data, kb), [], None, ["ren-shen"])
    assert [e.item for e in review.excluded] == ["ren-shen"]


def test_a_bad_allergies_field_is_a_clear_error():
    from anmian.engine import InputError

    with pytest.raises(InputError, match="allergies"):
        parse_input({"findings": ["restless legs"], "allergies": "ginseng"})
    with pytest.raises(InputError, match=r"allergies\[0\]"):
        parse_input({"findings": ["restless legs"], "allergies": [""]})


@pytest.mark.parametrize("written", ["penicillin - rash", "latex gloves", "codeine"])
def test_an_allergy_to_something_no_plan_item_contains_holds_nothing_back(written):
    a = _allergic([written])
    assert not a.context.has("unknown-allergy")
    assert not any(t.startswith("allergy:") for t in a.context.tags)


def test_a_nickel_allergy_is_the_metal_allergy_condition_for_the_needles():
    # needles may contain nickel (who-1999-acupuncture-safety, the metal-allergy condition)
    ctx = _allergic(["nickel"]).context
    assert ctx.has("metal-allergy") and not ctx.has("unknown-allergy")
