"""A person's own pages for their data: importing medicines and conditions from a GP's FHIR
Bundle (upload, then confirm), and "download my data". Views parse, call the services, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.fhir.importer import ImportRefused
from anmian.web.exports import erasure, fhir_import
from anmian.web.exports.services import NoPatientRecord

TEMPLATE = "accounts/record_import.html"


@require_http_methods(["GET", "POST"])
@login_required
def record_import(request: HttpRequest) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    if patient is None:
        raise NoPatientRecord("this account has no patient record")
    ctx = {"recorded": fhir_import.recorded(request.user), "limit_mb": fhir_import.limit() >> 20}
    if request.method == "GET":
        return render(request, TEMPLATE, ctx)
    # Refused before Django reads the body into memory or a temporary file.
    if fhir_import.too_large(request.META.get("CONTENT_LENGTH")):
        return render(request, TEMPLATE, {**ctx, "error": fhir_import.size_message()}, status=413)
    upload = request.FILES.get("bundle")
    if upload is None:
        return render(request, TEMPLATE, {**ctx, "error": "choose a file to upload"}, status=400)
    try:
        preview = fhir_import.preview(request.user, upload)
    except ImportRefused as exc:
        return render(request, TEMPLATE, {**ctx, "error": str(exc)}, status=400)
    return render(request, "accounts/record_import_preview.html", {"preview": preview})


@require_POST
@login_required
def record_import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        keep = [int(k) for k in request.POST.getlist("keep")]
        fhir_import.confirm(request.user, request.POST.get("token", ""), keep)
    except (ValueError, ImportRefused) as exc:
        message = str(exc) if isinstance(exc, ImportRefused) else "choose items from the list"
        ctx = {"recorded": fhir_import.recorded(request.user), "error": message}
        return render(request, TEMPLATE, ctx, status=400)
    return redirect("accounts:record_import")


@require_safe
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return _my_data_page(request)


@require_POST
@login_required
def erasure_request(request: HttpRequest) -> HttpResponse:
    return _erasure_step(request, erasure.request_erasure)


@require_http_methods(["GET", "POST"])
@login_required
def erasure_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        req = erasure.check_token(request.user, token)
        ctx = {"req": req, "grace_days": erasure.grace_days(), "retained": erasure.RETAINED}
        return render(request, "accounts/erasure_confirm.html", ctx)
    erasure.confirm(request.user, token)
    return redirect("accounts:my_data")


@require_POST
@login_required
def erasure_cancel(request: HttpRequest) -> HttpResponse:
    return _erasure_step(request, erasure.cancel)


def _erasure_step(request: HttpRequest, step: Callable[[Any], object]) -> HttpResponse:
    """Ask for or withdraw an erasure; a refusal is shown on the page it was asked from (409)."""
    try:
        step(request.user)
    except erasure.ErasureError as exc:
        return _my_data_page(request, error=str(exc))
    return redirect("accounts:my_data")


def _my_data_page(request: HttpRequest, error: str | None = None) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    ctx = {
        "patient": patient,
        "erasure": erasure.open_request(patient) if patient else None,
        "grace_days": erasure.grace_days(),
        "retained": erasure.RETAINED,
    }
    if error is None:
        return render(request, "accounts/my_data.html", ctx)
    return render(request, "accounts/my_data.html", {**ctx, "error": error}, status=409)
