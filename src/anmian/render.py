"""Human-readable reports of an assessment. Markdown is the one source; the terminal
view renders the same Markdown with Rich, so the two can never disagree.

Safety comes first in every report: referrals before anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from anmian.engine.result import AssessmentResult, Reading, Readings

URGENCY_LABEL = {"emergency": "EMERGENCY", "urgent": "Urgent", "routine": "Routine"}
MODE_LABEL = {
    "both": "needle or self-press",
    "needle": "needle (practitioner)",
    "acupressure": "self-press only",
}


def _refs(refs: list[str]) -> str:
    return f" _[{', '.join(refs)}]_" if refs else ""


def to_markdown(result: AssessmentResult | Mapping[str, Any]) -> str:
    """The report of one result (the typed contract, or its JSON as `to_dict` gives it)."""
    if not isinstance(result, AssessmentResult):
        result = AssessmentResult.model_validate(result)
    out: list[str] = ["# Anmian assessment", ""]
    safety, plan = result.safety, result.plan
    if safety.referrals:
        out += ["## See a clinician", ""]
        for r in safety.referrals:
            out.append(
                f"- **{URGENCY_LABEL[r.urgency]}: {r.title}.** {r.reason}"
                f" (because: {'; '.join(r.triggered_by)})"
            )
        out.append("")
    if plan.status == "see-physician-first":
        out += ["> See a physician about the points above before starting this plan.", ""]
    if plan.status == "on-hold":
        out += [f"> **Your plan is on hold.** {plan.note}", ""]
    out += _readings(result.input.readings)

    s = result.screening
    out += [
        "## Screening (IRLSSG essential criteria)",
        "",
        f"**{s.verdict}**: {s.explanation}",
        "",
    ]
    for name, value in s.criteria.items():
        shown = {True: "yes", False: "no", None: "not answered"}[value]
        out.append(f"- {name.replace('_', ' ')}: {shown}")
    if s.severity:
        sev = s.severity
        out += [
            "",
            f"Severity ({sev.name}): {sev.total}/{sev.max}, **{sev.band}**. {sev.note}",
        ]
    if s.mimics:
        out += ["", "Conditions that can look like RLS, worth ruling out:"]
        out += [f"- **{m.name}**: {m.description} ({'; '.join(m.because)})" for m in s.mimics]
    out.append("")

    out += ["## TCM patterns", ""]
    if not result.patterns:
        out += ["No pattern is supported by the findings given.", ""]
    for p in result.patterns[:6]:
        icd = ", ".join(c.code for c in p.icd11)
        tag = {"primary": " (leading)", "combined": " (combined)"}.get(p.role, "")
        out.append(f"### {p.name}{tag}: {p.score:.2f}" + (f" [ICD-11 {icd}]" if icd else ""))
        pro = ", ".join(f"{e.label} ({e.weight:g})" for e in p.for_) or "none"
        out.append(f"- for: {pro}")
        if p.against:
            out.append("- against: " + ", ".join(f"{e.label} ({e.weight:g})" for e in p.against))
        out.append("")

    out += ["## Your plan", ""]
    if plan.note:
        out += [plan.note, ""]
    if plan.points:
        out += ["### Points", ""]
    for pt in plan.points:
        out.append(
            f"- **{pt.code} {pt.name}**, {MODE_LABEL[pt.mode]}: {pt.location}" + _refs(pt.refs)
        )
        if pt.acupressure:
            out.append(f"  - How to press: {pt.acupressure}")
    if plan.formulas:
        out += ["", "### Formulas (to discuss with your practitioner)", ""]
        for f in plan.formulas:
            out.append(f"- **{f.name}** {f.chinese}: {', '.join(f.ingredients)}" + _refs(f.refs))
    for advice, title in (
        (plan.diet, "Diet"),
        (plan.lifestyle, "Lifestyle"),
        (plan.topical, "Topical self-care"),
    ):
        if advice:
            out += ["", f"### {title}", ""]
            out += [f"- **{a.title}**: {a.text}" + _refs(a.refs) for a in advice]
    c = plan.course
    if c is not None:
        lo, hi = c.sessions_per_week
        out += [
            "",
            "### Course",
            "",
            f"{c.weeks} weeks, {lo}-{hi} sessions a week. {c.note}" + _refs(c.refs),
            "",
        ]

    if safety.warnings:
        out += ["## Cautions", ""]
        out += [f"- {w.text}" for w in safety.warnings]
        out.append("")
    if safety.excluded:
        out += ["## Left out for your safety", ""]
        out += [
            f"- {e.kind} **{e.item}**: {e.reason} (because: {'; '.join(e.triggered_by)})"
            for e in safety.excluded
        ]
        out.append("")
    inp = result.input
    if inp.unresolved or inp.unknown_medications or inp.unknown_conditions or inp.unknown_allergies:
        out += ["## Not understood", ""]
        for u in inp.unresolved:
            near = f" (closest: {', '.join(u.suggestions)})" if u.suggestions else ""
            whole = f" in '{u.text}'" if u.part != u.text else ""
            out.append(f"- '{u.part}'{whole}{near}")
        out += [f"- medication '{t}'" for t in inp.unknown_medications]
        out += [f"- condition '{t}'" for t in inp.unknown_conditions]
        out += [f"- allergy '{t}'" for t in inp.unknown_allergies]
        out.append("")
    out += [
        "---",
        "",
        f"_{result.disclaimer}_",
        "",
        f"Knowledge base {result.kb_version}",
        "",
    ]
    return "\n".join(out)


# How each status is put to the person, in plain words.
STATUS_WORDS = {
    "present": "You have",
    "absent": "You do not have",
    "uncertain": "You are not sure about (please check)",
    "historical": "You had in the past (not counted now)",
    "family": "Someone in your family has (not counted as yours)",
    "other": "Someone else has (not counted as yours)",
}


def _readings(readings: Readings) -> list[str]:
    """What the reader understood, grouped by status, so a person can check it."""
    out = []
    for status, words in STATUS_WORDS.items():
        rows: list[Reading] = getattr(readings, status)
        if rows:
            labels = ", ".join(dict.fromkeys(r.label.lower() for r in rows))
            out.append(f"- {words}: {labels}")
    return ["## How Anmian read what you wrote", "", *out, ""] if out else []
