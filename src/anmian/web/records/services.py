"""The clinic's use cases, the one door to patient records for the site, the API and commands.

Every function takes the acting user and enforces access itself (through `access.py`, so a
miss is a 404) and writes the audit entry, so no caller can forget either.

The diary depends on records, never the reverse: the diary's progress signals reach the
patient list through `add_signal_source`, which the diary calls when Django starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404

from anmian.engine import assess, parse_input
from anmian.engine.assess import person_context
from anmian.engine.notes import NoteAlert
from anmian.engine.plan import check_choices
from anmian.knowledge import get_kb
from anmian.web.records.access import get_assessment, get_patient, visible_patients
from anmian.web.records.alerts import red_flags_in
from anmian.web.records.audit import DENIED
from anmian.web.records.audit import record as audit
from anmian.web.records.models import Assessment, Patient, Plan, Practitioner, SessionNote

User = AbstractBaseUser | AnonymousUser

# Given the listed patients, the signals of each (by primary key) that a practitioner should see.
SignalSource = Callable[[Sequence[Patient]], Mapping[int, list[str]]]
_signal_sources: list[SignalSource] = []


class NotPractitioner(Http404):
    """The workspace is for practitioners; to anyone else it does not exist (a 404)."""


class NoPatientRecord(Http404):
    """The account has no patient record to save an assessment to."""


def require_practitioner(user: User) -> Practitioner:
    practitioner = getattr(user, "practitioner", None) if user.is_authenticated else None
    if practitioner is None:
        raise NotPractitioner("only practitioners can do this")
    return practitioner


# --- patients ---


def add_signal_source(source: SignalSource) -> None:
    """Let an app that depends on records add signals to the patient list (once)."""
    if source not in _signal_sources:
        _signal_sources.append(source)


def patient_list(user: User, query: str = "") -> QuerySet[Patient]:
    """The practitioner's patients, by name, with their number of assessments."""
    require_practitioner(user)
    qs = (
        visible_patients(user).select_related("clinic").annotate(n_assessments=Count("assessments"))
    )
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.order_by("name", "pk")


def with_signals(patients: Iterable[Patient]) -> list[tuple[Patient, list[str]]]:
    """Each patient with their signals; each source reads all the patients in one batch."""
    listed = list(patients)
    found: dict[int, list[str]] = defaultdict(list)
    for source in _signal_sources:
        for pk, signals in source(listed).items():
            found[pk] += signals
    return [(p, found[p.pk]) for p in listed]


@dataclass(frozen=True)
class Chart:
    patient: Patient
    assessments: list[Assessment]  # oldest first
    trend: list[tuple[str, list[float]]]  # pattern name, its score in each assessment
    plans: list[Plan]
    notes: list[SessionNote]  # the latest 20


def chart(user: User, uid: UUID) -> Chart:
    """A patient's chart, read by a practitioner of their clinic (and audited)."""
    require_practitioner(user)
    p = get_patient(user, uid)
    audit(user, "read", p, "chart", p)
    assessments = list(p.assessments.order_by("created"))
    # Pattern scores across assessments, oldest first: how the ranking moved over time.
    pattern_ids = list(
        dict.fromkeys(x["id"] for a in assessments for x in a.result["patterns"][:3])
    )
    patterns = get_kb().patterns
    trend = [
        (
            patterns[pid].name if pid in patterns else pid,
            [
                next((x["score"] for x in a.result["patterns"] if x["id"] == pid), 0)
                for a in assessments
            ],
        )
        for pid in pattern_ids
    ]
    return Chart(
        patient=p,
        assessments=assessments,
        trend=trend,
        plans=list(p.plans.select_related("adopted_by")),
        notes=list(p.notes.all()[:20]),
    )


# --- assessments ---


def save_assessment(user: User, data: dict[str, Any]) -> Assessment:
    """Assess `data` (the engine's input) and keep it as an assessment of the user's record."""
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise NoPatientRecord("this account has no patient record")
    kb = get_kb()
    result = assess(parse_input(data), kb, allow_unknown=True).to_dict()
    with transaction.atomic():
        saved = Assessment.objects.create(
            patient=patient, kb_version=kb.version, input=data, result=result
        )
        audit(user, "create", patient, "assessment", saved)
    return saved


