"""One assessment: resolve the input, screen, differentiate, check safety, plan.

`assess` is the single entry point shared by the CLI and the web API, so the same case
always gives the same result wherever it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.reference_engine.differentiate import PatternResult, differentiate
from tests.reference_engine.plan import Plan, build_plan
from tests.reference_engine.safety import (
    Safety,
    allergy_warnings,
    holds,
    medication_warnings,
    referrals,
)

from anmian.engine.allergies import read_allergies
from anmian.engine.assess import denied  # a reading rule both sides share
from anmian.engine.context import Context, build_context
from anmian.engine.hazards import scan
from anmian.engine.inputs import AssessmentInput, InputError
from anmian.engine.record import replace  # the shared reader's Match is a light record
from anmian.engine.resolve import (
    FUZZY_SURE,
    PRESENT,
    HazardHit,
    Resolution,
    Unresolved,
    indexes,
    resolve,
)
from anmian.engine.result import AssessmentResult
from anmian.engine.screening import ScreeningResult, score_severity, screen
from anmian.engine.text import has_cjk
from anmian.knowledge import KnowledgeBase, get_kb

STATUSES = ("present", "absent", "uncertain", "historical", "family", "other")


class UnresolvedFindings(InputError):
    """Some findings could not be read; `unresolved` lists them with close matches."""

    def __init__(self, unresolved: list[tuple[str, tuple[str, ...]]]):
        self.unresolved = unresolved
        parts = []
        for text, suggestions in unresolved:
            hint = f" (did you mean: {', '.join(suggestions)}?)" if suggestions else ""
            if has_cjk(text):
                hint = " (not a Chinese wording Anmian knows: try a shorter clinical term)"
            parts.append(f"'{text}'{hint}")
        super().__init__(
            "unknown findings: "
            + "; ".join(parts)
            + ". Use ids or labels from `anmian kb search`, or pass --allow-unknown."
        )


@dataclass
class Assessment:
    kb_version: str
    input: dict[str, Any]
    screening: ScreeningResult
    patterns: list[PatternResult]
    combined: list[str]
    plan: Plan
    safety: Safety
    disclaimer: str
    context: Context = field(repr=False, default_factory=Context)

    def result(self) -> AssessmentResult:
        """The typed contract shared by `anmian assess --format json`, the web API and the
        stored assessments (see `anmian.engine.result`). Read straight from the dataclasses,
        which is faster than through a dict; tests/test_result_models.py checks that every
        field of theirs has its place in the contract."""
        return AssessmentResult.model_validate(self, from_attributes=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract as plain data: `result()` dumped to JSON types."""
        return self.result().to_json_dict()


def _resolution_report(res: Resolution, kind: str) -> list[dict[str, Any]]:
    return [
        {
            "text": m.text,
            kind: m.id,
            "status": m.status,
            "read": m.part,
            "confidence": m.confidence,
            "level": m.level,
            "how": m.how,
        }
        for m in res.matches
    ]


@dataclass
class _Read:
    findings: Resolution
    medications: Resolution
    conditions: Resolution
    hazards: list[HazardHit]
    band: str | None


def _read(data: AssessmentInput, kb: KnowledgeBase) -> _Read:
    """Findings, medications and conditions read, danger words found, the severity band.

    People write their conditions and medicines among their symptoms ("hep B carrier",
    "on warfarin"): a part of a finding phrase that is not a finding but reads wholly as a
    condition or a medicine is taken as one, so its safety rules apply."""
    f_index, m_index, c_index = indexes(kb)
    band = score_severity(kb, data.severity).band if data.severity else None
    findings = resolve(data.findings, f_index)
    meds = resolve(data.medications, m_index)
    conds = resolve(data.conditions, c_index)
    still: list[Unresolved] = []
    for u in findings.unresolved:
        for index, into in ((c_index, conds), (m_index, meds)):
            got, missed = index.read(u.part or u.text)
            if got and not missed:
                # a reading rule, shared with the engine (not a speed piece)
                into.matches.extend(replace(m, text=u.text) for m in denied(index, u, got))
                break
        else:
            still.append(u)
    # A condition is read from the whole phrase too ("the doctor said my liver tests were
    # abnormal"): its words may be spread over what the findings reader left.
    for text in dict.fromkeys(u.text for u in findings.unresolved):
        got, _ = c_index.read(text)
        known = {(m.id, m.text) for m in conds.matches}
        conds.matches.extend(m for m in got if m.status != "absent" and (m.id, m.text) not in known)
    findings.unresolved = still
    return _Read(findings, meds, conds, scan(kb, [*data.findings, *data.conditions]), band)


