"""The one door to booking. Every use case takes the acting user and enforces every rule
itself (policy.py), writes through the calendar primitive (slots.py) and queues its emails
for after the commit (notify.after_commit), so the site, the API and the commands cannot
behave differently. Views and the API parse, call one function here, and render; a refusal
is always a BookingError whose message a person can read and whose status both answer with.
Why no time is ever booked twice, on SQLite and PostgreSQL alike, is told in slots.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet

from anmian.web.booking import daypicker, notify, policy, waitlist
from anmian.web.booking.courses import (
    check_course,
    first_visit_missing,
    first_visit_type,
    plan_course,
    treatment_types,
)
from anmian.web.booking.errors import BookingError, CourseConflict, CourseProposal, SlotTaken
from anmian.web.booking.models import (
    Appointment,
    AppointmentType,
    Break,
    CalendarFeed,
    Course,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from anmian.web.booking.slots import (
    clinic_tz,
    free_slots,
    local_instant,
    lock_patient,
    nearest_free,
    reactivate,
    reschedule,
    reserve,
)
from anmian.web.records.access import is_practitioner, visible_patients
from anmian.web.records.audit import DENIED, record
from anmian.web.records.models import Patient, Practitioner

__all__ = [
    "BookingError",
    "CourseConflict",
    "CourseProposal",
    "SlotTaken",
    "clinic_tz",
    "free_slots",
    "local_instant",
]

_Booked = TypeVar("_Booked", Appointment, Course)  # what an Idempotency-Key can name


# --- what a person may see ---


def as_id(value: object) -> int | None:
    """A database id as a form, a query or a URL writes it, or None: ASCII digits only
    (str.isdigit also takes "²" and "١", which int() refuses), at most 18 (a 64-bit key)."""
    text = "" if value is None else str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def visible_types(user) -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(clinic=policy.own_clinic(user)).order_by("id")


def visible_practitioners(user, who: str = "first-available") -> list[Practitioner]:
    """The practitioners of the person's clinic, or the one chosen by id."""
    people = Practitioner.objects.filter(clinic=policy.own_clinic(user)).select_related("clinic")
    if who == "first-available":
        return list(people)
    pk = as_id(who)
    if pk is None:
        raise BookingError("Choose a practitioner by id, or 'first-available'.", "bad-who")
    chosen = list(people.filter(pk=pk))
    if not chosen:
        raise BookingError("No such practitioner at your clinic.", "no-such-practitioner", 404)
    return chosen


def visible_appointments(user) -> QuerySet[Appointment]:
    if is_practitioner(user):
        return Appointment.objects.filter(practitioner__clinic=user.practitioner.clinic_id)
    patient = getattr(user, "patient", None)
    return Appointment.objects.filter(patient=patient) if patient else Appointment.objects.none()


def get_appointment(user, uid: Appointment | UUID | str) -> Appointment:
    """The appointment as this user may see it (fresh from the database), or a 404 refusal."""
    if isinstance(uid, Appointment):
        uid = uid.uid
    if not _is_uuid(uid):
        raise BookingError("No such appointment.", "not-found", 404)
    found = (
        visible_appointments(user)
        .select_related("appointment_type", "practitioner__clinic", "patient__user")
        .filter(uid=uid)
        .first()
    )
    if found is None:
        # Whose appointment was tried, outside the access filter, for the audit log only.
        owner = Patient.objects.filter(appointments__uid=uid).first()
        record(user, "read", owner, "appointment", uid, DENIED)
        raise BookingError("No such appointment.", "not-found", 404)
    return found


def patient_for(user, uid: UUID | str | None = None) -> Patient | None:
    """Who a page books for: a patient themselves, or the patient a staff member chose (None
    while they have not chosen). Refuses accounts that belong to no clinic."""
    if not is_practitioner(user):
        own = policy.acting_patient(user)
        if uid and str(uid) != str(own.uid):
            raise BookingError("Only clinic staff book for someone else.", "not-yours", 403)
        return own
    policy.own_clinic(user)
    if not uid:
        return None
    found = visible_patients(user).filter(uid=uid).first() if _is_uuid(uid) else None
    if found is None:
        record(user, "read", None, "patient", uid, DENIED)
        raise BookingError("No such patient.", "no-such-patient", 404)
    record(user, "read", found, "booking", found)  # staff see who they book for
    return found


