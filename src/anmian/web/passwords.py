"""Password rules beyond Django's own, and what a new password ends.

Django's common-password list holds real leaked passwords, not every keyboard pattern: a
run of one letter such as `zzzzzzzzzzzz` is not on it, so variety is checked here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class VarietyValidator:
    """Refuses passwords made of very few different characters (`zzzzzzzzzzzz`,
    `abababababab`, `111122221111`)."""

    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password: str, user: Any = None) -> None:
        if len(set(password.casefold())) < self.min_distinct:
            raise ValidationError(
                _(
                    "This password uses too few different characters; use at least "
                    "%(min)s different ones, or a few words."
                )
                % {"min": self.min_distinct},
                code="password_too_repetitive",
            )

    def get_help_text(self) -> str:
        return _("Your password must use at least %(min)s different characters.") % {
            "min": self.min_distinct
        }


class EndAccessOnPasswordChange:
    """Not a rule: Django calls `password_changed` on every configured validator after a
    new password is saved (`set_password` then `save`, which reset, change and the admin all
    do). Sessions need nothing here: Django ends every other session of the user at its next
    request, because each session carries a hash of the password. API tokens do not, so
    they are deleted; and the account's login lock ends, the new password being unknown to
    whoever was guessing the old one."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from anmian.web.lockout import unlock_account
        from anmian.web.records.models import ApiToken

        ApiToken.objects.filter(user=user).delete()
        unlock_account(user.get_username())

    def get_help_text(self) -> str:
        return "A new password signs you out everywhere else and ends your API tokens."
