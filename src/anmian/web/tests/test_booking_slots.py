"""The free-slot search: one sweep in UTC (slots.Calendar.free) finds exactly the slots the
earlier search did, which converted every candidate start to local time and checked it on its
own. That earlier search is kept here, word for word, as the oracle; hypothesis compares the two
over random calendars (DST changes in the clinic's zone, breaks, days off, bookings, buffers).
The hand-worked calendars below come from reading a diary page, not from either search.
The calendar holds its bookings as integer microseconds since the epoch, which the database
works out in SQL; the tests at the end check those integers against Python's own epoch
arithmetic for rows that cross midnight and a DST change, with and without microseconds."""

from __future__ import annotations

import calendar
from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anmian.web.booking import services
from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import Appointment, AppointmentType, Break, TimeOff, WorkingHours
from anmian.web.booking.slots import MIN_NOTICE, STEP, Calendar, local_instant

LONDON = ZoneInfo("Europe/London")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(instant: datetime) -> int:
    """Microseconds since the epoch by the time module's arithmetic, not the calendar's."""
    return calendar.timegm(instant.utctimetuple()) * 1_000_000 + instant.microsecond


def as_datetimes(busy: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [(EPOCH + timedelta(microseconds=s), EPOCH + timedelta(microseconds=e)) for s, e in busy]


def oracle_clashes(busy: list[tuple[datetime, datetime]], start: datetime, kind) -> bool:
    """Calendar.clashes as it was when the calendar held its bookings as datetimes."""
    lo, hi = (
        start - timedelta(minutes=kind.buffer_before_min),
        start + timedelta(minutes=kind.duration_min + kind.buffer_after_min),
    )
    i = bisect_left(busy, (lo,))
    for s, e in busy[max(i - 1, 0) :]:
        if s >= hi:
            break
        if e > lo and s < hi:
            return True
    return False


def oracle_free(cal: Calendar, kind, first_day: date, days: int, now: datetime) -> list[datetime]:
    """Calendar.free as it was before the sweep (commit d9fb389), kept as the reference; only
    its clash test is the datetime one above, so the oracle does not lean on the new code."""
    busy = as_datetimes(cal.busy)
    out = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        for a, b in sorted(cal.hours.get(day.weekday(), [])):
            t = datetime.combine(day, a)
            while (t + timedelta(minutes=kind.duration_min)).time() <= b and t.date() == day:
                try:
                    start = local_instant(day, t.time(), cal.tz)
                except BookingError:
                    start = None
                if (
                    start
                    and start >= now + MIN_NOTICE
                    and not cal.problem(start, kind)
                    and not oracle_clashes(busy, start, kind)
                ):
                    out.append(start)
                t += STEP
    return out


# Zones with DST changes at 01:00 UTC (London), 02:00 local (New York), at local midnight
# (Santiago, whose clocks change at 24:00), in the southern hemisphere (Sydney), and none.
ZONES = ["Europe/London", "America/New_York", "America/Santiago", "Australia/Sydney", "Asia/Tokyo"]
# Days a few before a change in each zone (2026), so most searches cross one.
CHANGES = [date(2026, 3, 26), date(2026, 10, 22), date(2026, 3, 5), date(2026, 10, 29),
           date(2026, 4, 2), date(2026, 9, 3)]  # fmt: skip

clocks = st.builds(
    time,
    st.integers(0, 23),
    st.sampled_from([0, 5, 15, 30, 45, 59]),
)


@st.composite
def spans(draw, most: int) -> list[tuple[time, time]]:
    out = []
    for _ in range(draw(st.integers(0, most))):
        a, b = draw(clocks), draw(clocks)
        if a < b:
            out.append((a, b))
    return out


@st.composite
def calendars(draw):
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    first_day = draw(st.sampled_from(CHANGES)) + timedelta(days=draw(st.integers(0, 6)))
    days = draw(st.integers(1, 10))
    hours = {wd: w for wd in range(7) if (w := draw(spans(2)))}
    breaks = {wd: w for wd in range(7) if (w := draw(spans(1)))}
    off = []
    for _ in range(draw(st.integers(0, 2))):
        a = first_day + timedelta(days=draw(st.integers(-2, 10)))
        off.append((a, a + timedelta(days=draw(st.integers(0, 2)))))
    # bookings never overlap (PostgreSQL's exclusion constraint, SQLite's locked re-check)
    busy = []
    t = datetime.combine(first_day, time(0), UTC) - timedelta(hours=draw(st.integers(0, 30)))
    for _ in range(draw(st.integers(0, 25))):
        t += timedelta(minutes=draw(st.integers(0, 600)))
        # now and then a microsecond over the minute: a clash decided by one microsecond
        end = t + timedelta(
            minutes=draw(st.integers(5, 240)), microseconds=draw(st.sampled_from([0, 0, 0, 1]))
        )
        busy.append((us(t), us(end)))
        t = end
    kind = AppointmentType(
        duration_min=draw(st.sampled_from([10, 15, 30, 45, 60, 90, 150])),
        buffer_before_min=draw(st.sampled_from([0, 0, 5, 15])),
        buffer_after_min=draw(st.sampled_from([0, 10, 15])),
    )
    now = datetime.combine(first_day, time(0), UTC) + timedelta(
        minutes=draw(st.integers(-3000, 6000))
    )
    cal = Calendar(None, tz, hours, breaks, off, busy)  # type: ignore[arg-type]
    return cal, kind, first_day, days, now


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_the_sweep_finds_the_same_slots_as_the_search_it_replaced(case):
    cal, kind, first_day, days, now = case
    assert cal.free(kind, first_day, days, now) == oracle_free(cal, kind, first_day, days, now)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), st.data())
