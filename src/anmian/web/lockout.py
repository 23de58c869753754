"""Guessing passwords: what django-axes is told, and what a locked-out person is told.

Axes counts failed logins in the database, per account and per client address (either one
over the limit locks), for every door that calls `authenticate` with the request: the site's
login, the admin's login and `POST /api/v1/tokens`. The lockout lasts ANMIAN_LOCKOUT_MINUTES
after the latest failed attempt; an attempt during the lockout counts too and starts the
wait again, so the message's "try again in N minutes" always holds. A lock on one account
from several addresses can end sooner, never later.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: read on each call, so the message and the lock use one number."""
    return timedelta(minutes=settings.ANMIAN_LOCKOUT_MINUTES)


def lockout_message() -> str:
    minutes = settings.ANMIAN_LOCKOUT_MINUTES
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed attempts. Try again in {minutes} {unit}, or reset your password."


def username_of(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """Accounts are keyed by the casefolded email, so 'Alice@' and 'alice@' count as one."""
    source: Any = credentials if credentials else request.POST
    value = source.get("username")
    return value.strip().casefold() if isinstance(value, str) else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the same message as JSON for the API, HTML elsewhere."""
    retry = str(settings.ANMIAN_LOCKOUT_MINUTES * 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": lockout_message()}, status=429)
    else:
        context = {"message": lockout_message(), "disclaimer": _disclaimer()}
        response = render(request, "lockout.html", context, status=429)
    response["Retry-After"] = retry
    return response


def _disclaimer() -> str:
    from anmian.knowledge import get_kb

    return get_kb().rules.disclaimer


def unlock_account(username: str) -> None:
    """A changed password makes earlier guesses moot: the failures recorded against the
    account are forgotten, so a person locked out by someone else's guessing gets in again
    through a password reset."""
    # Straight to the table of axes's database handler (the one configured): its reset()
    # would log a line for every account created, too.
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=username).delete()


# --- password reset requests: each one sends an email, so each address and each account
# asks for a few an hour at most ---

RESET_WINDOW_SECONDS = 3600


def reset_request_allowed(request: HttpRequest, email: str) -> bool:
    """Counts this request; False once the address or the email has asked too often this hour.

    The count is a get-then-set in the cache, not atomic: a burst can overshoot by a few
    emails, which is harmless here (no password is tried), unlike login guesses, which axes
    counts in the database."""
    from anmian.web.clientip import client_ip

    window = int(time.time() // RESET_WINDOW_SECONDS)
    keys = [
        f"reset-requests:ip:{client_ip(request)}:{window}",
        f"reset-requests:email:{email.strip().casefold()}:{window}",
    ]
    counts = [cache.get(key, 0) for key in keys]
    if max(counts) >= settings.ANMIAN_RESET_REQUESTS_PER_HOUR:
        return False
    for key, count in zip(keys, counts, strict=True):
        cache.set(key, count + 1, RESET_WINDOW_SECONDS)
    return True


def reset_refused_response(request: HttpRequest) -> HttpResponse:
    # Counts start afresh at the next window, so that is the honest wait.
    seconds = RESET_WINDOW_SECONDS - int(time.time()) % RESET_WINDOW_SECONDS
    minutes = -(-seconds // 60)
    unit = "minute" if minutes == 1 else "minutes"
    message = (
        f"Too many password reset requests. Try again in {minutes} {unit}; "
        "if a link was sent, it still works."
    )
    context = {"message": message, "disclaimer": _disclaimer()}
    response = render(request, "lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
