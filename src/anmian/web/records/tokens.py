"""API tokens: what a person may ask for (a name, a scope, 1 to 365 days), the list of their
own tokens, revoking one, and what a presented token may do. The model stores a token's
digest; the rules live here, so the API, the account page and the admin agree."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from anmian.web.records.models import ApiToken

MAX_DAYS = 365
MAX_NAME = 100
SCOPES = (ApiToken.READ, ApiToken.READ_WRITE)
# A token used many times a minute is written once a minute: last-used is for a person
# deciding which token to revoke, and a write per request would cost more than it tells.
LAST_USED_EVERY = timedelta(minutes=1)
# Methods that change nothing; everything else needs a read-write token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BadTokenRequest(ValueError):
    """A name, scope or lifetime that cannot be granted; the message says which and why."""


class Refusal(Exception):
    """A token that was found but may not do this: its status (401, 403) and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def check_request(name: str, scope: str, days: int | None) -> tuple[str, str, int | None]:
    """The request cleaned, or BadTokenRequest naming what is wrong."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise BadTokenRequest(f"name must be 1 to {MAX_NAME} characters")
    if scope not in SCOPES:
        raise BadTokenRequest("scope must be 'read' or 'read-write'")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise BadTokenRequest(f"days must be a whole number from 1 to {MAX_DAYS}")
    return name, scope, days


def issue(user: Any, name: str, scope: str, days: int | None = None) -> tuple[str, ApiToken]:
    """A new token (shown once, in clear) and its row."""
    name, scope, days = check_request(name, scope, days)
    token = ApiToken.issue(user, name=name, scope=scope, days=days)
    return token, ApiToken.objects.get(digest=ApiToken.hash(token))


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")


def revoke(user: Any, pk: int | str) -> None:
    """End one of the user's own tokens; another's, or none, is a 404."""
    if not str(pk).isdigit() or not tokens_of(user).filter(pk=int(pk)).delete()[0]:
        raise Http404("no such token")


def authenticate(raw: str, method: str, now: datetime) -> Any | None:
    """The user a presented token stands for; None for an unknown token or a switched-off
    account (a plain 401), Refusal for an expired token (401) or a write with a read token
    (403)."""
    found = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(raw)).first()
    if found is None or not found.user.is_active:
        return None
    if found.expires <= now:
        raise Refusal(401, "token expired: create a new one with POST /api/v1/tokens")
    if found.scope != ApiToken.READ_WRITE and method.upper() not in SAFE_METHODS:
        raise Refusal(
            403,
            f"this token is read-only (scope 'read'): {method.upper()} needs a token with "
            "scope 'read-write'",
        )
    if found.last_used is None or now - found.last_used >= LAST_USED_EVERY:
        # Conditional, so parallel requests of one token write it once.
        ApiToken.objects.filter(pk=found.pk).filter(
            Q(last_used__isnull=True) | Q(last_used__lte=now - LAST_USED_EVERY)
        ).update(last_used=now)
    return found.user