def visible_type(user, type_id) -> AppointmentType:
    pk = as_id(type_id)
    found = visible_types(user).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise BookingError("No such appointment type at your clinic.", "not-found", 404)
    return found


def movable(user, uid) -> Appointment:
    """An appointment this user may move (a booked one), or a 404 refusal."""
    found = get_appointment(user, uid)
    if found.status != "booked":
        raise BookingError("No such appointment to move.", "not-found", 404)
    return found


def find_parties(practitioner_id: int, type_id: int) -> tuple[Practitioner, AppointmentType]:
    """Look up what a form or request names; whether this person may book them is book's job."""
    practitioner = Practitioner.objects.select_related("clinic").filter(pk=practitioner_id).first()
    kind = AppointmentType.objects.filter(pk=type_id).first()
    if practitioner is None or kind is None:
        raise BookingError("No such practitioner or appointment type.", "not-found", 404)
    return practitioner, kind


def free_times(
    user, kind: AppointmentType, who: str, first_day: date, days: int, now: datetime
) -> list[tuple[Practitioner, datetime]]:
    """Free starts of this type at the person's own clinic, soonest first."""
    kind = visible_type(user, kind.pk)
    if not 1 <= days <= 62:
        raise BookingError("Ask for 1 to 62 days of free times.", "bad-days")
    policy.calendar_day(first_day)
    policy.within_reach(first_day + timedelta(days=days), now)
    found = [
        (p, s)
        for p in visible_practitioners(user, who)
        for s in free_slots(p, kind, first_day, days, now)
    ]
    return sorted(found, key=lambda r: (r[1], r[0].pk))


@dataclass(frozen=True)
class Confirmation:
    """What a person reads before booking or moving: the type and its price, who, when, and
    the cancellation policy with the clinic's phone and address."""

    kind: AppointmentType
    practitioner: Practitioner
    start: datetime
    local: datetime
    patient: Patient | None
    moving: Appointment | None
    notice_hours: int


def confirmation(
    user,
    practitioner_id: int,
    type_id: int,
    start: datetime,
    *,
    now: datetime,
    patient: Patient | None = None,
    moving: Appointment | None = None,
) -> Confirmation:
    """Check what a booking form names before the person confirms it (refused as book would
    refuse it: another clinic, the past); whether the time is still free is book's job."""
    kind = visible_type(user, type_id)
    practitioner = next((p for p in visible_practitioners(user) if p.pk == practitioner_id), None)
    if practitioner is None:
        raise BookingError("No such practitioner at your clinic.", "no-such-practitioner", 404)
    _check_start(start, now)
    tz = clinic_tz(practitioner)
    return Confirmation(
        kind,
        practitioner,
        start,
        start.astimezone(tz),
        patient,
        moving,
        settings.ANMIAN_CHANGE_NOTICE_HOURS,
    )


def pick_day(
    slots: list[tuple[Practitioner, datetime]], tz: ZoneInfo, wanted: date | None, who: str
) -> tuple[list[daypicker.Day], date | None, list[daypicker.Part]]:
    """The days with free times, the day shown (the one asked for, else the first), and its
    times by morning, afternoon and evening (each time once for "first available")."""
    first_available = who == "first-available"
    listed = daypicker.days(slots, tz, one_per_time=first_available)
    day = daypicker.choose_day(listed, wanted)
    return listed, day, daypicker.parts(slots, tz, day, one_per_time=first_available)


def marks_allowed(user, appointment: Appointment, now: datetime) -> set[str]:
    """The statuses staff may set on the appointment now (the calendar shows only those)."""
    allowed = set()
    for status in policy.MARKS.get(appointment.status, set()):
        try:
            policy.mark(user, appointment, status, now)
        except BookingError:
            continue
        allowed.add(status)
    return allowed


def my_appointments(user, now: datetime) -> tuple[list[Appointment], list[Appointment]]:
    """Upcoming and past appointments: a patient's own, or the practitioner's own diary."""
    rows = visible_appointments(user).select_related(
        "practitioner__clinic", "appointment_type", "patient"
    )
    if is_practitioner(user):
        rows = rows.filter(practitioner=user.practitioner)
    upcoming = rows.filter(start__gte=now, status__in=("booked", "arrived")).order_by("start")
    return list(upcoming[:50]), list(rows.filter(start__lt=now).order_by("-start")[:20])


