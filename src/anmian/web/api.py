"""The JSON API (django-ninja). OpenAPI at /api/openapi.json, docs at /api/docs.

`POST /api/v1/assess` takes the same document as `anmian assess` and returns the same
JSON: both call `anmian.engine.assess` and print its typed result
(`anmian.engine.result.AssessmentResult`), so the two can never drift apart. Every operation
declares its response and error bodies; `docs/openapi.json` is the committed copy of the
document (`make openapi` writes it, a test compares it).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import orjson
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.responses import Status
from ninja.schema import NinjaGenerateJsonSchema
from ninja.throttling import BaseThrottle
from pydantic import ConfigDict, Field

from anmian.engine import AssessmentInput, InputError, UnresolvedFindings, assess, parse_input
from anmian.engine.result import AssessmentResult
from anmian.engine.zh_result import add_chinese, language
from anmian.knowledge import get_kb
from anmian.web import counters
from anmian.web.apiauth import (
    AUTH,
    ApiError,
    Error,
    InvalidRequest,
    document_token_refusals,
    errors,
    lang_query,
    read_json,
)
from anmian.web.apierrors_zh import with_zh
from anmian.web.booking.api import router as booking_router
from anmian.web.exports.api import router as exports_router
from anmian.web.lockout import lockout_message
from anmian.web.records import services as records
from anmian.web.records import tokens
from anmian.web.records.audit import DENIED, record
from anmian.web.selfcheck.api import router as intake_router
from anmian.web.shop.api import router as shop_router
from anmian.web.twofactor import token_refusal


@cache
def _examples() -> dict[str, Any]:
    """Example bodies of the document, shortened from a real assessment."""
    return json.loads((files("anmian.web") / "api_examples.json").read_text(encoding="utf-8"))


class AnmianAPI(NinjaAPI):
    """The API, whose document also holds the models of the bodies read by hand (the
    assessment input is parsed by the engine, for its one-line errors naming the field)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        body = AssessmentInput.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        schema["components"]["schemas"].update(body.pop("$defs", {}))
        schema["components"]["schemas"]["AssessmentInput"] = body
        _document_compact(schema)
        return document_token_refusals(schema)


api = AnmianAPI(
    title="Anmian API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    description="TCM care of Restless Legs Syndrome. Supports care; does not diagnose.",
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError):
    body = with_zh(request, exc.status, {"error": exc.message, **exc.extra})
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, with_zh(request, 404, {"error": "not found"}), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    """ninja's own refusals (401 without credentials, 429 over the rate) as an `Error`."""
    body = with_zh(request, exc.status_code, {"error": str(exc)})
    response = api.create_response(request, body, status=exc.status_code)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    body = {"error": f"field '{where}': {first.get('msg', 'invalid')}", "detail": exc.errors}
    return api.create_response(request, with_zh(request, 422, body), status=422)


def _anon_throttle() -> list[BaseThrottle]:
    return [counters.AnonThrottle(settings.ANMIAN_ANON_RATE)]


_NOT_UNDERSTOOD: dict[str, Any] = {
    "error": "unknown findings: 'zzzz qqqq'. Use ids or labels from `anmian kb search`, "
    "or pass --allow-unknown.",
    "unresolved": [{"text": "zzzz qqqq", "suggestions": []}],
}


class UnreadPart(Schema):
    text: str = Field(description="The words not understood.")
    suggestions: list[str] = Field(description="The closest known findings.")


