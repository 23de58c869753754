"""The JSON contract of `anmian.engine.result`, built straight from the engine's dataclasses.

`Assessment.to_dict()` is what the CLI prints, the API returns and the site stores. Walking
the pydantic contract (`result().to_json_dict()`) gives the same data but costs several times
the assessment itself, and imports pydantic into a CLI start that needs none of it. Each
function below writes one model of result.py, its fields in the model's order, `for` by its
alias, floats as floats and the Chinese fields left out (they are added to the plain data by
`anmian.engine.zh_result`); the input report's rows are written so by `assess` and copied
here. tests/test_same_result.py holds it byte for byte to the walk, on every example and
case; a field added to a model must be added here (that test fails until).

No pydantic here, and no other engine import at run time: this module only reads attributes.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anmian.engine.differentiate import PatternResult
    from anmian.engine.plan import Plan, PlanAdvice
    from anmian.engine.safety import Safety
    from anmian.engine.screening import ScreeningResult

Json = dict[str, Any]


def assessment_json(a: Any) -> Json:
    """An `Assessment` (engine/assess.py, which imports this module) as the JSON contract."""
    return {
        "kb_version": a.kb_version,
        "input": _input(a.input),
        "screening": _screening(a.screening),
        "patterns": _patterns(a.patterns),
        "combined": list(a.combined),
        "plan": _plan(a.plan),
        "safety": _safety(a.safety),
        "disclaimer": a.disclaimer,
    }


_copy = dict.copy  # a row of scalars, copied without a Python call per row
_JSON = attrgetter("json")  # an Evidence as the contract writes it, made with it


def _input(report: Json) -> Json:
    """The report as assess writes it, in the contract's form already (engine/assess.py):
    copied row by row, so the caller may change what it is given. An empty list is made as
    one (copying it through map costs several times as much, and most lists are empty)."""
    readings = report["readings"]
    shown: Json = {}
    for status in ("present", "absent", "uncertain", "historical", "family", "other"):
        rows = readings[status]
        shown[status] = list(map(_copy, rows)) if rows else []
    findings, meds, conds = report["findings"], report["medications"], report["conditions"]
    allergies, hazards = report["allergies"], report["hazards"]
    return {
        "findings": list(map(_copy, findings)) if findings else [],
        "readings": shown,
        "unresolved": [
            {"text": u["text"], "part": u["part"], "suggestions": list(u["suggestions"])}
            for u in report["unresolved"]
        ],
        "medications": list(map(_copy, meds)) if meds else [],
        "unknown_medications": list(report["unknown_medications"]),
        "conditions": list(map(_copy, conds)) if conds else [],
        "unknown_conditions": list(report["unknown_conditions"]),
        "allergies": list(map(_copy, allergies)) if allergies else [],
        "unknown_allergies": list(report["unknown_allergies"]),
        "hazards": list(map(_copy, hazards)) if hazards else [],
        "context": {tag: list(causes) for tag, causes in report["context"].items()},
    }


def _screening(s: ScreeningResult) -> Json:
    sev = s.severity
    return {
        "criteria": dict(s.criteria),
        "verdict": s.verdict,
        "explanation": s.explanation,
        "severity": None
        if sev is None
        else {
            "scale": sev.scale,
            "name": sev.name,
            "total": sev.total,
            "max": sev.max,
            "band": sev.band,
            "note": sev.note,
            "refs": list(sev.refs),
        },
        "mimics": [
            {
                "id": m.id,
                "name": m.name,
                "description": m.description,
                "because": list(m.because),
                "refs": list(m.refs),
            }
            for m in s.mimics
        ],
        "refs": list(s.refs),
    }


def _patterns(patterns: list[PatternResult]) -> list[Json]:
    """PatternScore and its Evidence, in one comprehension (a call per pattern and per
    piece of evidence cost a fifth of the whole); an Evidence and an ICD-11 code are copied
    as they are written already (each Evidence's `json`, the result's `icd11` dicts), and an
    empty list is made as one, not copied through map (most patterns have no evidence
    against them)."""
    return [
        {
            "id": p.id,
            "name": p.name,
            "pinyin": p.pinyin,
            "chinese": p.chinese,
            "icd11": list(map(_copy, p.icd11)) if p.icd11 else [],
            "score": float(p.score),
            "role": p.role,
            "for": list(map(_copy, map(_JSON, p.for_))) if p.for_ else [],
            "against": list(map(_copy, map(_JSON, p.against))) if p.against else [],
            "key_found": p.key_found,
            "refs": list(p.refs),
        }
        for p in patterns
    ]


def _advice(items: list[PlanAdvice]) -> list[Json]:
    return [
        {
            "id": x.id,
            "title": x.title,
            "text": x.text,
            "for_patterns": list(x.for_patterns),
            "refs": list(x.refs),
        }
        for x in items
    ]


def _plan(plan: Plan) -> Json:
    c = plan.course
    return {
        "status": plan.status,
        "patterns": list(plan.patterns),
        "points": [
            {
                "code": p.code,
                "id": p.id,
                "name": p.name,
                "for_patterns": list(p.for_patterns),
                "mode": p.mode,
                "roles": list(p.roles),
                "location": p.location,
                "acupressure": p.acupressure,
                "refs": list(p.refs),
            }
            for p in plan.points
        ],
        "formulas": [
            {
                "id": f.id,
                "name": f.name,
                "chinese": f.chinese,
                "for_patterns": list(f.for_patterns),
                "ingredients": list(f.ingredients),
                "actions": f.actions,
                "refs": list(f.refs),
                "note": f.note,
            }
            for f in plan.formulas
        ],
        "herbs": [
            {
                "id": h.id,
                "name": h.name,
                "latin": h.latin,
                "in_formulas": list(h.in_formulas),
                "for_patterns": list(h.for_patterns),
                "refs": list(h.refs),
            }
            for h in plan.herbs
        ],
        "diet": _advice(plan.diet),
        "lifestyle": _advice(plan.lifestyle),
        "topical": _advice(plan.topical),
        "course": None
        if c is None
        else {
            "weeks": c.weeks,
            "sessions_per_week": list(c.sessions_per_week),
            "combined": c.combined,
            "note": c.note,
            "refs": list(c.refs),
        },
        "note": plan.note,
    }


def _safety(s: Safety) -> Json:
    return {
        "referrals": [
            {
                "id": r.id,
                "urgency": r.urgency,
                "title": r.title,
                "reason": r.reason,
                "triggered_by": list(r.triggered_by),
                "refs": list(r.refs),
            }
            for r in s.referrals
        ],
        "excluded": [
            {
                "item": e.item,
                "kind": e.kind,
                "reason": e.reason,
                "triggered_by": list(e.triggered_by),
                "refs": list(e.refs),
            }
            for e in s.excluded
        ],
        "warnings": [
            {
                "id": w.id,
                "text": w.text,
                "triggered_by": list(w.triggered_by),
                "refs": list(w.refs),
                "items": list(w.items),
            }
            for w in s.warnings
        ],
        "holds": [
            {"flag": h.flag, "urgency": h.urgency, "text": h.text, "words": h.words, "why": h.why}
            for h in s.holds
        ],
    }