def feed_appointments(token: str, now: datetime) -> QuerySet[Appointment]:
    """What a private calendar feed shows: the token is the credential."""
    found = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if found is None:
        raise BookingError("No such feed.", "not-found", 404)
    rows = visible_appointments(found.user).select_related(
        "practitioner__clinic", "appointment_type"
    )
    if is_practitioner(found.user):
        rows = rows.filter(practitioner=found.user.practitioner)
    return rows.filter(start__gte=now - timedelta(days=90))


@dataclass(frozen=True)
class StaffDays:
    """A practitioner's own appointments, day by day in the clinic's time zone."""

    tz: ZoneInfo
    first: date
    days: int
    columns: list[tuple[date, list[tuple[Appointment, datetime]]]]


def staff_days(user, day: date | None, view: str) -> StaffDays:
    """The day of `day` (view "day") or its Monday-to-Sunday week; today when day is None."""
    if not is_practitioner(user):
        raise BookingError("No such page.", "not-found", 404)
    tz = clinic_tz(user.practitioner)
    if day is not None:
        policy.calendar_day(day)
    day = day or datetime.now(tz).date()
    first, days = (day, 1) if view == "day" else (day - timedelta(days=day.weekday()), 7)
    lo = datetime.combine(first, time.min, tz)
    rows = (
        Appointment.objects.filter(
            practitioner=user.practitioner, start__gte=lo, start__lt=lo + timedelta(days=days)
        )
        .exclude(status="cancelled")
        .select_related("patient", "appointment_type", "practitioner")
        .order_by("start")
    )
    columns: list[tuple[date, list[tuple[Appointment, datetime]]]] = [
        (first + timedelta(days=n), []) for n in range(days)
    ]
    for a in rows:
        local = a.start.astimezone(tz)
        columns[(local.date() - first).days][1].append((a, local))
    return StaffDays(tz, first, days, columns)


# --- the staff week as a time grid ---
#
# Placement is by the clinic's wall clock: a row is GRID_SLOT_MIN minutes of local time, a
# day's column runs from the grid's first hour to its last. An appointment starts on the row
# of its local start and ends on the row of its local end, so one across the spring change
# (00:30 GMT to 02:30 BST, an hour long) covers the hour the clocks skip, as the clock on the
# wall reads; one whose local end is not after its local start (the autumn change, 01:30 BST to
# 01:30 GMT) is drawn as long as it really lasts. One across midnight is cut at it: its piece
# on each day says it began the day before or goes on into the next.

GRID_SLOT_MIN = 15
GRID_DEFAULT_HOURS = (9, 17)  # the grid of a week with no working hours and no appointments


@dataclass(frozen=True)
class GridRules:
    """When one practitioner works, in local wall-clock times: by weekday (0 is Monday) their
    hours and breaks, and their days off (first day, last day, reason), the clinic's included."""

    hours: dict[int, list[tuple[time, time]]]
    breaks: dict[int, list[tuple[time, time]]]
    off: list[tuple[date, date, str]]


@dataclass(frozen=True)
class GridColumn:
    day: date
    who: Any  # the practitioner (whatever key `rules` uses)
    lane: int  # 0, or more where appointments of one practitioner overlap
    today: bool


@dataclass(frozen=True)
class GridCell:
    """A table cell: `span` rows from its row. kind is "appointment", "open" (working time,
    free), "break", "off" (a day off) or "closed" (outside working hours)."""

    kind: str
    span: int
    item: Any = None  # the appointment
    start: datetime | None = None  # its local start and end
    end: datetime | None = None
    continued: bool = False  # the piece of an appointment that began the day before
    continues: bool = False  # ... that goes on into the next day
    reason: str = ""  # a day off's reason
    whole_day: bool = False  # the block covers the day's column from top to bottom


@dataclass(frozen=True)
class GridRow:
    minute: int  # minutes after local midnight where the row begins
    cells: list[tuple[GridColumn, GridCell]]  # the cells that begin on this row, left to right

    @property
    def label(self) -> str:
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def on_the_hour(self) -> bool:
        return self.minute % 60 == 0


