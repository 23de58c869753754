"""Planning a course: the same local weekday and time every week, or, for a week where that
time is taken or does not exist (a clock change), the nearest free time in that week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from anmian.web.booking.errors import BookingError, CourseProposal
from anmian.web.booking.models import AppointmentType
from anmian.web.booking.slots import Calendar, clinic_tz, local_instant
from anmian.web.records.models import Practitioner


def plan_course(
    practitioner: Practitioner,
    kind: AppointmentType,
    first_day: date,
    clock: time,
    weeks: int,
    now: datetime,
) -> list[CourseProposal]:
    """Where each weekly session would go; nothing is written."""
    tz = clinic_tz(practitioner)
    lo = datetime.combine(first_day - timedelta(days=3), time.min, tz)
    cal = Calendar.load(practitioner, lo, lo + timedelta(weeks=weeks + 1))
    proposals = []
    for week in range(weeks):
        day = first_day + timedelta(weeks=week)
        try:
            wanted = local_instant(day, clock, tz)
        except BookingError:
            wanted = None
        if (
            wanted is not None
            and wanted >= now
            and not cal.problem(wanted, kind)
            and not cal.clashes(wanted, kind)
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
        if proposals[-1].start:
            cal.take(proposals[-1].start, kind)
    return proposals