def person_context(data: AssessmentInput, kb: KnowledgeBase | None = None) -> Context:
    """The safety context of a person, as `assess` builds it (for re-checking edited plans)."""
    kb = kb or get_kb()
    r = _read(data, kb)
    return build_context(kb, data, r.findings, r.medications, r.conditions, r.band, r.hazards)


def assess(
    data: AssessmentInput, kb: KnowledgeBase | None = None, allow_unknown: bool = False
) -> Assessment:
    """Assess one person. Raises UnresolvedFindings (unless allow_unknown) or InputError."""
    kb = kb or get_kb()
    r = _read(data, kb)
    findings, meds, conds = r.findings, r.medications, r.conditions
    live_hazards = [h for h in r.hazards if h.flag and h.status != "absent"]
    # Danger words go to the person whatever else could not be read: refusing the whole
    # input over an unread word would hide the advice they need now.
    if findings.unresolved and not allow_unknown and not live_hazards:
        raise UnresolvedFindings([(u.part or u.text, u.suggestions) for u in findings.unresolved])
    if not findings.matches and not live_hazards:
        raise InputError(
            "none of the findings could be read; describe at least one symptom in a few "
            "words (for example 'crawling feeling in the calves'), or use `anmian kb search`"
        )
    present = set(findings.ids)
    ctx = build_context(kb, data, findings, meds, conds, r.band, r.hazards)
    screening = screen(kb, data, present)
    ranked = differentiate(kb, present, set(findings.with_status("absent")), data.sex)
    safety = Safety(referrals=referrals(kb, ctx))
    for referral in safety.referrals:
        tag = kb.red_flags[referral.id].sets_tag
        if tag:
            ctx.add(tag, f"referral: {referral.title}")
    holds(kb, findings, r.hazards, safety, ctx)
    medication_warnings(kb, meds, conds, safety)
    allergies = read_allergies(kb, data.allergies)
    allergy_warnings(kb, allergies.unknown, safety)
    for m in findings.matches:
        if m.confidence < FUZZY_SURE and m.status == PRESENT:
            safety.warn(
                f"low-confidence:{m.text}",
                f'"{m.text}" was read as "{kb.findings[m.id].label}" with low confidence; '
                "check it.",
                [f"findings: {m.text}"],
            )
    plan = build_plan(kb, ranked, ctx, safety)
    if safety.holds:
        # No items are offered while the plan waits, so no item's caution is either.
        safety.warnings = [w for w in safety.warnings if not w.items]
        plan = Plan(
            status="on-hold",
            patterns=plan.patterns,
            course=plan.course,
            note=(
                "Something you wrote may be a sign that needs a doctor, and Anmian could not be "
                "sure what it means. Read the advice at the top first. "
                "When a doctor or your practitioner has checked it, correct the wording and "
                "assess again."
            ),
        )
    danger_texts = {h.text for h in live_hazards}
    readings = {
        status: [
            {"text": m.text, "finding": m.id, "label": kb.findings[m.id].label, "read": m.part}
            for m in findings.matches
            if m.status == status
        ]
        for status in STATUSES
    }
    report = {
        "findings": _resolution_report(findings, "finding"),
        "readings": readings,
        # Closest candidates would only distract in a phrase that raised a danger sign.
        "unresolved": [
            {
                "text": u.text,
                "part": u.part or u.text,
                "suggestions": [] if u.text in danger_texts else list(u.suggestions),
            }
            for u in findings.unresolved
        ],
        "medications": _resolution_report(meds, "medication"),
        "unknown_medications": list(dict.fromkeys(u.text for u in meds.unresolved)),
        "conditions": _resolution_report(conds, "condition"),
        "unknown_conditions": list(dict.fromkeys(u.text for u in conds.unresolved)),
        "allergies": [
            {
                "text": a.text,
                "allergen": a.allergen,
                "status": a.status,
                "read": a.read,
                "confidence": a.confidence,
                "level": a.level,
                "how": a.how,
            }
            for a in allergies.allergies
        ],
        "unknown_allergies": allergies.unknown,
        "hazards": [
            {"text": h.text, "words": h.words, "status": h.status, "flag": h.flag, "tag": h.tag}
            for h in r.hazards
        ],
        "context": {tag: causes for tag, causes in ctx.tags.items()},
    }
    return Assessment(
        kb_version=kb.version,
        input=report,
        screening=screening,
        patterns=ranked,
        combined=plan.patterns,
        plan=plan,
        safety=safety,
        disclaimer=" ".join(kb.rules.disclaimer.split()),
        context=ctx,
    )
