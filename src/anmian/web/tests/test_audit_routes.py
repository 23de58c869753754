"""Every patient-data view leaves an audit row (issue 11): the routes are listed from the URL
resolver and the API (every route whose pattern holds a patient, assessment, plan, note or
appointment id; the lists and calendars that name patients; the admin's pages of every model
that is, or points to, a patient), and each is asked by someone the access matrix lets in, then
by the outsiders it refuses. A read or change writes an allowed row about alice; a refusal
writes a denied row naming the id that was asked for."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from anmian.web.booking.models import Appointment, WaitlistEntry
from anmian.web.records.models import AuditEntry, Patient
from anmian.web.tests.routes import Route, all_routes
from anmian.web.tests.test_access_matrix import ROLES, _url, entry_for, make_world, outcome

pytestmark = pytest.mark.django_db

ID_KINDS = {"patient", "assessment", "plan", "note", "appointment"}
# Lists and calendars that name patients without an id in their path.
LISTS = {
    "records:patients",  # the practitioner's patient list, with clinical signals
    "booking:calendar",  # the staff calendar
    "booking:book",  # the staff booking page: its picker names every patient
    "booking:mine",  # a practitioner's own appointments, with their patients
    "api:GET /v1/patients",
}
# Exports and reports of one's own record (a practitioner's, by patient id, are found above;
# the audit log's own export is tested in test_audit_view.py).
EXPORTS = {"diary:export", "diary:report", "api:GET /v1/me/fhir"}
EXPORTS |= {"api:GET /v1/clinic/exports/patients"}  # the clinic's patient list as a file


def _patient_models() -> set[str]:
    """The admin's models of patient data: Patient, and each model with a `patient` key."""
    found = set()
    for model in apps.get_models():
        keys = {f.name: f for f in model._meta.get_fields() if f.many_to_one and f.concrete}
        related = getattr(keys.get("patient"), "related_model", None)
        if (model is Patient or related is Patient) and model is not AuditEntry:
            found.add(f"{model._meta.app_label}_{model._meta.model_name}")
    return found


def patient_data_routes() -> list[Route]:
    admin_pages = {
        f"admin:{m}_{page}" for m in _patient_models() for page in ("changelist", "change")
    }
    return [
        r for r in all_routes() if ID_KINDS & set(r.ids()) or r.key in LISTS | EXPORTS | admin_pages
    ]


ROUTES = patient_data_routes()


@pytest.fixture
def world(clinic, alice, bob, dave, alice_assessment):
    return make_world(clinic, alice, bob, dave, alice_assessment)


READERS = ["practitioner", "patient", "admin"]  # who reads, the first the matrix lets in
OUTSIDERS = ["other_practitioner", "other_patient", "patient"]  # alice may not mark her own
MARKS = ("booking:mark", "api:POST /v1/booking/appointments/{uid}/arrived")
MARKS += ("api:POST /v1/booking/appointments/{uid}/no-show",)
# Changes an empty request cannot make, so the matrix shows them refused to everyone.
NEEDS_A_BODY = {"api:POST /v1/booking/appointments/{uid}/move": "a free time to move to"}


def test_the_list_holds_the_views_the_issue_names():
    keys = {r.key for r in ROUTES}
    assert keys >= LISTS | EXPORTS, f"gone from the resolver: {(LISTS | EXPORTS) - keys}"
    for named in ("records:new_note", "diary:patient_report", "admin:records_patient_changelist"):
        assert named in keys
    assert "admin:booking_appointment_change" in keys  # found from the model, not listed


def _entry(route: Route) -> tuple[str, list[str]]:
    found = entry_for(route.key)
    if found is None:
        pytest.fail(f"{route.key} has no line in access_matrix.yaml: add it there first")
    return found


def _ask(client: Client, route: Route, method: str, url: str):
    if route.is_api:
        return client.generic(method, url, b"{}", content_type="application/json")
    return client.get(url) if method == "GET" else client.post(url)


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_each_patient_data_view_writes_an_audit_row(route: Route, world, alice, bob):
    users, ids = world
    if route.key in NEEDS_A_BODY:
        pytest.skip(f"needs {NEEDS_A_BODY[route.key]}")
    method, expected = _entry(route)
    allowed = dict(zip(ROLES, expected, strict=True))
    appointment = Appointment.objects.get()
    WaitlistEntry.objects.create(patient=alice, appointment_type=appointment.appointment_type)
    url = _url(route, ids)
    if route.key in MARKS:
        # Arrivals are marked from an hour before the start, no-shows from the start.
        soon = timezone.now() - timedelta(minutes=10)
        Appointment.objects.update(start=soon, end=soon + timedelta(minutes=45))
        allowed["practitioner"] = "ok"
    if route.key == "booking:calendar":  # the day of the appointment, in the clinic's zone
        url += f"?view=day&day={appointment.start.astimezone(alice.tz).date().isoformat()}"
    reader = next((r for r in READERS if allowed[r] == "ok"), None)
    assert reader, f"{route.key}: nobody may use it, so nothing can be audited"
    client = Client()
    client.force_login(users[reader])
    assert outcome(_ask(client, route, method, url)) == "ok"
    rows = AuditEntry.objects.filter(user=users[reader], outcome="allowed")
    assert rows.filter(patient=alice).exists(), (
        f"{method} {url} ({route.key}) by the {reader} left no audit row about alice: "
        f"{list(rows.values_list('action', 'what'))}"
    )


@pytest.mark.parametrize(
    "route",
    [r for r in ROUTES if ID_KINDS & set(r.ids()) and r.key not in NEEDS_A_BODY],
    ids=lambda r: r.key,
)
def test_each_refusal_of_an_id_writes_a_denied_row_with_that_id(route: Route, world):
    users, ids = world
    method, expected = _entry(route)
    allowed = dict(zip(ROLES, expected, strict=True))
    url = _url(route, ids)
    asked = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", url)[-1]
    refused = [r for r in OUTSIDERS if allowed[r] == "denied"]
    assert refused, f"{route.key}: the matrix lets every outsider in"
    for role in refused:
        client = Client()
        client.force_login(users[role])
        assert outcome(_ask(client, route, method, url)) == "denied"
        denied = AuditEntry.objects.filter(user=users[role], outcome="denied", object_uid=asked)
        assert denied.exists(), f"{method} {url} ({route.key}): {role}'s refusal left no row"
