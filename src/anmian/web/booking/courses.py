"""Planning a course: the same local weekday and time every week, or, for a week where that
time is taken or does not exist (a clock change), the nearest free time in that week.

What a course may be (`check_course`): a run of treatment sessions (AppointmentType.purpose),
starting today or later, after the person's first consultation. A patient with no first
consultation booked or done, and no visit attended at the clinic, is told to book one first
and the course is refused: one order at the session price must not hide a first visit, nor
eight first visits hide a course. Staff may book the course anyway (someone seen before the
clinic used Anmian); their page warns them first (`first_visit_missing`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet

from anmian.web.booking.errors import BookingError, CourseProposal
from anmian.web.booking.models import FIRST_VISIT, TREATMENT, Appointment, AppointmentType
from anmian.web.booking.slots import Calendar, clinic_tz, local_instant
from anmian.web.records.access import is_practitioner
from anmian.web.records.models import Patient, Practitioner

NOT_A_COURSE = "A course is a run of treatment sessions: choose a treatment session type."
PASSED = "That date has passed: choose today or later."
TIME_PASSED = "That time today has passed: choose a later time, or a later day."
FIRST_VISIT_NEEDED = (
    "A course of treatment follows a first consultation, and you have none booked before "
    "the course would start: book your first consultation first, then the course."
)


def treatment_types(types: QuerySet[AppointmentType]) -> QuerySet[AppointmentType]:
    """The types a course may be made of, of those a person may see."""
    return types.filter(purpose=TREATMENT)


def first_visit_type(patient: Patient) -> AppointmentType | None:
    """The patient's clinic's first consultation (None when the clinic has no such type)."""
    found = AppointmentType.objects.filter(clinic=patient.clinic_id, purpose=FIRST_VISIT)
    return found.order_by("id").first()


def first_visit_missing(patient: Patient, before: datetime | None = None) -> bool:
    """True when the clinic has a first consultation and this patient has none booked or done
    (starting before `before`, the course's first session, when given) and has attended no
    visit at the clinic either: someone already in treatment was seen first."""
    if first_visit_type(patient) is None:
        return False
    visits = Appointment.objects.filter(patient=patient)
    first = Q(appointment_type__purpose=FIRST_VISIT, status__in=("booked", "arrived"))
    if before is not None:
        first &= Q(start__lt=before)
    return not visits.filter(first | Q(status="arrived")).exists()


def check_course(
    user,
    patient: Patient,
    practitioner: Practitioner,
    kind: AppointmentType,
    first_day: date,
    clock: time,
    now: datetime,
) -> None:
    """Refuse what cannot be a course before its weeks are planned: a type that is no
    treatment session, a start that has passed, and (a patient's own booking) a course with
    no first consultation before it."""
    if kind.purpose != TREATMENT:
        raise BookingError(NOT_A_COURSE, "not-a-course-type")
    tz = clinic_tz(practitioner)
    local_now = now.astimezone(tz)
    if first_day < local_now.date():
        raise BookingError(PASSED, "past")
    # The wall-clock time as written (fold 0); a time the clocks skip is plan_course's to note.
    first_start = datetime.combine(first_day, clock, tz)
    if first_start < now:
        raise BookingError(TIME_PASSED, "past")
    if not is_practitioner(user) and first_visit_missing(patient, first_start):
        raise BookingError(FIRST_VISIT_NEEDED, "first-visit-needed", 409)


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