@dataclass(frozen=True)
class GridDay:
    day: date
    today: bool
    people: list[tuple[Any, int]]  # each practitioner shown, with their number of lanes

    @property
    def span(self) -> int:
        return sum(lanes for _, lanes in self.people)


@dataclass(frozen=True)
class WeekGrid:
    first: date
    tz: ZoneInfo
    days: list[GridDay]
    rows: list[GridRow]
    items: list[Any]  # every appointment placed


def _minutes(clock: datetime | time) -> int:
    return clock.hour * 60 + clock.minute


def _pieces(
    start: datetime, end: datetime, tz: ZoneInfo, days: list[date]
) -> list[tuple[date, int, int, bool, bool]]:
    """The appointment cut at local midnights: (day, top, bottom, continued, continues), top
    and bottom in minutes after that day's midnight, for the days shown."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    last = e.date()
    if e.date() > s.date() and _minutes(e) == 0 and e.second == 0:
        last -= timedelta(days=1)  # ends at midnight: nothing of it on the next day
    out = []
    day = s.date()
    while day <= last:
        if day in days:
            top = _minutes(s) if day == s.date() else 0
            bottom = _minutes(e) if day == e.date() else 24 * 60
            if bottom <= top:  # the clocks went back during it: draw its real length
                real = (end - start).total_seconds() / 60
                bottom = min(24 * 60, top + max(1, int(-(-real // 1))))
            out.append((day, top, bottom, day > s.date(), day < last))
        day += timedelta(days=1)
    return out


def place_week(
    first: date,
    tz: ZoneInfo,
    rules: dict,
    booked: Sequence[tuple[Any, datetime, datetime, Any]],
    today: date,
    days: int = 7,
) -> WeekGrid:
    """The week from `first` as table rows: `rules` maps each practitioner shown (in the
    order of their columns) to their GridRules; `booked` holds (practitioner, start, end,
    appointment) with aware start and end. Pure: no database, no clock."""
    dates = [first + timedelta(days=n) for n in range(days)]
    slot = GRID_SLOT_MIN
    cut: dict[tuple[date, Any], list[tuple[int, int, bool, bool, datetime, datetime, Any]]]
    cut = {}
    for who, start, end, item in booked:
        if who not in rules:
            continue
        for day, top, bottom, before, after in _pieces(start, end, tz, dates):
            local = (start.astimezone(tz), end.astimezone(tz))
            cut.setdefault((day, who), []).append((top, bottom, before, after, *local, item))

    # The rows: the working hours of the week, widened to every appointment shown.
    edges = [
        (_minutes(lo), _minutes(hi) or 24 * 60)
        for r in rules.values()
        for d in dates
        for lo, hi in r.hours.get(d.weekday(), [])
    ] + [(p[0], p[1]) for pieces in cut.values() for p in pieces]
    if edges:
        lo = min(a for a, _ in edges) // 60 * 60
        hi = min(24 * 60, -(-max(b for _, b in edges) // 60) * 60)
    else:
        lo, hi = GRID_DEFAULT_HOURS[0] * 60, GRID_DEFAULT_HOURS[1] * 60
    count = (hi - lo) // slot
    rows: list[list[tuple[GridColumn, GridCell]]] = [[] for _ in range(count)]
    heads = []
    for day in dates:
        people = []
        for who, r in rules.items():
            lanes = _lanes(cut.get((day, who), []), lo, slot, count)
            back = _background(r, day, lo, slot, count)
            for n, lane in enumerate(lanes or [[]]):
                column = GridColumn(day, who, n, day == today)
                for row, cell in _column(lane, back, count):
                    rows[row].append((column, cell))
            people.append((who, max(1, len(lanes))))
        heads.append(GridDay(day, day == today, people))
    items = [p[-1] for pieces in cut.values() for p in pieces]
    return WeekGrid(
        first,
        tz,
        heads,
        [GridRow(lo + n * slot, cells) for n, cells in enumerate(rows)],
        list(dict.fromkeys(items)),
    )


def _lanes(pieces: list, lo: int, slot: int, count: int) -> list[list[tuple[int, int, tuple]]]:
    """The day's pieces of one practitioner as rows (first, end) in lanes side by side, so
    two that share a row (an overlap, or two short ones in one slot) never collide."""
    lanes: list[list[tuple[int, int, tuple]]] = []
    placed = []
    for piece in pieces:
        top, bottom = piece[0], piece[1]
        first_row = max(0, (top - lo) // slot)
        end_row = min(count, max(first_row + 1, -(-(bottom - lo) // slot)))
        placed.append((first_row, end_row, piece))
    for first_row, end_row, piece in sorted(placed, key=lambda p: (p[0], p[1])):
        for lane in lanes:
            if lane[-1][1] <= first_row:
                lane.append((first_row, end_row, piece))
                break
        else:
            lanes.append([(first_row, end_row, piece)])
    return lanes


def _background(r: GridRules, day: date, lo: int, slot: int, count: int) -> list[tuple[str, str]]:
    """Each row's kind when nothing is booked in it: (kind, a day off's reason)."""
    for first_day, last_day, reason in r.off:
        if first_day <= day <= last_day:
            return [("off", reason)] * count

    def overlaps(spans: list[tuple[time, time]], m: int) -> bool:
        return any(m < (_minutes(b) or 24 * 60) and m + slot > _minutes(a) for a, b in spans)

    hours, breaks = r.hours.get(day.weekday(), []), r.breaks.get(day.weekday(), [])
    out = []
    for n in range(count):
        m = lo + n * slot
        kind = "break" if overlaps(breaks, m) else "open" if overlaps(hours, m) else "closed"
        out.append((kind, ""))
    return out


def _column(
    lane: list[tuple[int, int, tuple]], back: list[tuple[str, str]], count: int
) -> list[tuple[int, GridCell]]:
    """One column's cells from top to bottom: its appointments, and between them the
    background (a free row a cell each, so the hour lines show; a break, a day off or closed
    time merged into one cell)."""
    starts = {first_row: (end_row, piece) for first_row, end_row, piece in lane}
    out: list[tuple[int, GridCell]] = []
    row = 0
    while row < count:
        if row in starts:
            end_row, (_, _, before, after, s, e, item) = starts[row]
            out.append((row, GridCell("appointment", end_row - row, item, s, e, before, after)))
            row = end_row
            continue
        kind, reason = back[row]
        end = row + 1
        if kind != "open":
            while end < count and end not in starts and back[end] == back[row]:
                end += 1
        cell = GridCell(kind, end - row, reason=reason, whole_day=end - row == count)
        out.append((row, cell))
        row = end
    return out


def calendar_people(user, who: str) -> list[Practitioner]:
    """Whose appointments the staff week shows: the practitioner's own (who empty or
    "mine"), everyone's at their clinic ("all"), or one colleague's chosen by id."""
    if not is_practitioner(user):
        raise BookingError("No such page.", "not-found", 404)
    own = user.practitioner
    if who in ("", "mine"):
        return [own]
    people = Practitioner.objects.filter(clinic=own.clinic_id).select_related("clinic")
    if who == "all":
        return sorted(people, key=lambda p: (p.pk != own.pk, p.display_name))
    pk = as_id(who)
    if pk is None:
        raise BookingError(
            "Choose a practitioner from the list, or everyone at the clinic.", "bad-who"
        )
    chosen = list(people.filter(pk=pk))
    if not chosen:
        raise BookingError("No such practitioner at your clinic.", "no-such-practitioner", 404)
    return chosen


def staff_week(user, day: date | None, who: str = "", now: datetime | None = None) -> WeekGrid:
    """The Monday-to-Sunday week of `day` (this week when None) as a time grid of the chosen
    practitioners' appointments, hours, breaks and days off, in the clinic's time zone."""
    people = calendar_people(user, who)
    tz = clinic_tz(user.practitioner)
    if day is not None:
        policy.calendar_day(day)
    today = (now or datetime.now(tz)).astimezone(tz).date()
    day = day or today
    first = day - timedelta(days=day.weekday())
    try:
        lo = datetime.combine(first, time.min, tz)
        hi = datetime.combine(first + timedelta(days=7), time.min, tz)
    except OverflowError:  # the week of 31 Dec 9999 runs past the calendar's end
        raise BookingError(
            "Give a day in a week that ends before the year 10000.", "bad-day"
        ) from None
    ids = [p.pk for p in people]
    rules = {p: GridRules({}, {}, []) for p in people}
    by_id = {p.pk: p for p in people}
    for h in WorkingHours.objects.filter(practitioner__in=ids):
        rules[by_id[h.practitioner_id]].hours.setdefault(h.weekday, []).append((h.start, h.end))
    for b in Break.objects.filter(practitioner__in=ids):
        rules[by_id[b.practitioner_id]].breaks.setdefault(b.weekday, []).append((b.start, b.end))
    for t in TimeOff.objects.filter(
        Q(practitioner__in=ids) | Q(practitioner__isnull=True, clinic=user.practitioner.clinic_id),
        first_day__lte=first + timedelta(days=6),
        last_day__gte=first,
    ):
        for p in people if t.practitioner_id is None else [by_id[t.practitioner_id]]:
            rules[p].off.append((t.first_day, t.last_day, t.reason))
    rows = (
        Appointment.objects.filter(practitioner__in=ids, start__lt=hi, end__gt=lo)
        .exclude(status="cancelled")
        .select_related("patient", "appointment_type", "practitioner")
        .order_by("start")
    )
    booked = [(by_id[a.practitioner_id], a.start, a.end, a) for a in rows]
    return place_week(first, tz, rules, booked, today)


def waitlist_offer(token: str) -> WaitlistEntry:
    found = (
        WaitlistEntry.objects.select_related(
            "offer__practitioner__clinic", "offer__appointment_type", "patient__clinic"
        )
        .filter(token=token)
        .first()
    )
    if found is None:
        raise BookingError("No such offer.", "not-found", 404)
    return found


# --- use cases ---


def book(
    user,
    practitioner: Practitioner,
    kind: AppointmentType,
    start: datetime,
    *,
    now: datetime,
    patient: Patient | None = None,
    idempotency_key: str | None = None,
    end: datetime | None = None,
) -> tuple[Appointment, bool]:
    """Book one appointment; returns it and whether it is new (False: a retry with the same
    Idempotency-Key, answered with the first booking and no second email)."""
    patient = policy.acting_patient(user, patient)
    if idempotency_key and (replay := _replay(Appointment, user, idempotency_key)):
        return _same_request(replay, practitioner, kind, "start", start), False
    _check_start(start, now)
    if end is not None and end - start != timedelta(minutes=kind.duration_min):
        raise BookingError(f"A {kind.name} lasts {kind.duration_min} minutes.", "wrong-duration")
    policy.parties(patient, practitioner, kind)
    try:
        with transaction.atomic():
            lock_patient(patient)
            policy.future_cap(patient, 1, now)
            appointment = reserve(
                practitioner, patient, kind, start, user=user, key=idempotency_key
            )
            record(user, "create", patient, "appointment", appointment)
            notify.after_commit(appointment, "confirmed")
    except SlotTaken:
        # a parallel retry with the same key got there first (its row clashes with ours, or
        # the unique key refused ours): answer with its booking
        if idempotency_key and (replay := _replay(Appointment, user, idempotency_key)):
            return replay, False
        raise SlotTaken(nearest_free(practitioner, kind, start, now)) from None
    return appointment, True


def book_course(
    user,
    practitioner: Practitioner,
    kind: AppointmentType,
    first_day: date,
    clock: time,
    weeks: int,
    *,
    now: datetime,
    patient: Patient | None = None,
    accept_alternatives: bool = False,
    idempotency_key: str | None = None,
) -> tuple[Course, bool]:
    """Book every session at once, in one transaction, or none; returns the course and whether
    it is new (False: a retry with the same Idempotency-Key, answered with the first course).

    With accept_alternatives False, any week whose wanted time is not free stops the whole
    course with the proposals; with True, those weeks take the proposed nearest time."""
    patient = policy.acting_patient(user, patient)
    if idempotency_key and (replay := _replay(Course, user, idempotency_key)):
        return _same_request(replay, practitioner, kind, "weeks", weeks), False
    policy.parties(patient, practitioner, kind)
    policy.course_weeks(weeks)
    policy.calendar_day(first_day)
    policy.within_reach(first_day + timedelta(weeks=weeks), now)
    check_course(user, patient, practitioner, kind, first_day, clock, now)
    proposals = plan_course(practitioner, kind, first_day, clock, weeks, now)
    starts = [p.start for p in proposals if p.start is not None]
    moved = [p for p in proposals if p.start != p.wanted]
    if len(starts) < weeks or (moved and not accept_alternatives):
        raise CourseConflict(proposals)
    try:
        with transaction.atomic():
            lock_patient(patient)
            policy.future_cap(patient, weeks, now)
            course = Course.objects.create(
                patient=patient,
                practitioner=practitioner,
                appointment_type=kind,
                weeks=weeks,
                booked_by=user,
                idempotency_key=idempotency_key,
            )
            for start in starts:
                a = reserve(practitioner, patient, kind, start, user=user, course=course)
                notify.after_commit(a, "confirmed")
            record(user, "create", patient, "course", course)
    except (SlotTaken, IntegrityError):
        # a parallel retry with the same key got there first: answer with its course
        if idempotency_key and (replay := _replay(Course, user, idempotency_key)):
            return replay, False
        # someone took a slot between planning and booking: nothing is kept; plan again
        raise CourseConflict(
            plan_course(practitioner, kind, first_day, clock, weeks, now)
        ) from None
    return course, True


def move(
    user, appointment: Appointment | UUID | str, start: datetime, *, now: datetime
) -> Appointment:
    """Move one appointment (say, one session of a course) to a new start, leaving every other
    row alone; the freed time goes to the waitlist. Nothing changes if the new time is refused."""
    appointment = get_appointment(user, appointment)
    policy.change_notice(user, appointment, now)
    _check_start(start, now)
    if appointment.status != "booked":
        raise BookingError("Only a booked appointment can move.", "not-booked", 409)
    kind = appointment.appointment_type
    freed = Appointment(
        pk=appointment.pk,
        practitioner=appointment.practitioner,
        appointment_type=kind,
        start=appointment.start,
        end=appointment.end,
    )
    try:
        with transaction.atomic():
            reschedule(appointment, start)
            appointment.refresh_from_db()
            record(user, "update", appointment.patient, "appointment", appointment)
            notify.after_commit(appointment, "changed")
            waitlist.offer_freed(freed, now=now)
    except SlotTaken:
        raise SlotTaken(nearest_free(appointment.practitioner, kind, start, now)) from None
    return appointment


class CancelHook(Protocol):
    """Another app's part in a cancellation (the shop refunds a paid session of a course)."""

    def note(self, appointment: Appointment, *, by_clinic: bool, now: datetime) -> str | None:
        """What cancelling would also do, told before the person confirms."""
        ...

    def cancelled(self, appointment: Appointment, *, by_clinic: bool, now: datetime) -> None:
        """Called inside the cancellation's transaction; a BookingError undoes it."""
        ...