def my_assessments(user: User) -> list[Assessment]:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    return list(patient.assessments.all()) if patient else []


def read_assessment(user: User, uid: UUID) -> Assessment:
    a = get_assessment(user, uid)
    audit(user, "read", a.patient, "assessment", a)
    return a


def patient_assessments(user: User, uid: UUID) -> list[Assessment]:
    p = get_patient(user, uid)
    audit(user, "read", p, "assessments", p)
    return list(p.assessments.all())


# --- plans ---


def adopt_plan(user: User, assessment_uid: UUID) -> Plan:
    """The assessment's plan, adopted by the practitioner as the start of their own."""
    practitioner = require_practitioner(user)
    a = get_assessment(user, assessment_uid)
    # Re-run the engine for a practitioner audience with today's knowledge base, so the
    # adopted plan reflects the current rules, never a stale result.
    data = parse_input(a.input | {"audience": "practitioner"})
    plan = assess(data, get_kb(), allow_unknown=True).to_dict()["plan"]
    formula = plan["formulas"][0] if plan["formulas"] else None
    with transaction.atomic():
        new = Plan.objects.create(
            patient=a.patient,
            assessment=a,
            adopted_by=practitioner,
            points=[p["id"] for p in plan["points"]],
            formula=formula["id"] if formula else "",
            herbs=formula["ingredients"] if formula else [],
        )
        audit(user, "create", a.patient, "plan", new)
    return new


def plan_of(user: User, uid: UUID) -> Plan:
    require_practitioner(user)
    try:
        return Plan.objects.select_related("assessment", "patient").get(
            uid=uid, patient__in=visible_patients(user)
        )
    except Plan.DoesNotExist:
        audit(user, "read", None, "plan", uid, outcome=DENIED)
        raise Http404("no such plan") from None


def read_plan(user: User, uid: UUID) -> Plan:
    plan = plan_of(user, uid)
    audit(user, "read", plan.patient, "plan", plan)
    return plan


@dataclass(frozen=True)
class PlanReview:
    plan: Plan
    refused: list[Any] = field(default_factory=list)  # the engine's exclusions, with reasons

    @property
    def saved(self) -> bool:
        return not self.refused


def review_plan_edit(
    user: User, uid: UUID, points: list[str], formula: str, herbs: list[str]
) -> PlanReview:
    """Check an edit with the engine's safety rules for this person; save it only if safe."""
    plan = plan_of(user, uid)
    kb = get_kb()
    ctx = person_context(parse_input(plan.assessment.input | {"audience": "practitioner"}), kb)
    review = check_choices(kb, ctx, points, formula or None, herbs)
    if review.excluded:
        return PlanReview(plan, list(review.excluded))
    plan.points, plan.formula, plan.herbs = points, formula, herbs
    with transaction.atomic():
        plan.save(update_fields=["points", "formula", "herbs", "updated"])
        audit(user, "update", plan.patient, "plan", plan)
    return PlanReview(plan)


# --- session notes ---


def patient_for_note(user: User, uid: UUID) -> Patient:
    """The patient a note is being written for: the form shows who, so it is a read."""
    require_practitioner(user)
    p = get_patient(user, uid)
    audit(user, "read", p, "note-form", p)
    return p


@dataclass(frozen=True)
class NoteRecorded:
    note: SessionNote
    alerts: list[NoteAlert]  # danger signs in what was written, most urgent first


def record_note(user: User, patient_uid: UUID, note: SessionNote) -> NoteRecorded:
    """Save a session note (validated, not yet saved) by this practitioner for the patient."""
    practitioner = require_practitioner(user)
    p = get_patient(user, patient_uid)
    note.patient, note.practitioner = p, practitioner
    with transaction.atomic():
        note.save()
        audit(user, "create", p, "note", note)
    return NoteRecorded(note, red_flags_in([note.notes, note.response]))
