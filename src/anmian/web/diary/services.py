"""The diary's use cases, the one door for the site, the API and commands: a night recorded,
a file imported, a weekly score, progress read. Each takes the acting user, finds the diary
through it (a patient keeps their own; a practitioner reads those of their clinic through
`records.access`) and writes the audit entry.

The diary depends on records, never the reverse (see `apps.py` for how the patient list
gets the diary's signals)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import ngettext

from anmian.engine.inputs import Severity
from anmian.engine.notes import NoteAlert
from anmian.engine.screening import score_severity
from anmian.knowledge import get_kb
from anmian.web.diary.csvfile import COLUMNS, MEASURES, CsvError, Row, read_rows
from anmian.web.diary.forms import DiaryForm, QuickDiaryForm
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.diary.progress import SCALE, Progress, progress
from anmian.web.diary.report import report_pdf
from anmian.web.records.access import get_patient, is_practitioner
from anmian.web.records.alerts import red_flags_in
from anmian.web.records.audit import DENIED
from anmian.web.records.audit import record as audit
from anmian.web.records.models import Patient
from anmian.web.records.services import years_before

FLAGS = ("nicotine", "exercise", "late_screens", "herbs_taken", "topical_used")


def diary_of(user: Any) -> Patient:
    """The user's own diary; an account without a patient record has none (404)."""
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise Http404("no diary")
    return patient


def today_of(patient: Patient) -> date:
    """Today where the patient lives: a diary night is named by the local date."""
    return timezone.now().astimezone(patient.tz).date()


# A diary is kept as you go: a night is not in the future, nor more than this many years
# before today. The same bound holds for a night typed in and a row of an imported CSV (both
# pass through DiaryForm with `earliest_night`), so the two doors agree; a 1900 night squeezed
# every chart into a century.
NIGHTS_BACK_YEARS = 2


def earliest_night(today: date) -> date:
    """The first night a diary entry may be of, typed or imported."""
    return years_before(today, NIGHTS_BACK_YEARS)


def readable_diary(user: Any, uid: UUID | None) -> Patient:
    """The user's own diary (uid None), or a patient's of their clinic for a practitioner."""
    if uid is None:
        return diary_of(user)
    if not is_practitioner(user):
        audit(user, "read", None, "patient", uid, outcome=DENIED)
        raise Http404("no such page")
    return get_patient(user, uid)


# --- nights ---


@dataclass(frozen=True)
class Entry:
    form: DiaryForm
    instance: DiaryEntry | None  # the saved night being changed, None for a new one
    locked: bool  # past the days it could be changed
    saved: DiaryEntry | None = None
    alerts: list[NoteAlert] = field(default_factory=list)  # danger signs in the saved notes


def edit_days() -> int:
    """How many days after a night its entry can still be changed (then it is locked, so the
    progress and what the practitioner reads stay as written): `DiaryEntry.is_locked`."""
    return settings.ANMIAN_DIARY_EDIT_DAYS


def plan_points(patient: Patient) -> list[str]:
    """The points the person can press themselves: those of the plan their practitioner
    adopted last, else of their latest assessment's plan; self-care points only."""
    points = get_kb().points
    plan = patient.plans.order_by("-created").values_list("points", flat=True).first()
    if plan is None:
        result = patient.assessments.order_by("-created").values_list("result", flat=True).first()
        plan = [p.get("id") for p in ((result or {}).get("plan") or {}).get("points", [])]
    return [p for p in plan or [] if p in points and points[p].self_care]


def open_entry(
    user: Any, night: str | None = None, data: Mapping | None = None, quick: bool = False
) -> Entry:
    """The form for a new night (night None) or a saved one (its date, YYYY-MM-DD); `quick`,
    the three-question form."""
    patient = diary_of(user)
    today = today_of(patient)
    instance = None
    if night:
        try:
            instance = patient.diary.get(night_of=date.fromisoformat(night))
        except (ValueError, DiaryEntry.DoesNotExist):
            raise Http404("no entry for that night") from None
    form = (QuickDiaryForm if quick else DiaryForm)(
        data,
        instance=instance,
        initial={"night_of": today} if instance is None else None,
        patient=patient,
        today=today,
        earliest=earliest_night(today),
        tz=patient.tz,
        points=plan_points(patient),
    )
    return Entry(form, instance, instance is not None and instance.is_locked(today))


def record_entry(user: Any, data: Mapping, night: str | None = None, quick: bool = False) -> Entry:
    """Save a night, unless it is invalid or locked; the form carries the reasons."""
    entry = open_entry(user, night, data, quick)
    if entry.locked:
        n = edit_days()
        entry.form.add_error(
            None,
            ngettext(
                "This night is locked: a night can be changed for %(n)s day after it only.",
                "This night is locked: a night can be changed for %(n)s days after it only.",
                n,
            )
            % {"n": n},
        )
        return entry
    if not entry.form.is_valid():
        return entry
    with transaction.atomic():
        saved = entry.form.save()
        audit(user, "update" if entry.instance else "create", saved.patient, "diary", None)
    return Entry(entry.form, entry.instance, False, saved, red_flags_in([saved.notes]))


