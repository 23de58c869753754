"""Authentication and errors shared by every part of the JSON API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Schema
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ConfigDict, Field

from anmian.web.records.models import ApiToken


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


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The `response=` entries of the errors an operation can answer (422 is InvalidRequest)."""
    return {s: InvalidRequest if s == 422 else Error for s in statuses}


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token)).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The site's login session (with CSRF on unsafe methods, as ninja does)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        return request.user if request.user.is_authenticated else None


AUTH = [BearerToken(), SessionAuth()]
