"""Build a personal plan from the leading patterns, passing every item through safety.

Candidates come from the knowledge base (base RLS points and advice, then each chosen
pattern's points, formulas, herbs and advice). Each candidate is checked against the
person's tags before it is added; an excluded item is recorded with its reason and never
added, and a formula is judged by its own rules plus all of its ingredients' rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple
from zlib import crc32

from anmian.engine.context import Context
from anmian.engine.differentiate import PatternResult
from anmian.engine.memo import per_parts
from anmian.engine.record import Record
from anmian.engine.safety import (
    Exclusion,
    Safety,
    Warning,
    allergy_allowed,
    applicable,
    has_allergies,
)
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from anmian.knowledge.models import Advice, Formula, HerbalHold, Point, SafetyRule

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


class PlanPoint(Record):
    __slots__ = (  # noqa: RUF023
        "code",
        "id",
        "name",
        "for_patterns",
        "mode",
        "roles",
        "location",
        "acupressure",
        "refs",
    )
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        code: str,
        id: str,
        name: str,
        for_patterns: list[str],
        mode: str,  # needle | acupressure | both
        roles: list[str],
        location: str,
        acupressure: str | None,
        refs: list[str],
    ) -> None:
        self.code = code
        self.id = id
        self.name = name
        self.for_patterns = for_patterns
        self.mode = mode
        self.roles = roles
        self.location = location
        self.acupressure = acupressure
        self.refs = refs


class PlanFormula(Record):
    __slots__ = ("id", "name", "chinese", "for_patterns", "ingredients", "actions", "refs", "note")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        name: str,
        chinese: str,
        for_patterns: list[str],
        ingredients: list[str],
        actions: str,
        refs: list[str],
        note: str = "To discuss with your practitioner: herbs are prescribed, not self-selected.",
    ) -> None:
        self.id = id
        self.name = name
        self.chinese = chinese
        self.for_patterns = for_patterns
        self.ingredients = ingredients
        self.actions = actions
        self.refs = refs
        self.note = note


class PlanHerb(Record):
    __slots__ = ("id", "name", "latin", "in_formulas", "for_patterns", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        name: str,
        latin: str,
        in_formulas: list[str],
        for_patterns: list[str],
        refs: list[str],
    ) -> None:
        self.id = id
        self.name = name
        self.latin = latin
        self.in_formulas = in_formulas
        self.for_patterns = for_patterns
        self.refs = refs


class PlanAdvice(Record):
    __slots__ = ("id", "title", "text", "for_patterns", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        title: str,
        text: str,
        for_patterns: list[str],
        refs: list[str],
    ) -> None:
        self.id = id
        self.title = title
        self.text = text
        self.for_patterns = for_patterns
        self.refs = refs


class PlanCourse(Record):
    __slots__ = ("weeks", "sessions_per_week", "combined", "note", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        weeks: int,
        sessions_per_week: list[int],
        combined: bool,
        note: str,
        refs: list[str],
    ) -> None:
        self.weeks = weeks
        self.sessions_per_week = sessions_per_week
        self.combined = combined
        self.note = note
        self.refs = refs


class Plan(Record):
    __slots__ = (  # noqa: RUF023
        "status",
        "patterns",
        "points",
        "formulas",
        "herbs",
        "diet",
        "lifestyle",
        "topical",
        "course",
        "note",
    )
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        status: str,  # ready | see-physician-first
        patterns: list[str],
        points: list[PlanPoint] | None = None,
        formulas: list[PlanFormula] | None = None,
        herbs: list[PlanHerb] | None = None,
        diet: list[PlanAdvice] | None = None,
        lifestyle: list[PlanAdvice] | None = None,
        topical: list[PlanAdvice] | None = None,
        course: PlanCourse | None = None,
        note: str = "",
    ) -> None:
        self.status = status
        self.patterns = patterns
        self.points: list[PlanPoint] = [] if points is None else points
        self.formulas: list[PlanFormula] = [] if formulas is None else formulas
        self.herbs: list[PlanHerb] = [] if herbs is None else herbs
        self.diet: list[PlanAdvice] = [] if diet is None else diet
        self.lifestyle: list[PlanAdvice] = [] if lifestyle is None else lifestyle
        self.topical: list[PlanAdvice] = [] if topical is None else topical
        self.course = course
        self.note = note


def build_plan(
    kb: KnowledgeBase,
    ranked: list[PatternResult],
    ctx: Context,
    safety: Safety,
    replay: bool = True,
) -> Plan:
    """The plan for the chosen patterns, each item through safety. The plan and the safety
    decisions depend only on the chosen patterns and the person's tags (not on what set a
    tag, which is only quoted), so they are worked out once per pair and replayed with this
    person's causes (`_Recipe`); an allergy's reasons quote the person's words, so a person
    with an allergy to an item is worked out in full, as is every plan when `replay` is
    False. tests/test_plan_recipe.py holds the replay to the full work on every case."""
    chosen = [r.id for r in ranked if r.role in ("primary", "combined")]
    urgent = any(r.urgency in ("emergency", "urgent") for r in safety.referrals)
    status = "see-physician-first" if urgent else "ready"
    tags = ctx.tags
    if not replay or has_allergies(ctx):
        return work_out(kb, chosen, ctx, safety, status)
    recipes = _recipes(kb)
    key = (tuple(chosen), tuple(tags))
    recipe = recipes.get(key)
    if recipe is None:
        recipe = _record(kb, chosen, key[1])
        if len(recipes) > 1024:  # people share a few patterns and tags: rarely reached
            recipes.clear()
        recipes[key] = recipe
    return recipe.replay(status, tags, safety)


def work_out(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, status: str
) -> Plan:
    """The plan worked out in full, every candidate through safety."""
    plan = Plan(status=status, patterns=chosen)
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


class _Cause:
    """Stands for the causes of one tag while a plan is recorded."""

    __slots__ = ("tag",)

    def __init__(self, tag: str) -> None:
        self.tag = tag


# A safety call as recorded: (what, its arguments before the causes, the causes, refs). The
# causes are a tag (this person's causes of it) or, seldom, a tuple of _Cause and words.
_EXCLUDE, _WARN, _WARN_ITEMS = 0, 1, 2
_Call = tuple[int, tuple[Any, ...], "str | tuple[_Cause | str, ...]", tuple[str, ...]]


class _Recorder(Safety):
    """Takes the planner's safety calls in place of a person's Safety, to replay them."""

    __slots__ = ("calls",)

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[_Call] = []

    def _note(self, what: int, args: tuple[Any, ...], causes: list[Any], refs: Any) -> None:
        self.calls.append((what, args, _said(causes), tuple(refs)))

    def exclude(
        self, item: str, kind: str, reason: str, causes: list[str], refs: Iterable[str]
    ) -> None:
        self._note(_EXCLUDE, (item, kind, reason), causes, refs)

    def warn(self, wid: str, text: str, causes: list[str], refs: Iterable[str] = ()) -> None:
        self._note(_WARN, (wid, text), causes, refs)

    def warn_items(
        self, wid: str, item: str, what: str, text: str, causes: list[str], refs: Iterable[str]
    ) -> None:
        self._note(_WARN_ITEMS, (wid, item, what, text), causes, refs)


def _record(kb: KnowledgeBase, chosen: list[str], tags: tuple[str, ...]) -> _Recipe:
    rec = _Recorder()
    marks: dict[str, list[str]] = {t: [_Cause(t)] for t in tags}  # type: ignore[list-item]
    plan = work_out(kb, list(chosen), Context(tags=marks), rec, "ready")
    calls = tuple(rec.calls)
    # What the calls leave in a Safety that has none of their exclusions and warnings yet
    # (the usual case: the planner's items are its own), with the causes still as tags.
    alone = Safety()
    _replay_calls(calls, marks, alone)
    return _Recipe(
        plan,
        calls,
        tuple(
            (e.item, e.kind, e.reason, _said(e.triggered_by), tuple(e.refs)) for e in alone.excluded
        ),
        tuple(
            (w.id, w.text, _said(w.triggered_by), tuple(w.refs), tuple(w.items))
            for w in alone.warnings
        ),
        frozenset(alone._seen),
        frozenset(w.id for w in alone.warnings),
    )


def _said(causes: list[Any]) -> str | tuple[_Cause | str, ...]:
    one = causes[0] if len(causes) == 1 else None
    return one.tag if isinstance(one, _Cause) else tuple(causes)


def _replay_calls(calls: tuple[_Call, ...], tags: dict[str, list[str]], safety: Safety) -> None:
    exclude, warn, warn_items = safety.exclude, safety.warn, safety.warn_items
    for what, args, said, refs in calls:
        causes = tags[said] if isinstance(said, str) else _causes(said, tags)
        if what == _EXCLUDE:
            item, kind, reason = args
            exclude(item, kind, reason, causes, refs)
        elif what == _WARN:
            wid, text = args
            warn(wid, text, causes, refs)
        else:
            wid, item, label, text = args
            warn_items(wid, item, label, text, causes, refs)


class _Recipe(NamedTuple):
    plan: Plan  # never handed out: each replay copies it
    calls: tuple[_Call, ...]
    # what the calls leave in a Safety without any of their items: (item, kind, reason,
    # causes, refs) per exclusion, (id, text, causes, refs, items) per warning
    excluded: tuple[tuple[str, str, str, str | tuple[_Cause | str, ...], tuple[str, ...]], ...]
    warnings: tuple[
        tuple[str, str, str | tuple[_Cause | str, ...], tuple[str, ...], tuple[str, ...]], ...
    ]
    seen: frozenset[tuple[str, str, str]]  # the exclusions' keys, as Safety keeps them
    warning_ids: frozenset[str]

    def replay(self, status: str, tags: dict[str, list[str]], safety: Safety) -> Plan:
        if safety._seen.isdisjoint(self.seen) and not any(
            [w.id in self.warning_ids for w in safety.warnings]
        ):
            # the calls would only add these: added as they would be, without the calls
            excluded, warnings = safety.excluded, safety.warnings
            for item, kind, reason, said, refs in self.excluded:
                causes = tags[said] if isinstance(said, str) else _causes(said, tags)
                excluded.append(Exclusion(item, kind, reason, list(causes), list(refs)))
            for wid, text, said, refs, items in self.warnings:
                causes = tags[said] if isinstance(said, str) else _causes(said, tags)
                warnings.append(Warning(wid, text, list(causes), list(refs), list(items)))
            safety._seen |= self.seen
        else:
            _replay_calls(self.calls, tags, safety)
        p = self.plan
        c = p.course
        return Plan(
            status,
            list(p.patterns),
            [
                PlanPoint(
                    x.code,
                    x.id,
                    x.name,
                    list(x.for_patterns),
                    x.mode,
                    list(x.roles),
                    x.location,
                    x.acupressure,
                    list(x.refs),
                )
                for x in p.points
            ],
            [
                PlanFormula(
                    x.id,
                    x.name,
                    x.chinese,
                    list(x.for_patterns),
                    list(x.ingredients),
                    x.actions,
                    list(x.refs),
                    x.note,
                )
                for x in p.formulas
            ],
            [
                PlanHerb(
                    x.id, x.name, x.latin, list(x.in_formulas), list(x.for_patterns), list(x.refs)
                )
                for x in p.herbs
            ],
            _copy_advice(p.diet),
            _copy_advice(p.lifestyle),
            _copy_advice(p.topical),
            None
            if c is None
            else PlanCourse(c.weeks, list(c.sessions_per_week), c.combined, c.note, list(c.refs)),
            p.note,
        )


def _causes(said: tuple[_Cause | str, ...], tags: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for c in said:
        if isinstance(c, _Cause):
            out += tags[c.tag]
        else:
            out.append(c)
    return out


def _copy_advice(items: list[PlanAdvice]) -> list[PlanAdvice]:
    return (
        [PlanAdvice(x.id, x.title, x.text, list(x.for_patterns), list(x.refs)) for x in items]
        if items
        else []
    )


@per_parts("points", "rules", "patterns", "formulas", "herbs", "advice")
def _recipes(kb: KnowledgeBase) -> dict[tuple[tuple[str, ...], tuple[str, ...]], _Recipe]:
    """(chosen patterns, the person's tags in order) -> the plan and its safety calls."""
    return {}


# A safety rule as the planner applies it at a point, its strings built once:
# (tag, what it does, technique, warning id, what the warning names, text, refs).
_Row = tuple[str, int, "str | None", str, str, str, tuple[str, ...]]
CAUTION, NO_POINT, NO_MODE, NO_TECHNIQUE = 0, 1, 2, 3


def _row(rule: SafetyRule) -> _Row:
    if rule.action == "caution":
        # Keyed by the text too, so points with their own wording stay separate.
        wid = f"caution:points:{rule.when}:{rule.technique or 'all'}:{crc32(rule.text.encode())}"
        what = TECHNIQUE_LABEL.get(rule.technique or "", "using the point")
        return (rule.when, CAUTION, rule.technique, wid, what, rule.text, rule.refs)
    if rule.technique is None:
        kind = NO_POINT
    elif rule.technique in MODES:
        kind = NO_MODE
    else:
        # Techniques the plan never proposes (electroacupuncture, moxa, cupping, ...):
        # one exclusion each, so the practitioner sees them ruled out.
        kind = NO_TECHNIQUE
    return (rule.when, kind, rule.technique, "", "", rule.text, rule.refs)


def _base_modes(point: Point) -> set[str]:
    return {"needle", "acupressure"} if point.self_care else {"needle"}


def point_modes(
    point: Point, ctx: Context, safety: Safety, every_point: Iterable[SafetyRule] = ()
) -> set[str] | None:
    """The ways this person may use the point; None when the point is excluded outright.
    every_point: the knowledge base's technique rules, which hold at every point."""
    rows = [_row(r) for r in applicable(tuple(every_point), ctx)]
    if point.cautions:
        rows += [_row(r) for r in applicable(point.cautions, ctx)]
    return _point_modes(point.code, _base_modes(point), rows, ctx, safety)


def _point_modes(
    code: str, modes: set[str], rows: list[_Row], ctx: Context, safety: Safety
) -> set[str] | None:
    """`point_modes` from the rows of the rules that apply to the person, in order (the
    technique rules first); `modes` is the point's own set, changed in place."""
    tags = ctx.tags
    for when, kind, technique, wid, what, text, refs in rows:
        causes = tags[when]
        if kind == CAUTION:
            safety.warn_items(wid, code, what, text, causes, refs)
        elif kind == NO_POINT:
            safety.exclude(code, "point", text, causes, refs)
            return None
        elif kind == NO_MODE:
            modes.discard(technique)  # type: ignore[arg-type]
            safety.exclude(f"{technique} at {code}", "technique", text, causes, refs)
        else:
            safety.exclude(technique, "technique", text, causes, refs)  # type: ignore[arg-type]
    return modes or None


class _Points(NamedTuple):
    """The points' side of a plan, built once per knowledge base."""

    technique: tuple[_Row, ...]  # kb.rules.technique_rules, which hold at every point
    # point id -> (the point, its plan name, whether it may be pressed, its cautions' rows)
    points: dict[str, tuple[Point, str, bool, tuple[_Row, ...]]]
    # the chosen patterns -> (point id, the patterns asking for it, its roles), in plan order
    wanted: dict[tuple[str, ...], tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]]


