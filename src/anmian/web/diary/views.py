"""The diary for the person who keeps it: list, add, edit, export and import."""

from __future__ import annotations

import csv
import io
from datetime import date, time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_safe

from anmian.engine.inputs import Severity
from anmian.engine.screening import score_severity
from anmian.knowledge import get_kb
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.forms import FIELDS, DiaryForm
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.diary.progress import SCALE, progress, red_flags_in
from anmian.web.diary.report import PAPERS, report_pdf
from anmian.web.records.access import get_patient, is_practitioner
from anmian.web.records.models import Patient, audit
from anmian.web.selfcheck.steps import severity_form

MAX_IMPORT_ROWS = 5000


def _patient(request: HttpRequest) -> Patient:
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise Http404("no diary")
    return patient


def _today(patient: Patient) -> date:
    return timezone.now().astimezone(patient.tz).date()


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_safe
@login_required
def diary(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    entries = list(patient.diary.all()[:60])
    today = _today(patient)
    rows = [(e, e.sleep(patient.tz), e.is_locked(today)) for e in entries]
    return render(request, "diary/list.html", _ctx(rows=rows, today=today))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def entry(request: HttpRequest, night: str | None = None) -> HttpResponse:
    patient = _patient(request)
    today = _today(patient)
    instance = None
    if night:
        try:
            instance = patient.diary.get(night_of=date.fromisoformat(night))
        except (ValueError, DiaryEntry.DoesNotExist):
            raise Http404("no entry for that night") from None
    locked = instance is not None and instance.is_locked(today)
    initial = {"night_of": today} if instance is None else None
    form = DiaryForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        initial=initial,
        patient=patient,
        today=today,
        tz=patient.tz,
    )
    if request.method == "POST":
        if locked:
            form.add_error(
                None, "This night is locked: entries can be changed for a few days only."
            )
        elif form.is_valid():
            saved = form.save()
            audit(request.user, "update" if instance else "create", patient, "diary", None)
            # A danger sign in the notes is told at once, not left for the practitioner to
            # find: their list shows it too (progress signals), but that may be days away.
            for alert in red_flags_in([saved.notes]):
                messages.add_message(
                    request,
                    messages.ERROR if alert.urgency != "routine" else messages.WARNING,
                    format_html(
                        "<strong>Your note may describe a danger sign: {}.</strong> {}",
                        alert.title,
                        alert.advice,
                    ),
                )
            return redirect("diary:list")
    status = 400 if form.errors else 200
    return render(
        request,
        "diary/entry.html",
        _ctx(form=form, instance=instance, locked=locked),
        status=status,
    )


def _rows(patient: Patient) -> list[dict]:
    out = []
    for e in patient.diary.order_by("night_of"):
        row = {f: getattr(e, f) for f in FIELDS}
        row["areas"] = ";".join(e.areas)
        for k, v in row.items():
            if isinstance(v, date | time):
                row[k] = v.isoformat()
        m = e.sleep(patient.tz)
        row |= {
            "time_in_bed_min": m.time_in_bed_min,
            "total_sleep_min": m.total_sleep_min,
            "sleep_efficiency": m.sleep_efficiency,
        }
        out.append(row)
    return out


