"""The diary for the person who keeps it, and its progress for their practitioner: thin views
over `diary.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_safe

from anmian.knowledge import get_kb
from anmian.web.core.csvsafe import rows_to_csv
from anmian.web.core.kbtext import in_page_language
from anmian.web.diary import prepared, services, tasks
from anmian.web.diary.charts import progress_charts
from anmian.web.diary.csvfile import COLUMNS, MEASURES
from anmian.web.diary.progress import SCALE
from anmian.web.diary.report import PAPERS
from anmian.web.selfcheck.steps import severity_form


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_safe
@login_required
def diary(request: HttpRequest) -> HttpResponse:
    rows, today = services.nights(request.user)
    any_locked = any(locked for _, _, locked in rows)
    ctx = _ctx(rows=rows, today=today, any_locked=any_locked, edit_days=services.edit_days())
    return render(request, "diary/list.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def entry(request: HttpRequest, night: str | None = None, quick: bool = False) -> HttpResponse:
    if request.method == "POST":
        e = services.record_entry(request.user, request.POST, night, quick)
        if e.saved is not None:
            # A danger sign in the notes is told at once, not left for the practitioner to
            # find: their list shows it too (progress signals), but that may be days away.
            for alert in e.alerts:
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
    else:
        e = services.open_entry(request.user, night, quick=quick)
    return render(
        request,
        "diary/entry.html",
        _ctx(
            form=e.form,
            instance=e.instance,
            locked=e.locked,
            quick=quick,
            edit_days=services.edit_days(),
        ),
        status=400 if e.form.errors else 200,
    )


@require_safe
@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("export as .csv or .json")
    rows = services.export_rows(request.user)
    response: HttpResponse
    if fmt == "json":
        response = JsonResponse({"diary": rows}, json_dumps_params={"indent": 2})
    else:
        header = [*COLUMNS, *MEASURES]  # BOM, yes/no, formulas as text (core/csvsafe.py)
        body = rows_to_csv(header, ([row[c] for c in header] for row in rows))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="anmian-diary.{fmt}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def import_csv(request: HttpRequest) -> HttpResponse:
    services.diary_of(request.user)  # no diary, no import page
    report = services.ImportReport(None, [])
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = services.ImportReport(
                None, [services.Problem(0, "Choose a CSV file to import.")]
            )
        else:
            keep_valid = request.POST.get("keep_valid") == "on"
            report = services.import_diary(request.user, upload.read(), keep_valid)
    status = 400 if report.problems and report.imported is None else 200
    return render(
        request,
        "diary/import.html",
        _ctx(report=report.problems, imported=report.imported),
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def score(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    services.diary_of(request.user)
    form_class = severity_form(kb)
    if form_class is None:  # the loader makes sure the diary's scale has items to ask
        raise Http404("no scale to answer")
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers = [form.cleaned_data[item.id] for item in kb.scales[SCALE].items]
        services.record_score(request.user, answers)
        return redirect("diary:progress")
    scale = kb.scales[SCALE]
    return render(
        request,
        "diary/score.html",
        _ctx(form=form, note=in_page_language(scale.note, scale.zh_note)),
        status=400 if form.errors else 200,
    )


def _progress_page(request: HttpRequest, uid=None) -> HttpResponse:
    v = services.read_progress(request.user, uid)
    scale = get_kb().scales[SCALE]
    return render(
        request,
        "diary/progress.html",
        _ctx(
            p=v.progress,
            charts=progress_charts(v.progress, scale),
            patient=v.patient,
            owner_view=v.owner,
            due=v.due,
            scale=scale,
        ),
    )


@require_safe
@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    return _progress_page(request)


@require_safe
@login_required
def patient_progress(request: HttpRequest, uid) -> HttpResponse:
    return _progress_page(request, uid)


def _pdf(request: HttpRequest, uid=None) -> HttpResponse:
    paper = request.GET.get("paper", "a4").casefold()
    if paper not in PAPERS:
        return HttpResponse("paper must be a4 or letter", status=400, content_type="text/plain")
    asked = prepared.ask(request.user, paper, uid, enqueue=tasks.prepare_report)
    if asked.prepared is not None:  # a long diary: the worker renders it (diary/prepared.py)
        return redirect("diary:prepared", asked.prepared.uid, permanent=False)
    assert asked.pdf is not None
    return _pdf_response(asked.pdf, paper)


def _pdf_response(pdf: bytes, paper: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="anmian-progress-{paper}.pdf"'
    response["Cache-Control"] = "private, no-store"  # a patient's record: no shared caches
    return response


@require_safe
@login_required
def my_report(request: HttpRequest) -> HttpResponse:
    return _pdf(request)


@require_safe
@login_required
def patient_report(request: HttpRequest, uid) -> HttpResponse:
    return _pdf(request, uid)


@require_safe
@login_required
def prepared_report(request: HttpRequest, uid) -> HttpResponse:
    """A long report being prepared: "preparing" (the page refreshes itself, with or without
    JavaScript), then the link to the file, or what to do when it failed."""
    report = prepared.status(request.user, uid)
    again = (
        reverse("diary:report")
        if report.own
        else reverse("diary:patient_report", args=[report.patient.uid])
    )
    response = render(
        request,
        "diary/prepared.html",
        _ctx(report=report, again=f"{again}?paper={report.paper}"),
    )
    if report.status == report.PENDING:
        response["Refresh"] = "3"  # what <meta http-equiv="refresh"> does, as a header
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def prepared_file(request: HttpRequest, uid) -> HttpResponse:
    report, pdf = prepared.fetch(request.user, uid)
    if pdf is None:  # not ready (or failed): the status page says which
        return redirect("diary:prepared", report.uid)
    return _pdf_response(pdf, report.paper)