def nights(user: Any, limit: int = 60) -> tuple[list[tuple[DiaryEntry, Any, bool]], date]:
    """The latest nights with their sleep measures and whether each is locked, and today."""
    patient = diary_of(user)
    today = today_of(patient)
    tz = patient.tz
    return [(e, e.sleep(tz), e.is_locked(today)) for e in patient.diary.all()[:limit]], today


# --- import and export ---


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole
    message: str
    column: str | None = None


@dataclass(frozen=True)
class ImportReport:
    imported: int | None  # nights saved; None when nothing was
    problems: list[Problem]


def import_diary(user: Any, content: bytes, keep_valid: bool = False) -> ImportReport:
    """Import a diary CSV (the export's layout). All or nothing, unless `keep_valid`: then
    the valid rows are saved and the others reported."""
    patient = diary_of(user)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportReport(
            None, [Problem(0, "The file is not UTF-8 text; save it as CSV (UTF-8) and try again.")]
        )
    try:
        rows = read_rows(text)
    except CsvError as exc:
        return ImportReport(None, [Problem(exc.row, exc.message[:1].upper() + exc.message[1:])])
    today, tz = today_of(patient), patient.tz
    forms, problems = [], []
    seen: set[str] = set()
    for row in rows:
        form = DiaryForm(
            _form_data(row),
            patient=patient,
            today=today,
            earliest=earliest_night(today),
            tz=tz,
            times_optional=True,
        )
        if row.text("night_of") in seen:
            problems.append(Problem(row.number, "the same night appears twice in the file"))
        elif not form.is_valid():
            problems += [
                Problem(row.number, " ".join(map(str, msgs)), None if name == "__all__" else name)
                for name, msgs in form.errors.items()
            ]
        else:
            forms.append(form)
        seen.add(row.text("night_of"))
    if problems and not keep_valid:
        return ImportReport(None, problems)
    with transaction.atomic():
        for form in forms:
            form.save()
        audit(user, "create", patient, "diary-import", None)
    return ImportReport(len(forms), problems)


def _form_data(row: Row) -> dict[str, Any]:
    data: dict[str, Any] = {c: row.text(c) for c in COLUMNS if c in row.values}
    for listed in ("areas", "points_pressed"):
        data[listed] = [a for a in data.pop(listed, "").split(";") if a]
    for flag in FLAGS:
        if not row.flag(flag):
            data.pop(flag, None)  # an unticked box is an absent key, as from a browser
    return data


def export_rows(user: Any) -> list[dict[str, Any]]:
    """Every night in the export's layout (COLUMNS, then MEASURES), oldest first."""
    patient = diary_of(user)
    audit(user, "export", patient, "diary-export", None)
    out = []
    for e in patient.diary.order_by("night_of"):
        row = {c: getattr(e, c) for c in COLUMNS}
        row["areas"] = ";".join(e.areas)
        row["points_pressed"] = ";".join(e.points_pressed)
        for k, v in row.items():
            if hasattr(v, "isoformat"):
                row[k] = v.isoformat()
        m = e.sleep(patient.tz)
        measured = (m.time_in_bed_min, m.total_sleep_min, m.sleep_efficiency) if m else ("",) * 3
        row |= dict(zip(MEASURES, measured, strict=True))
        out.append(row)
    return out


# --- scores and progress ---


def score_due(patient: Patient, today: date) -> bool:
    last = patient.scores.order_by("-taken").values_list("taken", flat=True).first()
    return last is None or (today - last).days >= settings.ANMIAN_SCORE_EVERY_DAYS


def record_score(user: Any, answers: list[int]) -> ScaleScore:
    """The weekly re-score on our own-wording scale, scored and banded by the engine."""
    patient = diary_of(user)
    result = score_severity(get_kb(), Severity(scale=SCALE, answers=answers))
    with transaction.atomic():
        saved = ScaleScore.objects.create(
            patient=patient,
            taken=today_of(patient),
            scale=SCALE,
            answers=answers,
            total=result.total,
            band=result.band,
        )
        audit(user, "create", patient, "score", None)
    return saved


@dataclass(frozen=True)
class ProgressView:
    patient: Patient
    progress: Progress
    today: date
    owner: bool  # the person's own diary (False: a practitioner reading it)
    due: bool  # a weekly score is due (shown to the owner only)


def read_progress(user: Any, uid: UUID | None = None) -> ProgressView:
    """Progress of the user's own diary (uid None) or of a patient of their clinic."""
    patient = readable_diary(user, uid)
    audit(user, "read", patient, "progress", patient if uid else None)
    today = today_of(patient)
    owner = uid is None
    return ProgressView(
        patient, progress(patient, today), today, owner, owner and score_due(patient, today)
    )


def progress_report(user: Any, paper: str, uid: UUID | None = None) -> bytes:
    """The progress report as a PDF on `paper` (a key of `report.PAPERS`)."""
    patient = readable_diary(user, uid)
    audit(user, "export", patient, "report", patient if uid else None)
    return report_pdf(patient, today_of(patient), paper)
