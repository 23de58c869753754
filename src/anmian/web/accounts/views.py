from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.accounts.forms import SignUpForm
from anmian.web.core import bodychart
from anmian.web.records.access import get_assessment
from anmian.web.records.models import Patient, audit
from anmian.web.selfcheck.services import result_extras
from anmian.web.selfcheck.views import save_session_assessment


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=form.cleaned_data["email"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
            Patient.objects.create(user=user, name=form.cleaned_data["name"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # An assessment done before signing up is kept: it is saved to the new account.
        save_session_assessment(request)
        return redirect("accounts:mine")
    return render(
        request, "accounts/signup.html", _ctx(form=form), status=400 if form.errors else 200
    )


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    assessments = patient.assessments.all() if patient else []
    return render(request, "accounts/mine.html", _ctx(patient=patient, assessments=assessments))


@require_safe
@login_required
def assessment(request: HttpRequest, uid) -> HttpResponse:
    a = get_assessment(request.user, uid)
    audit(request.user, "read", a.patient, "assessment", a)
    charts = bodychart.plan_charts(get_kb(), a.result)
    extras = result_extras(a.result, get_kb())
    ctx = _ctx(a=a, r=a.result, charts=charts, patterns=a.result["patterns"][:5], **extras)
    return render(request, "accounts/assessment.html", ctx)


@require_POST
@login_required
def save_current(request: HttpRequest) -> HttpResponse:
    save_session_assessment(request)
    return redirect("accounts:mine")
