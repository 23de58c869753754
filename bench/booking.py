"""Booking figures, on SQLite and PostgreSQL: free-slot search over 8 weeks for a clinic of 10
practitioners with a full calendar (time and queries per search), and bookings per second
with 8 threads booking at once (each its own database connection on loopback).

Run: .venv/bin/python bench/booking.py [--pg postgres://postgres@127.0.0.1:5432/anmian_bench]
Prints figures; asserts nothing. The PostgreSQL database is created if missing, then emptied.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_one(database_url: str, label: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("SECURE_TLS", "false")
    os.environ["DJANGO_SETTINGS_MODULE"] = "anmian.web.settings"
    os.environ["ANMIAN_MAX_FUTURE_BOOKINGS"] = "100000"  # one bench patient takes every slot
    import django

    django.setup()
    from datetime import UTC, date, datetime, timedelta
    from datetime import time as clock

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anmian.web.booking import services
    from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
    from anmian.web.records.models import Clinic, Patient, Practitioner

    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(name=f"Bench {time.time()}", time_zone="Europe/London")
    kind = AppointmentType.objects.create(
        clinic=clinic, name="Follow-up", duration_min=45, buffer_after_min=15
    )
    patient = Patient.objects.create(clinic=clinic, name="Bench patient")
    from django.contrib.auth import get_user_model

    people = []
    for n in range(10):
        user = get_user_model().objects.create_user(f"p{n}-{time.time()}@bench")
        p = Practitioner.objects.create(user=user, clinic=clinic, display_name=f"P{n}")
        WorkingHours.objects.bulk_create(
            [
                WorkingHours(practitioner=p, weekday=d, start=clock(9), end=clock(18))
                for d in range(5)
            ]
        )
        people.append(p)
    first = date(2030, 1, 7)  # a Monday well in the future
    now = datetime(2030, 1, 1, tzinfo=UTC)
    # A full calendar: every hour 9:00-17:00 booked, weekdays, 8 weeks, every practitioner.
    rows = []
    for p in people:
        for d in range(56):
            day = first + timedelta(days=d)
            if day.weekday() >= 5:
                continue
            for h in range(9, 17):
                s = services.local_instant(day, clock(h), services.clinic_tz(p))
                rows.append(
                    Appointment(
                        practitioner=p,
                        patient=patient,
                        appointment_type=kind,
                        start=s,
                        end=s + timedelta(minutes=45),
                        blocked_start=s,
                        blocked_end=s + timedelta(minutes=60),
                    )
                )
    Appointment.objects.bulk_create(rows, batch_size=2000)
    times, queries, found = [], [], 0
    for rounds in range(5):  # five rounds over the ten: a shared machine's hiccups fall out
        for p in people:
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                slots = services.free_slots(p, kind, first, 56, now)
                times.append((time.perf_counter() - began) * 1000)
            queries.append(len(ctx.captured_queries))
            found += len(slots) if rounds == 0 else 0
    print(
        f"{label:10} free-slot search, 8 weeks, full calendar ({len(rows)} bookings): "
        f"median {statistics.median(times):.1f} ms (fastest {min(times):.1f}), "
        f"{max(queries)} queries per search, {found} free slots in all"
    )
    # Its two parts: reading the calendar (3 queries), and the search alone, the sweep and
    # the per-slot search it replaced (kept as the oracle in test_booking_slots.py),
    # interleaved on the same calendars.
    from anmian.web.booking.slots import Calendar
    from anmian.web.tests.test_booking_slots import oracle_free

    lo = datetime.combine(first, clock.min, services.clinic_tz(people[0]))
    cals, reads = [], []
    for _ in range(5):
        for p in people:
            began = time.perf_counter()
            cals.append(Calendar.load(p, lo, lo + timedelta(days=57)))
            reads.append((time.perf_counter() - began) * 1000)
    sweep, oracle = [], []
    for cal in cals[: len(people)] * 5:
        began = time.perf_counter()
        cal.free(kind, first, 56, now)
        sweep.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        oracle_free(cal, kind, first, 56, now)
        oracle.append((time.perf_counter() - began) * 1000)
    print(
        f"{label:10} of which, median: reading the calendar {statistics.median(reads):.2f} ms; "
        f"in memory, the sweep {statistics.median(sweep):.2f} ms, "
        f"the per-slot search it replaced {statistics.median(oracle):.2f} ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    # Concurrent bookings: 8 threads take the free slots (and fight over some of them).
    Appointment.objects.all().delete()
    targets = [(p, s) for p in people for s in services.free_slots(p, kind, first, 14, now)]
    random.seed(1)
    random.shuffle(targets)
    lock = threading.Lock()
    counts = {"ok": 0, "taken": 0}
    stop = time.perf_counter() + 5

    def worker(i: int) -> None:
        from django.db import connection as conn

        while time.perf_counter() < stop:
            with lock:
                if not targets:
                    break
                p, s = (
                    targets.pop() if i % 2 else targets[-1]
                )  # half the threads collide on purpose
            try:
                services.book(p.user, p, kind, s, now=now, patient=patient)
                key = "ok"
            except services.SlotTaken:
                key = "taken"
            with lock:
                counts[key] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    double = Appointment.objects.filter(status="booked").count() != counts["ok"]
    print(
        f"{label:10} 8 threads booking: {counts['ok'] / elapsed:.0f} bookings/s, "
        f"{counts['taken']} refused as taken, double bookings: {'YES' if double else 'none'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/anmian_bench")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="anmian-bench-booking-")) / "bench.sqlite3"
        os.environ["ANMIAN_DATA_DIR"] = str(path.parent)
        run_one(f"sqlite:///{path}", "SQLite")
        return
    if args.only == "postgresql":
        run_one(args.pg, "PostgreSQL")
        return
    # Each database in its own process: Django's settings are read once per process.
    subprocess.run([sys.executable, __file__, "--only", "sqlite"], check=True)
    _create_pg(args.pg)
    subprocess.run([sys.executable, __file__, "--only", "postgresql", "--pg", args.pg], check=True)


def _create_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
