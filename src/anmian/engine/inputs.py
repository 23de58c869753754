"""The assessment input: one JSON document, strictly validated.

Bad input must produce one clear line naming the field, never a traceback, so every
problem pydantic finds is turned into an `InputError` by `parse_input`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

# Defined without pydantic (engine/plain_input.py), so the engine can use them without it.
from anmian.engine.plain_input import CRITERIA, InputError

__all__ = ["CRITERIA", "AssessmentInput", "InputError", "Labs", "Screening", "Severity"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Labs(_Strict):
    ferritin_ng_ml: Annotated[float, Field(ge=0, le=10000)] | None = None
    tsat_percent: Annotated[float, Field(ge=0, le=100)] | None = None

    @field_validator("ferritin_ng_ml", "tsat_percent", mode="before")
    @classmethod
    def _int_is_fine(cls, v: Any) -> Any:
        # strict mode refuses 75 for a float field; a whole number is a perfectly good lab value
        return float(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Screening(_Strict):
    urge_to_move: bool | None = None
    worse_at_rest: bool | None = None
    relieved_by_movement: bool | None = None
    evening_or_night: bool | None = None
    not_explained_by_other_condition: bool | None = None


class Severity(_Strict):
    """Either answers to an own-wording scale with items, or a total of a licensed scale."""

    scale: Annotated[str, Field(min_length=1)]
    answers: list[Annotated[int, Field(ge=0, le=4)]] | None = None
    total: Annotated[int, Field(ge=0, le=100)] | None = None


class AssessmentInput(_Strict):
    findings: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]],
        Field(min_length=1, max_length=200),
    ]
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Literal["female", "male", "other"] | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    medications: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    conditions: list[Annotated[str, Field(min_length=1, max_length=100)]] = []
    # Free text, read like medicines ("allergic to ginseng", "aspirin", "none known").
    allergies: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=50)
    ] = []
    labs: Labs | None = None
    screening: Screening | None = None
    severity: Severity | None = None
    # Who will read the plan: a person on their own (the cautious default) or a practitioner.
    audience: Literal["self-care", "practitioner"] = "self-care"

    @field_validator("findings", mode="after")
    @classmethod
    def _not_blank(cls, v: list[str]) -> list[str]:
        blanks = [i for i, s in enumerate(v) if not s.strip()]
        if blanks:
            raise ValueError(f"item {blanks[0]} is blank; remove it or write the finding")
        return v


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _message(err: ErrorDetails) -> str:
    where = _where(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(AssessmentInput.model_fields)
        return f"unknown field '{where}' (allowed at the top level: {allowed})"
    if kind == "missing":
        return f"missing field '{where}'"
    if kind == "too_short" and where == "findings":
        return "field 'findings' is empty: give at least one finding (an id, a label or a phrase)"
    value = err.get("input")
    shown = json.dumps(value)[:60] if not isinstance(value, dict) else "{...}"
    return f"field '{where}': {err['msg'].rstrip('.')} (got {shown})"


def parse_input(data: Any) -> AssessmentInput:
    """Validate a decoded JSON document; raises InputError with one line per problem."""
    if not isinstance(data, dict):
        raise InputError("the input must be a JSON object with at least a 'findings' list")
    try:
        return AssessmentInput.model_validate(data)
    except ValidationError as exc:
        raise InputError("; ".join(_message(e) for e in exc.errors())) from None


def parse_json(text: str) -> AssessmentInput:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    return parse_input(data)
