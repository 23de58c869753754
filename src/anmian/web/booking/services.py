"""Booking: free slots, single appointments and whole courses, with no double booking.

Why it holds under concurrency:
- PostgreSQL: the booking transaction locks the practitioner's row (SELECT ... FOR UPDATE),
  so bookings for one practitioner queue; and the exclusion constraint (migration 0002)
  refuses any overlapping active row whatever path wrote it.
- SQLite: every transaction begins IMMEDIATE (settings), taking the database write lock
  before the re-check, so the check and the insert cannot interleave with another writer.

Times: the clinic's time zone rules. A course keeps its local weekday and clock time across
a daylight-saving change (18:00 stays 18:00), and a local time that does not exist (the
spring gap) or exists twice (the autumn overlap) is refused with a message, never guessed.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from anmian.web.booking.models import (
    ACTIVE,
    Appointment,
    AppointmentType,
    Break,
    Course,
    TimeOff,
    WorkingHours,
)
from anmian.web.records.models import Patient, Practitioner

STEP = timedelta(minutes=15)
MIN_NOTICE = timedelta(hours=1)


class BookingError(Exception):
    """A booking that cannot be made; `code` for the API, the message for people."""

    status = 400

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class SlotTaken(BookingError):
    status = 409

    def __init__(self, alternatives: list[datetime]):
        super().__init__("That time was just taken. Here are the nearest free times.", "taken")
        self.alternatives = alternatives


@dataclass(frozen=True)
class CourseProposal:
    week: int
    wanted: datetime | None  # None when the wanted local time does not exist that week
    start: datetime | None  # what would be booked (None: nothing free that week)
    note: str = ""


class CourseConflict(BookingError):
    status = 409

    def __init__(self, proposals: list[CourseProposal]):
        super().__init__(
            "Some weeks are taken; nothing was booked. See the proposed times.", "course-conflict"
        )
        self.proposals = proposals


def clinic_tz(practitioner: Practitioner) -> ZoneInfo:
    return ZoneInfo(practitioner.clinic.time_zone)


def local_instant(day: date, clock: time, tz: ZoneInfo, fold: int | None = None) -> datetime:
    """The UTC instant of a local wall-clock time; refuses times that do not exist or are ambiguous."""
    first = datetime.combine(day, clock, tz).replace(fold=0)
    second = first.replace(fold=1)
    round_trip = first.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != first.replace(tzinfo=None):
        raise BookingError(
            f"{clock:%H:%M} on {day:%d %b %Y} does not exist in {tz.key}: the clocks go forward "
            "then. Choose another time.",
            "nonexistent-time",
        )
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise BookingError(
                f"{clock:%H:%M} on {day:%d %b %Y} happens twice in {tz.key} (the clocks go back). "
                "Choose another time, or say which one you mean.",
                "ambiguous-time",
            )
        first = first.replace(fold=fold)
    return first.astimezone(UTC)


@dataclass
class Calendar:
    """One practitioner's rules and bookings over a range, read in a fixed number of queries."""

    practitioner: Practitioner
    tz: ZoneInfo
    hours: dict[int, list[tuple[time, time]]]
    breaks: dict[int, list[tuple[time, time]]]
    off: list[tuple[date, date]]
    busy: list[tuple[datetime, datetime]]  # blocked intervals of active appointments, sorted

    @classmethod
    def load(
        cls, practitioner: Practitioner, start: datetime, end: datetime, exclude: int | None = None
    ) -> Calendar:
        hours: dict[int, list[tuple[time, time]]] = {}
        for h in WorkingHours.objects.filter(practitioner=practitioner):
            hours.setdefault(h.weekday, []).append((h.start, h.end))
        breaks: dict[int, list[tuple[time, time]]] = {}
        for b in Break.objects.filter(practitioner=practitioner):
            breaks.setdefault(b.weekday, []).append((b.start, b.end))
        off = list(
            TimeOff.objects.filter(
                Q(practitioner=practitioner)
                | Q(practitioner__isnull=True, clinic=practitioner.clinic_id)
            ).values_list("first_day", "last_day")
        )
        busy_qs = Appointment.objects.filter(
            practitioner=practitioner,
            status__in=ACTIVE,
            blocked_end__gt=start,
            blocked_start__lt=end,
        )
        if exclude:
            busy_qs = busy_qs.exclude(pk=exclude)
        busy = sorted(busy_qs.values_list("blocked_start", "blocked_end"))
        return cls(practitioner, clinic_tz(practitioner), hours, breaks, off, busy)

    def problem(self, start: datetime, kind: AppointmentType) -> BookingError | None:
        """Why `start` cannot hold this appointment (other than a clash), or None."""
        end = start + timedelta(minutes=kind.duration_min)
        ls, le = start.astimezone(self.tz), end.astimezone(self.tz)
        if any(a <= ls.date() <= b for a, b in self.off):
            return BookingError(f"The practitioner is not working on {ls:%A %d %b}.", "day-off")
        windows = self.hours.get(ls.weekday(), [])
        if ls.date() != le.date() or not any(a <= ls.time() and le.time() <= b for a, b in windows):
            hours = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in windows) or "no hours"
            return BookingError(
                f"That is outside working hours ({ls:%A}: {hours}).", "outside-hours"
            )
        if any(ls.time() < b and a < le.time() for a, b in self.breaks.get(ls.weekday(), [])):
            return BookingError("That overlaps the practitioner's break.", "break")
        return None

    def clashes(self, start: datetime, kind: AppointmentType) -> bool:
        lo = start - timedelta(minutes=kind.buffer_before_min)
        hi = start + timedelta(minutes=kind.duration_min + kind.buffer_after_min)
        i = bisect_left(self.busy, (lo,))
        # the interval before may still reach into ours
        for s, e in self.busy[max(i - 1, 0) :]:
            if s >= hi:
                break
            if e > lo and s < hi:
                return True
        return False

    def free(
        self, kind: AppointmentType, first_day: date, days: int, now: datetime
    ) -> list[datetime]:
        out = []
        for n in range(days):
            day = first_day + timedelta(days=n)
            for a, b in sorted(self.hours.get(day.weekday(), [])):
                t = datetime.combine(day, a)
                while (t + timedelta(minutes=kind.duration_min)).time() <= b and t.date() == day:
                    try:
                        start = local_instant(day, t.time(), self.tz)
                    except BookingError:
                        start = None  # skip a slot in a DST gap or overlap
                    if (
                        start
                        and start >= now + MIN_NOTICE
                        and not self.problem(start, kind)
                        and not self.clashes(start, kind)
                    ):
                        out.append(start)
                    t += STEP
        return out


