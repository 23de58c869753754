"""Cancel orders left unpaid past the hold and give their stock back; safe to run every
minute (a cancelled order is never cancelled twice)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anmian.web.shop import services


class Command(BaseCommand):
    help = "Release the stock of orders left unpaid past the hold."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="the hold, in minutes (default: ANMIAN_SHOP_HOLD_MINUTES)",
        )

    def handle(self, *args, **options) -> None:
        released = services.release_abandoned(options["minutes"])
        self.stdout.write(f"Released {released} unpaid order(s).")
