"""Booking pages: a person books, moves and cancels; staff run the calendar. Each view parses
the request, calls one function of services.py and renders; a refusal of the service is shown
with its own message and status (a form error on the booking forms)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from anmian.knowledge import get_kb
from anmian.web.booking import services
from anmian.web.booking.errors import BookingError, CourseConflict, SlotTaken
from anmian.web.booking.ics import calendar
from anmian.web.records.access import is_practitioner
from anmian.web.records.audit import record

CHOOSE = "Choose one of the free times listed."
INCOMPLETE = "Fill in every field: type, practitioner, first day, time (HH:MM) and number of weeks."


def _ctx(**extra) -> dict:
    return {"disclaimer": get_kb().rules.disclaimer, **extra}


def _refusals(view):
    """A refusal the page cannot show in a form: its message, with its status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BookingError as exc:
            if exc.code == "no-clinic":  # not a dead end: the way to join one
                messages.info(request, str(exc))
                return redirect("accounts:clinics")
            return render(request, "booking/refused.html", _ctx(error=exc), status=exc.status)

    return wrapper


@require_safe
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    upcoming, past = services.my_appointments(request.user, timezone.now())
    if is_practitioner(request.user):  # a practitioner's list names their patients
        shown = {a.patient_id: a.patient for a in [*upcoming, *past]}
        record(request.user, "read", shown.values(), "appointment-list", request=request)
    feed = request.build_absolute_uri(f"/booking/feed/{services.feed_token(request.user)}.ics")
    return render(request, "booking/mine.html", _ctx(upcoming=upcoming, past=past, feed=feed))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_refusals
def book(request: HttpRequest) -> HttpResponse:
    """Pick a type and practitioner (or first available), see free times, book one; or, with
    ?move=<uid>, move an existing appointment. Staff book and move for their clinic's patients."""
    data = request.POST if request.method == "POST" else request.GET
    if data.get("move"):
        return _move(request, services.movable(request.user, data["move"]))
    patient = services.patient_for(request.user, data.get("patient"))
    types = services.visible_types(request.user)
    kind = types.filter(pk=_int(data.get("type"))).first() or types.first()
    error = chosen = None
    if request.method == "POST" and patient is not None:
        try:
            practitioner_id, start = _slot(request.POST)
            chosen, asked = services.find_parties(practitioner_id, _int(data.get("type")))
            # The confirmation page's one-time key: a double-click books once.
            key = request.POST.get("key", "")[:100] or None
            done, _ = services.book(
                request.user,
                chosen,
                asked,
                start,
                now=timezone.now(),
                patient=patient,
                idempotency_key=key,
            )
        except BookingError as exc:
            error = exc
        else:
            return _done(request, done, gettext("Booked"))
    who = request.GET.get("practitioner", "first-available")
    return _book_page(request, patient=patient, kind=kind, who=who, error=error, chosen=chosen)


def _move(request: HttpRequest, moving) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            _, start = _slot(request.POST)
            moved = services.move(request.user, moving, start, now=timezone.now())
        except BookingError as exc:
            error = exc
        else:
            return _done(request, moved, gettext("Moved"))
    return _book_page(
        request,
        patient=moving.patient,
        kind=moving.appointment_type,
        who=str(moving.practitioner_id),
        error=error,
        moving=moving,
        chosen=moving.practitioner,
    )


def _done(request: HttpRequest, appointment, what: str) -> HttpResponse:
    local = appointment.start.astimezone(services.clinic_tz(appointment.practitioner))
    messages.success(
        request,
        gettext(
            "%(what)s: %(type)s with %(who)s on %(day)s at %(time)s. "
            "A confirmation email is on its way."
        )
        % {
            "what": what,
            "type": appointment.appointment_type.name,
            "who": appointment.practitioner.display_name,
            "day": date_format(local, pgettext("day heading", "l j F")),
            "time": f"{local:%H:%M}",
        },
    )
    return redirect("booking:calendar" if is_practitioner(request.user) else "booking:mine")


@require_safe
@login_required
@_refusals
def confirm(request: HttpRequest) -> HttpResponse:
    """The step between picking a time and booking it: type, practitioner, time, price and
    the cancellation policy, with one button that books (a POST to `book`)."""
    moving = (
        services.movable(request.user, request.GET["move"]) if request.GET.get("move") else None
    )
    patient = (
        moving.patient if moving else services.patient_for(request.user, request.GET.get("patient"))
    )
    _, start = _slot(request.GET)
    kind_id = moving.appointment_type_id if moving else _int(request.GET.get("type"))
    details = services.confirmation(
        request.user,
        _int(request.GET.get("practitioner")),
        kind_id,
        start,
        now=timezone.now(),
        patient=patient,
        moving=moving,
    )
    key = secrets.token_urlsafe(16)  # sent back with the booking: a second submit books once
    return render(request, "booking/confirm.html", _ctx(c=details, key=key))


