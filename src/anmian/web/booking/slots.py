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

from bisect import bisect_left, insort
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import F

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
    # blocked intervals of active appointments, microseconds since the epoch (UTC), sorted:
    # the database gives them as integers, so no row becomes a datetime (see _epoch_us_sql)
    busy: list[tuple[int, int]]

    @classmethod
    def load(
        cls, practitioner: Practitioner, start: datetime, end: datetime, exclude: int | None = None
    ) -> Calendar:
        # Three hand-written queries: the ORM's building of four querysets and its converting
        # of every datetime cell cost more than the rows themselves.
        pk = practitioner.pk
        hours: dict[int, list[tuple[time, time]]] = {}
        breaks: dict[int, list[tuple[time, time]]] = {}
        for is_break, weekday, a, b in _fetch(_rules_sql(), [pk, pk]):
            (breaks if is_break else hours).setdefault(weekday, []).append((a, b))
        off = _fetch(_TIME_OFF_SQL, [pk, practitioner.clinic_id])
        adapt = connection.ops.adapt_datetimefield_value
        params = [pk, *ACTIVE, adapt(start), adapt(end)]
        if exclude:
            params.append(exclude)
        # sorted here: the model's ordering (by start) would make the database sort as well
        busy = sorted(_fetch(_busy_sql(exclude=bool(exclude)), params))
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
        lo, hi = (_us(t) for t in blocked_range(kind, start))
        busy = self.busy
        # the interval before may still reach into ours
        for k in range(max(bisect_left(busy, (lo,)) - 1, 0), len(busy)):
            s, e = busy[k]
            if s >= hi:
                break
            if e > lo and s < hi:
                return True
        return False

    def take(self, start: datetime, kind: AppointmentType) -> None:
        """Count `start` as busy from now on (a course planning its later weeks)."""
        lo, hi = blocked_range(kind, start)
        insort(self.busy, (_us(lo), _us(hi)))

    def free(
        self, kind: AppointmentType, first_day: date, days: int, now: datetime
    ) -> list[datetime]:
        """The free starts of `days` days from `first_day`, every STEP within working hours.

        One sweep: the busy intervals (integer microseconds since the epoch, UTC) with the
        latest end so far beside each start, so a clash is one bisection, and a clash skips
        every later start that the same booking still blocks (a full day costs a few steps,
        not one per quarter hour). Wall-clock arithmetic is exact on a day whose UTC offset
        stays the same from its midnight to the one after next (a slot may end the next day):
        local time is minutes past a midnight and UTC is that less the offset. Only a day
        where the offset changes (a DST change) converts each start through `local_instant`,
        as every day once did."""
        dur = kind.duration_min * _MINUTE
        lo_pad, hi_pad = kind.buffer_before_min * _MINUTE, dur + kind.buffer_after_min * _MINUTE
        starts = [s for s, _ in self.busy]
        reach: list[int] = []
        latest = -(1 << 62)
        for _, e in self.busy:  # sorted by start; the latest end so far covers nested ones
            latest = max(latest, e)
            reach.append(latest)
        earliest = _us(now + MIN_NOTICE)
        tz = self.tz
        out: list[datetime] = []
        windows = {wd: sorted(w) for wd, w in self.hours.items() if w}
        plans: dict[int, list[list[int]]] = {}  # weekday: its clock starts, window by window
        day = first_day
        offsets = [_offsets(day + k * _ONE_DAY, tz) for k in range(3)]
        for _ in range(days):
            weekday = day.weekday()
            if weekday not in windows:
                pass  # not a working day
            elif dur > _DAY or len(set(offsets[0] + offsets[1] + offsets[2])) != 1:
                out += self._free_slowly(kind, day, windows[weekday], now)
            elif not any(a <= day <= b for a, b in self.off):
                if (plan := plans.get(weekday)) is None:
                    plan = plans[weekday] = self._clock_starts(weekday, dur)
                midnight = (day - _EPOCH_DAY).days * _DAY - _offset_us(offsets[0][0])  # UTC
                for run in plan:
                    out += _free_in_run(run, midnight, earliest, starts, reach, lo_pad, hi_pad)
            day += _ONE_DAY
            offsets = [offsets[1], offsets[2], _offsets(day + 2 * _ONE_DAY, tz)]
        return out

    def _clock_starts(self, weekday: int, dur: int) -> list[list[int]]:
        """A weekday's starts (microseconds past local midnight) that fit its working hours and
        miss its breaks, one ascending run per window, in the order the windows give them:
        what `problem` allows on a day whose offset does not change."""
        spans = [(_clock_us(a), _clock_us(b)) for a, b in sorted(self.hours.get(weekday, []))]
        pauses = [(_clock_us(a), _clock_us(b)) for a, b in self.breaks.get(weekday, [])]
        step = STEP // timedelta(microseconds=1)
        runs = []
        for a, b in spans:
            run = []
            t = a
            # the bounds of the loop over wall-clock times: its end's clock time within the
            # window (an end past midnight wraps round, as a time of day does), a start today.
            # A start it keeps that ends the same day lies within this window, so `problem`'s
            # test of the hours holds without looking at the others.
            while (t + dur) % _DAY <= b and t < _DAY:
                end = t + dur
                if end < _DAY and not any(t < pb and pa < end for pa, pb in pauses):
                    run.append(t)
                t += step
            runs.append(run)
        return runs

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
_ONE_DAY = timedelta(days=1)