def free_slots(
    practitioner: Practitioner, kind: AppointmentType, first_day: date, days: int, now: datetime
) -> list[datetime]:
    tz = clinic_tz(practitioner)
    lo = datetime.combine(first_day, time.min, tz)
    cal = Calendar.load(practitioner, lo, lo + timedelta(days=days + 1))
    return cal.free(kind, first_day, days, now)


def nearest_free(
    practitioner: Practitioner,
    kind: AppointmentType,
    wanted: datetime,
    now: datetime,
    count: int = 3,
) -> list[datetime]:
    tz = clinic_tz(practitioner)
    day = wanted.astimezone(tz).date()
    slots = free_slots(practitioner, kind, day - timedelta(days=3), 10, now)
    return sorted(slots, key=lambda s: abs(s - wanted))[:count]


def _check_parties(practitioner: Practitioner, patient: Patient, kind: AppointmentType) -> None:
    if kind.clinic_id != practitioner.clinic_id:
        raise BookingError("That appointment type belongs to another clinic.", "other-clinic")
    if patient.clinic_id is not None and patient.clinic_id != practitioner.clinic_id:
        raise BookingError("That practitioner works at another clinic.", "other-clinic")


def _lock(practitioner: Practitioner) -> None:
    if connection.vendor == "postgresql":
        Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
    # SQLite: the transaction began IMMEDIATE and already holds the write lock.