def _book_page(request, *, patient, kind, who, error, moving=None, chosen=None) -> HttpResponse:
    user, now = request.user, timezone.now()
    staff = is_practitioner(user)
    tz = patient.tz if patient else services.clinic_tz(user.practitioner)
    slots = []
    if kind is not None and patient is not None:
        slots = services.free_times(user, kind, who, now.astimezone(tz).date(), 21, now)
    listed, day, parts = services.pick_day(slots, tz, _day(request.GET.get("day")), who)
    patients = list(user.practitioner.clinic.patients.order_by("name")) if staff else []
    # The staff's picker names every patient of the clinic: each one shown is a read.
    record(user, "read", patients, "patient-picker", request=request)
    context = _ctx(
        types=services.visible_types(user),
        people=services.visible_practitioners(user),
        patients=patients,
        **{"kind": kind, "who": who, "tz": tz.key, "moving": moving},
        **{"days": listed, "day": day, "parts": parts},
        **{"patient": patient, "staff": staff, "error": error and str(error)},
        alternatives=_alternatives(error, chosen, tz),
    )
    return render(request, "booking/book.html", context, status=error.status if error else 200)


def _alternatives(error, chosen, tz: ZoneInfo) -> list:
    if not isinstance(error, SlotTaken):
        return []
    return [(chosen, s, s.astimezone(tz)) for s in error.alternatives]


def _slot(post) -> tuple[int, datetime]:
    """The practitioner id and time-zoned start a booking form posts; anything else is refused
    as not one of the listed times (the page only offers listed times)."""
    try:
        start = datetime.fromisoformat(post.get("start", ""))
    except ValueError:
        start = None
    practitioner_id = _int(post.get("practitioner"))
    if start is None or start.tzinfo is None or not practitioner_id:
        raise BookingError(CHOOSE, "not-listed")
    return practitioner_id, start


def _day(value) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _int(value) -> int:
    return services.as_id(value) or 0


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_refusals
def cancel(request: HttpRequest, uid) -> HttpResponse:
    """GET asks "cancel this?" with the policy; the POST cancels."""
    if request.method != "POST":
        a = services.get_appointment(request.user, uid)
        local = a.start.astimezone(services.clinic_tz(a.practitioner))
        notice = settings.ANMIAN_CHANGE_NOTICE_HOURS
        now = timezone.now()
        notes = services.cancel_notes(request.user, a, now=now)
        staff = is_practitioner(request.user)
        # Staff may be cancelling at the patient's request, which the refund policy treats
        # as the patient's own cancellation: show what that would do too.
        asked = services.cancel_notes(request.user, a, now=now, patient_asked=True) if staff else []
        ctx = _ctx(a=a, local=local, notice=notice, notes=notes, staff=staff, asked=asked)
        return render(request, "booking/cancel.html", ctx)
    patient_asked = request.POST.get("patient_asked") == "on"
    done = services.cancel(request.user, uid, now=timezone.now(), patient_asked=patient_asked)
    local = done.start.astimezone(services.clinic_tz(done.practitioner))
    messages.success(
        request,
        gettext("Cancelled: %(type)s on %(day)s at %(time)s. The time is free for someone else.")
        % {
            "type": done.appointment_type.name,
            "day": date_format(local, pgettext("day heading", "l j F")),
            "time": f"{local:%H:%M}",
        },
    )
    return redirect("booking:mine")


MARKS = {
    "arrived": services.mark_arrived,
    "no-show": services.mark_no_show,
    "undo": services.undo_mark,
}
SAID = {"arrived": "marked arrived", "no-show": "marked as a no-show", "undo": "booked again"}