@per_parts("points", "rules", "patterns")
def _points(kb: KnowledgeBase) -> _Points:
    return _Points(
        tuple(_row(r) for r in kb.rules.technique_rules),
        {
            pid: (p, f"{p.pinyin} ({p.english})", p.self_care, tuple(_row(r) for r in p.cautions))
            for pid, p in kb.points.items()
        },
        {},
    )


def _wanted(
    kb: KnowledgeBase, table: _Points, chosen: list[str]
) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """The points the base RLS set and the chosen patterns ask for, each once, in order."""
    key = tuple(chosen)
    hit = table.wanted.get(key)
    if hit is None:
        wanted: dict[str, tuple[list[str], list[str]]] = {}
        sources = [(BASE, kb.rules.base_points)] + [
            (pid, kb.patterns[pid].points) for pid in chosen
        ]
        for source, points in sources:
            for pp in points:
                pats, roles = wanted.setdefault(pp.point, ([], []))
                pats.append(source)
                roles.append(pp.role)
        hit = tuple(
            (point_id, tuple(pats), tuple(dict.fromkeys(roles)))
            for point_id, (pats, roles) in wanted.items()
        )
        if len(table.wanted) > 4096:  # a few patterns are chosen at a time: rarely reached
            table.wanted.clear()
        table.wanted[key] = hit
    return hit


