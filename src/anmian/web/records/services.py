"""The clinic's use cases, the one door to patient records for the site, the API and commands.

Every function takes the acting user and enforces access itself (through `access.py`, so a
miss is a 404) and writes the audit entry, so no caller can forget either.

The diary depends on records, never the reverse: the diary's progress signals reach the
patient list through `add_signal_source`, which the diary calls when Django starts.
"""

from __future__ import annotations

import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as Account
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, JSONField, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from anmian.engine import assess, parse_input
from anmian.engine.assess import person_context
from anmian.engine.notes import NoteAlert
from anmian.engine.plan import check_choices
from anmian.engine.safety import URGENCY_ORDER
from anmian.engine.zh_result import add_chinese, chinese_first
from anmian.knowledge import get_kb
from anmian.web.core.kbtags import technique
from anmian.web.core.kbtext import chinese_page, in_page_language
from anmian.web.records.access import get_assessment, get_patient, visible_patients
from anmian.web.records.alerts import red_flags_in
from anmian.web.records.audit import DENIED
from anmian.web.records.audit import record as audit
from anmian.web.records.models import (
    Assessment,
    Clinic,
    ClinicInvite,
    Patient,
    Plan,
    Practitioner,
    SessionNote,
)

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
    # The latest assessment's when and result ride along, for its signals (assessment_signals).
    newest = Assessment.objects.filter(patient=OuterRef("pk")).order_by("-created", "-pk")
    qs = (
        visible_patients(user)
        .select_related("clinic")
        .annotate(
            n_assessments=Count("assessments"),
            latest_created=Subquery(newest.values("created")[:1]),
            latest_result=Subquery(newest.values("result")[:1], output_field=JSONField()),
        )
    )
    # No name holds a NUL (the forms refuse one), and PostgreSQL refuses it in a query string.
    query = query.replace("\x00", "")
    if query:
        qs = qs.filter(name__icontains=query)
    return qs.order_by("name", "pk")


def with_signals(patients: Iterable[Patient]) -> list[tuple[Patient, list[str]]]:
    """Each patient with their signals; each source reads all the patients in one batch."""
    listed = list(patients)
    found: dict[int, list[str]] = defaultdict(list)
    # The latest assessment's own (records' data, so not a source the diary adds).
    for source in (assessment_signals, *_signal_sources):
        for pk, signals in source(listed).items():
            found[pk] += signals
    return [(p, found[p.pk]) for p in listed]


@dataclass(frozen=True)
class Person:
    """Who the practitioner is seeing, from the profile and the latest assessment."""

    age: int | None
    sex: str
    medicines: list[str]
    conditions: list[str]
    pregnant: bool


@dataclass(frozen=True)
class Chart:
    patient: Patient
    assessments: list[Assessment]  # oldest first
    trend: list[tuple[str, list[float]]]  # pattern name, its score in each assessment
    plans: list[Plan]
    notes: list[SessionNote]  # the latest 20
    person: Person | None = None
    signals: list[str] = field(default_factory=list)
    scores: list[Any] = field(default_factory=list)  # the latest weekly scores, newest first
    appointments: list[Any] = field(default_factory=list)  # upcoming, then the latest past
    # Each assessment, newest first, with the plan adopted from it last (None: not adopted).
    adoptions: list[tuple[Assessment, Plan | None]] = field(default_factory=list)
    appointment_count: int = 0  # all the patient's bookings but cancelled ones
    latest: LatestAssessment | None = None


