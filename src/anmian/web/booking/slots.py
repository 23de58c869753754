"""The booking primitive: a practitioner's calendar, local wall-clock instants, and the writes
that put an appointment on the calendar under a lock. The booking service and the waitlist
both build on this module; it knows nothing of who is asking (that is services.py's job).

Why it holds under concurrency:
- PostgreSQL: every write locks the practitioner's row (SELECT ... FOR UPDATE), so bookings
  for one practitioner queue; and the exclusion constraint (migration 0002) refuses any
  overlapping active row whatever path wrote it.
- SQLite: every transaction begins IMMEDIATE (settings), taking the database write lock
  before the re-check, so the check and the write cannot interleave with another writer.

Times: the clinic's time zone rules. A local time that does not exist (the spring gap) or
exists twice (the autumn overlap) is refused with a message, never guessed.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q

from anmian.web.booking.errors import BookingError, SlotTaken
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


def blocked_range(kind: AppointmentType, start: datetime) -> tuple[datetime, datetime]:
    """What an appointment of this type keeps busy: its time with the buffers either side."""
    return (
        start - timedelta(minutes=kind.buffer_before_min),
        start + timedelta(minutes=kind.duration_min + kind.buffer_after_min),
    )


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
        # sorted here: the model's ordering (by start) would make the database sort as well
        busy = sorted(busy_qs.order_by().values_list("blocked_start", "blocked_end"))
        return cls(practitioner, clinic_tz(practitioner), hours, breaks, off, busy)

    @classmethod
    def around(
        cls, practitioner: Practitioner, kind: AppointmentType, start: datetime, exclude=None
    ) -> Calendar:
        lo, hi = blocked_range(kind, start)
        return cls.load(practitioner, lo - timedelta(days=1), hi + timedelta(days=1), exclude)

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
        lo, hi = blocked_range(kind, start)
        i = bisect_left(self.busy, (lo,))
        # the interval before may still reach into ours
        for s, e in self.busy[max(i - 1, 0) :]:
            if s >= hi:
                break
            if e > lo and s < hi:
                return True
        return False

    def take(self, start: datetime, kind: AppointmentType) -> None:
        """Count `start` as busy from now on (a course planning its later weeks)."""
        self.busy = sorted([*self.busy, blocked_range(kind, start)])

    def free(
        self, kind: AppointmentType, first_day: date, days: int, now: datetime
    ) -> list[datetime]:
        """The free starts of `days` days from `first_day`, every STEP within working hours.

        One sweep: the busy intervals become integer microseconds since the epoch (UTC), with
        the latest end so far beside each start, so a clash is one bisection. Wall-clock
        arithmetic is exact on a day whose UTC offset stays the same from its midnight to the
        one after next (a slot may end the next day): local time is minutes past a midnight
        and UTC is that less the offset. Only a day where the offset changes (a DST change)
        converts each start through `local_instant`, as every day once did."""
        dur = kind.duration_min * _MINUTE
        lo_pad, hi_pad = kind.buffer_before_min * _MINUTE, dur + kind.buffer_after_min * _MINUTE
        starts = [_us(s) for s, _ in self.busy]
        reach: list[int] = []
        latest = -(1 << 62)
        for _, e in self.busy:  # sorted by start; the latest end so far covers nested ones
            latest = max(latest, _us(e))
            reach.append(latest)
        earliest = _us(now + MIN_NOTICE)
        tz = self.tz
        out: list[datetime] = []
        plans: dict[int, list[int]] = {}  # weekday: its clock starts within hours, off breaks
        day = first_day
        offsets = [_offsets(day + timedelta(days=k), tz) for k in range(3)]
        for _ in range(days):
            windows = sorted(self.hours.get(day.weekday(), []))
            if not windows:
                pass  # not a working day
            elif dur > _DAY or len(set(offsets[0] + offsets[1] + offsets[2])) != 1:
                out += self._free_slowly(kind, day, windows, now)
            elif not any(a <= day <= b for a, b in self.off):
                if (plan := plans.get(day.weekday())) is None:
                    plan = plans[day.weekday()] = self._clock_starts(day.weekday(), dur)
                midnight = (day - _EPOCH_DAY).days * _DAY - offsets[0][0]  # in UTC
                for t in plan:
                    start = midnight + t
                    if start >= earliest:
                        i = bisect_left(starts, start + hi_pad)
                        if not (i and reach[i - 1] > start - lo_pad):
                            out.append(_EPOCH + timedelta(microseconds=start))
            day += timedelta(days=1)
            offsets = [offsets[1], offsets[2], _offsets(day + timedelta(days=2), tz)]
        return out

    def _clock_starts(self, weekday: int, dur: int) -> list[int]:
        """A weekday's starts (microseconds past local midnight) that fit its working hours and
        miss its breaks, in the order the windows give them: what `problem` allows on a day
        whose offset does not change."""
        spans = [(_clock_us(a), _clock_us(b)) for a, b in sorted(self.hours.get(weekday, []))]
        pauses = [(_clock_us(a), _clock_us(b)) for a, b in self.breaks.get(weekday, [])]
        step = STEP // timedelta(microseconds=1)
        out = []
        for a, b in spans:
            t = a
            # the bounds of the loop over wall-clock times: its end's clock time within the
            # window (an end past midnight wraps round, as a time of day does), a start today
            while (t + dur) % _DAY <= b and t < _DAY:
                end = t + dur
                if (
                    end < _DAY  # ends the same local day
                    and any(wa <= t and end <= wb for wa, wb in spans)
                    and not any(t < pb and pa < end for pa, pb in pauses)
                ):
                    out.append(t)
                t += step
        return out

    def _free_slowly(
        self,
        kind: AppointmentType,
        day: date,
        windows: list[tuple[time, time]],
        now: datetime,
    ) -> list[datetime]:
        """One day's free starts, each converted and checked on its own (a DST change)."""
        out = []
        for a, b in windows:
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