def _add_points(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    table = _points(kb)
    tags = ctx.tags
    # the rules that hold at every point, found once for the whole plan; a technique the
    # plan never proposes is excluded once, at the first point (the same exclusion at every
    # later point is a repeat, which Safety.exclude drops)
    general = [row for row in table.technique if row[0] in tags]
    later = [row for row in general if row[1] != NO_TECHNIQUE]
    points = table.points
    for n, (point_id, pats, roles) in enumerate(_wanted(kb, table, chosen)):
        point, name, self_care, rows = points[point_id]
        every = later if n else general
        own = []
        for row in rows:  # a loop, not a comprehension (a call of its own): one to three rows
            if row[0] in tags:
                own.append(row)
        modes = {"needle", "acupressure"} if self_care else {"needle"}
        if every or own:
            got = _point_modes(point.code, modes, every + own if every else own, ctx, safety)
            if got is None:
                continue
            modes = got
        mode = "both" if len(modes) == 2 else next(iter(modes))
        plan.points.append(
            PlanPoint(
                point.code,
                point.id,
                name,
                list(pats),
                mode,
                list(roles),
                point.location,
                point.acupressure if "acupressure" in modes else None,
                list(point.refs),
            )
        )


def _add_herbal(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    tags = ctx.tags
    for hold, when in _holds(kb):
        if when <= tags.keys():
            causes = [c for t in hold.when for c in tags[t]]
            for pid in chosen:
                for fid in kb.patterns[pid].formulas:
                    safety.exclude(fid, "formula", hold.text, causes, hold.refs)
                for hid in kb.patterns[pid].herbs:
                    safety.exclude(hid, "herb", hold.text, causes, hold.refs)
            return
    herbs: dict[str, tuple[list[str], list[str]]] = {}
    allergic = has_allergies(ctx)
    per_pattern = kb.rules.limits.formulas_per_pattern
    added_formulas: dict[str, PlanFormula] = {f.id: f for f in plan.formulas}
    names = _formula_names(kb)
    for pid in chosen:
        added = 0
        for fid in kb.patterns[pid].formulas:
            if added == per_pattern:
                break
            existing = added_formulas.get(fid)
            if existing:
                existing.for_patterns.append(pid)
                added += 1
                continue
            if not formula_allowed(kb, fid, ctx, safety, allergic):
                continue
            formula = kb.formulas[fid]
            name, ingredients = names[fid]
            added_formulas[fid] = PlanFormula(
                fid,
                name,
                formula.chinese,
                [pid],
                list(ingredients),
                formula.actions,
                list(formula.refs),
            )
            plan.formulas.append(added_formulas[fid])
            for hid in ingredients:
                h = herbs.setdefault(hid, ([], []))
                h[0].append(fid)
                h[1].append(pid)
            added += 1
        for hid in kb.patterns[pid].herbs:
            if herb_allowed(kb, hid, ctx, safety, allergic):
                herbs.setdefault(hid, ([], []))[1].append(pid)
    herb_rows = _herb_rows(kb)
    for hid, (formulas, pats) in herbs.items():
        herb = kb.herbs[hid]
        plan.herbs.append(
            PlanHerb(
                hid,
                herb_rows[hid][2],
                herb.latin,
                list(dict.fromkeys(formulas)),
                list(dict.fromkeys(pats)),
                list(herb.refs),
            )
        )


@per_parts("formulas")
def _formula_names(kb: KnowledgeBase) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Formula id -> its name in a plan, and its ingredients' herb ids."""
    return {
        fid: (f"{f.pinyin} ({f.english})", tuple(i.herb for i in f.ingredients))
        for fid, f in kb.formulas.items()
    }


@per_parts("rules")
def _holds(kb: KnowledgeBase) -> tuple[tuple[HerbalHold, frozenset[str]], ...]:
    """The herbal holds, each with the set of tags that must all be there."""
    return tuple((hold, frozenset(hold.when)) for hold in kb.rules.herbal_holds)


# A herb's rule with its words: (tag, excludes, reason, caution id, refs); a regulator's
# warning: (id, text, refs).
_HerbRow = tuple[str, bool, str, str, tuple[str, ...]]
_RegulatorRow = tuple[str, str, tuple[str, ...]]


@per_parts("herbs")
def _herb_rows(
    kb: KnowledgeBase,
) -> dict[str, tuple[tuple[_HerbRow, ...], tuple[_RegulatorRow, ...], str]]:
    """Herb id -> its safety rules, its regulators' warnings, and its name in a plan, worded
    once."""
    return {
        hid: (
            tuple(
                (
                    rule.when,
                    rule.action == "exclude",
                    f"{herb.pinyin}: {rule.text}",
                    f"caution:{hid}:{rule.when}",
                    rule.refs,
                )
                for rule in herb.safety
            ),
            tuple(
                (
                    f"regulator:{hid}:{w.regulator}",
                    f"{herb.pinyin}: {w.regulator} ({w.year}): {w.text}",
                    w.refs,
                )
                for w in herb.regulator_warnings
            ),
            f"{herb.pinyin} ({herb.english})",
        )
        for hid, herb in kb.herbs.items()
    }


def herb_allowed(
    kb: KnowledgeBase, hid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    """allergic: whether the person has allergies to items (`has_allergies`), when known."""
    rows, regulators, _ = _herb_rows(kb)[hid]
    if (has_allergies(ctx) if allergic is None else allergic) and not allergy_allowed(
        kb, "herb", hid, ctx, safety
    ):
        return False
    tags = ctx.tags
    found = [row for row in rows if row[0] in tags]  # in the order they are written
    excluded = False
    for when, excludes, reason, _, refs in found:
        if excludes:
            safety.exclude(hid, "herb", reason, tags[when], refs)
            excluded = True
    if excluded:
        return False
    # Cautions and regulator warnings only matter for a herb that stays in the plan.
    for when, _, reason, wid, refs in found:
        safety.warn(wid, reason, tags[when], refs)
    for wid, text, refs in regulators:
        safety.warn(wid, text, [f"herb: {hid}"], refs)
    return True


def formula_allowed(
    kb: KnowledgeBase, fid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    formula = kb.formulas[fid]
    cautions = []
    allergic = has_allergies(ctx) if allergic is None else allergic
    ok = allergy_allowed(kb, "formula", fid, ctx, safety) if allergic else True
    tags = ctx.tags
    for source, rule, reason, herb_reason, caution_id in _formula_rows(kb, formula, ctx):
        causes = tags[rule.when]
        if rule.action == "exclude":
            safety.exclude(fid, "formula", reason, causes, rule.refs)
            if herb_reason is not None:
                safety.exclude(source, "herb", herb_reason, causes, rule.refs)
            ok = False
        else:
            cautions.append((caution_id, reason, causes, rule.refs))
    # Cautions only matter for a formula that stays in the plan.
    if ok:
        for args in cautions:
            safety.warn(*args)
        herb_rows = _herb_rows(kb)
        for ing in formula.ingredients:
            for wid, text, refs in herb_rows[ing.herb][1]:
                safety.warn(wid, text, [f"herb: {ing.herb}"], refs)
    return ok


# A formula's rule with its words built once: (source id, rule, the reason given for the
# formula, the reason given for the herb when the rule is an ingredient's, the caution's id).
_FormulaRow = tuple[str, "SafetyRule", str, "str | None", str]
# (formula, herbs) -> (formula, herbs, its rules grouped by tag as (position, row))
_FORMULA_RULES: dict[
    tuple[int, int], tuple[object, object, dict[str, list[tuple[int, _FormulaRow]]]]
] = {}


def _formula_rows(kb: KnowledgeBase, formula: Formula, ctx: Context) -> list[_FormulaRow]:
    """The formula's own and its ingredients' rules that apply to this person, in order
    (`kb.formula_safety`'s order), with their words; the union is built once per formula and
    knowledge base, grouped by tag, so a person's few tags are looked up rather than every
    rule scanned."""
    key = (id(kb.herbs), id(formula))
    hit = _FORMULA_RULES.get(key)
    if hit is None or hit[0] is not formula or hit[1] is not kb.herbs:
        by_tag: dict[str, list[tuple[int, _FormulaRow]]] = {}
        for n, (source, rule) in enumerate(kb.formula_safety(formula)):
            herb = kb.herbs.get(source)
            name = f"{formula.pinyin} contains {herb.pinyin}" if herb else formula.pinyin
            row = (
                source,
                rule,
                f"{name}: {rule.text}",
                f"{herb.pinyin}: {rule.text}" if herb else None,
                f"caution:{source}:{rule.when}",
            )
            by_tag.setdefault(rule.when, []).append((n, row))
        # formula and herbs are kept with the rules so that their ids are not reused
        hit = _FORMULA_RULES[key] = (formula, kb.herbs, by_tag)
    table = hit[2]
    found = [row for tag in ctx.tags if tag in table for row in table[tag]]
    if len(found) > 1:
        found.sort()  # by position: positions differ, so the rows are never compared
    return [row for _, row in found]


class _Advice(NamedTuple):
    """The advice side of a plan, built once per knowledge base."""

    # advice id -> the item, its rules as (tag, excludes, reason, caution id, refs)
    advice: dict[str, tuple[Advice, tuple[tuple[str, bool, str, str, tuple[str, ...]], ...]]]
    # the chosen patterns -> (advice id, the patterns asking for it), in plan order
    wanted: dict[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]


@per_parts("advice", "rules", "patterns")
def _advice(kb: KnowledgeBase) -> _Advice:
    return _Advice(
        {
            aid: (
                adv,
                tuple(
                    (
                        rule.when,
                        rule.action == "exclude",
                        f"{adv.title}: {rule.text}",
                        f"caution:{aid}:{rule.when}",
                        rule.refs,
                    )
                    for rule in adv.safety
                ),
            )
            for aid, adv in kb.advice.items()
        },
        {},
    )


def _add_advice(
    kb: KnowledgeBase, chosen: list[str], ctx: Context, safety: Safety, plan: Plan
) -> None:
    table = _advice(kb)
    key = tuple(chosen)
    wanted = table.wanted.get(key)
    if wanted is None:
        asked: dict[str, list[str]] = {aid: [BASE] for aid in kb.rules.base_advice}
        for pid in chosen:
            pat = kb.patterns[pid]
            for aid in (*pat.diet, *pat.lifestyle, *pat.topical):
                asked.setdefault(aid, []).append(pid)
        wanted = tuple((aid, tuple(pats)) for aid, pats in asked.items())
        if len(table.wanted) > 4096:  # a few patterns are chosen at a time: rarely reached
            table.wanted.clear()
        table.wanted[key] = wanted
    allergic = has_allergies(ctx)
    for aid, pats in wanted:
        adv, rows = table.advice[aid]
        # an item with no rules, for a person with no allergies, is allowed (no call to say so)
        if (rows or allergic) and not _advice_allowed(kb, aid, rows, ctx, safety, allergic):
            continue
        getattr(plan, adv.kind).append(
            PlanAdvice(aid, adv.title, adv.text, list(pats), list(adv.refs))
        )


def advice_allowed(
    kb: KnowledgeBase, aid: str, ctx: Context, safety: Safety, allergic: bool | None = None
) -> bool:
    allergic = has_allergies(ctx) if allergic is None else allergic
    return _advice_allowed(kb, aid, _advice(kb).advice[aid][1], ctx, safety, allergic)


def _advice_allowed(
    kb: KnowledgeBase,
    aid: str,
    rows: tuple[tuple[str, bool, str, str, tuple[str, ...]], ...],
    ctx: Context,
    safety: Safety,
    allergic: bool,
) -> bool:
    ok = allergy_allowed(kb, "advice", aid, ctx, safety) if allergic else True
    tags = ctx.tags
    for when, excludes, reason, wid, refs in rows:
        if when in tags:
            if excludes:
                safety.exclude(aid, "advice", reason, tags[when], refs)
                ok = False
            else:
                safety.warn(wid, reason, tags[when], refs)
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