# Registered from the other app's AppConfig.ready, so booking never imports it.
_cancel_hooks: list[CancelHook] = []


def add_cancel_hook(hook: CancelHook) -> None:
    if not any(type(h) is type(hook) for h in _cancel_hooks):  # ready() may run twice
        _cancel_hooks.append(hook)


def _by_clinic(user, patient_asked: bool) -> bool:
    """Staff cancel for the clinic unless they say the patient asked for it."""
    return is_practitioner(user) and not patient_asked


def cancel_notes(
    user, appointment: Appointment, *, now: datetime, patient_asked: bool = False
) -> list[str]:
    """What else cancelling this appointment would do (a refund, or none), for the page that
    asks the person to confirm."""
    by_clinic = _by_clinic(user, patient_asked)
    found = (h.note(appointment, by_clinic=by_clinic, now=now) for h in _cancel_hooks)
    return [n for n in found if n]


def cancel(
    user, appointment: Appointment | UUID | str, *, now: datetime, patient_asked: bool = False
) -> Appointment:
    """Cancel a booked appointment, then offer the freed time to the waitlist. Cancelling a
    cancelled appointment again changes nothing and sends nothing. `patient_asked`: staff
    cancelling at the patient's request (the shop's refund policy tells the two apart)."""
    appointment = get_appointment(user, appointment)
    if appointment.status == "cancelled":
        return appointment
    policy.change_notice(user, appointment, now)
    if appointment.status != "booked":
        raise BookingError("Only a booked appointment can be cancelled.", "not-booked", 409)
    with transaction.atomic():
        if Appointment.objects.filter(pk=appointment.pk, status="booked").update(
            status="cancelled", sequence=F("sequence") + 1
        ):
            appointment.status = "cancelled"
            appointment.sequence += 1  # the CANCEL sent must outrank the REQUEST before it
            record(user, "update", appointment.patient, "appointment", appointment)
            for hook in _cancel_hooks:
                hook.cancelled(appointment, by_clinic=_by_clinic(user, patient_asked), now=now)
            notify.after_commit(appointment, "cancelled")
            waitlist.offer_freed(appointment, now=now)
    return appointment


