"""The JSON API (django-ninja). OpenAPI at /api/openapi.json, docs at /api/docs.

`POST /api/v1/assess` takes the same document as `anmian assess` and returns the same
JSON: both call `anmian.engine.assess`, so the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.throttling import AnonRateThrottle

from anmian.engine import InputError, UnresolvedFindings, assess, parse_input
from anmian.knowledge import get_kb

api = NinjaAPI(
    title="Anmian API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    description="TCM care of Restless Legs Syndrome. Supports care; does not diagnose.",
)


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any):
        self.status, self.message, self.extra = status, message, extra


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError):
    return api.create_response(request, {"error": exc.message, **exc.extra}, status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return api.create_response(
        request,
        {"error": f"field '{where}': {first.get('msg', 'invalid')}", "detail": exc.errors},
        status=422,
    )


class ClinicAnonThrottle(AnonRateThrottle):
    """Anonymous rate limit read from settings on each request, so a clinic's
    ANMIAN_ANON_RATE (and a test's override) takes effect without rebuilding routes."""

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.ANMIAN_ANON_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


def _anon_throttle() -> list[AnonRateThrottle]:
    return [ClinicAnonThrottle(settings.ANMIAN_ANON_RATE)]


@api.post(
    "/v1/assess",
    throttle=_anon_throttle(),
    summary="Screen, rank TCM patterns and build a safety-checked plan",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def assess_view(request: HttpRequest, allow_unknown: bool = False) -> dict[str, Any]:
    """Same input and output as `anmian assess --format json`."""
    import json

    try:
        data = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"not valid JSON: {exc}") from None
    try:
        result = assess(parse_input(data), get_kb(), allow_unknown=allow_unknown)
    except UnresolvedFindings as exc:
        unresolved = [{"text": t, "suggestions": list(s)} for t, s in exc.unresolved]
        raise ApiError(422, str(exc), unresolved=unresolved) from None
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    return result.to_dict()
