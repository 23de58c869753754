"""The demo clinic's booking set-up: appointment types with prices, working hours, lunch
breaks, a clinic holiday, and a few past and today's sessions, so free times show at once.

Called by records' load_demo_clinic (by name, so records never imports booking). Idempotent:
rows that exist are left alone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import (
    FIRST_VISIT,
    REVIEW,
    TREATMENT,
    AppointmentType,
    Break,
    TimeOff,
    WorkingHours,
)
from anmian.web.booking.slots import clinic_tz, local_instant, reserve
from anmian.web.records.management.clinic_demo import ClinicDemoCommand
from anmian.web.records.models import Clinic

TYPES = [  # name, minutes, buffer after, price, purpose (a course is of treatment sessions)
    ("First consultation", 60, 15, Decimal("65.00"), FIRST_VISIT),
    ("Acupuncture session", 45, 15, Decimal("50.00"), TREATMENT),
    ("Follow-up", 30, 0, Decimal("35.00"), REVIEW),
]
WEEKDAY_HOURS = (time(9, 0), time(19, 0))  # evenings until 7 pm, for people who work
SATURDAY_HOURS = (time(9, 0), time(13, 0))
LUNCH = (time(12, 30), time(13, 30))
HOLIDAY_IN_DAYS = 24  # a clinic-wide day off a few weeks ahead, so the calendar shows one


class Command(ClinicDemoCommand):
    help = "Give a clinic appointment types, hours, breaks, a holiday and demo sessions."

    def load(self, clinic: Clinic) -> None:
        for name, minutes, after, price, purpose in TYPES:
            AppointmentType.objects.get_or_create(
                clinic=clinic,
                name=name,
                defaults={
                    "duration_min": minutes,
                    "buffer_after_min": after,
                    "price": price,
                    "purpose": purpose,
                },
            )
        for practitioner in clinic.practitioners.all():
            if practitioner.hours.exists():
                continue
            for weekday in range(5):
                WorkingHours.objects.create(
                    practitioner=practitioner,
                    weekday=weekday,
                    start=WEEKDAY_HOURS[0],
                    end=WEEKDAY_HOURS[1],
                )
                Break.objects.create(
                    practitioner=practitioner, weekday=weekday, start=LUNCH[0], end=LUNCH[1]
                )
            WorkingHours.objects.create(
                practitioner=practitioner,
                weekday=5,
                start=SATURDAY_HOURS[0],
                end=SATURDAY_HOURS[1],
            )
        if not TimeOff.objects.filter(clinic=clinic, practitioner=None).exists():
            day = datetime.now(UTC).date() + timedelta(days=HOLIDAY_IN_DAYS)
            TimeOff.objects.create(clinic=clinic, first_day=day, last_day=day, reason="Holiday")
        self._sessions(clinic)
        self.stdout.write(f"  booking: {len(TYPES)} appointment types, hours Mon-Sat, a holiday")

    def _sessions(self, clinic: Clinic) -> None:
        """Three weekly sessions already held for each patient, and one today with each
        practitioner in turn, so every practitioner's day and each history have something."""
        everyone = list(clinic.practitioners.order_by("pk"))
        practitioner = everyone[0] if everyone else None
        kind = AppointmentType.objects.get(clinic=clinic, name="Acupuncture session")
        if practitioner is None or practitioner.appointments.exists():
            return
        tz = clinic_tz(practitioner)
        today = datetime.now(tz).date()
        monday = today - timedelta(days=today.weekday())
        for n, patient in enumerate(clinic.patients.order_by("pk")):
            clock = time(10 + 4 * n, 0)  # mornings and afternoons, clear of lunch
            for weeks_ago in (3, 2, 1):
                self._reserve(
                    practitioner,
                    patient,
                    kind,
                    monday - timedelta(weeks=weeks_ago),
                    clock,
                    tz,
                    "arrived",
                )
            self._reserve(
                everyone[n % len(everyone)],
                patient,
                kind,
                today,
                time(17 + n, 0),
                tz,
                "booked",
            )

    @staticmethod
    def _reserve(practitioner, patient, kind, day, clock, tz, status) -> None:
        try:
            with transaction.atomic():
                reserve(practitioner, patient, kind, local_instant(day, clock, tz), status=status)
        except BookingError:
            pass  # outside the hours (a Sunday today, say): the demo simply has one less
