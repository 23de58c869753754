"""Joining a clinic (chosen from the list, or through the invitation a clinic sent) and the
patient's profile. Each view parses, calls records.services and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from anmian.knowledge import get_kb
from anmian.web.accounts.forms import ProfileForm
from anmian.web.records import services as records
from anmian.web.records.services import PROFILE_FIELDS


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def clinics(request: HttpRequest) -> HttpResponse:
    """The clinics to choose from; choosing one joins it and goes on to booking."""
    if request.method == "POST":
        patient = records.join_clinic(request.user, request.POST.get("clinic"))
        messages.success(
            request, _("You have joined %(clinic)s. You can book now.") % {"clinic": patient.clinic}
        )
        return redirect("booking:book")
    current = getattr(getattr(request.user, "patient", None), "clinic", None)
    return render(
        request, "accounts/clinics.html", _ctx(clinics=records.clinics_to_join(), current=current)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a clinic's invitation: a logged-in person joins with one button; anyone
    else signs up or logs in first and comes back here."""
    try:
        found = records.read_invite(token)
    except records.BadInvite as exc:
        return render(request, "accounts/invite.html", _ctx(invalid=str(exc)), status=404)
    if request.method == "POST" and request.user.is_authenticated:
        patient = records.accept_invite(request.user, token)
        messages.success(
            request, _("You have joined %(clinic)s. You can book now.") % {"clinic": patient.clinic}
        )
        return redirect("booking:book")
    here = reverse("accounts:invite", args=[token])
    return render(request, "accounts/invite.html", _ctx(invite=found, here=here))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    patient = getattr(request.user, "patient", None)
    initial = {name: getattr(patient, name) for name in PROFILE_FIELDS} if patient else {}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        records.update_profile(request.user, form.cleaned_data)
        messages.success(request, _("Your profile is saved. Your clinic sees it on your chart."))
        return redirect("accounts:mine")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile.html", _ctx(form=form), status=status)
