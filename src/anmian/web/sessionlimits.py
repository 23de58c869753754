"""Login sessions end after a while without activity and after a fixed lifetime.

Those who see other people's records (practitioners, staff, admins) get the short limits,
patients the long ones; all four come from settings. Which limits a session has is decided
at login and kept in the session, so a request costs no extra query.

Activity is written to the session at most once a minute (a write per request would be a
database write per request), so an idle session can end up to a minute early, never late.

Before the idle limit ends a session, every page warns (`static/anmian/logoff.js`, given the
seconds left by `warning` below) and offers to stay signed in, which posts to `keep_alive`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "_anmian_login_at"
SEEN_AT = "_anmian_seen_at"
STAFF = "_anmian_staff"
SEEN_EVERY_SECONDS = 60
WARN_SECONDS = 120  # the warning shows this long before the idle limit ends the session


def sees_others_records(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser or hasattr(user, "practitioner"))


def limits(staff: bool) -> tuple[int, int]:
    """(idle, lifetime) in seconds."""
    if staff:
        return settings.ANMIAN_STAFF_IDLE_MINUTES * 60, settings.ANMIAN_STAFF_SESSION_HOURS * 3600
    return (
        settings.ANMIAN_PATIENT_IDLE_MINUTES * 60,
        settings.ANMIAN_PATIENT_SESSION_DAYS * 86400,
    )


def start(request: HttpRequest, user: Any) -> None:
    session = request.session
    now = time.time()
    staff = sees_others_records(user)
    session[LOGIN_AT] = session[SEEN_AT] = now
    session[STAFF] = staff
    # The cookie dies with the lifetime too, so a browser does not keep a dead session.
    session.set_expiry(limits(staff)[1])


@receiver(user_logged_in, dispatch_uid="anmian-session-limits")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        start(request, user)


def seconds_left(request: HttpRequest) -> int | None:
    """Seconds until the idle limit (or the lifetime, if sooner) ends this signed-in session;
    None without one."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or LOGIN_AT not in session:
        return None
    idle, lifetime = limits(bool(session.get(STAFF)))
    now = time.time()
    return max(0, int(min(session[SEEN_AT] + idle, session[LOGIN_AT] + lifetime) - now))


def touch(request: HttpRequest) -> None:
    """Count this request as activity now (the keep-alive button), whatever the minute."""
    request.session[SEEN_AT] = time.time()


def warning(request: HttpRequest) -> dict[str, Any]:
    """Context processor: for a signed-in page, the seconds its session has left and how long
    before the end to warn, which base.html hands to logoff.js; nothing for anyone else."""
    left = seconds_left(request)
    if left is None:
        return {}
    return {"session_seconds_left": left, "session_warn_seconds": WARN_SECONDS}


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = time.time()
            if LOGIN_AT not in session:  # a session from before these limits
                start(request, request.user)
            idle, lifetime = limits(bool(session.get(STAFF)))
            if now - session[LOGIN_AT] > lifetime:
                self._end(request, "Your session reached its time limit; please log in again.")
            elif now - session[SEEN_AT] > idle:
                minutes = idle // 60
                self._end(
                    request,
                    f"You were logged out after {minutes} minutes without activity, "
                    "to keep your records private. Please log in again.",
                )
            elif now - session[SEEN_AT] >= SEEN_EVERY_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request: HttpRequest, message: str) -> None:
        logout(request)
        messages.info(request, message)
