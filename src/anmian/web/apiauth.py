"""Authentication and errors shared by every part of the JSON API."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Schema
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ConfigDict, Field

from anmian.web.records import tokens


class ApiError(Exception):
    """Answered as an `Error` body: `{"error": message, **extra}` with `status`."""

    def __init__(self, status: int, message: str, **extra: Any):
        self.status, self.message, self.extra = status, message, extra


class Error(Schema):
    """Every error body of the API. Errors that say more add keys of their own (documented
    by the operation that returns them), so a client can always read `error`."""

    model_config = ConfigDict(
        extra="allow", json_schema_extra={"examples": [{"error": "not found"}]}
    )
    error: str = Field(description="What is wrong, in one line a person can read.")
    zh_error: str | None = Field(
        None,
        description="Only with `?lang=zh-Hant` or `?lang=zh-Hans` (also zh-TW, zh-HK, zh-CN, "
        "zh-SG): what is wrong and how to fix it, in Chinese, beside the English `error` "
        "(which stays the same, for clients that read it). Field names stay as written.",
    )


class InvalidRequest(Error):
    """422: a parameter or a body field has the wrong type or is missing."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "field 'query.page': Input should be a valid integer",
                    "detail": [
                        {
                            "type": "int_parsing",
                            "loc": ["query", "page"],
                            "msg": "Input should be a valid integer",
                        }
                    ],
                }
            ]
        }
    )
    detail: list[dict[str, Any]] = Field(description="Every problem found, as pydantic lists it.")


def read_json(body: bytes) -> Any:
    """A request body read by hand (for the engine's one-line errors naming the field), or a
    400 saying why not. JSON nested deeper than Python's recursion limit (about 1,000 levels;
    no document of ours goes past 10) is refused, not a RecursionError."""
    try:
        return json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "not valid JSON: nested too deeply") from None


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The `response=` entries of the errors an operation can answer (422 is InvalidRequest)."""
    return {s: InvalidRequest if s == 422 else Error for s in statuses}


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: unknown is 401, expired is 401 "token expired", a
    write with a read-only token is 403 (records/tokens.py)."""

    def authenticate(self, request: HttpRequest, token: str):
        try:
            user = tokens.authenticate(token, request.method or "GET", timezone.now())
        except tokens.Refusal as exc:
            raise ApiError(exc.status, exc.message) from None
        if user is not None:
            request.user = user
        return user


_Schema = TypeVar("_Schema", bound=dict[str, Any])

_READ_ONLY_REFUSAL = {
    "description": "A read-only token (scope 'read') was sent to an operation that writes.",
    "content": {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {
                "error": "this token is read-only (scope 'read'): POST needs a token with "
                "scope 'read-write'"
            },
        }
    },
}


def document_token_refusals(schema: _Schema) -> _Schema:
    """Every writing operation open to a bearer token can answer 403 to a read-only one:
    said once here for all routers, so no operation's list of errors can forget it."""
    for operations in schema.get("paths", {}).values():
        for method, op in operations.items():
            bearer = any("BearerToken" in s for s in op.get("security", []))
            if bearer and method.upper() not in tokens.SAFE_METHODS:
                responses = op.setdefault("responses", {})
                if 403 not in responses and "403" not in responses:
                    responses[403] = _READ_ONLY_REFUSAL
    return schema


class SessionAuth(APIKeyCookie):
    """The site's login session (with CSRF on unsafe methods, as ninja does)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        return request.user if request.user.is_authenticated else None


AUTH = [BearerToken(), SessionAuth()]


def lang_query() -> Any:
    """The `?lang=` parameter of the assessment and the intake: Chinese names and prose in
    `zh` fields beside the English (anmian.engine.zh_result, as `anmian assess --lang`)."""
    return Query(
        "en",
        description="`en` (the default), `zh-Hant` or `zh-Hans` (also zh-TW, zh-HK, zh-CN, "
        "zh-SG): the same structure, with `zh` and other `zh_` fields (`zh_text`, `zh_reason`, "
        "`zh_location`, `zh_note`, ...) in Chinese beside each English one and `lang` set. An "
        "unknown code is English, with no error.",
    )