def book(
    practitioner: Practitioner,
    patient: Patient,
    kind: AppointmentType,
    start: datetime,
    *,
    now: datetime,
    user=None,
    idempotency_key: str | None = None,
    course: Course | None = None,
    end: datetime | None = None,
) -> Appointment:
    """Book one appointment, or raise BookingError / SlotTaken. Nothing half-written."""
    if start.tzinfo is None:
        raise BookingError("The start time must carry a time zone.", "naive-time")
    if end is not None and end - start != timedelta(minutes=kind.duration_min):
        raise BookingError(f"A {kind.name} lasts {kind.duration_min} minutes.", "wrong-duration")
    if start < now:
        raise BookingError("That time is in the past.", "past")
    _check_parties(practitioner, patient, kind)
    try:
        with transaction.atomic():
            appointment = _book_locked(
                practitioner, patient, kind, start, user, idempotency_key, course
            )
    except SlotTaken:
        raise SlotTaken(nearest_free(practitioner, kind, start, now)) from None
    return appointment


def _book_locked(
    practitioner, patient, kind, start, user, key, course, status: str = "booked"
) -> Appointment:
    _lock(practitioner)
    if key and user is not None:
        existing = Appointment.objects.filter(booked_by=user, idempotency_key=key).first()
        if existing:
            return existing  # a retried request books once
    end = start + timedelta(minutes=kind.duration_min)
    blocked = (
        start - timedelta(minutes=kind.buffer_before_min),
        end + timedelta(minutes=kind.buffer_after_min),
    )
    cal = Calendar.load(
        practitioner, blocked[0] - timedelta(days=1), blocked[1] + timedelta(days=1)
    )
    if (problem := cal.problem(start, kind)) is not None:
        raise problem
    if cal.clashes(start, kind):
        raise SlotTaken([])
    try:
        with transaction.atomic():  # savepoint: a constraint violation leaves the outer one usable
            return Appointment.objects.create(
                practitioner=practitioner,
                patient=patient,
                appointment_type=kind,
                start=start,
                end=end,
                blocked_start=blocked[0],
                blocked_end=blocked[1],
                course=course,
                booked_by=user,
                idempotency_key=key,
                status=status,
            )
    except IntegrityError:
        raise SlotTaken([]) from None


def plan_course(
    practitioner: Practitioner,
    kind: AppointmentType,
    first_day: date,
    clock: time,
    weeks: int,
    now: datetime,
) -> list[CourseProposal]:
    """Where each weekly session would go: the same local weekday and time, or the nearest
    free time in that week when it is taken (or does not exist that week)."""
    tz = clinic_tz(practitioner)
    lo = datetime.combine(first_day - timedelta(days=3), time.min, tz)
    cal = Calendar.load(practitioner, lo, lo + timedelta(weeks=weeks + 1))
    proposals = []
    taken: list[tuple[datetime, datetime]] = []
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        try:
            wanted = local_instant(day, clock, tz)
        except BookingError:
            wanted = None
        ok = (
            wanted is not None
            and wanted >= now
            and not cal.problem(wanted, kind)
            and not cal.clashes(wanted, kind)
        )
        if ok and not any(
            s < wanted + timedelta(minutes=kind.duration_min) and wanted < e for s, e in taken
        ):
            proposals.append(CourseProposal(week + 1, wanted, wanted))
        else:
            # nearest free time in the same week, preferring the same day
            candidates = cal.free(kind, day - timedelta(days=day.weekday()), 7, now)
            target = wanted or local_instant(day, time(12), tz)
            choice = min(
                candidates,
                key=lambda s: (s.astimezone(tz).date() != day, abs(s - target)),
                default=None,
            )
            note = (
                "the wanted time does not exist that week (clock change)"
                if wanted is None
                else "the wanted time is taken or outside hours"
            )
            proposals.append(CourseProposal(week + 1, wanted, choice, note))
        start = proposals[-1].start
        if start:
            taken.append((start, start + timedelta(minutes=kind.duration_min)))
            cal.busy = sorted(
                [
                    *cal.busy,
                    (
                        start - timedelta(minutes=kind.buffer_before_min),
                        start + timedelta(minutes=kind.duration_min + kind.buffer_after_min),
                    ),
                ]
            )
    return proposals


