"""What about this person can change what is safe: their tags, and what caused each one.

A tag (see docs/knowledge-base.md) is what safety rules and red flags react to. Each tag
keeps the input items that set it, so every exclusion and referral can say why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anmian.engine.allergies import AllergyReading, read_allergies
from anmian.engine.record import Record
from anmian.engine.resolve import ABSENT, HazardHit, Match, Resolution
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:  # the model is pydantic; the engine runs without it (engine/plain_input.py)
    from anmian.engine.inputs import AssessmentInput


class Context(Record):
    __slots__ = ("tags", "findings")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # tags are added as the assessment goes

    def __init__(
        self,
        tags: dict[str, list[str]] | None = None,  # tag -> triggered_by
        findings: dict[str, list[str]] | None = None,  # finding id -> input texts
    ) -> None:
        self.tags: dict[str, list[str]] = {} if tags is None else tags
        self.findings: dict[str, list[str]] = {} if findings is None else findings

    def add(self, tag: str, because: str) -> None:
        causes = self.tags.setdefault(tag, [])
        if because not in causes:
            causes.append(because)

    def has(self, tag: str) -> bool:
        return tag in self.tags


def build_context(
    kb: KnowledgeBase,
    data: AssessmentInput,
    findings: Resolution,
    medications: Resolution,
    conditions: Resolution,
    severity_band: str | None,
    hazards: list[HazardHit] | None = None,
    allergies: AllergyReading | None = None,
) -> Context:
    """The person's tags; `allergies` is their allergies as read already (read here if not)."""
    ctx = Context()
    for m in findings.present:
        ctx.findings.setdefault(m.id, []).append(m.text)
    for h in hazards or ():
        # A mention of pregnancy or breastfeeding anywhere (unless denied) counts: the
        # cautious reading costs a few items of a plan, the other reading could cost more.
        if h.tag and h.status != ABSENT:
            ctx.add(h.tag, f"text: {h.text}")
    if data.pregnant:
        ctx.add("pregnancy", "pregnant: true")
    if data.breastfeeding:
        ctx.add("breastfeeding", "breastfeeding: true")
    ages = kb.rules.ages
    if data.age is not None and data.age < ages.child_under:
        ctx.add("child", f"age: {data.age}")
    if data.age is not None and data.age >= ages.older_from:
        ctx.add("older-adult", f"age: {data.age}")
    if data.audience == "self-care":
        ctx.add("self-care", "audience: self-care")
    # A course for RLS runs for months, so every herb is judged for long-term use.
    ctx.add("long-term-use", "course of care: months")
    for m in medications.matches:
        if m.status == ABSENT:  # "no blood thinners"
            continue
        because = f"medications: {m.text}"
        for class_id in medication_classes(kb, m):
            ctx.add(class_id, because)
            for effect in kb.drug_classes[class_id].effects:
                ctx.add(effect, because)
    for u in medications.unresolved:
        ctx.add("unknown-medication", f"medications: {u.text}")
    for m in conditions.matches:
        if m.status == ABSENT:  # "no liver disease"
            continue
        # A past condition still counts (a liver that was inflamed is a liver to protect).
        ctx.add(m.id, f"conditions: {m.text}")
    for u in conditions.unresolved:
        ctx.add("unknown-condition", f"conditions: {u.text}")
    if allergies is None:
        allergies = read_allergies(kb, data.allergies)
    for item, phrases in allergies.items.items():
        for phrase in phrases:
            ctx.add(f"allergy:{item}", f"allergies: {phrase}")
    for cond, phrases in allergies.conditions.items():
        for phrase in phrases:
            ctx.add(cond, f"allergies: {phrase}")
    for text in allergies.unknown:
        ctx.add("unknown-allergy", f"allergies: {text}")
    _iron(kb, data, ctx)
    if severity_band is not None and _high_severity(kb, data, severity_band):
        ctx.add("high-severity", f"severity: {severity_band}")
    return ctx


def _high_severity(kb: KnowledgeBase, data: AssessmentInput, band: str) -> bool:
    """Is the band one its scale marks as high severity (scales/, `high_severity`)?"""
    scale = kb.scales.get(data.severity.scale) if data.severity else None
    return scale is not None and any(b.high_severity for b in scale.bands if b.label == band)


def medication_classes(kb: KnowledgeBase, m: Match) -> tuple[str, ...]:
    """The drug classes of a medication reading: a named medicine's, or the class named."""
    if m.id.startswith("class:"):
        return (m.id.removeprefix("class:"),)
    return kb.medications[m.id].classes


def medication_name(kb: KnowledgeBase, m: Match) -> str:
    if m.id.startswith("class:"):
        return kb.drug_classes[m.id.removeprefix("class:")].name
    return kb.medications[m.id].name


def _iron(kb: KnowledgeBase, data: AssessmentInput, ctx: Context) -> None:
    th = kb.rules.iron
    labs = data.labs
    ferritin = labs.ferritin_ng_ml if labs else None
    tsat = labs.tsat_percent if labs else None
    if ferritin is None and tsat is None:
        ctx.add("iron-unknown", "labs: none given")
        return
    # Age unknown: judge by the adult thresholds, which are the higher (more cautious) ones.
    child = data.age is not None and data.age < kb.rules.ages.child_under
    if ferritin is not None:
        if child and ferritin < th.child_ferritin_below:
            ctx.add(
                "low-iron",
                f"labs.ferritin_ng_ml: {ferritin:g} (child, below {th.child_ferritin_below:g})",
            )
        elif not child and ferritin <= th.adult_ferritin_max:
            ctx.add(
                "low-iron",
                f"labs.ferritin_ng_ml: {ferritin:g} (at or below {th.adult_ferritin_max:g})",
            )
        elif not child and ferritin <= th.adult_ferritin_iv_only_max:
            ctx.add(
                "iron-borderline",
                f"labs.ferritin_ng_ml: {ferritin:g} (between {th.adult_ferritin_max:g} and {th.adult_ferritin_iv_only_max:g})",
            )
    if tsat is not None and not child and tsat < th.adult_tsat_below:
        ctx.add("low-iron", f"labs.tsat_percent: {tsat:g} (below {th.adult_tsat_below:g})")
    if ferritin is None:
        ctx.add("iron-unknown", "labs.ferritin_ng_ml: not given")