@require_POST
@login_required
@_refusals
def mark(request: HttpRequest, uid, status: str) -> HttpResponse:
    if status not in MARKS:
        raise Http404("no such page")
    done = MARKS[status](request.user, uid, now=timezone.now())
    messages.success(request, f"{done.patient.name}: {SAID[status]}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "booking:calendar"
    return redirect(back)


@require_safe
@login_required
@_refusals
def staff_calendar(request: HttpRequest) -> HttpResponse:
    """A practitioner's day or week, in the clinic's time zone."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    view = "day" if request.GET.get("view") == "day" else "week"
    if view == "week":
        return _staff_week(request, day)
    week = services.staff_days(request.user, day, view)
    shown = {a.patient_id: a.patient for _, items in week.columns for a, _ in items}
    record(request.user, "read", shown.values(), "calendar", request=request)
    now = timezone.now()
    columns = [  # each appointment with the marks staff may set now, and only those
        (d, [(a, local, services.marks_allowed(request.user, a, now)) for a, local in items])
        for d, items in week.columns
    ]
    return render(
        request,
        "booking/calendar.html",
        _ctx(
            columns=columns,
            view=view,
            today=datetime.now(week.tz).date(),
            prev=week.first - timedelta(days=week.days),
            next=week.first + timedelta(days=week.days),
            tz=week.tz.key,
        ),
    )


def _staff_week(request: HttpRequest, day: date | None) -> HttpResponse:
    """The week as a time grid: the practitioner's own, a colleague's or the whole clinic's."""
    who = request.GET.get("who", "")
    grid = services.staff_week(request.user, day, who)
    shown = {a.patient_id: a.patient for a in grid.items}
    record(request.user, "read", shown.values(), "calendar", request=request)
    me = services.calendar_people(request.user, "mine")[0]
    people = services.calendar_people(request.user, "all")
    return render(
        request,
        "booking/week.html",
        _ctx(
            grid=grid,
            who=who if who in ("all", "") else str(grid.days[0].people[0][0].pk),
            me=me,
            people=people,
            several=len(grid.days[0].people) > 1,
            prev=grid.first - timedelta(days=7),
            next=grid.first + timedelta(days=7),
            tz=grid.tz.key,
        ),
    )


@require_safe
@_refusals
def feed(request: HttpRequest, token: str) -> HttpResponse:
    rows = services.feed_appointments(token, timezone.now())
    body = calendar(rows, "Anmian appointments")
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_POST
@login_required
def new_feed(request: HttpRequest) -> HttpResponse:
    """The "new link" button: the old feed address stops working."""
    services.new_feed_token(request.user)
    return redirect("booking:mine")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@_refusals
def course(request: HttpRequest) -> HttpResponse:
    """Book a whole course: the same local weekday and time each week, all or none."""
    data = request.POST if request.method == "POST" else request.GET
    patient = services.patient_for(request.user, data.get("patient"))
    if patient is None:
        raise BookingError("Choose the patient this course is for.", "patient-needed")
    values = {k: data.get(k, "") for k in ("type", "practitioner", "first_day", "time", "weeks")}
    values["weeks"] = values["weeks"] or str(services.suggested_course_weeks(patient))
    offered = services.course_types(request.user)
    if request.method != "POST" and not offered.filter(pk=_int(values["type"])).exists():
        # A link that names a first consultation (or none) starts from the clinic's treatment
        # session; a POST keeps what it sent, so a type that is no session is refused aloud.
        values["type"] = str(offered.values_list("pk", flat=True).first() or "")
    error = None
    if request.method == "POST":
        try:
            booked, _new = services.book_course(
                request.user,
                *_course_args(values),
                now=timezone.now(),
                patient=patient,
                accept_alternatives=data.get("accept") == "yes",
            )
        except BookingError as exc:
            error = exc
        else:
            messages.success(
                request,
                gettext(
                    "Booked: a course of %(weeks)s weekly sessions. Confirmation emails "
                    "are on their way."
                )
                % {"weeks": values["weeks"]},
            )
            if booked.appointment_type.price > 0:  # the course can be paid for in one order
                return redirect("shop:course", booked.uid)
            return redirect("booking:mine")
    return _course_page(request, patient, values, offered, error)


def _course_args(values: dict[str, str]) -> tuple:
    try:
        practitioner, kind = services.find_parties(
            _int(values["practitioner"]), _int(values["type"])
        )
        first_day = date.fromisoformat(values["first_day"])
        clock = datetime.strptime(values["time"], "%H:%M").time()
        return practitioner, kind, first_day, clock, int(values["weeks"])
    except (ValueError, BookingError):
        raise BookingError(INCOMPLETE, "incomplete") from None


def _course_page(request, patient, values, offered, error) -> HttpResponse:
    tz = patient.tz
    proposals = [
        (p, p.wanted and p.wanted.astimezone(tz), p.start and p.start.astimezone(tz))
        for p in (error.proposals if isinstance(error, CourseConflict) else [])
    ]
    context = _ctx(
        types=offered,
        people=services.visible_practitioners(request.user),
        values=values,
        error=error and str(error),
        proposals=proposals,
        # "Book with the proposed times" only when every week has one to book
        bookable=all(start for _, _, start in proposals),
        tz=tz.key,
        today=timezone.now().astimezone(tz).date(),
        max_weeks=settings.ANMIAN_MAX_COURSE_WEEKS,
        patient=patient,
        staff=is_practitioner(request.user),
        first_visit=services.first_visit_to_book(patient),
    )
    return render(request, "booking/course.html", context, status=error.status if error else 200)


@require_POST
@login_required
@_refusals
def join_waitlist(request: HttpRequest) -> HttpResponse:
    kind = services.visible_type(request.user, request.POST.get("type"))
    who = request.POST.get("practitioner", "first-available")
    practitioner = (
        None if who == "first-available" else services.visible_practitioners(request.user, who)[0]
    )
    services.join_waitlist(request.user, kind, practitioner)
    return render(
        request, "booking/waitlist_joined.html", _ctx(kind=kind, practitioner=practitioner)
    )


@require_http_methods(["GET", "HEAD", "POST"])
@_refusals
def waitlist_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the offer email: see the held time, and accept it before the hold ends."""
    entry = services.waitlist_offer(token)
    error = None
    if request.method == "POST":
        try:
            services.accept_offer(token, now=timezone.now())
        except BookingError as exc:
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


@require_POST
@_refusals
def new_offer_link(request: HttpRequest, token: str) -> HttpResponse:
    """The offer page's "new link" button: this link stops working and a new one is emailed to
    the patient (for a link forwarded or seen by someone else)."""
    entry = services.new_offer_link(token, now=timezone.now())
    return render(request, "booking/waitlist_new_link.html", _ctx(entry=entry))
