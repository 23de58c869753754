"""Create (or refresh) a demo clinic: one practitioner and two patients with assessments.

Idempotent: running it again changes nothing that exists. The logins printed are for a
local demonstration only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from anmian.engine.inputs import CRITERIA
from anmian.web import twofactor
from anmian.web.records.models import Clinic, Patient, Practitioner
from anmian.web.records.services import save_assessment

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


class Command(BaseCommand):
    help = "Load a demo clinic with one practitioner and two patients (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users = get_user_model()
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
        second_factor = twofactor.enrol_demo(prac_user)  # required of practitioners
        for email, name, data in PEOPLE:
            user, created = users.objects.get_or_create(username=email, defaults={"email": email})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            patient, _ = Patient.objects.get_or_create(
                user=user, defaults={"clinic": clinic, "name": name}
            )
            if not patient.assessments.exists():
                # Saved as the patient's own self-check would be, audit entry included.
                save_assessment(user, data)
        call_command("load_demo_shop", stdout=self.stdout)  # the shop's catalogue
        self.stdout.write("Demo logins (local demonstration only):")
        self.stdout.write(f"  practitioner  practitioner@demo.anmian / {DEMO_PASSWORD}")
        self.stdout.write(second_factor)
        for email, name, _ in PEOPLE:
            self.stdout.write(f"  patient       {email} / {DEMO_PASSWORD}  ({name})")
