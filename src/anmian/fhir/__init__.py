"""FHIR R4 export of Anmian's records, pure Python: the callers (the web, the CLI) pass plain
data (`anmian.fhir.record`) and get a Bundle back. No Django here (tests/test_import_graph.py)."""

from anmian.fhir.bundle import bundle, bundle_json, resources_of
from anmian.fhir.record import (
    AssessmentData,
    BookingData,
    Clinic,
    Clinician,
    NightData,
    Person,
    PlanData,
    Record,
    SessionData,
)

__all__ = [
    "AssessmentData",
    "BookingData",
    "Clinic",
    "Clinician",
    "NightData",
    "Person",
    "PlanData",
    "Record",
    "SessionData",
    "bundle",
    "bundle_json",
    "resources_of",
]
