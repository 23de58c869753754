"""The assessment input without pydantic, for a document that is plainly valid.

`inputs.parse_input` validates with pydantic, which costs the CLI about 100 ms to import and
build before its first document. Most documents are plainly right: the fields it knows, of
the right types, within their bounds. `quick_input` checks exactly that and gives the same
values as plain named tuples; anything it is not sure of gives None, and the caller
asks `parse_input`, which accepts it or says what is wrong. So this may refuse more than the
model does, never less, and what it accepts reads the same (tests/test_plain_input.py holds
it to the model, on every example and case and on random documents).

No pydantic here; `InputError` and `CRITERIA` live here so the engine can raise and read them
without importing the model.
"""

from __future__ import annotations

from typing import Any, NamedTuple

CRITERIA = (
    "urge_to_move",
    "worse_at_rest",
    "relieved_by_movement",
    "evening_or_night",
    "not_explained_by_other_condition",
)


class InputError(ValueError):
    """The input is wrong; the message says what and where, in one line."""


# NamedTuples, not dataclasses: read-only, compared by value, and several times quicker to
# create at import (this module is on the CLI's quick path). Every field is always given.
class PlainLabs(NamedTuple):
    ferritin_ng_ml: float | None
    tsat_percent: float | None


class PlainScreening(NamedTuple):
    urge_to_move: bool | None
    worse_at_rest: bool | None
    relieved_by_movement: bool | None
    evening_or_night: bool | None
    not_explained_by_other_condition: bool | None


class PlainSeverity(NamedTuple):
    scale: str
    answers: list[int] | None
    total: int | None


class PlainInput(NamedTuple):
    findings: list[str]
    age: int | None
    sex: str | None
    pregnant: bool | None
    breastfeeding: bool | None
    medications: list[str]
    conditions: list[str]
    allergies: list[str]
    labs: PlainLabs | None
    screening: PlainScreening | None
    severity: PlainSeverity | None
    audience: str


class _Unsure(Exception):
    pass


def _int(v: Any, low: int, high: int) -> int:
    if type(v) is not int or not low <= v <= high:
        raise _Unsure
    return v


def _opt_bool(v: Any) -> bool | None:
    if v is not None and type(v) is not bool:
        raise _Unsure
    return v


def _texts(v: Any, most_items: int, most_chars: int, least_items: int = 0) -> list[str]:
    if type(v) is not list or not least_items <= len(v) <= most_items:
        raise _Unsure
    for s in v:
        if type(s) is not str or not 1 <= len(s) <= most_chars:
            raise _Unsure
    return list(v)


def _lab(v: Any, high: float) -> float | None:
    if v is None:
        return None
    if type(v) is int:
        v = float(v)
    if type(v) is not float or not 0 <= v <= high:  # NaN fails the comparison too
        raise _Unsure
    return v


TOP = frozenset(PlainInput._fields)


def quick_input(data: Any) -> PlainInput | None:
    """The input, when the document is plainly valid; None when `parse_input` must decide."""
    try:
        return _quick(data)
    except _Unsure:
        return None


def _quick(data: Any) -> PlainInput:
    if type(data) is not dict or not data.keys() <= TOP:
        raise _Unsure
    findings = _texts(data.get("findings"), 200, 200, least_items=1)
    if any(not s.strip() for s in findings):
        raise _Unsure
    age = data.get("age")
    sex = data.get("sex")
    if sex not in (None, "female", "male", "other"):
        raise _Unsure
    audience = data.get("audience", "self-care")
    if audience not in ("self-care", "practitioner"):
        raise _Unsure
    return PlainInput(
        findings=findings,
        age=None if age is None else _int(age, 0, 120),
        sex=sex,
        pregnant=_opt_bool(data.get("pregnant")),
        breastfeeding=_opt_bool(data.get("breastfeeding")),
        medications=_texts(data.get("medications", []), 10**9, 100),
        conditions=_texts(data.get("conditions", []), 10**9, 100),
        allergies=_texts(data.get("allergies", []), 50, 100),
        labs=_labs(data.get("labs")),
        screening=_screening(data.get("screening")),
        severity=_severity(data.get("severity")),
        audience=audience,
    )


def _labs(v: Any) -> PlainLabs | None:
    if v is None:
        return None
    if type(v) is not dict or not v.keys() <= set(PlainLabs._fields):
        raise _Unsure
    return PlainLabs(_lab(v.get("ferritin_ng_ml"), 10000), _lab(v.get("tsat_percent"), 100))


def _screening(v: Any) -> PlainScreening | None:
    if v is None:
        return None
    if type(v) is not dict or not v.keys() <= set(CRITERIA):
        raise _Unsure
    return PlainScreening(**{c: _opt_bool(v.get(c)) for c in CRITERIA})


def _severity(v: Any) -> PlainSeverity | None:
    if v is None:
        return None
    if type(v) is not dict or not v.keys() <= {"scale", "answers", "total"}:
        raise _Unsure
    scale = v.get("scale")
    if type(scale) is not str or not scale:
        raise _Unsure
    answers = v.get("answers")
    if answers is not None:
        if type(answers) is not list:
            raise _Unsure
        answers = [_int(a, 0, 4) for a in answers]
    total = v.get("total")
    return PlainSeverity(scale, answers, None if total is None else _int(total, 0, 100))
