"""Safety: which rules apply to this person, referrals from red flags, and warnings.

Everything here reads rules from the knowledge base; this module only decides how a rule
applies. The planner calls `check` on every candidate item, and whatever it excludes never
reaches the plan (tests/test_safety.py holds that as a property over random inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from anmian.engine.context import Context, medication_classes, medication_name
from anmian.engine.memo import per_parts
from anmian.engine.record import Record
from anmian.engine.resolve import (
    ABSENT,
    HISTORICAL,
    PRESENT,
    UNCERTAIN,
    HazardHit,
    Match,
    Resolution,
)
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from anmian.knowledge.models import RedFlag, SafetyRule

URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}
ALLERGY = "allergy:"  # allergy:herb:ren-shen, set by context.build_context
ALLERGY_REFS = ("nice-2014-drug-allergy",)
# Up to this many rules, a scan is quicker than the rules grouped by tag.
SHORT = 8


class Referral(Record):
    __slots__ = ("id", "urgency", "title", "reason", "triggered_by", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        urgency: str,
        title: str,
        reason: str,
        triggered_by: list[str],
        refs: list[str],
    ) -> None:
        self.id = id
        self.urgency = urgency
        self.title = title
        self.reason = reason
        self.triggered_by = triggered_by
        self.refs = refs


class Exclusion(Record):
    __slots__ = ("item", "kind", "reason", "triggered_by", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        item: str,
        kind: str,  # point | herb | formula | technique | advice
        reason: str,
        triggered_by: list[str],
        refs: list[str] | None = None,
    ) -> None:
        self.item = item
        self.kind = kind
        self.reason = reason
        self.triggered_by = triggered_by
        self.refs: list[str] = [] if refs is None else refs


class Warning(Record):
    __slots__ = ("id", "text", "triggered_by", "refs", "items")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        id: str,
        text: str,
        triggered_by: list[str],
        refs: list[str] | None = None,
        items: list[str] | None = None,  # the plan items it concerns, if any
    ) -> None:
        self.id = id
        self.text = text
        self.triggered_by = triggered_by
        self.refs: list[str] = [] if refs is None else refs
        self.items: list[str] = [] if items is None else items


class Hold(Record):
    """Something written comes near a danger sign but could not be placed with confidence.
    The plan waits until a person has checked it; meanwhile they are told what to do."""

    __slots__ = ("flag", "urgency", "text", "words", "why")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in after it is made

    def __init__(
        self,
        flag: str,  # the red flag it comes near
        urgency: str,
        text: str,  # what the person wrote
        words: str,  # the words that raised it
        why: str,  # uncertain (read, but maybe) | unplaced (danger words not read as a finding)
    ) -> None:
        self.flag = flag
        self.urgency = urgency
        self.text = text
        self.words = words
        self.why = why


class Safety(Record):
    """What `_seen` holds (the exclusions made, so none is made twice) is neither shown nor
    compared, as the dataclass this was had it (`field(repr=False, compare=False)`)."""

    __slots__ = ("referrals", "excluded", "warnings", "holds", "_seen")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # filled in as the assessment goes

    def __init__(
        self,
        referrals: list[Referral] | None = None,
        excluded: list[Exclusion] | None = None,
        warnings: list[Warning] | None = None,
        holds: list[Hold] | None = None,
        _seen: set[tuple[str, str, str]] | None = None,
    ) -> None:
        self.referrals: list[Referral] = [] if referrals is None else referrals
        self.excluded: list[Exclusion] = [] if excluded is None else excluded
        self.warnings: list[Warning] = [] if warnings is None else warnings
        self.holds: list[Hold] = [] if holds is None else holds
        self._seen: set[tuple[str, str, str]] = set() if _seen is None else _seen

    def _fields(self) -> tuple[Any, ...]:
        return (self.referrals, self.excluded, self.warnings, self.holds)

    def __repr__(self) -> str:
        return (
            f"Safety(referrals={self.referrals!r}, excluded={self.excluded!r}, "
            f"warnings={self.warnings!r}, holds={self.holds!r})"
        )

    def exclude(
        self, item: str, kind: str, reason: str, causes: list[str], refs: Iterable[str]
    ) -> None:
        key = (item, kind, reason)
        if key in self._seen:
            return
        self._seen.add(key)
        self.excluded.append(Exclusion(item, kind, reason, list(causes), list(refs)))

    def warn(self, wid: str, text: str, causes: list[str], refs: Iterable[str] = ()) -> None:
        for w in self.warnings:  # a loop, not all() over a generator: a few warnings at most
            if w.id == wid:
                return
        self.warnings.append(Warning(wid, text, list(causes), list(refs)))

    def warn_items(
        self, wid: str, item: str, what: str, text: str, causes: list[str], refs: Iterable[str]
    ) -> None:
        """One warning for every item sharing the same caution ("needling at SP6, ST36: ...")
        rather than a dozen copies of the same sentence."""
        for w in self.warnings:
            if w.id == wid:
                if item not in w.items:
                    w.items.append(item)
                    w.text = f"{what} at {', '.join(w.items)}: {text}"
                return
        self.warnings.append(
            Warning(wid, f"{what} at {item}: {text}", list(causes), list(refs), [item])
        )


# Rules of one item grouped by tag, built once per tuple of rules (the knowledge base's
# tuples are immutable and live as long as it does; the tuple is kept so its id is not reused).
_BY_TAG: dict[int, tuple[object, dict[str, list[tuple[int, SafetyRule]]]]] = {}


def _by_tag(rules: tuple[SafetyRule, ...]) -> dict[str, list[tuple[int, SafetyRule]]]:
    hit = _BY_TAG.get(id(rules))
    if hit is None or hit[0] is not rules:
        table: dict[str, list[tuple[int, SafetyRule]]] = {}
        for i, r in enumerate(rules):
            table.setdefault(r.when, []).append((i, r))
        hit = _BY_TAG[id(rules)] = (rules, table)
    return hit[1]


def applicable(rules: Iterable[SafetyRule], ctx: Context) -> list[SafetyRule]:
    """The rules whose tag the person has, in the order they are written."""
    tags = ctx.tags
    if not isinstance(rules, tuple) or len(rules) <= SHORT:
        return [r for r in rules if r.when in tags]
    table = _by_tag(rules)
    if len(tags) < len(table):
        found = [p for tag in tags for p in table.get(tag, ())]
    else:
        found = [p for tag, ps in table.items() if tag in tags for p in ps]
    found.sort()  # by position: positions differ, so the rules are never compared
    return [r for _, r in found]


# A red flag's clauses with each reference split once: (is a finding, target id).
_Clauses = tuple[tuple[tuple[bool, str], ...], ...]


@per_parts("red_flags")
def _flag_clauses(kb: KnowledgeBase) -> list[tuple[RedFlag, _Clauses]]:
    out = []
    for flag in kb.red_flags.values():
        clauses = []
        for clause in flag.when:
            refs = []
            for ref in clause:
                kind, _, target = ref.partition(":")
                refs.append((kind == "finding", target))
            clauses.append(tuple(refs))
        out.append((flag, tuple(clauses)))
    return out


_Starts = dict[str, tuple[int, ...]]


@per_parts("red_flags")
def _flag_starts(kb: KnowledgeBase) -> tuple[_Starts, _Starts, tuple[int, ...]]:
    """What can start a red flag: each finding, and each tag -> the flags (by position in
    `_flag_clauses`) whose first clause names it; and the flags without clauses (which
    always hold). A flag none of whose first clause's references the person has cannot hold,
    so it is not looked at."""
    by_finding: dict[str, list[int]] = {}
    by_tag: dict[str, list[int]] = {}
    always: list[int] = []
    for n, (_, clauses) in enumerate(_flag_clauses(kb)):
        if not clauses:
            always.append(n)
            continue
        for is_finding, target in clauses[0]:
            ids = (by_finding if is_finding else by_tag).setdefault(target, [])
            if n not in ids:
                ids.append(n)
    return (
        {k: tuple(v) for k, v in by_finding.items()},
        {k: tuple(v) for k, v in by_tag.items()},
        tuple(always),
    )


def referrals(kb: KnowledgeBase, ctx: Context) -> list[Referral]:
    """Every red flag whose clauses all hold (each clause: any of its references), with
    what set each reference; a flag stops at its first clause that does not hold."""
    out = []
    findings, tags = ctx.findings, ctx.tags
    flags = _flag_clauses(kb)
    by_finding, by_tag, always = _flag_starts(kb)
    candidates = set(always)
    for fid in findings:
        if fid in by_finding:
            candidates.update(by_finding[fid])
    for tag in tags:
        if tag in by_tag:
            candidates.update(by_tag[tag])
    for n in sorted(candidates):
        flag, clauses = flags[n]
        causes: list[str] = []
        for clause in clauses:
            held: list[str] = []
            for is_finding, target in clause:
                if is_finding:
                    texts = findings.get(target)
                    if texts:
                        held += [f"findings: {t}" for t in texts]
                else:
                    got = tags.get(target)
                    if got:
                        held += got
            if not held:
                break
            causes += held
        else:
            out.append(
                Referral(
                    flag.id,
                    flag.urgency,
                    flag.title,
                    flag.reason,
                    list(dict.fromkeys(causes)),
                    list(flag.refs),
                )
            )
    if len(out) > 1:
        out.sort(key=lambda r: (URGENCY_ORDER[r.urgency], r.id))
    return out


def medication_warnings(
    kb: KnowledgeBase, meds: Resolution, conds: Resolution, safety: Safety
) -> None:
    rules = kb.rules
    worded = _medication_words(kb)
    for m in meds.matches:
        if m.status == ABSENT:
            continue
        hit = worded.get(m.id)
        if hit is None:
            hit = worded[m.id] = _medication_word(kb, m)
        name, text, refs = hit
        if text is not None:
            safety.warn(f"medication-may-worsen-rls:{m.id}", text, [f"medications: {m.text}"], refs)
        if m.how == "fuzzy":
            safety.warn(
                f"medication-read-as:{m.id}",
                f'"{m.text}" was read as {name}; correct it if that is wrong.',
                [f"medications: {m.text}"],
            )
    for u in meds.unresolved:
        safety.warn(
            f"unknown-medication:{u.text}",
            " ".join(rules.unknown_medication_warning.format(name=u.text).split()),
            [f"medications: {u.text}"],
        )
    for u in conds.unresolved:
        safety.warn(
            f"unknown-condition:{u.text}",
            " ".join(rules.unknown_condition_warning.format(name=u.text).split()),
            [f"conditions: {u.text}"],
        )


@per_parts("medications", "drug_classes", "rules")
def _medication_words(kb: KnowledgeBase) -> dict[str, tuple[str, str | None, tuple[str, ...]]]:
    """Medication id -> its name, and the warning that it may worsen RLS with its refs (None
    when none of its classes does), worded the first time the medication is met."""
    return {}


def _medication_word(kb: KnowledgeBase, m: Match) -> tuple[str, str | None, tuple[str, ...]]:
    name = medication_name(kb, m)
    worsening = [
        kb.drug_classes[c]
        for c in medication_classes(kb, m)
        if "worsens-rls" in kb.drug_classes[c].effects
    ]
    if not worsening:
        return name, None, ()
    text = kb.rules.medication_warning.format(
        name=name,
        classes=", ".join(c.name for c in worsening),
        note=" ".join(c.note for c in worsening),
    )
    refs = [r for c in worsening for r in c.refs]
    return name, " ".join(text.split()), tuple(dict.fromkeys(refs))


@per_parts("red_flags")
def _flags_of(kb: KnowledgeBase) -> dict[str, list[str]]:
    """finding id -> the red flags that name it."""
    out: dict[str, list[str]] = {}
    for flag in kb.red_flags.values():
        for clause in flag.when:
            for ref in clause:
                kind, _, target = ref.partition(":")
                if kind == "finding":
                    out.setdefault(target, []).append(flag.id)
    return out


def holds(
    kb: KnowledgeBase,
    findings: Resolution,
    hazards: list[HazardHit],
    safety: Safety,
    ctx: Context,
) -> None:
    """Put the plan on hold for every danger sign that was written but not settled.

    A red-flag finding read as uncertain ("maybe my calf is swollen?") is not settled; nor
    are danger words that the reader could not place on any red-flag finding ("I keep thinking everyone would be better off
    without me"). Each becomes a hold and a referral at the flag's urgency, worded so the
    person knows what was not understood and what to do now. Holds never depend on
    --allow-unknown."""
    fired = {r.id for r in safety.referrals}
    flags_of = _flags_of(kb)
    for m in findings.matches:
        if m.status != UNCERTAIN:
            continue
        for flag_id in flags_of.get(m.id, ()):
            if flag_id not in fired:
                _hold(kb, safety, flag_id, m.text, m.part, "uncertain")
    for h in hazards:
        if h.flag is None or h.flag in fired or h.flag not in kb.red_flags:
            continue
        if h.when_tag and not ctx.has(h.when_tag):
            continue
        if h.status in (PRESENT, UNCERTAIN):
            _hold(
                kb,
                safety,
                h.flag,
                h.text,
                h.words,
                "unplaced" if h.status == PRESENT else "uncertain",
            )
        elif h.status == HISTORICAL:
            flag = kb.red_flags[h.flag]
            safety.warn(
                f"past-danger-sign:{h.flag}",
                f'You wrote "{h.text}". If "{flag.title.lower()}" is something you have had '
                "before, tell your doctor and your practitioner about it.",
                [f"text: {h.text}"],
                flag.refs,
            )


def _hold(kb: KnowledgeBase, safety: Safety, flag_id: str, text: str, words: str, why: str) -> None:
    flag = kb.red_flags[flag_id]
    if any(h.flag == flag_id and h.text == text for h in safety.holds):
        return
    safety.holds.append(Hold(flag_id, flag.urgency, text, words, why))
    rid = f"check:{flag_id}"
    if any(r.id == rid for r in safety.referrals):
        return
    reason = (
        f'You wrote "{text}". Anmian could not be sure what this means, and it may be a sign '
        f"of something that needs a doctor ({flag.title.lower()}). If it describes you: "
        f"{' '.join(flag.reason.split())} Your plan is on hold until someone has checked it."
    )
    safety.referrals.append(
        Referral(
            rid,
            flag.urgency,
            f"Please check: {flag.title}",
            reason,
            [f"text: {text}"],
            list(flag.refs),
        )
    )
    safety.referrals.sort(key=lambda r: (URGENCY_ORDER[r.urgency], r.id))


# --- allergies (engine/allergies.py reads them into allergy:KIND:ID tags) ---


def allergy_warnings(kb: KnowledgeBase, unknown: list[str], safety: Safety) -> None:
    """One warning per allergy that names nothing known, saying what is held back and why
    (the words of the knowledge base's unknown-allergy hold)."""
    hold = next((h for h in kb.rules.herbal_holds if "unknown-allergy" in h.when), None)
    for text in unknown:
        why = " ".join(hold.text.split()) if hold else ""
        safety.warn(
            f"unknown-allergy:{text}",
            f'Anmian does not know the allergy "{text}". {why} Oils, balms and compresses for '
            "the skin are left out too.",
            [f"allergies: {text}"],
            hold.refs if hold else ALLERGY_REFS,
        )


def _allergic_to(ctx: Context, item: str) -> list[str]:
    return ctx.tags.get(f"{ALLERGY}{item}", [])


def has_allergies(ctx: Context) -> bool:
    """Whether any allergy of the person names an item (checked once per plan)."""
    return any([t.startswith(ALLERGY) for t in ctx.tags])  # a list: quicker for a few


def allergy_reasons(
    kb: KnowledgeBase, kind: str, item_id: str, ctx: Context
) -> list[tuple[str, str, list[str]]]:
    """(the part it is about, the reason, what the person wrote) for each allergy of the
    person that rules the item out: an allergy to the item itself (a herb, formula or oil),
    to an ingredient of a formula, or to a herb or oil a topical advice item contains. Shared
    by the planner and the shop, so an allergy keeps an item out wherever it is offered."""
    if not has_allergies(ctx):
        return []
    name = _display(kb, kind, item_id)
    out = []
    own = _allergic_to(ctx, f"{kind}:{item_id}")
    if own:
        out.append((item_id, f"{name}: {_told(name, own)}", own))
    if kind == "formula" and item_id in kb.formulas:
        parts = [("herb", i.herb) for i in kb.formulas[item_id].ingredients]
    elif kind == "advice" and item_id in kb.advice:
        parts = [("herb" if c in kb.herbs else "oil", c) for c in kb.advice[item_id].contains]
    else:
        parts = []
    for part_kind, part in parts:
        causes = _allergic_to(ctx, f"{part_kind}:{part}")
        if causes:
            part_name = _display(kb, part_kind, part)
            out.append((part, f"{name} contains {part_name}: {_told(part_name, causes)}", causes))
    return out


def allergy_allowed(
    kb: KnowledgeBase, kind: str, item_id: str, ctx: Context, safety: Safety
) -> bool:
    """False, with each exclusion recorded, when an allergy of the person rules the item out
    (`allergy_reasons`); a formula's ingredient is recorded as excluded too."""
    reasons = allergy_reasons(kb, kind, item_id, ctx)
    for part, reason, causes in reasons:
        safety.exclude(item_id, kind, reason, causes, ALLERGY_REFS)
        if part != item_id and part in kb.herbs:
            name = _display(kb, "herb", part)
            safety.exclude(part, "herb", f"{name}: {_told(name, causes)}", causes, ALLERGY_REFS)
    return not reasons


def _display(kb: KnowledgeBase, kind: str, item_id: str) -> str:
    if kind == "herb" and item_id in kb.herbs:
        return kb.herbs[item_id].pinyin
    if kind == "formula" and item_id in kb.formulas:
        return kb.formulas[item_id].pinyin
    if kind == "oil" and item_id in kb.oils:
        return kb.oils[item_id].name
    if kind == "advice" and item_id in kb.advice:
        return kb.advice[item_id].title
    return item_id


def _told(name: str, causes: list[str]) -> str:
    said = "; ".join(f'"{c.removeprefix("allergies: ")}"' for c in causes)
    return f"you told us you are allergic to {name} ({said})."