def test_a_clash_is_the_same_in_microseconds_as_in_datetimes(case, data):
    """Calendar.clashes (the booking writes' re-check) against the datetime version, at
    random starts and at starts whose blocked range touches a booking's end or start, to
    the microsecond either side."""
    cal, kind, first_day, _, _ = case
    start = datetime.combine(first_day, time(0), UTC) + timedelta(
        minutes=data.draw(st.integers(-2000, 16000))
    )
    if cal.busy and data.draw(st.booleans()):
        s, e = data.draw(st.sampled_from(cal.busy))
        edge = data.draw(
            st.sampled_from(
                [e + kind.buffer_before_min * 60_000_000,
                 s - (kind.duration_min + kind.buffer_after_min) * 60_000_000]
            )
        )  # fmt: skip
        start = EPOCH + timedelta(microseconds=edge + data.draw(st.sampled_from([-1, 0, 1])))
    assert cal.clashes(start, kind) == oracle_clashes(as_datetimes(cal.busy), start, kind)


def test_the_comparison_can_fail():
    """The oracle is not the sweep under another name: a calendar the two must agree on gives
    a different answer once the sweep's input is changed (a booking it cannot see)."""
    day = date(2026, 3, 2)
    kind = AppointmentType(duration_min=30, buffer_before_min=0, buffer_after_min=0)
    cal = Calendar(None, LONDON, {0: [(time(9), time(10))]}, {}, [], [])  # type: ignore[arg-type]
    now = datetime(2026, 3, 1, tzinfo=UTC)
    before = oracle_free(cal, kind, day, 1, now)
    cal.take(at(day, "09:00"), kind)
    assert cal.free(kind, day, 1, now) != before


def at(day: date, clock: str, tz: ZoneInfo = LONDON) -> datetime:
    return local_instant(day, time.fromisoformat(clock), tz)


def local(slots: list[datetime], tz: ZoneInfo = LONDON) -> list[str]:
    return [s.astimezone(tz).strftime("%a %H:%M") for s in slots]


# --- calendars worked by hand ---


