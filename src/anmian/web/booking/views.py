"""Booking pages: a person books, moves and cancels; staff run the calendar."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.booking import notify, services
from anmian.web.booking.ics import calendar
from anmian.web.booking.models import Appointment, AppointmentType, CalendarFeed
from anmian.web.records.access import is_practitioner
from anmian.web.records.models import Practitioner


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


def _visible(user):
    if is_practitioner(user):
        return Appointment.objects.filter(practitioner__clinic=user.practitioner.clinic)
    patient = getattr(user, "patient", None)
    return Appointment.objects.filter(patient=patient) if patient else Appointment.objects.none()


def _feed_token(user) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed.token


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    qs = _visible(request.user).select_related(
        "practitioner__clinic", "appointment_type", "patient"
    )
    if is_practitioner(request.user):
        qs = qs.filter(practitioner=request.user.practitioner)
    upcoming = qs.filter(start__gte=now, status__in=("booked", "arrived")).order_by("start")[:50]
    past = qs.filter(start__lt=now).order_by("-start")[:20]
    feed = request.build_absolute_uri(f"/booking/feed/{_feed_token(request.user)}.ics")
    return render(request, "booking/mine.html", _ctx(upcoming=upcoming, past=past, feed=feed))


def _booking_patient(request: HttpRequest):
    """Who the booking is for: oneself, or (for staff) a patient of their clinic."""
    from anmian.web.records.access import get_patient

    user = request.user
    chosen = request.POST.get("patient") or request.GET.get("patient")
    if is_practitioner(user):
        if not chosen:
            return None
        try:
            return get_patient(user, chosen)
        except (ValueError, Http404):
            raise Http404("no such patient") from None
    patient = getattr(user, "patient", None)
    if patient is None or patient.clinic_id is None:
        raise Http404("booking needs a patient of a clinic")
    return patient


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def book(request: HttpRequest) -> HttpResponse:
    """Pick a type and practitioner (or first available), see free times, book one; or, with
    ?move=<uid>, move an existing appointment. Staff book and move for their clinic's patients."""
    staff = is_practitioner(request.user)
    clinic_id = request.user.practitioner.clinic_id if staff else None
    patient = _booking_patient(request)
    if patient is not None:
        clinic_id = patient.clinic_id
    patients = request.user.practitioner.clinic.patients.order_by("name") if staff else []
    move_uid = request.POST.get("move") or request.GET.get("move")
    moving = (
        _visible(request.user).filter(uid=move_uid, status="booked").first() if move_uid else None
    )
    if move_uid and moving is None:
        raise Http404("no such appointment")
    if moving is not None:
        patient, clinic_id = (
            moving.patient,
            moving.patient.clinic_id or moving.practitioner.clinic_id,
        )
    types = AppointmentType.objects.filter(clinic=clinic_id)
    people = Practitioner.objects.filter(clinic=clinic_id).select_related("clinic")
    kind = (
        moving.appointment_type
        if moving
        else (
            types.filter(pk=request.GET.get("type") or request.POST.get("type") or 0).first()
            or types.first()
        )
    )
    who = (
        str(moving.practitioner_id)
        if moving
        else request.GET.get("practitioner", "first-available")
    )
    error = None
    alternatives: list[tuple[int, datetime]] = []
    if request.method == "POST" and kind is not None and patient is not None:
        practitioner = people.filter(pk=request.POST.get("practitioner") or 0).first()
        try:
            start = datetime.fromisoformat(request.POST.get("start", ""))
        except ValueError:
            start = None
        if practitioner is None or start is None or start.tzinfo is None:
            error = "Choose one of the free times listed."
        elif (
            moving is not None
            and not staff
            and moving.start - timezone.now() < timedelta(hours=settings.ANMIAN_CHANGE_NOTICE_HOURS)
        ):
            error = f"Changes within {settings.ANMIAN_CHANGE_NOTICE_HOURS} hours of the start go through the clinic."
        else:
            try:
                if moving is not None:
                    a = services.move(moving, start, now=timezone.now())
                else:
                    a = services.book(
                        practitioner, patient, kind, start, now=timezone.now(), user=request.user
                    )
            except services.SlotTaken as exc:
                error = str(exc)
                alternatives = [(practitioner.pk, s) for s in exc.alternatives]
            except services.BookingError as exc:
                error = str(exc)
            else:
                notify.send(a, "changed" if moving else "confirmed")
                return redirect("booking:calendar" if staff else "booking:mine")
    slots: list[tuple[Practitioner, datetime]] = []
    tz = (
        patient.tz
        if patient
        else (services.clinic_tz(request.user.practitioner) if staff else None)
    )
    if kind is not None and patient is not None:
        today = timezone.now().astimezone(tz).date()
        chosen = [p for p in people if who == "first-available" or str(p.pk) == who]
        for p in chosen:
            slots += [(p, s) for s in services.free_slots(p, kind, today, 21, timezone.now())]
        slots.sort(key=lambda r: r[1])
    by_day: dict[date, list] = {}
    for p, s in slots[:200]:
        by_day.setdefault(s.astimezone(tz).date(), []).append((p, s, s.astimezone(tz)))
    alt = [(people.get(pk=pk), s, s.astimezone(tz)) for pk, s in alternatives]
    status = 409 if alternatives else (400 if error else 200)
    return render(
        request,
        "booking/book.html",
        _ctx(
            types=types,
            people=people,
            kind=kind,
            who=who,
            by_day=by_day,
            error=error,
            alternatives=alt,
            tz=tz.key if tz else "",
            moving=moving,
            patient=patient,
            patients=patients,
            staff=staff,
        ),
        status=status,
    )


