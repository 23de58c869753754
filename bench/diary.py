"""Diary figures: time to render the progress page and the PDF report for a person with five
years of nightly entries, and the number of queries each takes (it must not grow with the
number of entries: compare the 30-night and the 5-year rows).

Run: .venv/bin/python bench/diary.py   Prints figures; asserts nothing.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("ANMIAN_DATA_DIR", tempfile.mkdtemp(prefix="anmian-bench-diary-"))
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("SECURE_TLS", "false")
os.environ["DJANGO_SETTINGS_MODULE"] = "anmian.web.settings"
os.environ["ALLOWED_HOSTS"] = "testserver"

import logging

import django

django.setup()
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from anmian.web.diary.models import DiaryEntry, ScaleScore  # noqa: E402
from anmian.web.diary.prepared import DIRECT_NIGHTS  # noqa: E402
from anmian.web.records.models import Clinic, Patient, Practitioner, SessionNote  # noqa: E402


def person(name: str, nights: int) -> Client:
    from datetime import time as t

    user = get_user_model().objects.create_user(f"{name}@bench", f"{name}@bench", "pw-bench-0000")
    clinic = Clinic.objects.get_or_create(name="Bench")[0]
    patient = Patient.objects.create(user=user, clinic=clinic, name=name)
    prac_user = get_user_model().objects.get_or_create(username="prac@bench")[0]
    prac = Practitioner.objects.get_or_create(
        user=prac_user, defaults={"clinic": clinic, "display_name": "P"}
    )[0]
    start = date.today() - timedelta(days=nights)
    DiaryEntry.objects.bulk_create(
        [
            DiaryEntry(
                patient=patient,
                night_of=start + timedelta(days=i),
                severity=(i * 7) % 11,
                onset=t(19 + i % 4, 0),
                bedtime=t(22, 30),
                lights_out=t(23, 0),
                sleep_latency_min=25,
                awakenings=2,
                awake_min=30,
                final_wake=t(6, 30),
                out_of_bed=t(7, 0),
                quality=3,
                points_pressed=["sp6"] if i % 3 else [],
            )
            for i in range(nights)
        ],
        batch_size=1000,
    )
    ScaleScore.objects.bulk_create(
        [
            ScaleScore(
                patient=patient,
                taken=start + timedelta(days=7 * w),
                scale="anmian-leg-scale",
                answers=[2] * 10,
                total=20 - w % 10,
                band="moderate",
            )
            for w in range(nights // 7)
        ]
    )
    SessionNote.objects.bulk_create(
        [
            SessionNote(patient=patient, practitioner=prac, date=start + timedelta(days=14 * k))
            for k in range(nights // 14)
        ]
    )
    client = Client()
    client.force_login(user)
    return client


def measure(client: Client, url: str, runs: int) -> tuple[float, int, int]:
    client.get(url)  # warm caches
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times), len(ctx.captured_queries), len(response.content)


def measure_worker(name: str, runs: int) -> tuple[float, int, int]:
    """A diary longer than prepared.DIRECT_NIGHTS is rendered by the worker, not the request:
    time what the worker does (report.report_pdf) for that person."""
    from anmian.web.diary.report import report_pdf

    patient = Patient.objects.get(user__username=f"{name}@bench")
    report_pdf(patient, date.today(), "a4")  # warm caches (fonts, templates)
    times, cpu, full = [], [], [0]

    def count_full(phase: str, info: dict) -> None:
        full[0] += phase == "start" and info["generation"] == 2

    gc.callbacks.append(count_full)
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t, c = time.perf_counter(), time.process_time()
            pdf = report_pdf(patient, date.today(), "a4")
            gc.collect(0)  # the young collection the render leaves for later is its cost too
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    gc.callbacks.remove(count_full)
    # On a shared machine the wall time swings with the others' load; this process's own
    # CPU time (the render is single-threaded) swings much less. The target is every run,
    # so the range too, and the full collections that once made every other run slow.
    print(
        f"  report_pdf CPU time, median of {runs}: {statistics.median(cpu):.1f} ms "
        f"({min(cpu):.0f} to {max(cpu):.0f}); wall {min(times):.0f} to {max(times):.0f} ms; "
        f"{full[0]} full collections; load {os.getloadavg()[0]:.1f}"
    )
    return statistics.median(times), len(ctx.captured_queries), len(pdf)


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print("SQLite, in-process (Django test client), median of repeated renders")
    for label, nights in (("30 nights", 30), ("5 years (1,826 nights)", 1826)):
        name = label.split()[0] + label.split()[1].strip("(,")
        client = person(name, nights)
        for url, runs in (("/diary/progress/", 10), ("/diary/report.pdf?paper=a4", 9)):
            if nights > DIRECT_NIGHTS and ".pdf" in url:
                ms, queries, size = measure_worker(name, runs)
                url = "report_pdf (the worker's)"
            else:
                ms, queries, size = measure(client, url, runs)
            print(
                f"{label:24} {url:30} {ms:8.1f} ms   {queries:3d} queries   {size / 1024:7.1f} KiB"
            )


if __name__ == "__main__":
    main()
