"""Screening against the five IRLSSG essential criteria, severity scoring, and mimics.

A questionnaire can only say "possible RLS": criteria 1-4 are not specific because many
conditions imitate RLS (IRLSSG 2014), so the verdict never claims a diagnosis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from anmian.engine.plain_input import CRITERIA, InputError
from anmian.engine.record import Record
from anmian.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from anmian.engine.inputs import AssessmentInput, Severity


class SeverityResult(Record):
    __slots__ = ("scale", "name", "total", "max", "band", "note", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # a result, not a key

    def __init__(
        self,
        scale: str,
        name: str,
        total: int,
        max: int | None,  # the contract's field name
        band: str,
        note: str,
        refs: list[str],
    ) -> None:
        self.scale = scale
        self.name = name
        self.total = total
        self.max = max
        self.band = band
        self.note = note
        self.refs = refs


class MimicResult(Record):
    __slots__ = ("id", "name", "description", "because", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # a result, not a key

    def __init__(
        self, id: str, name: str, description: str, because: list[str], refs: list[str]
    ) -> None:
        self.id = id
        self.name = name
        self.description = description
        self.because = because
        self.refs = refs


class ScreeningResult(Record):
    __slots__ = ("criteria", "verdict", "explanation", "severity", "mimics", "refs")  # noqa: RUF023
    __hash__ = None  # type: ignore[assignment]  # mimics are filled in after it is made

    def __init__(
        self,
        criteria: dict[str, bool | None],
        verdict: str,  # possible-rls | criteria-not-met | insufficient
        explanation: str,
        severity: SeverityResult | None = None,
        mimics: list[MimicResult] | None = None,
        refs: list[str] | None = None,
    ) -> None:
        self.criteria = criteria
        self.verdict = verdict
        self.explanation = explanation
        self.severity = severity
        self.mimics: list[MimicResult] = [] if mimics is None else mimics
        self.refs: list[str] = [] if refs is None else refs


def score_severity(kb: KnowledgeBase, sev: Severity) -> SeverityResult:
    scale = kb.scales.get(sev.scale)
    if scale is None:
        known = ", ".join(sorted(kb.scales))
        raise InputError(f"field 'severity.scale': unknown scale '{sev.scale}' (known: {known})")
    if scale.items:
        if sev.answers is None or sev.total is not None:
            raise InputError(
                f"field 'severity.answers': scale '{scale.id}' is scored from its "
                f"{len(scale.items)} answers (0-4 each); give 'answers', not 'total'"
            )
        if len(sev.answers) != len(scale.items):
            raise InputError(
                f"field 'severity.answers': scale '{scale.id}' has {len(scale.items)} items, "
                f"got {len(sev.answers)} answers"
            )
        total, top = sum(sev.answers), 4 * len(scale.items)
    else:
        if sev.total is None or sev.answers is not None:
            raise InputError(
                f"field 'severity.total': scale '{scale.id}' takes a clinician-entered 'total'"
            )
        total, top = sev.total, max(b.high for b in scale.bands)
    if total > top:
        raise InputError(f"field 'severity.total': {total} is above the scale's maximum of {top}")
    band = next((b.label for b in scale.bands if b.low <= total <= b.high), "out of range")
    return SeverityResult(scale.id, scale.name, total, top, band, scale.note, list(scale.refs))


def screen(
    kb: KnowledgeBase,
    data: AssessmentInput,
    finding_ids: set[str],
    severity: SeverityResult | None = None,
) -> ScreeningResult:
    """severity: `score_severity` of data.severity, when the caller has it already."""
    answers = data.screening
    criteria = {c: (getattr(answers, c) if answers else None) for c in CRITERIA}
    failed = [c for c, v in criteria.items() if v is False]
    wording = kb.rules.screening.verdicts
    if failed:
        verdict = "criteria-not-met"
        explanation = wording.criteria_not_met.format(failed=", ".join(failed))
    elif all(v is True for v in criteria.values()):
        verdict = "possible-rls"
        explanation = wording.possible_rls
    else:
        missing = [c for c, v in criteria.items() if v is None]
        verdict = "insufficient"
        explanation = wording.insufficient.format(missing=", ".join(missing))
    if severity is None and data.severity:
        severity = score_severity(kb, data.severity)
    result = ScreeningResult(
        criteria, verdict, explanation, severity, refs=list(kb.rules.screening.refs)
    )
    if verdict == "criteria-not-met":
        result.mimics = likely_mimics(kb, set(failed), finding_ids)
    return result


def likely_mimics(kb: KnowledgeBase, failed: set[str], finding_ids: set[str]) -> list[MimicResult]:
    rules = kb.rules.screening
    weight = rules.mimic_weights
    scored = []
    for mimic in kb.mimics.values():
        because = [f"finding: {f}" for f in mimic.suggested_by if f in finding_ids]
        because += [f"criterion not met: {c}" for c in mimic.criteria_failed if c in failed]
        score = weight.finding * sum(f in finding_ids for f in mimic.suggested_by) + (
            weight.criterion * sum(c in failed for c in mimic.criteria_failed)
        )
        if score:
            scored.append((score, mimic.id, because, mimic))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [
        MimicResult(m.id, m.name, m.description, because, list(m.refs))
        for _, _, because, m in scored[: rules.max_mimics]
    ]
