"""The plain data a FHIR export is made from. The web and the CLI fill these from their own
models; this package never sees Django. Every `key` is the caller's stable id of the thing (a
UUID, or anything unique within its kind): the same key always gives the same FHIR id."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Person:
    key: str
    name: str = ""
    birth_date: date | None = None
    birth_year: int | None = None  # when only the year is known
    sex: str = ""  # female | male | other | "" (not said)
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Clinic:
    key: str
    name: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Clinician:
    key: str
    name: str


@dataclass(frozen=True)
class AssessmentData:
    """One assessment: the engine's result document (`anmian assess --format json`) and the
    labs of its input (`ferritin_ng_ml`, `tsat_percent`)."""

    key: str
    taken: datetime
    result: Mapping[str, Any]
    labs: Mapping[str, float] = field(default_factory=dict)
    document: Mapping[str, Any] = field(default_factory=dict)  # what the person answered


@dataclass(frozen=True)
class PlanData:
    key: str
    adopted: datetime
    by: str | None = None  # a Clinician key
    points: Sequence[tuple[str, str]] = ()  # (WHO code, name)
    formula: tuple[str, str] | None = None  # (id, name)
    herbs: Sequence[tuple[str, str]] = ()  # (id, name)
    course_weeks: int | None = None
    course_note: str = ""
    proposed: bool = False  # the engine's proposal, not yet adopted by a practitioner


@dataclass(frozen=True)
class SessionData:
    """One treatment session and the practitioner's note of it."""

    key: str
    day: date
    clinician: str | None = None  # a Clinician key
    points: Sequence[tuple[str, str]] = ()  # (WHO code, name) of the points needled
    tongue: str = ""
    pulse: str = ""
    herbs_given: str = ""
    response: str = ""
    notes: str = ""


@dataclass(frozen=True)
class NightData:
    night_of: date
    severity: int | None = None
    total_sleep_min: int | None = None
    sleep_efficiency: float | None = None
    sleep_latency_min: int | None = None
    wake_after_sleep_onset_min: int | None = None


@dataclass(frozen=True)
class BookingData:
    key: str
    start: datetime  # timezone-aware
    end: datetime
    status: str  # booked | arrived | cancelled | no-show
    kind: str = ""  # the appointment type's name
    clinician: str | None = None  # a Clinician key


@dataclass(frozen=True)
class Record:
    person: Person
    clinic: Clinic | None = None
    clinicians: Sequence[Clinician] = ()
    assessments: Sequence[AssessmentData] = ()
    plans: Sequence[PlanData] = ()
    nights: Sequence[NightData] = ()
    bookings: Sequence[BookingData] = ()
    sessions: Sequence[SessionData] = ()
