"""The recovery path for a lost phone: remove every second-factor device of one account.

Run by a superuser (`manage.py anmian_reset_2fa person@example.org`) after checking who is
asking, as for a password reset. A practitioner, staff member or admin enrols a new
authenticator at their next login; a patient's account is back to password only.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from anmian.web import twofactor


class Command(BaseCommand):
    help = "Remove an account's authenticator and backup codes (a lost phone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the account's login (its email address)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["username"].strip()
        accounts = get_user_model().objects
        # Exactly as typed, or in lower case as sign-up stores emails; never a guess.
        user = (
            accounts.filter(username=name).first()
            or accounts.filter(username=name.casefold()).first()
        )
        if user is None:
            raise CommandError(f"no account with the login {name!r}")
        gone = twofactor.reset(user)
        then = (
            "enrols a new authenticator at the next login"
            if twofactor.required(user)
            else "logs in with the password alone until it is turned on again"
        )
        self.stdout.write(f"{name}: {gone} second-factor record(s) removed; the account {then}.")
