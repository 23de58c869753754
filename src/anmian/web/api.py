"""The JSON API (django-ninja). OpenAPI at /api/openapi.json, docs at /api/docs.

`POST /api/v1/assess` takes the same document as `anmian assess` and returns the same
JSON: both call `anmian.engine.assess`, so the two can never drift apart.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status
from ninja.throttling import AnonRateThrottle

from anmian.engine import InputError, UnresolvedFindings, assess, parse_input
from anmian.knowledge import get_kb
from anmian.web.apiauth import AUTH, ApiError
from anmian.web.booking.api import router as booking_router
from anmian.web.lockout import lockout_message
from anmian.web.records.access import get_assessment, get_patient, is_practitioner, visible_patients
from anmian.web.records.models import ApiToken, audit

api = NinjaAPI(
    title="Anmian API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    description="TCM care of Restless Legs Syndrome. Supports care; does not diagnose.",
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError):
    return api.create_response(request, {"error": exc.message, **exc.extra}, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"error": "not found"}, status=404)


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


# --- authenticated endpoints: a person's own assessments, a practitioner's patients ---


class TokenRequest(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@api.post(
    "/v1/tokens", response={201: TokenOut}, throttle=_anon_throttle(), summary="Get an API token"
)
def create_token(request: HttpRequest, body: TokenRequest):
    # The same door as the login page: django-axes counts the failure and refuses a locked
    # account or address before the password is checked (anmian/web/lockout.py).
    user = authenticate(request, username=body.username.strip().casefold(), password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, lockout_message())
    if user is None:
        raise ApiError(401, "wrong email or password")
    return Status(201, {"token": ApiToken.issue(user)})


def _summary(a) -> dict[str, Any]:
    return {
        "uid": str(a.uid),
        "created": a.created.isoformat(),
        "kb_version": a.kb_version,
        "verdict": a.result["screening"]["verdict"],
        "leading": [p["id"] for p in a.leading_patterns()],
    }


@api.get("/v1/me/assessments", auth=AUTH, summary="My assessments")
def my_assessments(request: HttpRequest) -> list[dict[str, Any]]:
    patient = getattr(request.user, "patient", None)
    return [_summary(a) for a in patient.assessments.all()] if patient else []


@api.get("/v1/assessments/{uid}", auth=AUTH, summary="One assessment I may see")
def one_assessment(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    a = get_assessment(request.user, uid)
    audit(request.user, "read", a.patient, "assessment", a)
    return _summary(a) | {"input": a.input, "result": a.result}


@api.get("/v1/patients", auth=AUTH, summary="My clinic's patients (practitioners)")
def patients(request: HttpRequest, q: str = "", page: int = 1) -> dict[str, Any]:
    if not is_practitioner(request.user):
        raise ApiError(403, "only practitioners can list patients")
    if page < 1:
        raise ApiError(400, "page must be 1 or more")
    qs = visible_patients(request.user).order_by("name", "pk")
    if q:
        qs = qs.filter(name__icontains=q)
    size = 25
    rows = qs[(page - 1) * size : page * size]
    return {
        "page": page,
        "count": qs.count(),
        "results": [{"uid": str(p.uid), "name": p.name} for p in rows],
    }


@api.get("/v1/patients/{uid}/assessments", auth=AUTH, summary="A patient's assessments")
def patient_assessments(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    p = get_patient(request.user, uid)
    audit(request.user, "read", p, "assessments", p)
    return [_summary(a) for a in p.assessments.all()]


api.add_router("/v1/booking", booking_router)
