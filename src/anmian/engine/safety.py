"""Safety: which rules apply to this person, referrals from red flags, and warnings.

Everything here reads rules from the knowledge base; this module only decides how a rule
applies. The planner calls `check` on every candidate item, and whatever it excludes never
reaches the plan (tests/test_safety.py holds that as a property over random inputs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from anmian.engine.context import Context
from anmian.engine.resolve import Resolution
from anmian.knowledge import KnowledgeBase
from anmian.knowledge.models import SafetyRule

URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}


@dataclass
class Referral:
    id: str
    urgency: str
    title: str
    reason: str
    triggered_by: list[str]
    refs: list[str]


@dataclass
class Exclusion:
    item: str
    kind: str  # point | herb | formula | technique | advice
    reason: str
    triggered_by: list[str]
    refs: list[str] = field(default_factory=list)


@dataclass
class Warning:
    id: str
    text: str
    triggered_by: list[str]
    refs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # the plan items it concerns, if any


@dataclass
class Safety:
    referrals: list[Referral] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def exclude(
        self, item: str, kind: str, reason: str, causes: list[str], refs: Iterable[str]
    ) -> None:
        for e in self.excluded:
            if e.item == item and e.kind == kind and e.reason == reason:
                return
        self.excluded.append(Exclusion(item, kind, reason, list(causes), list(refs)))

    def warn(self, wid: str, text: str, causes: list[str], refs: Iterable[str] = ()) -> None:
        if all(w.id != wid for w in self.warnings):
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


def applicable(rules: Iterable[SafetyRule], ctx: Context) -> list[SafetyRule]:
    return [r for r in rules if ctx.has(r.when)]


def referrals(kb: KnowledgeBase, ctx: Context) -> list[Referral]:
    out = []
    for flag in kb.red_flags.values():
        causes: list[str] = []
        for clause in flag.when:
            held = [c for ref in clause for c in _ref_causes(kb, ref, ctx)]
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
    out.sort(key=lambda r: (URGENCY_ORDER[r.urgency], r.id))
    return out


def _ref_causes(kb: KnowledgeBase, ref: str, ctx: Context) -> list[str]:
    kind, _, target = ref.partition(":")
    if kind == "finding":
        return [f"findings: {t}" for t in ctx.findings.get(target, [])]
    return ctx.tags.get(target, [])


def medication_warnings(
    kb: KnowledgeBase, meds: Resolution, conds: Resolution, safety: Safety
) -> None:
    rules = kb.rules
    for m in meds.matches:
        med = kb.medications[m.id]
        worsening = [
            kb.drug_classes[c] for c in med.classes if "worsens-rls" in kb.drug_classes[c].effects
        ]
        if worsening:
            text = rules.medication_warning.format(
                name=med.name,
                classes=", ".join(c.name for c in worsening),
                note=" ".join(c.note for c in worsening),
            )
            refs = [r for c in worsening for r in c.refs]
            safety.warn(
                f"medication-may-worsen-rls:{med.id}",
                " ".join(text.split()),
                [f"medications: {m.text}"],
                dict.fromkeys(refs),
            )
        if m.how == "fuzzy":
            safety.warn(
                f"medication-read-as:{med.id}",
                f'"{m.text}" was read as {med.name}; correct it if that is wrong.',
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
