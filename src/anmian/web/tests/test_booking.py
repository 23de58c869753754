"""Booking: no double booking ever (threads, both databases), DST-safe courses, clear refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from anmian.web.booking import services
from anmian.web.booking.models import Appointment, AppointmentType, Break, TimeOff, WorkingHours
from anmian.web.booking.services import (
    BookingError,
    CourseConflict,
    SlotTaken,
    book,
    book_course,
    local_instant,
)
from anmian.web.tests.world import at_once

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def kind(clinic):
    return AppointmentType.objects.create(
        clinic=clinic, name="Follow-up", duration_min=45, buffer_before_min=0, buffer_after_min=15
    )


@pytest.fixture
def hours(bob):
    for weekday in range(5):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(19))
    Break.objects.create(practitioner=bob, weekday=2, start=time(12), end=time(13))
    return bob


def at(day: date, clock: str) -> datetime:
    return local_instant(day, time.fromisoformat(clock), LONDON)


pytestmark = pytest.mark.django_db


def test_it_books_a_free_slot(hours, alice, kind):
    a, _ = book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    assert a.end - a.start == timedelta(minutes=45)
    assert a.blocked_end - a.end == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("day", "clock", "code"),
    [
        (date(2026, 3, 1), "10:00", "past"),
        (date(2026, 3, 3), "08:00", "outside-hours"),
        (date(2026, 3, 3), "18:30", "outside-hours"),  # would end after 19:00
        (date(2026, 3, 7), "10:00", "outside-hours"),  # Saturday
        (date(2026, 3, 4), "12:15", "break"),
    ],
)
def test_it_refuses_impossible_times_with_a_reason(hours, alice, kind, day, clock, code):
    with pytest.raises(BookingError) as info:
        book(alice.user, hours, kind, at(day, clock), now=NOW)
    assert info.value.code == code and str(info.value)
    assert Appointment.objects.count() == 0


def test_a_day_off_is_refused(hours, alice, kind, clinic):
    TimeOff.objects.create(
        clinic=clinic, practitioner=hours, first_day=date(2026, 3, 5), last_day=date(2026, 3, 6)
    )
    with pytest.raises(BookingError, match="not working"):
        book(alice.user, hours, kind, at(date(2026, 3, 5), "10:00"), now=NOW)


def test_a_clinic_holiday_is_refused(hours, alice, kind, clinic):
    TimeOff.objects.create(
        clinic=clinic, first_day=date(2026, 3, 3), last_day=date(2026, 3, 3), reason="holiday"
    )
    with pytest.raises(BookingError, match="not working"):
        book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)


def test_the_wrong_duration_is_refused(hours, alice, kind):
    start = at(date(2026, 3, 3), "10:00")
    with pytest.raises(BookingError, match="lasts 45 minutes"):
        book(alice.user, hours, kind, start, now=NOW, end=start + timedelta(minutes=30))


def test_a_practitioner_of_another_clinic_is_refused(hours, alice, kind, dave):
    with pytest.raises(BookingError) as info:
        book(alice.user, dave, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    assert info.value.code == "other-clinic"


def test_it_refuses_an_account_that_belongs_to_no_clinic(hours, charlie, kind):
    with pytest.raises(BookingError) as info:
        book(charlie.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    assert (info.value.code, info.value.status) == ("no-clinic", 403)
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("day", "clock", "code"),
    [
        (date(2026, 3, 29), "01:30", "nonexistent-time"),
        (date(2026, 10, 25), "01:30", "ambiguous-time"),
    ],
)
def test_local_times_in_the_dst_gap_or_overlap_are_refused(day, clock, code):
    with pytest.raises(BookingError) as info:
        local_instant(day, time.fromisoformat(clock), LONDON)
    assert info.value.code == code


def test_an_overlap_is_refused_with_the_nearest_alternatives(hours, alice, kind):
    book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    with pytest.raises(SlotTaken) as info:
        # inside 10:00-11:00 with the buffer
        book(alice.user, hours, kind, at(date(2026, 3, 3), "10:30"), now=NOW)
    assert info.value.status == 409 and info.value.alternatives
    assert all(s != at(date(2026, 3, 3), "10:30") for s in info.value.alternatives)
    assert Appointment.objects.count() == 1


def test_the_buffer_after_blocks_the_next_start(hours, alice, kind):
    book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    with pytest.raises(SlotTaken):
        book(alice.user, hours, kind, at(date(2026, 3, 3), "10:50"), now=NOW)
    assert book(alice.user, hours, kind, at(date(2026, 3, 3), "11:00"), now=NOW)


def test_a_cancelled_slot_can_be_booked_again(hours, alice, kind):
    a, _ = book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)
    services.cancel(alice.user, a, now=NOW)
    assert book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW)


def test_a_retried_request_with_the_same_key_books_once(hours, alice, kind):
    start = at(date(2026, 3, 3), "10:00")
    first, created = book(alice.user, hours, kind, start, now=NOW, idempotency_key="k1")
    again, created_again = book(alice.user, hours, kind, start, now=NOW, idempotency_key="k1")
    assert first.pk == again.pk and Appointment.objects.count() == 1
    assert (created, created_again) == (True, False)


def test_a_key_reused_for_another_time_is_refused(hours, alice, kind):
    book(alice.user, hours, kind, at(date(2026, 3, 3), "10:00"), now=NOW, idempotency_key="k1")
    with pytest.raises(BookingError) as info:
        book(alice.user, hours, kind, at(date(2026, 3, 3), "12:00"), now=NOW, idempotency_key="k1")
    assert info.value.code == "key-reused" and Appointment.objects.count() == 1


def test_free_slots_skip_breaks_bookings_and_buffers(hours, alice, kind):
    day = date(2026, 3, 4)  # Wednesday, break 12-13
    book(alice.user, hours, kind, at(day, "10:00"), now=NOW)
    slots = {
        s.astimezone(LONDON).strftime("%H:%M")
        for s in services.free_slots(hours, kind, day, 1, NOW)
    }
    assert "09:00" in slots and "10:00" not in slots and "10:45" not in slots and "11:00" in slots
    assert "12:00" not in slots and "11:30" not in slots and "13:00" in slots
    assert "18:15" in slots and "18:30" not in slots


# --- courses ---


def test_a_course_keeps_its_local_time_across_the_dst_change(hours, alice, kind):
    course, _ = book_course(alice.user, hours, kind, date(2026, 3, 23), time(18, 0), 3, now=NOW)
    local = [a.start.astimezone(LONDON) for a in course.appointments.all()]
    assert [t.strftime("%a %H:%M") for t in local] == ["Mon 18:00"] * 3
    utc_hours = {a.start.astimezone(UTC).hour for a in course.appointments.all()}
    assert utc_hours == {18, 17}  # GMT before 29 March, BST after


def test_a_course_that_collides_books_nothing_and_proposes(hours, alice, kind):
    book(alice.user, hours, kind, at(date(2026, 3, 16), "18:00"), now=NOW)
    with pytest.raises(CourseConflict) as info:
        book_course(alice.user, hours, kind, date(2026, 3, 9), time(18, 0), 4, now=NOW)
    proposals = info.value.proposals
    assert proposals[1].start != proposals[1].wanted and proposals[1].start is not None
    assert proposals[1].start.astimezone(LONDON).date() == date(2026, 3, 16)
    assert Appointment.objects.count() == 1


def test_a_course_can_accept_the_proposed_alternatives(hours, alice, kind):
    book(alice.user, hours, kind, at(date(2026, 3, 16), "18:00"), now=NOW)
    course, _ = book_course(
        alice.user,
        hours,
        kind,
        date(2026, 3, 9),
        time(18, 0),
        4,
        now=NOW,
        accept_alternatives=True,
    )
    assert course.appointments.count() == 4
    # each session is its own row: one can move without touching the others
    one = course.appointments.first()
    services.cancel(alice.user, one, now=NOW)
    assert course.appointments.filter(status="booked").count() == 3


# --- concurrency: exactly one wins ---


def _race(n: int, target) -> list[str]:
    results: list[str] = []

    def run(i: int) -> None:
        try:
            target(i)
            results.append("ok")
        except SlotTaken:
            results.append("taken")
        except Exception as exc:  # any other failure is a bug: record it
            results.append(f"error: {exc!r}")

    at_once(n, run)
    return results


@pytest.mark.django_db(transaction=True)
def test_many_threads_booking_the_same_slot_exactly_one_wins(clinic, alice, bob):
    kind = AppointmentType.objects.create(
        clinic=clinic, name="Follow-up", duration_min=45, buffer_after_min=15
    )
    for weekday in range(5):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(19))
    start = at(date(2026, 3, 3), "10:00")
    results = _race(
        8, lambda i: book(alice.user, bob, kind, start + timedelta(minutes=15 * (i % 3)), now=NOW)
    )
    assert results.count("ok") == 1, results
    assert all(r in ("ok", "taken") for r in results), results
    assert Appointment.objects.filter(status="booked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_direct_overlapping_insert_is_refused_by_postgresql(clinic, alice, bob):
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL; SQLite relies on the service")
    kind = AppointmentType.objects.create(clinic=clinic, name="F", duration_min=45)
    s = datetime(2026, 3, 3, 10, tzinfo=UTC)
    row = dict(
        practitioner=bob,
        patient=alice,
        appointment_type=kind,
        start=s,
        end=s + timedelta(minutes=45),
        blocked_start=s,
        blocked_end=s + timedelta(minutes=45),
    )
    Appointment.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            **(
                row
                | {"start": s + timedelta(minutes=10), "blocked_start": s + timedelta(minutes=10)}
            )
        )


def test_a_course_keeps_its_local_time_across_the_autumn_change(hours, alice, kind):
    course, _ = book_course(alice.user, hours, kind, date(2026, 10, 19), time(18, 0), 2, now=NOW)
    local = [a.start.astimezone(LONDON).strftime("%a %H:%M") for a in course.appointments.all()]
    assert local == ["Mon 18:00", "Mon 18:00"]
    assert [a.start.astimezone(UTC).hour for a in course.appointments.all()] == [
        17,
        18,
    ]  # BST, then GMT
