"""Secrets out of the logs. Some URLs are credentials: the private calendar feed, the waitlist
offer link, account activation and password reset links all carry a token in their path, and
whoever reads the access log (or a "Not Found" warning) could use it. Every path logged goes
through `safe_path`, which replaces such a token by `~` and the first 10 hex digits of its
SHA-256: enough to tell two links apart or match one to a complaint, useless to open it.

The routes are found from the URL resolver (any parameter `is_secret` names), not from a
hand-kept list, so a new route with a `<token>` is covered by being written. Used by the
logging filter in settings.LOGGING (Django's request and runserver logs) and by
`AccessLogger`, gunicorn's access log (scripts/serve.sh)."""

from __future__ import annotations

import hashlib
import logging
import re
from functools import cache
from typing import Any

# A route parameter is a secret when its name says so: `token`, `invite_token`, `secret`,
# `invite`, `key`. A new credential link is covered by naming its parameter plainly.
SECRET_WORDS = ("token", "secret", "invite", "key")


def is_secret(name: str) -> bool:
    return any(word in name.casefold() for word in SECRET_WORDS)


_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def fingerprint(secret: str) -> str:
    return "~" + hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()[:10]


@cache
def _secret_routes() -> tuple[re.Pattern[str], ...]:
    """A regex per route with a secret parameter, the secret as group `secret`. Matched from
    the start of the path but not to its end: `/booking/feed/<token>.ics/more` still hides it."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[re.Pattern[str]] = []

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and any(
                is_secret(m.group("name")) for m in _PARAM.finditer(route)
            ):
                found.append(re.compile("/" + _to_regex(route)))

    walk(get_resolver().url_patterns, "")
    return tuple(found)


def _to_regex(route: str) -> str:
    out, at = [], 0
    for m in _PARAM.finditer(route):
        out.append(re.escape(route[at : m.start()]))
        secret = is_secret(m.group("name"))
        out.append("(?P<secret>[^/]+?)" if secret else "[^/]+")
        at = m.end()
    out.append(re.escape(route[at:]).removesuffix(r"\$"))
    return "".join(out).lstrip("^")


def safe_path(path: str) -> str:
    """`path` with the secret of a secret route replaced by its fingerprint."""
    from django.urls import Resolver404, resolve

    if not path.startswith("/"):
        return path
    try:
        routes = _secret_routes()
        match = resolve(path)
    except Resolver404:
        match = None
    except Exception:  # Django not set up (a gunicorn master): hide every long segment
        return re.sub(r"(?<=/)[^/]{20,}", lambda m: fingerprint(m.group()), path)
    if match is not None:
        secrets = [v for k, v in match.kwargs.items() if is_secret(k) and isinstance(v, str)]
        if not secrets:
            return path  # another route, such as /booking/waitlist/join/
        if all(v in path for v in secrets):
            for v in secrets:
                path = path.replace(v, fingerprint(v))
            return path
    # Not a route as written (a token with a tail, an odd encoding): a secret route's prefix
    # still hides the segment that follows it.
    for route in routes:
        m = route.match(path) or re.match(
            route.pattern.split("(?P<secret>", 1)[0] + r"(?P<secret>[^/]+)", path
        )
        if m:
            start, end = m.span("secret")
            return path[:start] + fingerprint(m.group("secret")) + path[end:]
    return path


# A path, alone or inside an absolute URL (a referrer), up to a space, quote, query or fragment.
_PATHS = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s\"']*)?(/[^\s\"'?#]*)")


def _scrub(value: Any) -> Any:
    if isinstance(value, str) and "/" in value:
        return _PATHS.sub(
            lambda m: m.group()[: m.start(1) - m.start()] + safe_path(m.group(1)), value
        )
    return value


class SecretPathFilter(logging.Filter):
    """Rewrites a record's message and arguments so no secret path reaches any handler.
    Django's "Not Found: /booking/feed/<token>.ics" and runserver's request lines included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "secrets_hidden", False):
            return True  # filtered where it was made, then again by a handler: once is right
        record.secrets_hidden = True
        record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _scrub(v) for k, v in record.args.items()}
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # The request stays for handlers that read it (mail_admins); its path is hidden.
            record.request = _SafeRequest(request)
        return True


class _SafeRequest:
    def __init__(self, request: Any):
        self._request = request

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._request, name)
        if name in ("path", "path_info"):
            return safe_path(value)
        if name in ("get_full_path", "build_absolute_uri"):
            return lambda *a, **k: _scrub(value(*a, **k))
        return value


try:
    from gunicorn.glogging import Logger as _GunicornLogger  # type: ignore[import-untyped]
except ImportError:  # gunicorn is only for serving
    _GunicornLogger = object


class AccessLogger(_GunicornLogger):
    """gunicorn's logger with the path, request line and referrer of every access-log line
    passed through `safe_path` (`--logger-class anmian.web.core.logsafe.AccessLogger`)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "f", "{referer}i"):
            if key in atoms:
                atoms[key] = _scrub(atoms[key])
        return atoms
