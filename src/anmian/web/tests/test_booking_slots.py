"""The free-slot search: one sweep in UTC (slots.Calendar.free) finds exactly the slots the
earlier search did, which converted every candidate start to local time and checked it on its
own. That earlier search is kept here, word for word, as the oracle; hypothesis compares the two
over random calendars (DST changes in the clinic's zone, breaks, days off, bookings, buffers).
The hand-worked calendars below come from reading a diary page, not from either search."""

from __future__ import annotations

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


def oracle_free(cal: Calendar, kind, first_day: date, days: int, now: datetime) -> list[datetime]:
    """Calendar.free as it was before the sweep (commit d9fb389), kept as the reference."""
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
                    and not cal.clashes(start, kind)
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
        end = t + timedelta(minutes=draw(st.integers(5, 240)))
        busy.append((t, end))
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
        [(at(day, "09:30"), at(day, "10:15"))],
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
