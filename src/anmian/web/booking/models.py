"""Appointments, whole courses, working hours and time off.

Every appointment is stored as UTC instants with its buffers included in `blocked_*`.
On PostgreSQL an exclusion constraint on (practitioner, blocked range) for active rows makes
an overlap impossible on every code path; on SQLite the booking transaction takes the write
lock first (BEGIN IMMEDIATE) and re-checks. See slots.py.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from anmian.web.records.models import Clinic, Patient, Practitioner

# "held": a freed slot reserved for a waitlisted person until their offer expires.
ACTIVE = ("booked", "arrived", "held")


# What an appointment type is for. A course is a run of treatment sessions only: a first
# consultation (history, tongue and pulse, the plan) comes once, before any course, and a
# follow-up review is booked on its own when the practitioner asks for one.
FIRST_VISIT, TREATMENT, REVIEW = "first", "treatment", "review"


class AppointmentType(models.Model):
    PURPOSES = [
        (FIRST_VISIT, _("First consultation")),
        (TREATMENT, _("Treatment session")),
        (REVIEW, _("Follow-up or review")),
    ]
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointment_types")
    name = models.CharField(max_length=100)
    duration_min = models.PositiveSmallIntegerField()
    buffer_before_min = models.PositiveSmallIntegerField(default=0)
    buffer_after_min = models.PositiveSmallIntegerField(default=0)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    # Treatment unless told: most of a clinic's types are sessions a course may be made of.
    purpose = models.CharField(
        max_length=10,
        choices=PURPOSES,
        default=TREATMENT,
        help_text="Only treatment sessions are offered as a course; a patient books a course "
        "once a first consultation is booked or done.",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_min} min)"


class WorkingHours(models.Model):
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 Monday .. 6 Sunday")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="hours_start_before_end"
            )
        ]


class Break(models.Model):
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="breaks")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()


class TimeOff(models.Model):
    """Days off and holidays of one practitioner, or (practitioner empty) of the whole clinic."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="time_off")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="time_off"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=100, blank=True)


class Course(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="courses")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="courses")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    weeks = models.PositiveSmallIntegerField()
    # A client's retry with the same key books the course once (unique per booking user).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    booked_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booked_by", "idempotency_key"], name="one_course_per_key"
            )
        ]


class Appointment(models.Model):
    STATUSES = [
        ("booked", _("Booked")),
        ("cancelled", _("Cancelled")),
        ("arrived", _("Arrived")),
        ("no-show", _("No-show")),
    ]
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_start = models.DateTimeField()  # start less the buffer before
    blocked_end = models.DateTimeField()  # end plus the buffer after
    status = models.CharField(max_length=10, choices=STATUSES, default="booked")
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    # A client's retry with the same key books once (unique per booking user).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    booked_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    # Set once, by the reminder command, in the same UPDATE that claims the reminder.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # The calendar's SEQUENCE (RFC 5545 3.8.7.4): raised in the same UPDATE as every change of
    # time or status, so a calendar that has the event replaces it with the newer one.
    sequence = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        # The free-slot search asks for a practitioner's bookings that end after its window
        # starts: by blocked_end it reads the future only, by blocked_start every past booking.
        indexes = [
            models.Index(fields=["practitioner", "blocked_start"]),
            models.Index(fields=["practitioner", "blocked_end"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["booked_by", "idempotency_key"], name="one_booking_per_key"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="start_before_end"
            ),
        ]


class CalendarFeed(models.Model):
    """A private ICS feed address for one user: the token is the only secret in the URL."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)


class WaitlistEntry(models.Model):
    """Someone waiting for a time with a practitioner (or anyone) for one appointment type.
    When a slot frees up, the longest-waiting person is offered it with a time-limited hold."""

    STATUSES = [
        ("waiting", "Waiting"),
        ("offered", "Offered"),
        ("booked", "Booked"),
        ("expired", "Expired"),
        ("left", "Left the list"),
    ]
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="waitlist"
    )
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.CASCADE)
    status = models.CharField(max_length=8, choices=STATUSES, default="waiting")
    offer = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="offer_of"
    )
    hold_until = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]
