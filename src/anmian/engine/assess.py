"""One assessment: resolve the input, screen, differentiate, check safety, plan.

`assess` is the single entry point shared by the CLI and the web API, so the same case
always gives the same result wherever it is asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from anmian.engine.allergies import read_allergies
from anmian.engine.context import Context, build_context
from anmian.engine.differentiate import PatternResult, differentiate
from anmian.engine.hazards import scan
from anmian.engine.memo import per_parts
from anmian.engine.plain_input import InputError
from anmian.engine.plan import Plan, build_plan
from anmian.engine.record import Record, replace
from anmian.engine.resolve import (
    ABSENT,
    FUZZY_SURE,
    PRESENT,
    HazardHit,
    Index,
    Match,
    Resolution,
    Unresolved,
    indexes,
    resolve,
)
from anmian.engine.result_json import assessment_json
from anmian.engine.safety import (
    Safety,
    allergy_warnings,
    holds,
    medication_warnings,
    referrals,
)
from anmian.engine.screening import ScreeningResult, SeverityResult, score_severity, screen
from anmian.engine.text import has_cjk
from anmian.knowledge import KnowledgeBase, get_kb

if TYPE_CHECKING:
    from anmian.engine.inputs import AssessmentInput
    from anmian.engine.result import AssessmentResult

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


class Assessment(Record):
    """Its `context` is compared but not shown, as the dataclass this was had it."""

    __slots__ = (  # noqa: RUF023
        "kb_version",
        "input",
        "screening",
        "patterns",
        "combined",
        "plan",
        "safety",
        "disclaimer",
        "context",
    )
    __hash__ = None  # type: ignore[assignment]  # a result, not a key

    def __init__(
        self,
        kb_version: str,
        input: dict[str, Any],  # the contract's field name
        screening: ScreeningResult,
        patterns: list[PatternResult],
        combined: list[str],
        plan: Plan,
        safety: Safety,
        disclaimer: str,
        context: Context | None = None,
    ) -> None:
        self.kb_version = kb_version
        self.input = input
        self.screening = screening
        self.patterns = patterns
        self.combined = combined
        self.plan = plan
        self.safety = safety
        self.disclaimer = disclaimer
        self.context: Context = Context() if context is None else context

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__[:-1])
        return f"Assessment({inner})"

    def result(self) -> AssessmentResult:
        """The typed contract shared by `anmian assess --format json`, the web API and the
        stored assessments (see `anmian.engine.result`). Read straight from the dataclasses,
        which is faster than through a dict; tests/test_result_models.py checks that every
        field of theirs has its place in the contract."""
        from anmian.engine.result import AssessmentResult  # pydantic: not on the CLI's path

        return AssessmentResult.model_validate(self, from_attributes=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract as plain data, what `result().to_json_dict()` gives, built
        directly (anmian.engine.result_json; tests/test_same_result.py holds them equal)."""
        return assessment_json(self)


# The report is written in the contract's form (result.InputReport: its fields in order,
# floats as floats), so `to_dict` copies its rows rather than building them again.
def _resolution_report(res: Resolution, kind: str) -> list[dict[str, Any]]:
    return [
        {
            "text": m.text,
            kind: m.id,
            "status": m.status,
            "read": m.part,
            "confidence": float(m.confidence),
            "level": m.level,
            "how": m.how,
        }
        for m in res.matches
    ]


class _Read(Record):
    __slots__ = ("findings", "medications", "conditions", "hazards", "band", "severity")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # its readings are changed as they are taken

    def __init__(
        self,
        findings: Resolution,
        medications: Resolution,
        conditions: Resolution,
        hazards: list[HazardHit],
        band: str | None,
        severity: SeverityResult | None,
    ) -> None:
        self.findings = findings
        self.medications = medications
        self.conditions = conditions
        self.hazards = hazards
        self.band = band
        self.severity = severity


def denied(index: Index, u: Unresolved, got: list[Match]) -> list[Match]:
    """What the findings reader left of a phrase, read as medicines or conditions, with the
    denials of the whole phrase: the part has lost the words around it ("no warfarin",
    "I am not on warfarin", "never had diabetes"). Only a denial is taken from the whole: a
    past wording ("a pacemaker fitted in 2019") may be of something still there."""
    if not u.part:
        return got
    said = {w.id for w in index.read(u.text)[0] if w.status == ABSENT}
    return [replace(m, status=ABSENT) if m.id in said else m for m in got]


def _read(data: AssessmentInput, kb: KnowledgeBase) -> _Read:
    """Findings, medications and conditions read, danger words found, the severity band.

    People write their conditions and medicines among their symptoms ("hep B carrier",
    "on warfarin"): a part of a finding phrase that is not a finding but reads wholly as a
    condition or a medicine is taken as one, so its safety rules apply."""
    f_index, m_index, c_index = indexes(kb)
    severity = score_severity(kb, data.severity) if data.severity else None
    band = severity.band if severity else None
    findings = resolve(data.findings, f_index)
    meds = resolve(data.medications, m_index)
    conds = resolve(data.conditions, c_index)
    still: list[Unresolved] = []
    for u in findings.unresolved:
        for index, into in ((c_index, conds), (m_index, meds)):
            got, missed = index.read(u.part or u.text)
            if got and not missed:
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
    hazards = scan(kb, [*data.findings, *data.conditions])
    return _Read(findings, meds, conds, hazards, band, severity)


@per_parts("rules")
def _disclaimer(kb: KnowledgeBase) -> str:
    return " ".join(kb.rules.disclaimer.split())


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
    allergies = read_allergies(kb, data.allergies)  # once: the context's tags and the warnings
    ctx = build_context(kb, data, findings, meds, conds, r.band, r.hazards, allergies)
    screening = screen(kb, data, present, r.severity)
    ranked = differentiate(kb, present, set(findings.with_status("absent")), data.sex)
    safety = Safety(referrals=referrals(kb, ctx))
    for referral in safety.referrals:
        tag = kb.red_flags[referral.id].sets_tag
        if tag:
            ctx.add(tag, f"referral: {referral.title}")
    holds(kb, findings, r.hazards, safety, ctx)
    medication_warnings(kb, meds, conds, safety)
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
    readings: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUSES}
    for m in findings.matches:  # one pass, each reading under its status, in reading order
        bucket = readings.get(m.status)
        if bucket is not None:
            bucket.append(
                {"text": m.text, "finding": m.id, "label": kb.findings[m.id].label, "read": m.part}
            )
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
                "confidence": float(a.confidence),
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
        disclaimer=_disclaimer(kb),
        context=ctx,
    )