def mark_arrived(user, appointment: Appointment | UUID | str, *, now: datetime) -> Appointment:
    return _mark(user, appointment, "arrived", now)


def mark_no_show(user, appointment: Appointment | UUID | str, *, now: datetime) -> Appointment:
    return _mark(user, appointment, "no-show", now)


def undo_mark(user, appointment: Appointment | UUID | str, *, now: datetime) -> Appointment:
    """Take back an arrival or a no-show set by mistake: the appointment is booked again
    (refused, like any mark, outside its window or once the time is someone else's)."""
    return _mark(user, appointment, "booked", now)


def join_waitlist(
    user, kind: AppointmentType, practitioner: Practitioner | None = None
) -> WaitlistEntry:
    return waitlist.join(user, kind, practitioner)


def accept_offer(token: str, *, now: datetime) -> Appointment:
    return waitlist.accept(token, now)


def expire_offers(*, now: datetime) -> int:
    return waitlist.expire(now)


def feed_token(user) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed.token


def new_feed_token(user) -> str:
    """A new private feed address for `user`; the old one stops working at once (for a link
    that was shared or leaked: it is the only secret of the feed)."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token


def new_offer_link(token: str, *, now: datetime) -> WaitlistEntry:
    return waitlist.new_link(token, now)


def course_types(user) -> QuerySet[AppointmentType]:
    """What a person may book as a course: their clinic's treatment sessions."""
    return treatment_types(visible_types(user))


