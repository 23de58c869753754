"""Logs as one JSON object a line: time (UTC), level, logger, message, the request's id and
the account's id, so a load balancer's log, gunicorn's and Django's can be joined on one
request. Never personal data: the account is its number, never its name or email; paths go
through core/logsafe.py's filter before they get here; a job is named by its queue id.

The request id comes from the proxy (nginx's $request_id in X-Request-ID) when it looks like
one, otherwise it is made here; the response carries it back in X-Request-ID."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "anmian_request", default=None
)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("anmian_job", default=None)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _user_id(request: Any) -> int | None:
    """The account's id if this request has already loaded it: logging must never run a query
    of its own (a query can log, and that log would ask again)."""
    user = getattr(request, "_cached_user", None)
    return user.pk if user is not None and user.is_authenticated else None


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Django's request logger passes the request (wrapped by logsafe's filter); any other
        # line of a request finds it through the middleware.
        request = getattr(record, "request", None) or _request.get()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(request, "request_id", None),
            "user_id": _user_id(request),
        }
        if status := getattr(record, "status_code", None):
            entry["status"] = status
        if job := job_id.get():
            entry["job_id"] = job
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex  # type: ignore[attr-defined]
        _request.set(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


def _forget_request(**kwargs: object) -> None:
    # Not at the end of the middleware: Django logs a 4xx/5xx after the middleware returns.
    _request.set(None)


request_finished.connect(_forget_request, dispatch_uid="anmian.jsonlog.forget_request")
