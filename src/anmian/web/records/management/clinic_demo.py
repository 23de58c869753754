"""The frame of the demo commands that fill in one named clinic (load_demo_booking,
load_demo_diary): they differ only in what they load, not in how the clinic is chosen."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from anmian.web.records.models import Clinic


class ClinicDemoCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clinic", required=True, help="the clinic's name")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.filter(name=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic named {options['clinic']!r}.")
        self.load(clinic)

    def load(self, clinic: Clinic) -> None:
        """Add the demo rows to `clinic`, leaving rows that exist alone (run inside one transaction)."""
        raise NotImplementedError
