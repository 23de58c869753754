"""Load the demo catalogue (idempotent). `load_demo_clinic` calls it by name, so the records
app does not import the shop."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anmian.web.shop.demo import CATALOGUE, load_demo_products


class Command(BaseCommand):
    help = "Load the shop's demo catalogue (idempotent)."

    def handle(self, *args, **options) -> None:
        created = load_demo_products()
        self.stdout.write(f"Shop: {created} of {len(CATALOGUE)} demo products created.")
