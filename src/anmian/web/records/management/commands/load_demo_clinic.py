"""Create (or refresh) a demo clinic that works at once: two practitioners, a clinic admin,
two patients with an assessment, an adopted plan and session notes; then, through the other
apps' own commands (called by name, so records imports neither), appointment types with
prices, working hours, breaks and a holiday (booking), six weeks of diary nights (diary) and
the shop's catalogue.

Idempotent: running it again changes nothing that exists. The logins printed are for a
local demonstration only.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from anmian.engine.inputs import CRITERIA
from anmian.web import twofactor
from anmian.web.records.models import Clinic, Patient, Practitioner, SessionNote
from anmian.web.records.services import adopt_plan, record_note, save_assessment

DEMO_PASSWORD = "demo-only-password"
CLINIC = {
    "name": "Anmian Demo Clinic",
    "time_zone": "Europe/London",
    "address": "12 Willow Lane, London N1 7AB",
    "phone": "020 7946 0321",
}
PRACTITIONERS = [
    ("practitioner@demo.anmian", "Dr Ann Wu"),
    ("practitioner2@demo.anmian", "Li Chen, Lic.Ac."),
]
ADMIN = "admin@demo.anmian"
PROFILES = {  # date of birth, phone, emergency contact
    "mei@demo.anmian": (date(1968, 3, 14), "07700 900123", "Jun Lin (husband) 07700 900124"),
    "tom@demo.anmian": (date(1960, 9, 2), "07700 900456", "Sara Reed (daughter) 07700 900457"),
}
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
            name=CLINIC["name"], defaults={k: v for k, v in CLINIC.items() if k != "name"}
        )
        practitioners = [self._practitioner(clinic, *who) for who in PRACTITIONERS]
        # The demo practitioners and admin have the published demo authenticator key.
        admin = self._admin()
        second_factor = [twofactor.enrol_demo(u) for u in (admin, *(p.user for p in practitioners))]
        for email, name, data in PEOPLE:
            user, created = users.objects.get_or_create(username=email, defaults={"email": email})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            born, phone, emergency = PROFILES[email]
            patient, _ = Patient.objects.get_or_create(
                user=user,
                defaults={
                    "clinic": clinic,
                    "name": name,
                    "date_of_birth": born,
                    "birth_year": born.year,
                    "sex": data["sex"],
                    "phone": phone,
                    "emergency_contact": emergency,
                },
            )
            if not patient.assessments.exists():
                # Saved as the patient's own self-check would be, audit entry included.
                save_assessment(user, data)
            self._care(practitioners[0], patient)
        call_command("load_demo_booking", clinic=clinic.name, stdout=self.stdout)
        call_command("load_demo_diary", clinic=clinic.name, stdout=self.stdout)
        call_command("load_demo_shop", stdout=self.stdout)  # the shop's catalogue
        self.stdout.write("Demo logins (local demonstration only), all with the password")
        # `make run PORT=8765` serves elsewhere: the address printed is the one served.
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"{DEMO_PASSWORD}, at http://127.0.0.1:{port}/accounts/login/:")
        for email, name in PRACTITIONERS:
            self.stdout.write(f"  practitioner  {email}  ({name})")
        self.stdout.write(f"  clinic admin  {ADMIN}  (superuser: /admin/)")
        self.stdout.write("  practitioners and the admin share one demo authenticator;")
        self.stdout.write(second_factor[-1])
        for email, name, _ in PEOPLE:
            self.stdout.write(f"  patient       {email}  ({name})")

    def _practitioner(self, clinic: Clinic, email: str, name: str) -> Practitioner:
        user = self._user(email)
        practitioner, _ = Practitioner.objects.get_or_create(
            user=user, defaults={"clinic": clinic, "display_name": name}
        )
        return practitioner

    def _admin(self):
        admin = self._user(ADMIN)
        if not admin.is_superuser:
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])
        return admin

    @staticmethod
    def _user(email: str):
        user, created = get_user_model().objects.get_or_create(
            username=email, defaults={"email": email}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        return user

    @staticmethod
    def _care(practitioner: Practitioner, patient: Patient) -> None:
        """An adopted plan and three weekly session notes, as the practitioner would write."""
        assessment = patient.assessments.order_by("created").first()
        if assessment is None or patient.plans.exists():
            return
        plan = adopt_plan(practitioner.user, assessment.uid, notify=False)
        today = date.today()
        monday = today - timedelta(days=today.weekday())  # the demo's sessions are on Mondays
        for weeks_ago in (3, 2, 1):
            note = SessionNote(
                date=monday - timedelta(weeks=weeks_ago),
                tongue="pale, thin white coat",
                pulse="thin",
                points=[{"point": p, "side": "both", "technique": "even"} for p in plan.points[:4]],
                response="Legs calmer for two nights after the session.",
                notes="Continue the course; review sleep diary next week.",
            )
            record_note(practitioner.user, patient.uid, note)
