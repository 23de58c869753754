"""Build a personal plan from the leading patterns, passing every item through safety.

Candidates come from the knowledge base (base RLS points and advice, then each chosen
pattern's points, formulas, herbs and advice). Each candidate is checked against the
person's tags before it is added; an excluded item is recorded with its reason and never
added, and a formula is judged by its own rules plus all of its ingredients' rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zlib import crc32

from anmian.engine.context import Context
from anmian.engine.differentiate import PatternResult
from anmian.engine.safety import Safety, allergy_allowed, applicable, has_allergies
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from anmian.knowledge.models import Formula, Point, SafetyRule

BASE = "rls-general"
TECHNIQUE_LABEL = {
    "needle": "Needling",
    "acupressure": "Pressing",
    "moxibustion": "Moxibustion",
    "electroacupuncture": "Electroacupuncture",
    "cupping": "Cupping",
    "gua-sha": "Gua sha",
    "bleeding": "Bloodletting",
}
MODES = ("needle", "acupressure")


@dataclass(slots=True)
class PlanPoint:
    code: str
    id: str
    name: str
    for_patterns: list[str]
    mode: str  # needle | acupressure | both
    roles: list[str]
    location: str
    acupressure: str | None
    refs: list[str]


@dataclass(slots=True)
class PlanFormula:
    id: str
    name: str
    chinese: str
    for_patterns: list[str]
    ingredients: list[str]
    actions: str
    refs: list[str]
    note: str = "To discuss with your practitioner: herbs are prescribed, not self-selected."


@dataclass(slots=True)
class PlanHerb:
    id: str
    name: str
    latin: str
    in_formulas: list[str]
    for_patterns: list[str]
    refs: list[str]


@dataclass(slots=True)
class PlanAdvice:
    id: str
    title: str
    text: str
    for_patterns: list[str]
    refs: list[str]


@dataclass(slots=True)
class PlanCourse:
    weeks: int
    sessions_per_week: list[int]
    combined: bool
    note: str
    refs: list[str]


@dataclass(slots=True)
class Plan:
    status: str  # ready | see-physician-first
    patterns: list[str]
    points: list[PlanPoint] = field(default_factory=list)
    formulas: list[PlanFormula] = field(default_factory=list)
    herbs: list[PlanHerb] = field(default_factory=list)
    diet: list[PlanAdvice] = field(default_factory=list)
    lifestyle: list[PlanAdvice] = field(default_factory=list)
    topical: list[PlanAdvice] = field(default_factory=list)
    course: PlanCourse | None = None
    note: str = ""


def build_plan(
    kb: KnowledgeBase, ranked: list[PatternResult], ctx: Context, safety: Safety
) -> Plan:
    chosen = [r.id for r in ranked if r.role in ("primary", "combined")]
    urgent = any(r.urgency in ("emergency", "urgent") for r in safety.referrals)
    plan = Plan(status="see-physician-first" if urgent else "ready", patterns=chosen)
    if not chosen:
        plan.note = (
            "No TCM pattern stands out from the findings given, so the plan keeps to the general "
            "RLS points and advice. More findings (tongue, pulse, sleep, digestion) would help."
        )
    _add_points(kb, chosen, ctx, safety, plan)
    _add_herbal(kb, chosen, ctx, safety, plan)
    _add_advice(kb, chosen, ctx, safety, plan)
    course = kb.rules.course_combined if len(chosen) > 1 else kb.rules.course_single
    plan.course = PlanCourse(
        course.weeks,
        list(course.sessions_per_week),
        len(chosen) > 1,
        course.note,
        list(course.refs),
    )
    return plan


def point_modes(
    point: Point, ctx: Context, safety: Safety, every_point: Iterable[SafetyRule] = ()
) -> set[str] | None:
    """The ways this person may use the point; None when the point is excluded outright.
    every_point: the knowledge base's technique rules, which hold at every point."""
    return _point_modes(point, ctx, safety, applicable(tuple(every_point), ctx))


def _point_modes(
    point: Point, ctx: Context, safety: Safety, general: list[SafetyRule]
) -> set[str] | None:
    """`point_modes`, with the technique rules that apply to the person found already."""
    modes = {"needle", "acupressure"} if point.self_care else {"needle"}
    own = applicable(point.cautions, ctx) if point.cautions else []
    rules = general + own if general else own
    if not rules:
        return modes
    for rule in rules:
        causes = ctx.tags[rule.when]
        if rule.action == "caution":
            # Keyed by the text too, so points with their own wording stay separate.
            wid = (
                f"caution:points:{rule.when}:{rule.technique or 'all'}:{crc32(rule.text.encode())}"
            )
            what = TECHNIQUE_LABEL.get(rule.technique or "", "using the point")
            safety.warn_items(wid, point.code, what, rule.text, causes, rule.refs)
        elif rule.technique is None:
            safety.exclude(point.code, "point", rule.text, causes, rule.refs)
            return None
        elif rule.technique in MODES:
            modes.discard(rule.technique)
            safety.exclude(
                f"{rule.technique} at {point.code}", "technique", rule.text, causes, rule.refs
            )
        else:
            # Techniques the plan never proposes (electroacupuncture, moxa, cupping, ...):
            # one exclusion each, so the practitioner sees them ruled out.
            safety.exclude(rule.technique, "technique", rule.text, causes, rule.refs)
    return modes or None


