"""The practitioner's workspace: thin views over the access functions and the engine."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.engine import assess, parse_input
from anmian.engine.assess import person_context
from anmian.engine.plan import check_choices
from anmian.knowledge import get_kb
from anmian.web.diary.progress import progress, red_flags_in
from anmian.web.records.access import get_assessment, get_patient, is_practitioner, visible_patients
from anmian.web.records.forms import NoteForm, PlanForm
from anmian.web.records.models import Plan, audit

PAGE_SIZE = 25


def practitioner_required(view):
    """Only practitioners see the workspace; anyone else gets a 404, as for a missing page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if not is_practitioner(request.user):
            raise Http404("no such page")
        return view(request, *args, **kwargs)

    return wrapper


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


@require_safe
@practitioner_required
def patients(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    qs = visible_patients(request.user).annotate(n_assessments=Count("assessments"))
    if query:
        qs = qs.filter(name__icontains=query)
    page = Paginator(qs.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    # Signals from each patient's diary and notes, so worsening or a red flag stands out here.
    rows = [(p, progress(p, timezone.now().astimezone(p.tz).date()).signals) for p in page]
    return render(request, "records/patients.html", _ctx(page=page, rows=rows, query=query))


@require_safe
@practitioner_required
def patient(request: HttpRequest, uid) -> HttpResponse:
    p = get_patient(request.user, uid)
    audit(request.user, "read", p, "chart", p)
    assessments = list(p.assessments.order_by("created"))
    # Pattern scores across assessments, oldest first: how the ranking moved over time.
    pattern_ids = list(
        dict.fromkeys(x["id"] for a in assessments for x in a.result["patterns"][:3])
    )
    names = {pid: get_kb().patterns[pid].name for pid in pattern_ids if pid in get_kb().patterns}
    trend = [
        (
            names.get(pid, pid),
            [
                next((x["score"] for x in a.result["patterns"] if x["id"] == pid), 0)
                for a in assessments
            ],
        )
        for pid in pattern_ids
    ]
    return render(
        request,
        "records/patient.html",
        _ctx(
            p=p,
            assessments=assessments,
            trend=trend,
            plans=p.plans.all(),
            notes=p.notes.all()[:20],
        ),
    )


@require_POST
@practitioner_required
def adopt(request: HttpRequest, uid) -> HttpResponse:
    a = get_assessment(request.user, uid)
    # Re-run the engine for a practitioner audience with today's knowledge base, so the
    # adopted plan reflects the current rules, never a stale result.
    data = parse_input(a.input | {"audience": "practitioner"})
    plan = assess(data, get_kb(), allow_unknown=True).to_dict()["plan"]
    formula = plan["formulas"][0] if plan["formulas"] else None
    with transaction.atomic():
        new = Plan.objects.create(
            patient=a.patient,
            assessment=a,
            adopted_by=request.user.practitioner,
            points=[p["id"] for p in plan["points"]],
            formula=formula["id"] if formula else "",
            herbs=formula["ingredients"] if formula else [],
        )
        audit(request.user, "create", a.patient, "plan", new)
    return redirect("records:plan", new.uid)


def _get_plan(request: HttpRequest, uid) -> Plan:
    try:
        return Plan.objects.select_related("assessment", "patient").get(
            uid=uid, patient__in=visible_patients(request.user)
        )
    except Plan.DoesNotExist:
        raise Http404("no such plan") from None


@require_http_methods(["GET", "HEAD", "POST"])
@practitioner_required
def plan(request: HttpRequest, uid) -> HttpResponse:
    kb = get_kb()
    obj = _get_plan(request, uid)
    refused = []
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            ctx = person_context(
                parse_input(obj.assessment.input | {"audience": "practitioner"}), kb
            )
            review = check_choices(kb, ctx, data["points"], data["formula"] or None, data["herbs"])
            refused = review.excluded
            if not refused:
                obj.points, obj.formula, obj.herbs = data["points"], data["formula"], data["herbs"]
                obj.save(update_fields=["points", "formula", "herbs", "updated"])
                audit(request.user, "update", obj.patient, "plan", obj)
                return redirect("records:plan", obj.uid)
    else:
        audit(request.user, "read", obj.patient, "plan", obj)
        form = PlanForm(initial={"points": obj.points, "formula": obj.formula, "herbs": obj.herbs})
    status = 400 if (form.errors or refused) else 200
    return render(
        request, "records/plan.html", _ctx(plan=obj, form=form, refused=refused), status=status
    )


@require_http_methods(["GET", "HEAD", "POST"])
@practitioner_required
def new_note(request: HttpRequest, uid) -> HttpResponse:
    p = get_patient(request.user, uid)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.patient, note.practitioner = p, request.user.practitioner
        note.save()
        audit(request.user, "create", p, "note", note)
        for alert in red_flags_in([note.notes, note.response]):
            messages.add_message(
                request,
                messages.ERROR if alert.urgency != "routine" else messages.WARNING,
                format_html(
                    "<strong>Danger sign in this note: {} ({}).</strong> You wrote “{}”. "
                    "What the patient should do: {}",
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