def book_course(
    practitioner: Practitioner,
    patient: Patient,
    kind: AppointmentType,
    first_day: date,
    clock: time,
    weeks: int,
    *,
    now: datetime,
    user=None,
    accept_alternatives: bool = False,
) -> Course:
    """Book every session at once, in one transaction, or none.

    With accept_alternatives False, any week whose wanted time is not free stops the whole
    course with the proposals; with True, those weeks take the proposed nearest time."""
    _check_parties(practitioner, patient, kind)
    if not 1 <= weeks <= 52:
        raise BookingError("A course runs for 1 to 52 weeks.", "bad-weeks")
    proposals = plan_course(practitioner, kind, first_day, clock, weeks, now)
    moved = [p for p in proposals if p.start != p.wanted]
    if any(p.start is None for p in proposals) or (moved and not accept_alternatives):
        raise CourseConflict(proposals)
    try:
        with transaction.atomic():
            course = Course.objects.create(
                patient=patient, practitioner=practitioner, appointment_type=kind, weeks=weeks
            )
            for p in proposals:
                _book_locked(practitioner, patient, kind, p.start, user, None, course)
    except SlotTaken:
        # someone took a slot between planning and booking: nothing is kept; plan again
        raise CourseConflict(
            plan_course(practitioner, kind, first_day, clock, weeks, now)
        ) from None
    return course


def cancel(appointment: Appointment, now: datetime | None = None) -> None:
    """Cancel, then offer the freed time to the waitlist."""
    from django.utils import timezone

    from anmian.web.booking import waitlist

    if Appointment.objects.filter(pk=appointment.pk, status="booked").update(status="cancelled"):
        waitlist.offer_freed(appointment, now or timezone.now())


def move(appointment: Appointment, start: datetime, *, now: datetime) -> Appointment:
    """Move one appointment (say, one session of a course) to a new start, leaving every other
    row alone; the freed time goes to the waitlist. Nothing changes if the new time is refused."""
    from anmian.web.booking import waitlist

    if start.tzinfo is None:
        raise BookingError("The start time must carry a time zone.", "naive-time")
    if start < now:
        raise BookingError("That time is in the past.", "past")
    if appointment.status != "booked":
        raise BookingError("Only a booked appointment can move.", "not-booked")
    kind = appointment.appointment_type
    old = Appointment(
        pk=appointment.pk,
        practitioner=appointment.practitioner,
        appointment_type=kind,
        start=appointment.start,
        end=appointment.end,
    )
    try:
        with transaction.atomic():
            _lock(appointment.practitioner)
            end = start + timedelta(minutes=kind.duration_min)
            blocked = (
                start - timedelta(minutes=kind.buffer_before_min),
                end + timedelta(minutes=kind.buffer_after_min),
            )
            cal = Calendar.load(
                appointment.practitioner,
                blocked[0] - timedelta(days=1),
                blocked[1] + timedelta(days=1),
                exclude=appointment.pk,
            )
            if (problem := cal.problem(start, kind)) is not None:
                raise problem
            if cal.clashes(start, kind):
                raise SlotTaken([])
            try:
                with transaction.atomic():
                    Appointment.objects.filter(pk=appointment.pk).update(
                        start=start,
                        end=end,
                        blocked_start=blocked[0],
                        blocked_end=blocked[1],
                        reminder_sent_at=None,
                    )
            except IntegrityError:
                raise SlotTaken([]) from None
    except SlotTaken:
        raise SlotTaken(nearest_free(appointment.practitioner, kind, start, now)) from None
    appointment.refresh_from_db()
    waitlist.offer_freed(old, now)
    return appointment
