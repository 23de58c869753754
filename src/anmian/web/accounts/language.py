"""The language saved on the account: set by the switch, read when an email is sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.i18n import set_language as django_set_language

from anmian.web.accounts.models import Profile


def _supported(code: str) -> str:
    codes = {c for c, _ in settings.LANGUAGES}
    return code if code in codes else ""


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's `set_language` (the cookie, the safe `next`), and for a person logged in the
    choice saved on the account too. An unknown code changes nothing, as Django's does."""
    response = django_set_language(request)
    code = _supported(str(request.POST.get("language", "")))
    if code and request.method == "POST" and request.user.is_authenticated:
        Profile.objects.update_or_create(user=request.user, defaults={"language": code})
    return response


def language_of(user: Any) -> str:
    """The language to write to `user` in when no request says it: the one saved on the
    account, else the site's default."""
    code = ""
    if user is not None and getattr(user, "pk", None):
        code = Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""
    return _supported(code) or settings.LANGUAGE_CODE


@contextmanager
def in_language_of(user: Any) -> Iterator[None]:
    """Render and send an email in the person's saved language (the worker has no request)."""
    with translation.override(language_of(user)):
        yield
