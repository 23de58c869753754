"""The bodies of the booking API, so the OpenAPI document says what each operation takes and
answers. Times are ISO 8601 strings with their offset, as the service's instants print."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from anmian.web.apiauth import Error, InvalidRequest

START = "2026-03-03T10:00:00+00:00"
APPOINTMENT: dict[str, Any] = {
    "uid": "6f1c2a9e-8d3b-4c5e-9a7f-1b2c3d4e5f60",
    "start": START,
    "end": "2026-03-03T10:45:00+00:00",
    "status": "booked",
    "practitioner": 1,
    "appointment_type": 1,
    "course": None,
}


class BookIn(Schema):
    practitioner: int
    appointment_type: int
    start: datetime = Field(description="ISO 8601 with an offset.", examples=[START])
    end: datetime | None = Field(None, description="If given, must match the type's length.")
    patient: str | None = Field(None, description="Staff only: the uid of a patient.")


class CourseIn(Schema):
    practitioner: int
    appointment_type: int
    first_day: date
    time: dt.time = Field(description="The local clock time, the same every week.")
    weeks: int = Field(description="1 to ANMIAN_MAX_COURSE_WEEKS (26 by default).")
    accept_alternatives: bool = Field(
        False, description="Book the proposed nearest time for weeks whose wanted time is taken."
    )
    patient: str | None = Field(None, description="Staff only: the uid of a patient.")


class MoveIn(Schema):
    start: datetime = Field(description="ISO 8601 with an offset.", examples=[START])


class TypeOut(Schema):
    id: int
    name: str
    duration_min: int
    price: str = Field(description="A decimal amount, as text.")
    clinic: int


class SlotOut(Schema):
    practitioner: int
    start: str = Field(examples=[START])


class SlotsOut(Schema):
    slots: list[SlotOut]


class AppointmentOut(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [APPOINTMENT]})

    uid: str
    start: str
    end: str
    status: Literal["booked", "cancelled", "arrived", "no-show", "held"]
    practitioner: int
    appointment_type: int
    course: str | None = Field(description="The uid of the course it belongs to, if any.")


class CourseOut(Schema):
    course: str = Field(description="The course's uid.")
    appointments: list[AppointmentOut]


class ProposalOut(Schema):
    week: int
    wanted: str | None = Field(description="None: the wanted local time does not exist then.")
    start: str | None = Field(description="What would be booked; None: nothing free that week.")
    note: str


class Refusal(Error):
    """A booking refused by its rules: the same message the site shows, and a `code`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "That time was just taken. Here are the nearest free times.",
                    "code": "taken",
                    "alternatives": ["2026-03-03T11:00:00+00:00"],
                }
            ]
        }
    )
    code: str = Field(description="A stable word for programs, e.g. taken, too-late, too-many.")
    alternatives: list[str] | None = Field(
        None, description="On 409 taken: the nearest free starts."
    )
    proposals: list[ProposalOut] | None = Field(
        None, description="On 409 course-conflict: where each week would go."
    )


def refusals(*statuses: int) -> dict[int, object]:
    """The `response=` entries of the refusals an operation can answer. 401 is the API's own
    (no or a bad token); 422 is either a malformed request or a reused Idempotency-Key."""
    out: dict[int, object] = {}
    for s in statuses:
        out[s] = Error if s == 401 else (InvalidRequest | Refusal if s == 422 else Refusal)
    return out


IDEMPOTENCY_KEY = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
            "description": "A retry with the same key books once and answers 200 with the "
            "first booking, sending no second email; the key used for another booking is 422.",
        }
    ]
}
