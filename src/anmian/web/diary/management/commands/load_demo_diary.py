"""Six weeks of diary nights and weekly scores for the demo clinic's patients, getting slowly
better as a course of care would hope to (load_demo_clinic calls it by name, so records never
imports the diary). Idempotent: a patient who has nights keeps them."""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.utils import timezone

from anmian.engine.inputs import Severity
from anmian.engine.screening import score_severity
from anmian.knowledge import get_kb
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.diary.progress import SCALE
from anmian.web.records.management.clinic_demo import ClinicDemoCommand
from anmian.web.records.models import Clinic

NIGHTS = 42


class Command(ClinicDemoCommand):
    help = "Give each patient of a clinic six weeks of diary nights and weekly scores."

    def load(self, clinic: Clinic) -> None:
        kb = get_kb()
        for patient in clinic.patients.all():
            if patient.diary.exists():
                continue
            rng = random.Random(patient.name)  # the same demo every time
            today = timezone.now().astimezone(patient.tz).date()
            for n in range(NIGHTS, 0, -1):
                if rng.random() < 0.08:
                    continue  # a forgotten night or two, as in any real diary
                better = (NIGHTS - n) / NIGHTS  # 0 six weeks ago, nearly 1 last night
                severity = max(0, round(7 - 4 * better + rng.uniform(-1, 1)))
                latency = max(5, round(55 - 35 * better + rng.uniform(-10, 10)))
                DiaryEntry.objects.create(
                    patient=patient,
                    night_of=today - timedelta(days=n),
                    severity=severity,
                    onset=time(20 + (better > 0.5), rng.choice((0, 15, 30, 45))),
                    areas=["calves"],
                    sleep_disturbance=min(4, max(0, severity // 2)),
                    bedtime=time(22, 30),
                    lights_out=time(22, 45),
                    sleep_latency_min=latency,
                    awakenings=max(0, round(3 - 2 * better)),
                    awake_min=max(0, round(40 - 30 * better)),
                    final_wake=time(6, 45),
                    out_of_bed=time(7, 0),
                    quality=min(5, max(1, round(2 + 2 * better))),
                    exercise=rng.random() < 0.4,
                    herbs_taken=better > 0.3,
                )
            for weeks_ago in range(6, -1, -1):
                level = max(0, min(4, round(3 - 2 * (6 - weeks_ago) / 6)))
                answers = [level] * 10
                result = score_severity(kb, Severity(scale=SCALE, answers=answers))
                ScaleScore.objects.create(
                    patient=patient,
                    taken=today - timedelta(weeks=weeks_ago),
                    scale=SCALE,
                    answers=answers,
                    total=result.total,
                    band=result.band,
                )
        self.stdout.write(f"  diary: {NIGHTS} nights and weekly scores for each patient")
