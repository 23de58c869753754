"""The nightly symptom and sleep diary. One entry per person per night; an entry can be
edited for a few days, then it locks so the record a practitioner reads stays stable."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from anmian.engine.sleep import Night, SleepMeasures, measures
from anmian.web.records.models import Patient

AREAS = [("legs", "Legs"), ("arms", "Arms"), ("trunk", "Trunk"), ("other", "Elsewhere")]


class DiaryEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary")
    night_of = models.DateField(help_text="The date the night started.")
    # symptoms
    severity = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    onset = models.TimeField(null=True, blank=True, help_text="When the leg symptoms started.")
    areas = models.JSONField(default=list, blank=True)
    sleep_disturbance = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(4)], default=0
    )
    # sleep, in the spirit of the Consensus Sleep Diary (our wording)
    # The times may be left out on a tired evening (the quick entry) and added later; the full
    # form asks for all of them (null allowed, blank not).
    bedtime = models.TimeField(null=True)
    lights_out = models.TimeField(null=True)
    sleep_latency_min = models.PositiveSmallIntegerField(
        null=True, validators=[MaxValueValidator(720)]
    )
    awakenings = models.PositiveSmallIntegerField(validators=[MaxValueValidator(50)], default=0)
    awake_min = models.PositiveSmallIntegerField(validators=[MaxValueValidator(720)], default=0)
    final_wake = models.TimeField(null=True)
    out_of_bed = models.TimeField(null=True)
    quality = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    # the day before
    caffeine = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(30)])
    alcohol = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(30)])
    nicotine = models.BooleanField(default=False)
    exercise = models.BooleanField(default=False)
    late_screens = models.BooleanField(default=False)
    # self-care done
    points_pressed = models.JSONField(default=list, blank=True)
    herbs_taken = models.BooleanField(default=False)
    topical_used = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=2000)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-night_of"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "night_of"], name="one_entry_per_night")
        ]

    def has_times(self) -> bool:
        return None not in (
            self.bedtime,
            self.lights_out,
            self.sleep_latency_min,
            self.final_wake,
            self.out_of_bed,
        )

    def night(self) -> Night:
        """The night's sleep times; only for a night that `has_times`."""
        assert self.bedtime and self.lights_out and self.final_wake and self.out_of_bed
        assert self.sleep_latency_min is not None
        return Night(
            self.night_of,
            self.bedtime,
            self.lights_out,
            self.sleep_latency_min,
            self.awakenings,
            self.awake_min,
            self.final_wake,
            self.out_of_bed,
        )

    def sleep(self, tz: ZoneInfo) -> SleepMeasures | None:
        """The sleep measures, None for a quick entry without its times."""
        return measures(self.night(), tz) if self.has_times() else None

    def is_locked(self, today: date) -> bool:
        return today > self.night_of + timedelta(days=settings.ANMIAN_DIARY_EDIT_DAYS)


class ScaleScore(models.Model):
    """A severity questionnaire answered again (weekly by default), scored by the engine."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="scores")
    taken = models.DateField()
    scale = models.CharField(max_length=64)
    answers = models.JSONField(default=list)
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=32)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken", "created"]


class PreparedReport(models.Model):
    """A progress report that the worker renders (a long diary takes seconds), kept privately
    in the database until it is fetched through the same access check as a direct download;
    `diary.tasks` deletes it after PREPARED_KEEP. Only the person who asked may fetch it."""

    PENDING, READY, FAILED = "pending", "ready", "failed"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="prepared_reports")
    # True when the patient asked for their own (the access check at download is then the
    # owner's, not a practitioner's).
    own = models.BooleanField()
    paper = models.CharField(max_length=10)
    day = models.DateField()  # "today" where the patient lives, when it was asked for
    status = models.CharField(max_length=10, default=PENDING)
    pdf = models.BinaryField(null=True, editable=False)
    error = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created"]
