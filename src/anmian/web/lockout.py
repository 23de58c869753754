"""Guessing passwords: what django-axes is told, and what a locked-out person is told.

Axes counts failed logins in the database, per account and per client address (either one
over the limit locks), for every door that calls `authenticate` with the request: the site's
login, the admin's login and `POST /api/v1/tokens`. The lockout lasts ANMIAN_LOCKOUT_MINUTES
after the latest failed attempt; an attempt during the lockout counts too and starts the
wait again, so the message's "try again in N minutes" always holds. A lock on one account
from several addresses can end sooner, never later.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: read on each call, so the message and the lock use one number."""
    return timedelta(minutes=settings.ANMIAN_LOCKOUT_MINUTES)


def locked_until() -> datetime:
    """When a lock set or renewed now ends: every attempt restarts the wait (see above), so
    it is now plus the cool-off, rounded up to the minute so "until 19:52" never ends early."""
    end = timezone.now() + cool_off()
    if end.second or end.microsecond:
        end = end.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return end


def lockout_message() -> str:
    """What a locked-out person is told, on the page and by the API: that even the right
    password is refused, until when (the clock in the site's time zone) and for how long."""
    minutes = settings.ANMIAN_LOCKOUT_MINUTES
    until = timezone.localtime(locked_until()).strftime("%H:%M %Z")
    return ngettext(
        "Too many failed attempts: sign-in is locked until %(until)s, even with the right "
        "password. Try again in %(n)s minute, or reset your password.",
        "Too many failed attempts: sign-in is locked until %(until)s, even with the right "
        "password. Try again in %(n)s minutes, or reset your password.",
        minutes,
    ) % {"n": minutes, "until": until}


# A failed login warns when this many tries or fewer are left before the lock.
WARN_WHEN_LEFT = 2


def tries_left(request: HttpRequest, username: str) -> int:
    """Failed logins left before sign-in locks for this account or this address (axes counts
    both and locks on either): the same count axes decides by, read after this failure."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_failure_limit

    credentials = {"username": username}
    failures = AxesProxyHandler.get_failures(request, credentials)
    return max(get_failure_limit(request, credentials) - failures, 0)


def tries_left_warning(request: HttpRequest, username: str) -> str | None:
    """The warning for a failed login when one or two tries are left, else None."""
    left = tries_left(request, username)
    if not 0 < left <= WARN_WHEN_LEFT:
        return None
    minutes = settings.ANMIAN_LOCKOUT_MINUTES
    wait = ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    return ngettext(
        "%(n)s try left: one more failed attempt locks sign-in for %(wait)s. If you have "
        "forgotten your password, reset it instead.",
        "%(n)s tries left: then sign-in is locked for %(wait)s. If you have forgotten your "
        "password, reset it instead.",
        left,
    ) % {"n": left, "wait": wait}


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
    message = ngettext(
        "Too many password reset requests. Try again in %(n)s minute; if a link was sent, "
        "it still works.",
        "Too many password reset requests. Try again in %(n)s minutes; if a link was sent, "
        "it still works.",
        minutes,
    ) % {"n": minutes}
    context = {"message": message, "disclaimer": _disclaimer()}
    response = render(request, "lockout.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- one guess at a time: axes reads the count, then the password is checked, then axes
# writes the failure. Concurrent guesses could all read the same count and all be checked;
# the doors below therefore run one at a time per account and per address ---


def _login_paths() -> frozenset[str]:
    from django.urls import reverse

    return frozenset((reverse("accounts:login"), reverse("admin:login"), "/api/v1/tokens"))


def _claimed_username(request: HttpRequest) -> str:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return ""  # the view refuses the body; no account to lock for it
        value = body.get("username") if isinstance(body, dict) else None
    else:
        value = request.POST.get("username")
    return value.strip().casefold() if isinstance(value, str) else ""


class OneGuessAtATimeMiddleware:
    """Runs each login POST in a transaction holding a lock for its account and one for its
    address, so axes's check and its count of the failure happen before the next guess for
    either is checked. On SQLite every such transaction takes the database's write lock
    (`transaction_mode: IMMEDIATE` in settings), which serialises them all; on PostgreSQL
    transaction-scoped advisory locks serialise only guesses that share an account or an
    address, taken in a fixed order so two requests can never wait on each other."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.paths is None:
            self.paths = _login_paths()
        if request.method != "POST" or request.path not in self.paths:
            return self.get_response(request)
        from anmian.web.clientip import client_ip

        # Hashed: what was typed (a NUL, which PostgreSQL's text refuses; a person's email)
        # never reaches the database as the lock's name.
        keys = sorted(
            hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest()
            for k in {f"login:user:{_claimed_username(request)}", f"login:ip:{client_ip(request)}"}
        )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for key in keys:
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
            return self.get_response(request)
