"""Setup that many test modules share: a stopped clock, a practitioner open for booking,
threads released at once, appointment rows and ordinary diary nights.

Fixtures that need no arguments live in conftest.py; these take the module's own values (its
instant, its hours, its price), so each module states only what differs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
from anmian.web.diary.models import DiaryEntry
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


def night(patient: Patient, night_of: date, **fields: Any) -> DiaryEntry:
    """An ordinary diary night, not yet saved (for `bulk_create`): in bed at 22:30, lights out at
    23:00, asleep 20 minutes later, awake at 6:30 and up at 7:00, quality 3; `fields` for the
    rest (severity and onset, which the diary asks for every night) and whatever a test varies."""
    usual: dict[str, Any] = {
        "bedtime": time(22, 30),
        "lights_out": time(23, 0),
        "sleep_latency_min": 20,
        "final_wake": time(6, 30),
        "out_of_bed": time(7, 0),
        "quality": 3,
    }
    return DiaryEntry(patient=patient, night_of=night_of, **(usual | fields))


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter, as gunicorn would, with `env` as the only
    configuration: the test run's own settings variables are dropped (its data folder kept), so
    what a deployment refuses or accepts is decided by `env` alone."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "DEBUG", "EMAIL_", "ANMIAN_", "CACHE_URL"))
        and k != "DATABASE_URL"
    }
    keep["ANMIAN_DATA_DIR"] = os.environ["ANMIAN_DATA_DIR"]
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=keep | env | {"DJANGO_SETTINGS_MODULE": "anmian.web.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
