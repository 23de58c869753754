"""Create (or refresh) a demo clinic: one practitioner and two patients with assessments.

Idempotent: running it again changes nothing that exists. The logins printed are for a
local demonstration only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from anmian.engine import assess, parse_input
from anmian.engine.inputs import CRITERIA
from anmian.knowledge import get_kb
from anmian.web.records.models import Assessment, Clinic, Patient, Practitioner

DEMO_PASSWORD = "demo-only-password"
PEOPLE = [
    (
        "mei@demo.anmian",
        "Mei Lin",
        {
            "findings": [
                "ant-crawling sensation in the calves",
                "worse in the evening",
                "palpitations",
                "dream-disturbed sleep",
                "pale face",
                "pale tongue",
                "thin pulse",
            ],
            "age": 58,
            "sex": "female",
            "labs": {"ferritin_ng_ml": 48, "tsat_percent": 18},
            "screening": dict.fromkeys(CRITERIA, True),
        },
    ),
    (
        "tom@demo.anmian",
        "Tom Reed",
        {
            "findings": [
                "night sweats",
                "hot palms and soles",
                "red tongue with little coat",
                "thin rapid pulse",
                "leg-crawling",
            ],
            "age": 66,
            "sex": "male",
            "medications": ["sertraline"],
            "screening": dict.fromkeys(CRITERIA, True),
        },
    ),
]


TYPES = [
    ("Initial consultation", 90, 15),
    ("Follow-up treatment", 45, 15),
    ("Acupressure coaching", 30, 0),
]


class Command(BaseCommand):
    help = "Load a demo clinic with one practitioner and two patients (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users = get_user_model()
        kb = get_kb()
        clinic, _ = Clinic.objects.get_or_create(
            name="Anmian Demo Clinic", defaults={"time_zone": "Europe/London"}
        )
        prac_user, created = users.objects.get_or_create(
            username="practitioner@demo.anmian", defaults={"email": "practitioner@demo.anmian"}
        )
        if created:
            prac_user.set_password(DEMO_PASSWORD)
            prac_user.save()
        Practitioner.objects.get_or_create(
            user=prac_user, defaults={"clinic": clinic, "display_name": "Dr Ann Wu"}
        )
        for email, name, data in PEOPLE:
            user, created = users.objects.get_or_create(username=email, defaults={"email": email})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            patient, _ = Patient.objects.get_or_create(
                user=user, defaults={"clinic": clinic, "name": name}
            )
            if not patient.assessments.exists():
                result = assess(parse_input(data), kb).to_dict()
                Assessment.objects.create(
                    patient=patient, kb_version=kb.version, input=data, result=result
                )
        self.stdout.write("Demo logins (local demonstration only):")
        self.stdout.write(f"  practitioner  practitioner@demo.anmian / {DEMO_PASSWORD}")
        for email, name, _ in PEOPLE:
            self.stdout.write(f"  patient       {email} / {DEMO_PASSWORD}  ({name})")

    def _booking(self, clinic, practitioner) -> None:
        from datetime import time

        from anmian.web.booking.models import AppointmentType, Break, WorkingHours

        for name, minutes, after in TYPES:
            AppointmentType.objects.get_or_create(
                clinic=clinic,
                name=name,
                defaults={"duration_min": minutes, "buffer_after_min": after},
            )
        if not WorkingHours.objects.filter(practitioner=practitioner).exists():
            for weekday in range(5):  # Monday to Friday, 9:00 to 18:00, lunch 13:00 to 14:00
                WorkingHours.objects.create(
                    practitioner=practitioner, weekday=weekday, start=time(9), end=time(18)
                )
                Break.objects.create(
                    practitioner=practitioner, weekday=weekday, start=time(13), end=time(14)
                )
