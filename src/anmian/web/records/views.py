"""The practitioner's workspace: thin views over `records.services`."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.records import services
from anmian.web.records.access import is_practitioner
from anmian.web.records.audit import DENIED, record
from anmian.web.records.forms import InviteForm, NoteForm, PlanForm

PAGE_SIZE = 25


# What each workspace page's id names, for the audit entry of a refused attempt.
_TARGETS = {"patients": "patient-list", "patient": "patient", "new_note": "patient"}
_TARGETS |= {"appointments": "patient"}
_TARGETS |= {"adopt": "assessment", "plan": "plan", "invite": "invite"}


def practitioner_required(view):
    """Only practitioners see the workspace; anyone else gets a 404, as for a missing page,
    and the attempt is audited with the id asked for."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if not is_practitioner(request.user):
            what = _TARGETS.get(view.__name__, view.__name__)
            method = "read" if request.method in ("GET", "HEAD") else "update"
            record(request.user, method, None, what, kwargs.get("uid"), DENIED, request)
            raise Http404("no such page")
        return view(request, *args, **kwargs)

    return wrapper


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_safe
@practitioner_required
def patients(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    qs = services.patient_list(request.user, query)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Signals from each patient's diary and notes, so worsening or a red flag stands out here.
    rows = services.with_signals(page)
    # Names with clinical signals: each patient shown is a read (one insert for the page).
    record(request.user, "read", [p for p, _ in rows], "patient-list", request=request)
    return render(request, "records/patients.html", _ctx(page=page, rows=rows, query=query))


@require_safe
@practitioner_required
def patient(request: HttpRequest, uid) -> HttpResponse:
    c = services.chart(request.user, uid)
    return render(request, "records/patient.html", _ctx(c=c, p=c.patient, **c.__dict__))


@require_safe
@practitioner_required
def appointments(request: HttpRequest, uid) -> HttpResponse:
    p, rows = services.patient_appointments(request.user, uid)
    return render(request, "records/appointments.html", _ctx(p=p, appointments=rows))


@require_POST
@practitioner_required
def adopt(request: HttpRequest, uid) -> HttpResponse:
    plan = services.adopt_plan(request.user, uid)
    messages.success(
        request,
        _("Plan adopted and shared with %(name)s: they see it and get an email.")
        % {"name": plan.patient.name},
    )
    return redirect("records:plan", plan.uid)


@require_http_methods(["GET", "HEAD", "POST"])
@practitioner_required
def invite(request: HttpRequest) -> HttpResponse:
    """Add a patient to the clinic and email them the link that joins their account to it."""
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        sent = services.invite_patient(request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(name)s is added; the invitation is sent to %(email)s.")
            % {"name": form.cleaned_data["name"], "email": sent.email},
        )
        return redirect("records:patients")
    status = 400 if form.errors else 200
    return render(request, "records/invite.html", _ctx(form=form), status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@practitioner_required
def plan(request: HttpRequest, uid) -> HttpResponse:
    refused = []
    if request.method == "POST":
        form = PlanForm(request.POST)
        obj = None
        if form.is_valid():
            d = form.cleaned_data
            review = services.review_plan_edit(
                request.user, uid, d["points"], d["formula"], d["herbs"]
            )
            if review.saved:
                return redirect("records:plan", review.plan.uid)
            obj, refused = review.plan, review.refused
        obj = obj or services.plan_of(request.user, uid)
    else:
        obj = services.read_plan(request.user, uid)
        form = PlanForm(initial={"points": obj.points, "formula": obj.formula, "herbs": obj.herbs})
    status = 400 if (form.errors or refused) else 200
    return render(
        request, "records/plan.html", _ctx(plan=obj, form=form, refused=refused), status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@practitioner_required
def new_note(request: HttpRequest, uid) -> HttpResponse:
    p = services.patient_for_note(request.user, uid)
    plan = p.plans.first()  # the newest (Plan.Meta.ordering): its points are offered first
    form = NoteForm(
        request.POST if request.method == "POST" else None,
        dates=services.note_dates(p),
        plan_points=list(plan.points) if plan else [],
    )
    if request.method == "POST" and form.is_valid():
        recorded = services.record_note(request.user, p.uid, form.save(commit=False))
        for alert in recorded.alerts:
            messages.add_message(
                request,
                messages.ERROR if alert.urgency != "routine" else messages.WARNING,
                format_html(
                    _(
                        "<strong>Danger sign in this note: {} ({}).</strong> You wrote “{}”. "
                        "What the patient should do: {}"
                    ),
                    alert.title,
                    alert.urgency,
                    alert.words,
                    alert.advice,
                ),
            )
        return redirect("records:patient", p.uid)
    return render(
        request, "records/note.html", _ctx(p=p, form=form), status=400 if form.errors else 200
    )