def first_visit_to_book(patient: Patient) -> AppointmentType | None:
    """The first consultation the course page asks this patient to book first, if they need one."""
    return first_visit_type(patient) if first_visit_missing(patient) else None


def suggested_course_weeks(patient: Patient) -> int:
    """The course length the latest plan recommends (8 weeks without one), within the cap."""
    latest = patient.assessments.order_by("-created").values_list("result", flat=True).first()
    weeks = ((latest or {}).get("plan") or {}).get("course", {}).get("weeks", 8)
    return min(int(weeks), settings.ANMIAN_MAX_COURSE_WEEKS)


# --- helpers ---


def _mark(user, appointment: Appointment | UUID | str, status: str, now: datetime) -> Appointment:
    appointment = get_appointment(user, appointment)
    policy.mark(user, appointment, status, now)
    with transaction.atomic():
        if appointment.status == "no-show":
            try:
                reactivate(appointment, status)
            except SlotTaken:
                raise BookingError(
                    "That time has been booked by someone else since the no-show, so it cannot "
                    "be marked arrived.",
                    "slot-rebooked",
                    409,
                ) from None
        elif not Appointment.objects.filter(pk=appointment.pk, status=appointment.status).update(
            status=status, sequence=F("sequence") + 1
        ):
            raise BookingError(
                "Someone changed this appointment meanwhile; reload and try again.",
                "changed",
                409,
            )
        record(user, "update", appointment.patient, "appointment", appointment)
    appointment.status = status
    return appointment


def _check_start(start: datetime, now: datetime) -> None:
    if start.tzinfo is None:
        raise BookingError("The start time must carry a time zone.", "naive-time")
    if start < now:
        raise BookingError("That time is in the past.", "past")
    policy.within_reach(start, now)


def _replay(model: type[_Booked], user, key: str) -> _Booked | None:
    """The first answer to this Idempotency-Key: a retried request gets it again, nothing new."""
    return model.objects.filter(booked_by=user, idempotency_key=key).first()


def _same_request(
    first: _Booked, practitioner: Practitioner, kind: AppointmentType, detail: str, value: object
) -> _Booked:
    """A key names one request: the same key for another booking or course is the client's error."""
    if (first.practitioner_id, first.appointment_type_id, getattr(first, detail)) != (
        practitioner.pk,
        kind.pk,
        value,
    ):
        what = "course" if isinstance(first, Course) else "booking"
        raise BookingError(
            f"That Idempotency-Key was already used for a different {what}.", "key-reused", 422
        )
    return first


def _is_uuid(value) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True
