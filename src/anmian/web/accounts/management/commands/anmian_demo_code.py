"""The code the demo practitioner's authenticator shows now, for `make run` without a phone.

It answers only for the demo authenticator that `load_demo_clinic` sets up with a published
key (local demonstration only); no real account's code can be read this way.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from anmian.web import twofactor


class Command(BaseCommand):
    help = "Print the demo practitioner's current two-factor code (demo clinic only)."

    def handle(self, *args: Any, **options: Any) -> None:
        device = TOTPDevice.objects.filter(name=twofactor.DEMO, confirmed=True).first()
        if device is None:
            raise CommandError("no demo authenticator: run `manage.py load_demo_clinic` first")
        self.stdout.write(twofactor.demo_code(device))