@require_POST
@login_required
def cancel(request: HttpRequest, uid) -> HttpResponse:
    a = _visible(request.user).filter(uid=uid).first()
    if a is None:
        raise Http404("no such appointment")
    notice = timedelta(hours=settings.ANMIAN_CHANGE_NOTICE_HOURS)
    if not is_practitioner(request.user) and a.start - timezone.now() < notice:
        return render(
            request,
            "booking/too_late.html",
            _ctx(hours=settings.ANMIAN_CHANGE_NOTICE_HOURS),
            status=409,
        )
    if a.status == "booked":
        services.cancel(a)
        a.refresh_from_db()
        notify.send(a, "cancelled")
    return redirect("booking:mine")


@require_POST
@login_required
def mark(request: HttpRequest, uid, status: str) -> HttpResponse:
    if not is_practitioner(request.user) or status not in ("arrived", "no-show"):
        raise Http404("no such page")
    a = _visible(request.user).filter(uid=uid).first()
    if a is None:
        raise Http404("no such appointment")
    Appointment.objects.filter(pk=a.pk, status__in=("booked", "arrived", "no-show")).update(
        status=status
    )
    return redirect(request.POST.get("next") or "booking:calendar")


@require_safe
@login_required
def staff_calendar(request: HttpRequest) -> HttpResponse:
    """A practitioner's day or week, in the clinic's time zone."""
    if not is_practitioner(request.user):
        raise Http404("no such page")
    me = request.user.practitioner
    tz = services.clinic_tz(me)
    view = request.GET.get("view", "week")
    try:
        day = (
            date.fromisoformat(request.GET.get("day", ""))
            if request.GET.get("day")
            else timezone.now().astimezone(tz).date()
        )
    except ValueError:
        day = timezone.now().astimezone(tz).date()
    first = day if view == "day" else day - timedelta(days=day.weekday())
    days = 1 if view == "day" else 7
    lo = datetime.combine(first, datetime.min.time(), tz)
    rows = (
        Appointment.objects.filter(
            practitioner=me, start__gte=lo, start__lt=lo + timedelta(days=days)
        )
        .exclude(status="cancelled")
        .select_related("patient", "appointment_type")
        .order_by("start")
    )
    columns = [(first + timedelta(days=n), []) for n in range(days)]
    for a in rows:
        local = a.start.astimezone(tz)
        columns[(local.date() - first).days][1].append((a, local))
    return render(
        request,
        "booking/calendar.html",
        _ctx(
            columns=columns,
            view=view,
            prev=first - timedelta(days=days),
            next=first + timedelta(days=days),
            tz=tz.key,
        ),
    )


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None:
        raise Http404("no such feed")
    rows = _visible(found.user).select_related("practitioner__clinic", "appointment_type")
    if is_practitioner(found.user):
        rows = rows.filter(practitioner=found.user.practitioner)
    body = calendar(
        rows.filter(start__gte=timezone.now() - timedelta(days=90)), "Anmian appointments"
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def course(request: HttpRequest) -> HttpResponse:
    """Book a whole course: the same local weekday and time each week, all or none."""
    patient = getattr(request.user, "patient", None)
    if patient is None or patient.clinic_id is None:
        raise Http404("booking needs a patient of a clinic")
    types = AppointmentType.objects.filter(clinic=patient.clinic_id)
    people = Practitioner.objects.filter(clinic=patient.clinic_id).select_related("clinic")
    error, proposals = None, []
    data = request.POST if request.method == "POST" else request.GET
    values = {k: data.get(k, "") for k in ("type", "practitioner", "first_day", "time", "weeks")}
    if not values["weeks"]:
        # Start from the course the latest plan recommends (e.g. 8 weeks).
        latest = patient.assessments.order_by("-created").values_list("result", flat=True).first()
        values["weeks"] = str(((latest or {}).get("plan") or {}).get("course", {}).get("weeks", 8))
    if request.method == "POST":
        try:
            kind = types.get(pk=int(values["type"]))
            practitioner = people.get(pk=int(values["practitioner"]))
            first_day = date.fromisoformat(values["first_day"])
            clock = datetime.strptime(values["time"], "%H:%M").time()
            weeks = int(values["weeks"])
        except (ValueError, AppointmentType.DoesNotExist, Practitioner.DoesNotExist):
            error = "Fill in every field: type, practitioner, first day, time (HH:MM) and number of weeks."
        else:
            try:
                c = services.book_course(
                    practitioner,
                    patient,
                    kind,
                    first_day,
                    clock,
                    weeks,
                    now=timezone.now(),
                    user=request.user,
                    accept_alternatives=data.get("accept") == "yes",
                )
            except services.CourseConflict as exc:
                error = str(exc)
                proposals = [
                    (
                        p,
                        p.wanted and p.wanted.astimezone(patient.tz),
                        p.start and p.start.astimezone(patient.tz),
                    )
                    for p in exc.proposals
                ]
            except services.BookingError as exc:
                error = str(exc)
            else:
                for a in c.appointments.all():
                    notify.send(a, "confirmed")
                return redirect("booking:mine")
    status = 409 if proposals else (400 if error else 200)
    return render(
        request,
        "booking/course.html",
        _ctx(
            types=types,
            people=people,
            values=values,
            error=error,
            proposals=proposals,
            tz=patient.tz.key,
        ),
        status=status,
    )


@require_POST
@login_required
def join_waitlist(request: HttpRequest) -> HttpResponse:
    from anmian.web.booking import waitlist

    patient = getattr(request.user, "patient", None)
    if patient is None or patient.clinic_id is None:
        raise Http404("booking needs a patient of a clinic")
    kind = AppointmentType.objects.filter(
        pk=request.POST.get("type") or 0, clinic=patient.clinic_id
    ).first()
    who = request.POST.get("practitioner", "first-available")
    practitioner = (
        None
        if who == "first-available"
        else Practitioner.objects.filter(
            pk=who if who.isdigit() else 0, clinic=patient.clinic_id
        ).first()
    )
    if kind is None or (who != "first-available" and practitioner is None):
        raise Http404("no such appointment type or practitioner")
    waitlist.join(patient, kind, practitioner)
    return render(
        request, "booking/waitlist_joined.html", _ctx(kind=kind, practitioner=practitioner)
    )


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the offer email: see the held time, and accept it before the hold ends."""
    from anmian.web.booking import waitlist
    from anmian.web.booking.models import WaitlistEntry

    entry = (
        WaitlistEntry.objects.select_related(
            "offer__practitioner__clinic", "offer__appointment_type", "patient__clinic"
        )
        .filter(token=token)
        .first()
    )
    if entry is None:
        raise Http404("no such offer")
    error = None
    if request.method == "POST":
        try:
            waitlist.accept(token, timezone.now())
        except services.BookingError as exc:
            error = str(exc)
        else:
            return render(request, "booking/waitlist_booked.html", _ctx(entry=entry))
    tz = entry.patient.tz
    return render(
        request,
        "booking/waitlist_offer.html",
        _ctx(
            entry=entry,
            error=error,
            local=entry.offer.start.astimezone(tz) if entry.offer else None,
            hold=entry.hold_until.astimezone(tz) if entry.hold_until else None,
        ),
        status=409 if error else 200,
    )