@require_safe
@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("export as .csv or .json")
    patient = _patient(request)
    rows = _rows(patient)
    audit(request.user, "read", patient, "diary-export", None)
    if fmt == "json":
        response = JsonResponse({"diary": rows}, json_dumps_params={"indent": 2})
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=[*FIELDS, "time_in_bed_min", "total_sleep_min", "sleep_efficiency"]
        )
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="anmian-diary.{fmt}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_csv(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    report: list[tuple[int, str]] = []
    imported = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        keep_valid = request.POST.get("keep_valid") == "on"
        if upload is None:
            report.append((0, "Choose a CSV file to import."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                text = None
                report.append(
                    (0, "The file is not UTF-8 text; save it as CSV (UTF-8) and try again.")
                )
            if text is not None:
                imported, report = _import(request, patient, text, keep_valid)
    status = 400 if report and imported is None else 200
    return render(
        request, "diary/import.html", _ctx(report=report, imported=imported), status=status
    )


def _import(
    request: HttpRequest, patient: Patient, text: str, keep_valid: bool
) -> tuple[int | None, list]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [
        f
        for f in (
            "night_of",
            "severity",
            "bedtime",
            "lights_out",
            "sleep_latency_min",
            "final_wake",
            "out_of_bed",
            "quality",
        )
        if f not in (reader.fieldnames or [])
    ]
    if missing:
        return None, [
            (
                1,
                f"Missing columns: {', '.join(missing)}. Export your diary to see the expected layout.",
            )
        ]
    today = _today(patient)
    forms, report = [], []
    seen: set[str] = set()
    for n, row in enumerate(reader, start=2):  # row 1 is the header
        if n - 1 > MAX_IMPORT_ROWS:
            return None, [(n, f"Too many rows: import at most {MAX_IMPORT_ROWS} at a time.")]
        data = {k: (v or "").strip() for k, v in row.items() if k in FIELDS}
        areas = [a for a in data.pop("areas", "").split(";") if a]
        for flag in ("nicotine", "exercise", "late_screens", "herbs_taken", "topical_used"):
            if data.get(flag, "").casefold() not in ("true", "1", "yes", "on"):
                data.pop(flag, None)
        form = DiaryForm(data | {"areas": areas}, patient=patient, today=today, tz=patient.tz)
        if data.get("night_of") in seen:
            report.append((n, "the same night appears twice in the file"))
        elif not form.is_valid():
            errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items())
            report.append((n, errors.replace("__all__: ", "")))
        else:
            forms.append(form)
        seen.add(data.get("night_of", ""))
    if report and not keep_valid:
        return None, report
    with transaction.atomic():
        for form in forms:
            form.save()
    audit(request.user, "create", patient, "diary-import", None)
    return len(forms), report


def score_due(patient: Patient, today: date) -> bool:
    last = patient.scores.order_by("-taken").values_list("taken", flat=True).first()
    return last is None or (today - last).days >= settings.ANMIAN_SCORE_EVERY_DAYS


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def score(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    patient = _patient(request)
    form_class = severity_form(kb)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers = [form.cleaned_data[item.id] for item in kb.scales[SCALE].items]
        result = score_severity(kb, Severity(scale=SCALE, answers=answers))
        ScaleScore.objects.create(
            patient=patient,
            taken=_today(patient),
            scale=SCALE,
            answers=answers,
            total=result.total,
            band=result.band,
        )
        audit(request.user, "create", patient, "score", None)
        return redirect("diary:progress")
    return render(
        request,
        "diary/score.html",
        _ctx(form=form, note=kb.scales[SCALE].note),
        status=400 if form.errors else 200,
    )


def _progress_page(request: HttpRequest, patient: Patient, owner_view: bool) -> HttpResponse:
    today = _today(patient)
    p = progress(patient, today)
    scale = get_kb().scales[SCALE]
    charts = progress_charts(p, scale)
    return render(
        request,
        "diary/progress.html",
        _ctx(
            p=p,
            charts=charts,
            patient=patient,
            owner_view=owner_view,
            due=owner_view and score_due(patient, today),
            scale=scale,
        ),
    )


@require_safe
@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    return _progress_page(request, _patient(request), owner_view=True)


@require_safe
@login_required
def patient_progress(request: HttpRequest, uid) -> HttpResponse:
    if not is_practitioner(request.user):
        raise Http404("no such page")
    patient = get_patient(request.user, uid)
    audit(request.user, "read", patient, "progress", patient)
    return _progress_page(request, patient, owner_view=False)


def _pdf(patient: Patient, request: HttpRequest) -> HttpResponse:
    paper = request.GET.get("paper", "a4").casefold()
    if paper not in PAPERS:
        return HttpResponse("paper must be a4 or letter", status=400, content_type="text/plain")
    response = HttpResponse(
        report_pdf(patient, _today(patient), paper), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="anmian-progress-{paper}.pdf"'
    return response


@require_safe
@login_required
def my_report(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    audit(request.user, "read", patient, "report", None)
    return _pdf(patient, request)


@require_safe
@login_required
def patient_report(request: HttpRequest, uid) -> HttpResponse:
    if not is_practitioner(request.user):
        raise Http404("no such page")
    patient = get_patient(request.user, uid)
    audit(request.user, "read", patient, "report", patient)
    return _pdf(patient, request)