def test_a_morning_with_a_booking_a_buffer_and_a_break():
    """Monday 2 March 2026 (London, GMT): hours 9:00-12:00, break 10:30-11:00; a 30-minute
    visit keeps 15 minutes after it; one visit booked at 9:30 (busy 9:30-10:15).
    9:00 and 9:15 would run into the booking with their buffer (9:00-9:45, 9:15-10:00);
    9:30, 9:45 and 10:00 overlap it; 10:15 (to 10:45), 10:30 and 10:45 overlap the break;
    11:00, 11:15 and 11:30 are free; 11:45 would end at 12:15, after hours."""
    day = date(2026, 3, 2)
    kind = AppointmentType(duration_min=30, buffer_before_min=0, buffer_after_min=15)
    cal = Calendar(
        None,  # type: ignore[arg-type]
        LONDON,
        {0: [(time(9), time(12))]},
        {0: [(time(10, 30), time(11))]},
        [],
        [(us(at(day, "09:30")), us(at(day, "10:15")))],
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert local(cal.free(kind, day, 1, now)) == ["Mon 11:00", "Mon 11:15", "Mon 11:30"]


def test_the_night_the_clocks_go_forward():
    """Sunday 29 March 2026, London: at 01:00 GMT the clocks go to 02:00 BST, so 01:00-01:59
    does not exist. Hours 00:30-03:30, 30-minute visits, no buffers: 00:30 and 00:45 (which
    ends at 02:15 BST, half an hour later by the clock on the wall of an hour's gap), then
    02:00 to 03:00 every quarter hour; 03:15 would end at 03:45, after hours."""
    day = date(2026, 3, 29)
    kind = AppointmentType(duration_min=30, buffer_before_min=0, buffer_after_min=0)
    cal = Calendar(None, LONDON, {6: [(time(0, 30), time(3, 30))]}, {}, [], [])  # type: ignore[arg-type]
    slots = cal.free(kind, day, 1, datetime(2026, 3, 1, tzinfo=UTC))
    assert local(slots) == [
        "Sun 00:30", "Sun 00:45", "Sun 02:00", "Sun 02:15", "Sun 02:30", "Sun 02:45", "Sun 03:00"
    ]  # fmt: skip
    assert [s.strftime("%H:%M") for s in slots[:3]] == ["00:30", "00:45", "01:00"]  # UTC


def test_the_night_the_clocks_go_back():
    """Sunday 25 October 2026, London: 01:00-01:59 happens twice (BST, then GMT). A start in
    that hour is ambiguous and is not offered (the booking form asks which one is meant).
    Hours 00:00-03:00, 60-minute visits: 00:00 to 00:45 (the last ends at 01:45 BST, the
    first time the clock shows it), not 01:00 to 01:45, then 02:00 (ends 03:00 GMT); 02:15
    would end at 03:15, after hours."""
    day = date(2026, 10, 25)
    kind = AppointmentType(duration_min=60, buffer_before_min=0, buffer_after_min=0)
    cal = Calendar(None, LONDON, {6: [(time(0), time(3))]}, {}, [], [])  # type: ignore[arg-type]
    slots = cal.free(kind, day, 1, datetime(2026, 10, 1, tzinfo=UTC))
    assert local(slots) == ["Sun 00:00", "Sun 00:15", "Sun 00:30", "Sun 00:45", "Sun 02:00"]


@pytest.mark.django_db
def test_eight_weeks_from_the_database_keep_the_holiday_and_the_dst_change(bob, alice, clinic):
    """Through free_slots and its queries: Mondays 9:00-10:00, one-hour visits, for eight
    Mondays from 2 March 2026. The clinic is closed on 16 March; 23 March is booked at 9:00.
    That leaves six Mondays at 9:00 local, which is 9:00 UTC before 29 March, 8:00 after."""
    WorkingHours.objects.create(practitioner=bob, weekday=0, start=time(9), end=time(10))
    Break.objects.create(practitioner=bob, weekday=1, start=time(9), end=time(10))  # not Monday
    TimeOff.objects.create(clinic=clinic, first_day=date(2026, 3, 16), last_day=date(2026, 3, 16))
    kind = AppointmentType.objects.create(clinic=clinic, name="Visit", duration_min=60)
    start = at(date(2026, 3, 23), "09:00")
    Appointment.objects.create(
        practitioner=bob,
        patient=alice,
        appointment_type=kind,
        start=start,
        end=start + timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + timedelta(hours=1),
    )
    slots = services.free_slots(bob, kind, date(2026, 3, 2), 56, datetime(2026, 3, 1, tzinfo=UTC))
    assert [s.strftime("%d %b %H:%M") for s in slots] == [
        "02 Mar 09:00", "09 Mar 09:00", "30 Mar 08:00", "06 Apr 08:00", "13 Apr 08:00",
        "20 Apr 08:00",
    ]  # fmt: skip


# --- the busy rows as the database gives them: integers worked out in SQL ---


def booked(practitioner, patient, kind, blocked_start: datetime, blocked_end: datetime, **kw):
    return Appointment.objects.create(
        practitioner=practitioner,
        patient=patient,
        appointment_type=kind,
        start=blocked_start,
        end=blocked_end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        **kw,
    )


@pytest.mark.django_db
def test_busy_rows_come_back_as_the_microseconds_python_counts(bob, alice, clinic):
    """Rows across midnight and across the spring change (Sunday 29 March 2026, London), with
    and without microseconds, read back by Calendar.load as integers equal to Python's epoch
    arithmetic; a cancelled row, the row excluded and rows outside the range are left out."""
    kind = AppointmentType.objects.create(clinic=clinic, name="Visit", duration_min=30)
    rows = [
        # Saturday 23:45 GMT to Sunday 00:15:00.000001, across midnight
        (datetime(2026, 3, 28, 23, 45, tzinfo=UTC), datetime(2026, 3, 29, 0, 15, 0, 1, UTC)),
        # 00:44:59.999999 GMT to 02:15 BST, across the change
        (datetime(2026, 3, 29, 0, 44, 59, 999_999, UTC), datetime(2026, 3, 29, 1, 15, tzinfo=UTC)),
        # a fraction with trailing zeros (Django writes ".120000")
        (datetime(2026, 3, 29, 9, 0, 0, 120_000, UTC), datetime(2026, 3, 29, 9, 30, tzinfo=UTC)),
    ]
    for s, e in rows:
        booked(bob, alice, kind, s, e)
    moved = booked(bob, alice, kind, *(t + timedelta(hours=3) for t in rows[2]))
    booked(bob, alice, kind, *(t + timedelta(hours=5) for t in rows[2]), status="cancelled")
    booked(bob, alice, kind, *(t + timedelta(days=3) for t in rows[2]))  # after the range
    cal = Calendar.load(
        bob,
        datetime(2026, 3, 28, 12, tzinfo=UTC),
        datetime(2026, 3, 30, tzinfo=UTC),
        exclude=moved.pk,
    )
    assert cal.busy == [(us(s), us(e)) for s, e in rows]
    assert cal.busy[0] == (1_774_741_500_000_000, 1_774_743_300_000_001)  # date +%s, by hand
    assert all(type(n) is int for pair in cal.busy for n in pair)
    whole = Calendar.load(
        bob, datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)
    )
    assert len(whole.busy) == 4  # the moved row is back when nothing is excluded


