"""A person's own settings that outlive a browser: the language they read (issue 16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """Made on the first setting saved; a user without one reads the site's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # A code of settings.LANGUAGES (en-gb, zh-hant, zh-hans), set by the language switch
    # while logged in, so emails sent later by the worker (reminders) are in it too.
    language = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'default'})"