class NotUnderstood(Error):
    """422: some findings could not be read, so nothing was assessed (unless
    `allow_unknown=true`, which reports them in `input.unresolved` instead)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_NOT_UNDERSTOOD]})
    unresolved: list[UnreadPart]


# What `?detail=compact` (the default) leaves out: the explanation of the ranking (each
# pattern's evidence for and against) and the findings regrouped by how they were read (each
# finding is in input.findings with its status). Every pattern, its score and role, the whole
# plan and every safety decision stay.
_EXPLANATION = {"PatternScore": ("for", "against"), "InputReport": ("readings",)}
DETAIL = Query(
    "compact",
    description="`compact` (the default): the result without the explanation of the ranking "
    "(each pattern's `for` and `against` evidence) and without `input.readings` (the findings "
    "grouped by how they were read; each is in `input.findings` with its status); every "
    "pattern, score and role, the whole plan and every safety decision are there. `full`: "
    "all of it, as `anmian assess --format json` prints it.",
)


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    """The assessment without its explanation (see _EXPLANATION); `doc` is not changed."""
    drop_p, drop_i = _EXPLANATION["PatternScore"], _EXPLANATION["InputReport"]
    return doc | {
        "input": {k: v for k, v in doc["input"].items() if k not in drop_i},
        "patterns": [{k: v for k, v in p.items() if k not in drop_p} for p in doc["patterns"]],
    }


def _document_compact(schema: OpenAPISchema) -> None:
    """AssessmentResultCompact and its parts: copies of the full models less _EXPLANATION's
    fields; the 200 of /v1/assess is either shape, by `detail`."""
    models = schema["components"]["schemas"]
    for name, fields in _EXPLANATION.items():
        full = models[name]
        models[f"{name}Compact"] = full | {
            "title": f"{full.get('title', name)} (compact)",
            "properties": {k: v for k, v in full["properties"].items() if k not in fields},
            "required": [k for k in full.get("required", []) if k not in fields],
        }
    result = models["AssessmentResult"]
    props = dict(result["properties"])
    props["input"] = {"$ref": REF_TEMPLATE.format(model="InputReportCompact")}
    props["patterns"] = props["patterns"] | {
        "items": {"$ref": REF_TEMPLATE.format(model="PatternScoreCompact")}
    }
    models["AssessmentResultCompact"] = result | {
        "title": "AssessmentResultCompact",
        "description": "An assessment without the explanation of its ranking "
        "(`detail=compact`, the default).",
        "properties": props,
    }
    body = schema["paths"]["/api/v1/assess"]["post"]["responses"][200]["content"]
    body["application/json"]["schema"] = {
        "anyOf": [
            {"$ref": REF_TEMPLATE.format(model="AssessmentResultCompact")},
            {"$ref": REF_TEMPLATE.format(model="AssessmentResult")},
        ]
    }


def _json(example: Any) -> dict[str, Any]:
    return {"content": {"application/json": {"example": example}}}


def _assess_doc() -> dict[str, Any]:
    ex = _examples()
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": REF_TEMPLATE.format(model="AssessmentInput")},
                    "example": ex["assess_input"],
                }
            },
        },
        "responses": {
            200: _json(ex["assess_result"]),
            400: _json({"error": "field 'age': Input should be less than or equal to 120"}),
            422: _json(_NOT_UNDERSTOOD),
            429: _json({"error": "Too many requests."}),
        },
    }


@api.post(
    "/v1/assess",
    throttle=_anon_throttle(),
    summary="Screen, rank TCM patterns and build a safety-checked plan",
    response={
        200: AssessmentResult,
        400: Error,
        422: NotUnderstood | InvalidRequest,
        429: Error,
    },
    by_alias=True,
    openapi_extra=_assess_doc(),
)
def assess_view(
    request: HttpRequest,
    allow_unknown: bool = False,
    lang: str = lang_query(),
    detail: Literal["compact", "full"] = DETAIL,
) -> HttpResponse:
    """Same input as `anmian assess --format json` (`--lang` is `?lang=`), and with
    `?detail=full` the same output; by default the result without the explanation of its
    ranking (see `detail`). The body is read here, not by ninja, so a bad document gets the
    engine's one-line 400 naming the field; 422 is for findings that could not be read (with
    the closest candidates) or a bad parameter.

    The answer is the engine's plain data (`to_dict`, held byte for byte to the typed result
    by tests/test_same_result.py) written by orjson: validating and dumping the typed result
    again through ninja cost more than the assessment."""
    data = read_json(request.body)
    try:
        result = assess(parse_input(data), get_kb(), allow_unknown=allow_unknown)
    except UnresolvedFindings as exc:
        unresolved = [{"text": t, "suggestions": list(s)} for t, s in exc.unresolved]
        raise ApiError(422, str(exc), unresolved=unresolved) from None
    except InputError as exc:
        raise ApiError(400, str(exc)) from None
    doc = result.to_dict()
    if language(lang) != "en":
        doc = add_chinese(doc, get_kb(), lang)
    if detail == "compact":
        doc = compact(doc)
    return HttpResponse(orjson.dumps(doc), content_type="application/json; charset=utf-8")


# --- authenticated endpoints: a person's own assessments, a practitioner's patients ---


class TokenRequest(Schema):
    username: str
    password: str
    name: str = Field(
        "token",
        min_length=1,
        max_length=tokens.MAX_NAME,
        description="What the token is for, shown in your list of tokens.",
    )
    scope: Literal["read", "read-write"] = Field(
        "read",
        description="`read` may only read (a write answers 403); `read-write` may also book, "
        "cancel and order.",
    )
    days: int | None = Field(
        None,
        ge=1,
        le=tokens.MAX_DAYS,
        description="Days until it expires, 1 to 365 (default: ANMIAN_TOKEN_DAYS, 90).",
    )
    otp: str | None = Field(
        None,
        description="The current 6-digit code of the account's authenticator app, or one of "
        "its backup codes. Needed when the account has two-factor authentication, which every "
        "practitioner, staff member and admin must have before they get a token.",
    )


class TokenOut(Schema):
    token: str = Field(description="Send it as `Authorization: Bearer <token>`. Shown once.")
    name: str
    scope: str = Field(description="`read` or `read-write`.")
    expires: str = Field(description="When it stops working, ISO 8601 with its offset.")


@api.post(
    "/v1/tokens",
    response={201: TokenOut, **errors(400, 401, 422, 429)},
    throttle=_anon_throttle(),
    summary="Get an API token",
    description="A token stands for a login that passed every factor: an account with "
    "two-factor authentication sends its current code as `otp`, and a practitioner, staff "
    "member or admin without it gets 401 until they turn it on at `/accounts/two-factor/`.",
)
def create_token(request: HttpRequest, body: TokenRequest):
    # The same door as the login page: django-axes counts the failure and refuses a locked
    # account or address before the password is checked (anmian/web/lockout.py).
    for field, value in (("username", body.username), ("password", body.password)):
        if "\x00" in value:  # no account has one, and PostgreSQL's text cannot hold it
            problem = {"type": "value_error", "loc": ["body", field], "msg": "a NUL character"}
            raise ApiError(
                422, f"field 'body.{field}': a NUL character is not allowed", detail=[problem]
            )
    user = authenticate(request, username=body.username.strip().casefold(), password=body.password)
    if getattr(request, "axes_locked_out", False):
        raise ApiError(429, lockout_message())
    if user is None:
        raise ApiError(401, "wrong email or password")
    refused = token_refusal(user, body.otp)
    if refused:
        raise ApiError(401, refused)
    try:
        token, row = tokens.issue(user, body.name, body.scope, body.days)
    except tokens.BadTokenRequest as exc:
        problem = {"type": "value_error", "loc": ["body", "name"], "msg": str(exc)}
        raise ApiError(422, f"field 'body.name': {exc}", detail=[problem]) from None
    expires = row.expires.isoformat()
    return Status(201, {"token": token, "name": row.name, "scope": row.scope, "expires": expires})


class AssessmentSummary(Schema):
    uid: uuid.UUID
    created: str = Field(description="When it was made, ISO 8601 with its offset.")
    kb_version: str = Field(description="The knowledge-base version that made it.")
    verdict: str = Field(description="The screening verdict (`screening.verdict`).")
    leading: list[str] = Field(description="The leading and combined pattern ids.")


class AssessmentRecord(AssessmentSummary):
    input: dict[str, Any] = Field(description="The input as it was given (AssessmentInput).")
    result: dict[str, Any] = Field(
        description="The AssessmentResult as stored when it was made: one made with an older "
        "knowledge base may lack fields added since."
    )


class PatientRow(Schema):
    uid: uuid.UUID
    name: str


class PatientPage(Schema):
    page: int
    count: int = Field(description="Patients matching, over all pages.")
    results: list[PatientRow] = Field(description="25 a page, by name.")


def _summary(a) -> dict[str, Any]:
    return {
        "uid": str(a.uid),
        "created": a.created.isoformat(),
        "kb_version": a.kb_version,
        "verdict": a.result["screening"]["verdict"],
        "leading": [p["id"] for p in a.leading_patterns()],
    }


@api.get(
    "/v1/me/assessments",
    auth=AUTH,
    response={200: list[AssessmentSummary], **errors(401)},
    summary="My assessments",
)
def my_assessments(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(a) for a in records.my_assessments(request.user)]


@api.get(
    "/v1/assessments/{uid}",
    auth=AUTH,
    response={200: AssessmentRecord, **errors(401, 404, 422)},
    summary="One assessment I may see",
)
def one_assessment(request: HttpRequest, uid: uuid.UUID) -> dict[str, Any]:
    a = records.read_assessment(request.user, uid)
    return _summary(a) | {"input": a.input, "result": a.result}


@api.get(
    "/v1/patients",
    auth=AUTH,
    response={200: PatientPage, **errors(400, 401, 403, 422)},
    summary="My clinic's patients (practitioners)",
)
def patients(request: HttpRequest, q: str = "", page: int = 1) -> dict[str, Any]:
    try:
        qs = records.patient_list(request.user, q)
    except records.NotPractitioner:
        record(request.user, "read", None, "patient-list", outcome=DENIED, request=request)
        raise ApiError(403, "only practitioners can list patients") from None
    if page < 1:
        raise ApiError(400, "page must be 1 or more")
    size, count = 25, qs.count()
    # A page past the last is empty without asking the database: an offset of 2**62 rows
    # overflows the 64-bit integer SQLite and PostgreSQL take.
    rows = list(qs[(page - 1) * size : page * size]) if (page - 1) * size < count else []
    record(request.user, "read", rows, "patient-list", request=request)
    return {
        "page": page,
        "count": count,
        "results": [{"uid": str(p.uid), "name": p.name} for p in rows],
    }


@api.get(
    "/v1/patients/{uid}/assessments",
    auth=AUTH,
    response={200: list[AssessmentSummary], **errors(401, 404, 422)},
    summary="A patient's assessments",
)
def patient_assessments(request: HttpRequest, uid: uuid.UUID) -> list[dict[str, Any]]:
    return [_summary(a) for a in records.patient_assessments(request.user, uid)]


api.add_router("/v1/booking", booking_router)
api.add_router("/v1/shop", shop_router)
api.add_router("/v1/intake", intake_router)
api.add_router("/v1", exports_router)
