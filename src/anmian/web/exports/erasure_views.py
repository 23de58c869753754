"""The clinic's page of account-deletion requests: practitioners of the patient's clinic see
them and carry out those whose grace period is over (exports/erasure.py)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from anmian.web.exports import erasure
from anmian.web.records.views import practitioner_required


@require_safe
@practitioner_required
def erasures(request: HttpRequest) -> HttpResponse:
    ctx = {"requests": erasure.requests_for(request.user), "now": timezone.now()}
    return render(request, "records/erasures.html", ctx)


@require_POST
@practitioner_required
def erasure_process(request: HttpRequest, uid: UUID) -> HttpResponse:
    try:
        erasure.process(request.user, uid)
    except erasure.ErasureError as exc:
        ctx = {
            "requests": erasure.requests_for(request.user),
            "now": timezone.now(),
            "error": str(exc),
        }
        return render(request, "records/erasures.html", ctx, status=409)
    return redirect("exports:erasures")
