"""Setup that many test modules share: a stopped clock and a practitioner open for booking.

Fixtures that need no arguments live in conftest.py; these take the module's own values (its
instant, its hours, its price), so each module states only what differs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
from anmian.web.records.models import Patient, Practitioner


def pinned_clock(now: datetime) -> Callable[[], Iterator[None]]:
    """An autouse fixture that stops the clock at `now` in every test of the module holding it:
    free times and notice periods are relative to now, so tests must agree on one."""

    @pytest.fixture(autouse=True)
    def _clock() -> Iterator[None]:
        with time_machine.travel(now, tick=False):
            yield

    return _clock


def bookable(
    practitioner: Practitioner,
    *,
    until: time = time(17),
    weekdays: Iterable[int] = range(5),
    **type_fields: Any,
) -> AppointmentType:
    """Open `practitioner` from 9:00 to `until` on `weekdays` (Monday to Friday unless told) and
    return a type of appointment of their clinic (a 45-minute "Follow-up" unless told)."""
    for weekday in weekdays:
        WorkingHours.objects.create(
            practitioner=practitioner, weekday=weekday, start=time(9), end=until
        )
    type_fields = {"name": "Follow-up", "duration_min": 45, **type_fields}
    return AppointmentType.objects.create(clinic=practitioner.clinic, **type_fields)


def at_once(n: int, run: Callable[[int], object]) -> None:
    """Call `run(0)` ... `run(n - 1)` in n threads released together by one barrier, as
    concurrent requests or workers would, and wait for all. Each thread closes its own
    database connection (Django opens one per thread); `run` records its own outcome."""
    barrier = threading.Barrier(n)

    def thread(i: int) -> None:
        try:
            barrier.wait()
            run(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def appointment_at(
    practitioner: Practitioner, patient: Patient, kind: AppointmentType, start: datetime
) -> Appointment:
    """An appointment row written straight to the table, bypassing the booking rules: for tests
    of what reads appointments (reminders, the admin), not of how they are booked."""
    end = start + timedelta(minutes=kind.duration_min)
    return Appointment.objects.create(
        practitioner=practitioner,
        patient=patient,
        appointment_type=kind,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
    )