def person_of(patient: Patient, latest: Assessment | None, today: date) -> Person:
    data = latest.input if latest else {}
    born = patient.date_of_birth
    if born:
        age: int | None = (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
    elif patient.birth_year:
        age = today.year - patient.birth_year
    else:
        age = data.get("age")
    return Person(
        age=age,
        sex=patient.sex or data.get("sex") or "",
        medicines=list(data.get("medications") or []),
        conditions=list(data.get("conditions") or []),
        pregnant=bool(data.get("pregnant")),
    )


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
    trend = [
        (
            pid,  # named in the page's language by the template (pattern_name)
            [
                next((x["score"] for x in a.result["patterns"] if x["id"] == pid), 0)
                for a in assessments
            ],
        )
        for pid in pattern_ids
    ]
    # The diary's scores and booking's appointments are read through their reverse
    # relations to the patient: records depends on neither app.
    scores = list(p.scores.order_by("-taken")[:4]) if hasattr(p, "scores") else []
    appointments: list[Any] = []
    appointment_count = 0
    if hasattr(p, "appointments"):
        rows = p.appointments.select_related("practitioner", "appointment_type").exclude(
            status="cancelled"
        )
        now = timezone.now()
        appointments = [
            *rows.filter(start__gte=now).order_by("start")[:5],
            *rows.filter(start__lt=now).order_by("-start")[:5],
        ]
        # Up to 10 are shown: the count says when there are more (the link lists them all).
        appointment_count = rows.count()
    if assessments:  # its signals from the latest assessment read above (no second read)
        vars(p).update(latest_created=assessments[-1].created, latest_result=assessments[-1].result)
    plans = list(p.plans.select_related("adopted_by"))  # newest first
    adopted: dict[int, Plan] = {}
    for pl in plans:
        adopted.setdefault(pl.assessment_id, pl)
    return Chart(
        patient=p,
        assessments=assessments,
        trend=trend,
        plans=plans,
        notes=list(p.notes.all()[:20]),
        person=person_of(p, assessments[-1] if assessments else None, timezone.localdate()),
        signals=with_signals([p])[0][1],
        scores=scores,
        appointments=appointments,
        adoptions=[(a, adopted.get(a.pk)) for a in reversed(assessments)],
        appointment_count=appointment_count,
        latest=latest_assessment(assessments[-1]) if assessments else None,
    )


def patient_appointments(user: User, uid: UUID) -> tuple[Patient, list[Any]]:
    """All of a patient's bookings but cancelled ones, newest first (the chart shows 10)."""
    require_practitioner(user)
    p = get_patient(user, uid)
    audit(user, "read", p, "appointments", p)
    if not hasattr(p, "appointments"):  # booking is not installed
        return p, []
    rows = p.appointments.select_related("practitioner", "appointment_type")
    return p, list(rows.exclude(status="cancelled").order_by("-start"))


# --- what the latest assessment asks of the practitioner ---

# A medicine's tags that change care, as a few words after the medicine's name; a drug
# class is named by the base instead. Tags not here (long-term-use, self-care) are not about
# the medicine.
MEDICINE_TAGS = {
    "worsens-rls": gettext_lazy("can worsen restless legs"),
    "augmentation-suspected": gettext_lazy("may be worsening the legs (augmentation)"),
    "bleeding-risk": gettext_lazy("raises bleeding risk"),
    "unknown-medication": gettext_lazy("unknown to Anmian: interactions not checked"),
    "sedating": gettext_lazy("sedating"),
    "lowers-glucose": gettext_lazy("lowers blood sugar"),
    "dopaminergic": gettext_lazy("a dopamine medicine"),
    "hepatotoxic": gettext_lazy("can harm the liver"),
    "lowers-blood-pressure": gettext_lazy("lowers blood pressure"),
    "serotonergic": gettext_lazy("a serotonin medicine"),
    "rls-treatment": gettext_lazy("a medicine for restless legs"),
}
IRON_TAGS = {
    "low-iron": gettext_lazy("low enough to treat"),
    "iron-borderline": gettext_lazy("borderline"),
    "iron-unknown": gettext_lazy("not checked"),
}
MEDICINE_CAUSE = "medications: "  # context.build_context's cause for a medicine's tags


@dataclass(frozen=True)
class Medicine:
    written: str  # as the assessment read it ("sertraline 50 mg")
    about: list[str]  # what about it matters, in the page's language


@dataclass(frozen=True)
class LatestAssessment:
    """The latest assessment's safety side, read from its stored result, for the patient
    page: the diary's signals never see an assessment, so without this a severe score, low
    ferritin or a medicine that worsens RLS did not show there."""

    assessment: Assessment
    plan_status: str  # ready | see-physician-first | on-hold
    referrals: list[dict[str, Any]]  # most urgent first, in the page's language
    holds: list[dict[str, Any]]  # words near a danger sign the engine could not place
    severity: dict[str, Any] | None  # the scale's name, total, max and band
    ferritin: float | None  # ng/mL, as given
    tsat: float | None  # %, as given
    iron: list[str]  # what the engine made of them (or "not checked")
    medicines: list[Medicine]
    left_out: list[str]  # techniques left out for safety, named
    other_left_out: int  # herbs, formulas and advice left out (listed on the assessment)


def _in_page_language(result: dict[str, Any]) -> dict[str, Any]:
    lang = chinese_page()
    return result if lang is None else chinese_first(add_chinese(result, get_kb(), lang))


def _medicine_tag(tag: str) -> str | None:
    if tag in MEDICINE_TAGS:
        return str(MEDICINE_TAGS[tag])
    dc = get_kb().drug_classes.get(tag)
    return in_page_language(dc.name, dc.zh_name) if dc is not None else None


def _medicines(context: Mapping[str, list[str]]) -> list[Medicine]:
    """Each medicine the context names as a cause, with its tags that change care."""
    about: dict[str, list[str]] = {}
    for tag, causes in context.items():
        words = _medicine_tag(tag)
        for cause in causes:
            if words and cause.startswith(MEDICINE_CAUSE):
                about.setdefault(cause.removeprefix(MEDICINE_CAUSE), []).append(words)
    return [Medicine(name, list(dict.fromkeys(tags))) for name, tags in about.items()]


def latest_assessment(a: Assessment) -> LatestAssessment:
    result = _in_page_language(a.result)
    safety = result.get("safety", {})
    context = a.result.get("input", {}).get("context", {})
    labs = a.input.get("labs") or {}
    excluded = safety.get("excluded", [])
    return LatestAssessment(
        assessment=a,
        plan_status=result.get("plan", {}).get("status", ""),
        referrals=sorted(
            safety.get("referrals", []), key=lambda r: URGENCY_ORDER.get(str(r.get("urgency")), 9)
        ),
        holds=list(safety.get("holds", [])),
        severity=result.get("screening", {}).get("severity"),
        ferritin=labs.get("ferritin_ng_ml"),
        tsat=labs.get("tsat_percent"),
        iron=[str(words) for tag, words in IRON_TAGS.items() if tag in context],
        medicines=_medicines(context),
        left_out=[technique(e["item"]) for e in excluded if e.get("kind") == "technique"],
        other_left_out=sum(1 for e in excluded if e.get("kind") != "technique"),
    )


def assessment_signals(patients: Sequence[Patient]) -> dict[int, list[str]]:
    """A signal for each listed patient whose latest assessment refers them to a physician
    or holds its plan. The patient list brings each latest assessment along
    (patient_list); others are read in one query for all of them."""
    latest: dict[int, tuple[Any, Any]] = {
        p.pk: (getattr(p, "latest_created", None), getattr(p, "latest_result", None))
        for p in patients
        if getattr(p, "latest_result", None) is not None
    }
    missing = [p.pk for p in patients if not hasattr(p, "latest_result")]
    if missing:
        newest = Assessment.objects.filter(patient=OuterRef("patient")).order_by("-created", "-pk")
        rows = (
            Assessment.objects.filter(patient__in=missing)
            .annotate(newest=Subquery(newest.values("pk")[:1]))
            .filter(pk=F("newest"))
            .values_list("patient_id", "created", "result")
        )
        latest |= {pk: (created, result) for pk, created, result in rows}
    out: dict[int, list[str]] = {}
    for pk, (created, result) in latest.items():
        signal = _assessment_signal(created, result)
        if signal:
            out[pk] = [signal]
    return out


def _assessment_signal(created: Any, result: dict[str, Any]) -> str:
    when = date_format(timezone.localtime(created), "DATE_FORMAT")
    referrals = result.get("safety", {}).get("referrals", [])
    if result.get("plan", {}).get("status") == "on-hold":
        return _("Assessment of %(date)s: plan on hold until what was written is checked") % {
            "date": when
        }
    if not referrals:
        return ""
    urgent = min(URGENCY_ORDER.get(r.get("urgency"), 9) for r in referrals)
    words = {0: _("emergency"), 1: _("urgent")}.get(urgent, _("routine"))
    return ngettext(
        "Assessment of %(date)s: see a physician (%(urgency)s), %(n)d reason",
        "Assessment of %(date)s: see a physician (%(urgency)s), %(n)d reasons",
        len(referrals),
    ) % {"date": when, "urgency": words, "n": len(referrals)}


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


def adopt_plan(user: User, assessment_uid: UUID, *, notify: bool = True) -> Plan:
    """The assessment's plan, adopted by the practitioner as the start of their own. Adopting
    shares it: the patient sees it on their page and, once it is committed, gets an email
    (never for a plan that was rolled back). `notify` False only for the demo loader."""
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
        if notify:
            transaction.on_commit(lambda: _tell_plan_shared(new))
    return new


def _tell_plan_shared(plan: Plan) -> None:
    patient = plan.patient
    if patient.user is None or not patient.user.email:
        return  # a record the clinic keeps without an account: nobody to tell
    ctx = {"plan": plan, "patient": patient, "site": settings.ANMIAN_SITE_URL}
    with translation.override(saved_language(patient.user) or settings.LANGUAGE_CODE):
        body = render_to_string("records/email/plan_shared.txt", ctx)
        subject = _("Your care plan from %(who)s") % {"who": plan.adopted_by.display_name}
    send_mail(subject, body, None, [patient.user.email])


def saved_language(user: Any) -> str:
    """The language saved on the person's account by the language switch ("" if none). Read
    through the reverse relation: accounts depends on records, not the other way round."""
    profile = getattr(user, "profile", None) if user is not None else None
    return getattr(profile, "language", "") or ""


@dataclass(frozen=True)
class SharedPlan:
    plan: Plan
    named_points: list[tuple[str, str]]  # id, and in words for people: name, code, pinyin
    formula_name: str


def shared_plans(user: User) -> list[SharedPlan]:
    """The plans adopted for the user's own record, newest first (their page shows them)."""
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        return []
    kb = get_kb()
    out = []
    for plan in patient.plans.select_related("adopted_by", "adopted_by__clinic"):
        points = [(p, _point_words(kb.points[p])) for p in plan.points if p in kb.points]
        formula = kb.formulas.get(plan.formula) if plan.formula else None
        named = (
            in_page_language(f"{formula.english} ({formula.pinyin})", formula.chinese)
            if formula
            else ""
        )
        out.append(SharedPlan(plan, points, named))
    return out


def _point_words(point: Any) -> str:
    """A point for a patient: "Three Yin Intersection (SP6, Sanyinjiao)" in English,
    "三陰交（SP6）" on a Chinese page."""
    if chinese_page():
        return f"{in_page_language(point.chinese, point.chinese)}（{point.code}）"
    return f"{point.english} ({point.code}, {point.pinyin})"


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


# A session note is of a session that happened: not after today where the clinic is, and not
# more than this many years before it. Older sessions are history for a recent note's text: as
# notes of their own they would count as care sessions and stretch the progress over decades
# (a note dated 1900 did both).
NOTE_YEARS_BACK = 10


@dataclass(frozen=True)
class DateRange:
    earliest: date
    latest: date  # today, where the clinic is


def years_before(day: date, years: int) -> date:
    """The same date `years` earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def note_dates(patient: Patient) -> DateRange:
    """The dates a session note for this patient may carry."""
    today = timezone.now().astimezone(patient.tz).date()
    return DateRange(years_before(today, NOTE_YEARS_BACK), today)


def check_note_date(day: date, dates: DateRange) -> None:
    """Raise a ValidationError saying what is wrong with the date and what range is allowed."""
    allowed = {"earliest": dates.earliest.isoformat(), "today": dates.latest.isoformat()}
    if day > dates.latest:
        raise ValidationError(
            _(
                "That date is in the future: a note records a session that happened. "
                "Choose a date from %(earliest)s to today, %(today)s."
            )
            % allowed,
            code="future",
        )
    if day < dates.earliest:
        raise ValidationError(
            _(
                "That date is more than %(years)s years ago. Choose a date from %(earliest)s "
                "to today, %(today)s; write about older sessions in the notes."
            )
            % (allowed | {"years": NOTE_YEARS_BACK}),
            code="too_early",
        )


def record_note(user: User, patient_uid: UUID, note: SessionNote) -> NoteRecorded:
    """Save a session note (validated, not yet saved) by this practitioner for the patient;
    a date outside `note_dates` raises ValidationError, whichever door the note came by."""
    practitioner = require_practitioner(user)
    p = get_patient(user, patient_uid)
    check_note_date(note.date, note_dates(p))
    note.patient, note.practitioner = p, practitioner
    with transaction.atomic():
        note.save()
        audit(user, "create", p, "note", note)
    return NoteRecorded(note, red_flags_in([note.notes, note.response]))


# --- joining a clinic, invitations and the patient's profile ---


class BadInvite(Http404):
    """An invitation link that is unknown or already used."""


def clinics_to_join() -> list[Clinic]:
    """Every clinic a person may choose, with the address and phone they are listed with."""
    return list(Clinic.objects.order_by("name"))


def _own_record(user: User) -> Patient:
    # An Account is the one authenticated kind (settings keep Django's user model).
    if not isinstance(user, Account) or getattr(user, "practitioner", None) is not None:
        raise NoPatientRecord("only a patient joins a clinic")
    patient = getattr(user, "patient", None)
    if patient is None:  # an account made outside sign-up: give it a record now
        patient = Patient.objects.create(user=user, name=user.get_full_name() or user.username)
    return patient


def join_clinic(user: User, clinic_id: int | str | None) -> Patient:
    """The person chooses their clinic. One clinic at a time: choosing another moves their
    record (and what it holds) to the new clinic, as a change of practice would."""
    wanted = str(clinic_id)
    # a number a database id can be (a longer one would overflow the query: a 500)
    ok = wanted.isdigit() and len(wanted) <= 18
    clinic = Clinic.objects.filter(pk=int(wanted)).first() if ok else None
    if clinic is None:
        raise Http404("no such clinic")
    patient = _own_record(user)
    with transaction.atomic():
        patient.clinic = clinic
        patient.save(update_fields=["clinic"])
        audit(user, "update", patient, "clinic", patient)
    return patient


def invite_patient(user: User, name: str, email: str) -> ClinicInvite:
    """Clinic staff add a patient (a record in their clinic) and email them a link that joins
    their account to it; sent only once the record is committed."""
    practitioner = require_practitioner(user)
    email = email.strip().casefold()
    with transaction.atomic():
        patient = Patient.objects.create(clinic=practitioner.clinic, name=name.strip())
        invite = ClinicInvite.objects.create(
            clinic=practitioner.clinic,
            email=email,
            patient=patient,
            token=secrets.token_urlsafe(32),
            sent_by=practitioner.user,  # the same account, cached by require_practitioner
        )
        audit(user, "create", patient, "invite", patient)
        # The person invited has no account (so no saved language) yet: the invitation is
        # written in the language the practitioner works in.
        lang = translation.get_language() or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: _send_invite(invite, lang))
    return invite


def _send_invite(invite: ClinicInvite, lang: str) -> None:
    ctx = {"invite": invite, "clinic": invite.clinic, "site": settings.ANMIAN_SITE_URL}
    with translation.override(lang):
        body = render_to_string("records/email/invite.txt", ctx)
        subject = _("%(clinic)s invites you to Anmian") % {"clinic": invite.clinic.name}
    send_mail(subject, body, None, [invite.email])


# What secrets.token_urlsafe writes: anything else cannot be an invitation, and is refused
# before any query (a NUL byte would otherwise reach PostgreSQL as a 500).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,100}")


def read_invite(token: str) -> ClinicInvite:
    if not _TOKEN.fullmatch(token or ""):
        raise BadInvite("This invitation link is unknown or has been used.")
    found = ClinicInvite.objects.select_related("clinic").filter(token=token).first()
    if found is None or found.used is not None:
        raise BadInvite("This invitation link is unknown or has been used.")
    return found


def invited_clinic(token: str) -> Clinic | None:
    """The clinic of an unused invitation (sign-up preselects it), else None."""
    ok = bool(_TOKEN.fullmatch(token or ""))
    found = ClinicInvite.objects.filter(token=token, used=None).first() if ok else None
    return found.clinic if found else None


def accept_invite(user: User, token: str) -> Patient:
    """The logged-in person joins the inviting clinic; when the clinic made a record for them
    (and the account has none with anything in it), the account takes that record over."""
    with transaction.atomic():
        invite = read_invite(token)
        if ClinicInvite.objects.filter(pk=invite.pk, used=None).update(used=timezone.now()) != 1:
            raise BadInvite("This invitation link has been used.")
        own = getattr(user, "patient", None)
        made = invite.patient
        if made is not None and made.user_id is None and (own is None or _is_empty(own)):
            if own is not None:  # kept, unlinked: the audit log may name it
                own.user = None
                own.save(update_fields=["user"])
            made.user = cast(Account, user)  # logged in: both callers require it
            made.save(update_fields=["user"])
            patient = made
        else:
            patient = join_clinic(user, invite.clinic_id)
        audit(user, "update", patient, "clinic", patient)
    return patient


def _is_empty(patient: Patient) -> bool:
    """A record with nothing in it yet (a fresh sign-up), so taking over another loses nothing.
    (The diary's nights are read through the reverse relation: records never imports it.)"""
    related = ("assessments", "plans", "notes", "diary")
    return not any(getattr(patient, name).exists() for name in related if hasattr(patient, name))


PROFILE_FIELDS = ("date_of_birth", "sex", "phone", "emergency_contact", "preferred_contact")


def update_profile(user: User, values: Mapping[str, Any]) -> Patient:
    """The person's own profile, which their clinic sees on the chart."""
    patient = _own_record(user)
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(patient, name, values[name])
    if patient.date_of_birth:
        patient.birth_year = patient.date_of_birth.year
    with transaction.atomic():
        patient.save(update_fields=[*PROFILE_FIELDS, "birth_year"])
        audit(user, "update", patient, "profile", patient)
    return patient