def _add_points(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    wanted: dict[str, tuple[list[str], list[str]]] = {}
    sources = [(BASE, kb.rules.base_points)] + [(pid, kb.patterns[pid].points) for pid in chosen]
    for source, points in sources:
        for pp in points:
            pats, roles = wanted.setdefault(pp.point, ([], []))
            pats.append(source)
            roles.append(pp.role)
    # the rules that hold at every point, found once for the whole plan; a technique the
    # plan never proposes is excluded once, at the first point (the same exclusion at every
    # later point is a repeat, which Safety.exclude drops)
    general = applicable(kb.rules.technique_rules, ctx)
    later = [r for r in general if r.action == "caution" or r.technique in (None, *MODES)]
    for n, (point_id, (pats, roles)) in enumerate(wanted.items()):
        point = kb.points[point_id]
        modes = _point_modes(point, ctx, safety, later if n else general)
        if modes is None:
            continue
        mode = "both" if len(modes) == 2 else next(iter(modes))
        plan.points.append(
            PlanPoint(
                point.code,
                point.id,
                f"{point.pinyin} ({point.english})",
                pats,
                mode,
                list(dict.fromkeys(roles)),
                point.location,
                point.acupressure if "acupressure" in modes else None,
                list(point.refs),
            )
        )


def _add_herbal(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    for hold in kb.rules.herbal_holds:
        if all(ctx.has(t) for t in hold.when):
            causes = [c for t in hold.when for c in ctx.tags[t]]
            for pid in chosen:
                for fid in kb.patterns[pid].formulas:
                    safety.exclude(fid, "formula", hold.text, causes, hold.refs)
                for hid in kb.patterns[pid].herbs:
                    safety.exclude(hid, "herb", hold.text, causes, hold.refs)
            return
    herbs: dict[str, tuple[list[str], list[str]]] = {}
    allergic = has_allergies(ctx)
    per_pattern = kb.rules.limits.formulas_per_pattern
    for pid in chosen:
        added = 0
        for fid in kb.patterns[pid].formulas:
            if added == per_pattern:
                break
            existing = next((f for f in plan.formulas if f.id == fid), None)
            if existing:
                existing.for_patterns.append(pid)
                added += 1
                continue
            formula = kb.formulas[fid]
            if not formula_allowed(kb, fid, ctx, safety, allergic):
                continue
            plan.formulas.append(
                PlanFormula(
                    fid,
                    f"{formula.pinyin} ({formula.english})",
                    formula.chinese,
                    [pid],
                    [i.herb for i in formula.ingredients],
                    formula.actions,
                    list(formula.refs),
                )
            )
            for ing in formula.ingredients:
                h = herbs.setdefault(ing.herb, ([], []))
                h[0].append(fid)
                h[1].append(pid)
            added += 1
        for hid in kb.patterns[pid].herbs:
            if herb_allowed(kb, hid, ctx, safety, allergic):
                herbs.setdefault(hid, ([], []))[1].append(pid)
    for hid, (formulas, pats) in herbs.items():
        herb = kb.herbs[hid]
        plan.herbs.append(
            PlanHerb(
                hid,
                f"{herb.pinyin} ({herb.english})",
                herb.latin,
                list(dict.fromkeys(formulas)),
                list(dict.fromkeys(pats)),
                list(herb.refs),
            )
        )


def herb_allowed(
    kb: KnowledgeBase, hid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    """allergic: whether the person has allergies to items (`has_allergies`), when known."""
    herb = kb.herbs[hid]
    if (has_allergies(ctx) if allergic is None else allergic) and not allergy_allowed(
        kb, "herb", hid, ctx, safety
    ):
        return False
    rules = applicable(herb.safety, ctx)
    excluding = [r for r in rules if r.action == "exclude"]
    for rule in excluding:
        safety.exclude(hid, "herb", f"{herb.pinyin}: {rule.text}", ctx.tags[rule.when], rule.refs)
    if excluding:
        return False
    # Cautions and regulator warnings only matter for a herb that stays in the plan.
    for rule in rules:
        safety.warn(
            f"caution:{hid}:{rule.when}",
            f"{herb.pinyin}: {rule.text}",
            ctx.tags[rule.when],
            rule.refs,
        )
    _regulator_warnings(kb, hid, safety)
    return True


def _regulator_warnings(kb: KnowledgeBase, hid: str, safety: Safety) -> None:
    herb = kb.herbs[hid]
    for w in herb.regulator_warnings:
        safety.warn(
            f"regulator:{hid}:{w.regulator}",
            f"{herb.pinyin}: {w.regulator} ({w.year}): {w.text}",
            [f"herb: {hid}"],
            w.refs,
        )


def formula_allowed(
    kb: KnowledgeBase, fid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    formula = kb.formulas[fid]
    cautions = []
    allergic = has_allergies(ctx) if allergic is None else allergic
    ok = allergy_allowed(kb, "formula", fid, ctx, safety) if allergic else True
    for source, rule in _formula_rules(kb, formula, ctx):
        causes = ctx.tags[rule.when]
        herb = kb.herbs.get(source)
        name = f"{formula.pinyin} contains {herb.pinyin}" if herb else formula.pinyin
        if rule.action == "exclude":
            safety.exclude(fid, "formula", f"{name}: {rule.text}", causes, rule.refs)
            if herb:
                safety.exclude(source, "herb", f"{herb.pinyin}: {rule.text}", causes, rule.refs)
            ok = False
        else:
            cautions.append(
                (f"caution:{source}:{rule.when}", f"{name}: {rule.text}", causes, rule.refs)
            )
    # Cautions only matter for a formula that stays in the plan.
    if ok:
        for args in cautions:
            safety.warn(*args)
        for ing in formula.ingredients:
            _regulator_warnings(kb, ing.herb, safety)
    return ok


# (formula, herbs) -> (formula, herbs, its rules grouped by tag as (position, source, rule))
_FORMULA_RULES: dict[
    tuple[int, int], tuple[object, object, dict[str, list[tuple[int, str, SafetyRule]]]]
] = {}


def _formula_rules(
    kb: KnowledgeBase, formula: Formula, ctx: Context
) -> list[tuple[str, SafetyRule]]:
    """The formula's own and its ingredients' rules that apply to this person, in order
    (`kb.formula_safety`'s order); the union is built once per formula and knowledge base,
    grouped by tag, so a person's few tags are looked up rather than every rule scanned."""
    key = (id(kb.herbs), id(formula))
    hit = _FORMULA_RULES.get(key)
    if hit is None or hit[0] is not formula or hit[1] is not kb.herbs:
        by_tag: dict[str, list[tuple[int, str, SafetyRule]]] = {}
        for n, (source, rule) in enumerate(kb.formula_safety(formula)):
            by_tag.setdefault(rule.when, []).append((n, source, rule))
        # formula and herbs are kept with the rules so that their ids are not reused
        hit = _FORMULA_RULES[key] = (formula, kb.herbs, by_tag)
    table = hit[2]
    found = [row for tag in ctx.tags if tag in table for row in table[tag]]
    found.sort(key=lambda row: row[0])
    return [(source, rule) for _, source, rule in found]


def _add_advice(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    wanted: dict[str, list[str]] = {aid: [BASE] for aid in kb.rules.base_advice}
    for pid in chosen:
        pat = kb.patterns[pid]
        for aid in (*pat.diet, *pat.lifestyle, *pat.topical):
            wanted.setdefault(aid, []).append(pid)
    allergic = has_allergies(ctx)
    for aid, pats in wanted.items():
        adv = kb.advice[aid]
        if advice_allowed(kb, aid, ctx, safety, allergic):
            getattr(plan, adv.kind).append(
                PlanAdvice(aid, adv.title, adv.text, pats, list(adv.refs))
            )


def advice_allowed(
    kb: KnowledgeBase, aid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    adv = kb.advice[aid]
    allergic = has_allergies(ctx) if allergic is None else allergic
    ok = allergy_allowed(kb, "advice", aid, ctx, safety) if allergic else True
    for rule in applicable(adv.safety, ctx) if adv.safety else ():
        causes = ctx.tags[rule.when]
        if rule.action == "exclude":
            safety.exclude(aid, "advice", f"{adv.title}: {rule.text}", causes, rule.refs)
            ok = False
        else:
            safety.warn(
                f"caution:{aid}:{rule.when}", f"{adv.title}: {rule.text}", causes, rule.refs
            )
    return ok


def check_choices(
    kb: KnowledgeBase,
    ctx: Context,
    points: list[str],
    formula: str | None = None,
    herbs: list[str] | None = None,
) -> Safety:
    """Re-check a practitioner's edited plan: every exclusion it would break is returned.

    Used by the web workspace so that an edit is refused with the reason, by the same rules
    that built the plan. `herbs` is the adjusted formula (or extra single herbs).
    """
    safety = Safety()
    for pid in points:
        point_modes(kb.points[pid], ctx, safety)
    if formula:
        formula_allowed(kb, formula, ctx, safety)
    for hid in herbs or []:
        herb_allowed(kb, hid, ctx, safety)
    if formula or herbs:
        for hold in kb.rules.herbal_holds:
            if all(ctx.has(t) for t in hold.when):
                causes = [c for t in hold.when for c in ctx.tags[t]]
                safety.exclude(formula or "herbs", "formula", hold.text, causes, hold.refs)
    # Technique-only exclusions (no electroacupuncture) do not block a point in the plan.
    safety.excluded = [e for e in safety.excluded if e.kind != "technique" or " at " in e.item]
    return safety