def _us(instant: datetime) -> int:
    """Microseconds since the epoch, exactly (no float)."""
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _free_in_run(
    run: list[int],
    midnight: int,
    earliest: int,
    starts: list[int],
    reach: list[int],
    lo_pad: int,
    hi_pad: int,
) -> list[datetime]:
    """The free starts among one window's ascending clock starts (past `midnight`, UTC).
    A start clashes when a booking beginning before its blocked end (`starts`, bisected)
    ends after its blocked start; the latest such end (`reach`) blocks every start up to
    it less the buffer before, so the search bisects past those instead of trying each."""
    out = []
    k, n = bisect_left(run, earliest - midnight), len(run)
    while k < n:
        start = midnight + run[k]
        i = bisect_left(starts, start + hi_pad)
        if i and reach[i - 1] > start - lo_pad:
            k = bisect_left(run, reach[i - 1] + lo_pad - midnight, k + 1)
        else:
            out.append(_EPOCH + timedelta(microseconds=start))
            k += 1
    return out


def _clock_us(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 + clock.microsecond


def _offsets(day: date, tz: ZoneInfo) -> tuple[timedelta | None, timedelta | None]:
    """The UTC offset at local midnight of `day`, read both ways a repeated or skipped
    midnight could be: equal when no change falls there. (A naive datetime built from its
    fields: half the time of combine() and replace() on every day of the sweep.)"""
    y, m, d = day.year, day.month, day.day
    return tz.utcoffset(datetime(y, m, d)), tz.utcoffset(datetime(y, m, d, fold=1))


def _offset_us(offset: timedelta | None) -> int:
    return (offset or timedelta()) // timedelta(microseconds=1)


# --- the calendar's queries, written by hand (Calendar.load) ---

# A datetime column as integer microseconds since the epoch, in SQL. SQLite keeps Django's
# datetimes as UTC text, "YYYY-MM-DD HH:MM:SS" with ".ffffff" when there are microseconds:
# strftime gives the seconds of the first 19 characters (given the fraction it would round
# to milliseconds first: 00:44:59.999999 became 00:45:00), and the fraction's digits padded
# to six give the rest. PostgreSQL's epoch of a timestamptz is exact numeric, whatever the
# session's zone. DATABASE_URL takes only these two (envconfig).
_EPOCH_US_SQL = {
    "sqlite": "(CAST(strftime('%%s', substr({c}, 1, 19)) AS INTEGER) * 1000000"
    " + CAST(substr({c} || '000000', 21, 6) AS INTEGER))",
    "postgresql": "CAST(EXTRACT(EPOCH FROM {c}) * 1000000 AS BIGINT)",
}
# the practitioner's days off and the whole clinic's
_TIME_OFF_SQL = (
    f"SELECT first_day, last_day FROM {TimeOff._meta.db_table}"
    " WHERE practitioner_id = %s OR (practitioner_id IS NULL AND clinic_id = %s)"
)


def _rules_sql() -> str:
    """Working hours (0) and breaks (1) in one query: both are (weekday, time, time), and the
    union keeps the time columns' type on both databases (SQLite's from the first SELECT)."""
    end = connection.ops.quote_name("end")
    return " UNION ALL ".join(
        f"SELECT {n}, weekday, start, {end} FROM {m._meta.db_table} WHERE practitioner_id = %s"
        for n, m in enumerate([WorkingHours, Break])
    )


def _busy_sql(exclude: bool) -> str:
    """Active appointments' blocked intervals overlapping [%s, %s), as integers."""
    as_us = _EPOCH_US_SQL[connection.vendor]
    return (
        f"SELECT {as_us.format(c='blocked_start')}, {as_us.format(c='blocked_end')}"
        f" FROM {Appointment._meta.db_table}"
        f" WHERE practitioner_id = %s AND status IN ({', '.join(['%s'] * len(ACTIVE))})"
        " AND blocked_end > %s AND blocked_start < %s" + (" AND id <> %s" if exclude else "")
    )


def _fetch(sql: str, params: list) -> list:
    # the database's own types: time and date columns come back as time and date on both
    # (Django's SQLite connection converts by declared type), the integer expressions as int
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