@pytest.mark.django_db
def test_bookings_across_midnight_and_the_change_block_to_the_microsecond(bob, alice, clinic):
    """Sundays 00:00-04:00 London with a break 03:00-03:15, 30-minute visits, no buffers,
    from 15 March 2026, which bob has off.
    22 March (GMT all night): a booking from Saturday 23:45 to 00:15:00.000001 blocks 00:00
    and, by one microsecond, 00:15; 00:30 to 03:30 are free every quarter hour but for 02:45
    and 03:00, which run into the break (03:45 would end after 4).
    29 March (the clocks go from 01:00 GMT to 02:00 BST): a booking from Saturday 23:45 to
    00:15 GMT blocks 00:00; 00:15 is free; one from 00:45 GMT to 01:15 UTC (02:15 BST) blocks
    00:30, 00:45 and 02:00 BST; 01:00-01:59 does not exist; 02:15 to 03:30 BST are free but
    for 02:45 and 03:00 (the break)."""
    WorkingHours.objects.create(practitioner=bob, weekday=6, start=time(0), end=time(4))
    Break.objects.create(practitioner=bob, weekday=6, start=time(3), end=time(3, 15))
    TimeOff.objects.create(
        clinic=clinic, practitioner=bob, first_day=date(2026, 3, 15), last_day=date(2026, 3, 15)
    )
    kind = AppointmentType.objects.create(clinic=clinic, name="Visit", duration_min=30)
    booked(bob, alice, kind, datetime(2026, 3, 21, 23, 45, tzinfo=UTC),
           datetime(2026, 3, 22, 0, 15, 0, 1, UTC))  # fmt: skip
    booked(bob, alice, kind, datetime(2026, 3, 28, 23, 45, tzinfo=UTC),
           datetime(2026, 3, 29, 0, 15, tzinfo=UTC))  # fmt: skip
    booked(bob, alice, kind, datetime(2026, 3, 29, 0, 45, tzinfo=UTC),
           datetime(2026, 3, 29, 1, 15, tzinfo=UTC))  # fmt: skip
    now = datetime(2026, 3, 1, tzinfo=UTC)
    slots = services.free_slots(bob, kind, date(2026, 3, 15), 15, now)
    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in slots] == [
        "22 00:30", "22 00:45", "22 01:00", "22 01:15", "22 01:30", "22 01:45", "22 02:00",
        "22 02:15", "22 02:30", "22 03:15", "22 03:30",
        "29 00:15", "29 02:15", "29 02:30", "29 03:15", "29 03:30",
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_busy_query_reads_from_the_window_on_not_the_whole_history():
    """A clinic's past bookings grow every week: the busy query of a search must find a
    practitioner's bookings by their end (those ending after the window starts), not walk
    every past one by its start. SQLite's plan names the index it searches."""
    from django.db import connection

    from anmian.web.booking.models import ACTIVE
    from anmian.web.booking.slots import _busy_sql

    if connection.vendor != "sqlite":
        pytest.skip("the plan of a small PostgreSQL table is a sequential scan whatever the index")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN " + _busy_sql(False),
            [1, *ACTIVE, "2026-01-01 00:00:00", "2026-03-01 00:00:00"],
        )
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "practitioner_id=? AND blocked_end>?" in plan, plan