_MINUTE = 60_000_000  # microseconds
_DAY = 24 * 60 * _MINUTE
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = date(1970, 1, 1)


def _us(instant: datetime) -> int:
    """Microseconds since the epoch, exactly (no float)."""
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _clock_us(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


def _offsets(day: date, tz: ZoneInfo) -> tuple[int, int]:
    """The UTC offset (microseconds) at local midnight of `day`, read both ways a repeated or
    skipped midnight could be: equal when no change falls there."""
    midnight = datetime.combine(day, time.min)
    return (
        _offset_us(tz.utcoffset(midnight.replace(fold=0))),
        _offset_us(tz.utcoffset(midnight.replace(fold=1))),
    )


def _offset_us(offset: timedelta | None) -> int:
    return (offset or timedelta()) // timedelta(microseconds=1)


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
    day = wanted.astimezone(clinic_tz(practitioner)).date()
    slots = free_slots(practitioner, kind, day - timedelta(days=3), 10, now)
    return sorted(slots, key=lambda s: abs(s - wanted))[:count]


def lock(practitioner: Practitioner) -> None:
    """Queue writers of one practitioner's calendar; call inside transaction.atomic()."""
    if connection.vendor == "postgresql":
        Practitioner.objects.select_for_update().filter(pk=practitioner.pk).first()
    # SQLite: the transaction began IMMEDIATE and already holds the write lock.


def lock_patient(patient: Patient) -> None:
    """Queue one patient's bookings, so a per-patient cap holds across practitioners.
    Taken before the practitioner's lock on every path, so two writers cannot deadlock."""
    if connection.vendor == "postgresql":
        Patient.objects.select_for_update().filter(pk=patient.pk).first()


def reserve(
    practitioner: Practitioner,
    patient: Patient,
    kind: AppointmentType,
    start: datetime,
    *,
    status: str = "booked",
    user=None,
    key: str | None = None,
    course: Course | None = None,
) -> Appointment:
    """Insert one appointment after re-checking the calendar under the lock.
    Call inside transaction.atomic(); raises the calendar's BookingError, or SlotTaken([])."""
    lock(practitioner)
    cal = Calendar.around(practitioner, kind, start)
    if (problem := cal.problem(start, kind)) is not None:
        raise problem
    if cal.clashes(start, kind):
        raise SlotTaken([])
    blocked = blocked_range(kind, start)
    try:
        with transaction.atomic():  # savepoint: a constraint violation leaves the outer one usable
            return Appointment.objects.create(
                practitioner=practitioner,
                patient=patient,
                appointment_type=kind,
                start=start,
                end=start + timedelta(minutes=kind.duration_min),
                blocked_start=blocked[0],
                blocked_end=blocked[1],
                course=course,
                booked_by=user,
                idempotency_key=key,
                status=status,
            )
    except IntegrityError:
        raise SlotTaken([]) from None


def reschedule(appointment: Appointment, start: datetime) -> None:
    """Move an appointment's row to `start` after the same re-check, ignoring its own time.
    Call inside transaction.atomic(); raises BookingError or SlotTaken([])."""
    kind = appointment.appointment_type
    lock(appointment.practitioner)
    cal = Calendar.around(appointment.practitioner, kind, start, exclude=appointment.pk)
    if (problem := cal.problem(start, kind)) is not None:
        raise problem
    if cal.clashes(start, kind):
        raise SlotTaken([])
    blocked = blocked_range(kind, start)
    _update(
        appointment,
        start=start,
        end=start + timedelta(minutes=kind.duration_min),
        blocked_start=blocked[0],
        blocked_end=blocked[1],
        reminder_sent_at=None,
    )


def reactivate(appointment: Appointment, status: str) -> None:
    """Give an inactive appointment (a no-show) an active status again, only while its time is
    still free: someone may have been booked into it since. Call inside transaction.atomic()."""
    lock(appointment.practitioner)
    cal = Calendar.around(
        appointment.practitioner, appointment.appointment_type, appointment.start, appointment.pk
    )
    if cal.clashes(appointment.start, appointment.appointment_type):
        raise SlotTaken([])
    _update(appointment, status=status)


def _update(appointment: Appointment, **fields) -> None:
    try:
        with transaction.atomic():
            Appointment.objects.filter(pk=appointment.pk).update(
                **fields, sequence=F("sequence") + 1
            )
    except IntegrityError:
        raise SlotTaken([]) from None
