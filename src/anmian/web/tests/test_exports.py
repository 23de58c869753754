"""Exports: a patient's FHIR Bundle through the API (the patient and their clinic's
practitioners only, audited), and the clinic's appointment and patient lists as JSON and as CSV
that a spreadsheet opens safely (UTF-8 with BOM, ISO dates, yes/no, no formulas)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.core.csvsafe import cell, rows_to_csv
from anmian.web.diary.models import DiaryEntry
from anmian.web.records.models import ApiToken, AuditEntry, Plan, SessionNote

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {ApiToken.issue(user)}"}


def appointment(bob, patient, start: datetime, status: str = "booked") -> Appointment:
    kind, _ = AppointmentType.objects.get_or_create(
        clinic=bob.clinic, name="Acupuncture", defaults={"duration_min": 45}
    )
    end = start + timedelta(minutes=45)
    return Appointment.objects.create(
        practitioner=bob, patient=patient, appointment_type=kind, start=start, end=end,
        blocked_start=start, blocked_end=end, status=status,
    )  # fmt: skip


@pytest.fixture
def record(alice, bob, alice_assessment):
    Plan.objects.create(
        patient=alice, assessment=alice_assessment, adopted_by=bob, points=["sp6", "ht7"],
        formula="gui-pi-tang", herbs=["dang-gui"],
    )  # fmt: skip
    DiaryEntry.objects.create(
        patient=alice, night_of=date(2026, 3, 1), severity=6, bedtime=time(22, 30),
        lights_out=time(22, 45), sleep_latency_min=30, awakenings=1, awake_min=20,
        final_wake=time(6, 30), out_of_bed=time(6, 45), quality=3, sleep_disturbance=2,
    )  # fmt: skip
    appointment(bob, alice, datetime(2026, 3, 9, 10, tzinfo=UTC))
    SessionNote.objects.create(
        patient=alice, practitioner=bob, date=date(2026, 3, 9), tongue="pale",
        points=[{"point": "sp6", "side": "both", "technique": "even"}], notes="Calmer.",
    )  # fmt: skip
    return alice


def resources(response) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for entry in response.json()["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        out.setdefault(resource["resourceType"], []).append(resource)
    return out


def test_a_practitioner_of_the_clinic_exports_the_patients_record_as_fhir(
    client: Client, record, bob
):
    response = client.get(f"/api/v1/patients/{record.uid}/fhir", headers=bearer(bob.user))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    found = resources(response)
    assert found["Patient"][0]["name"] == [{"text": "Alice Able"}]
    assert found["Organization"][0]["name"] == "Quiet Nights Clinic"
    assert [p["name"] for p in found["Practitioner"]] == [[{"text": "Bob Baker"}]]
    (plan,) = found["CarePlan"]
    points = [
        a["detail"]["code"]["coding"][0]["code"] for a in plan["activity"] if "code" in a["detail"]
    ]
    assert points == ["SP6", "HT7"]
    (booked,) = found["Appointment"]
    assert booked["start"] == "2026-03-09T10:00:00Z"
    sleep = [o for o in found["Observation"] if o["code"]["coding"][0]["code"] == "93832-4"]
    # 22:45 lights out + 30 min to sleep, 20 min awake, final waking 06:30: 6 h 55 min asleep
    assert sleep[0]["valueQuantity"]["value"] == 415
    (procedure,) = found["Procedure"]
    assert procedure["bodySite"][0]["coding"][0]["code"] == "SP6"
    assert found["Encounter"][0]["status"] == "finished"
    entry = AuditEntry.objects.get(action="export", what="fhir")
    assert (entry.user, entry.patient, entry.outcome) == (bob.user, record, "allowed")


def test_a_person_exports_their_own_record(client: Client, record):
    response = client.get("/api/v1/me/fhir", headers=bearer(record.user))
    assert response.status_code == 200
    assert resources(response)["Patient"][0]["identifier"][0]["value"] == str(record.uid)
    assert AuditEntry.objects.filter(action="export", what="fhir", patient=record).count() == 1


def test_another_clinic_or_patient_gets_404_and_a_denied_entry(
    client: Client, record, dave, charlie
):
    for user in (dave.user, charlie.user):
        response = client.get(f"/api/v1/patients/{record.uid}/fhir", headers=bearer(user))
        assert response.status_code == 404
    denied = AuditEntry.objects.filter(outcome="denied", patient=record)
    assert denied.count() == 2
    assert not AuditEntry.objects.filter(action="export", outcome="allowed").exists()


def test_an_account_without_a_patient_record_has_no_fhir_of_its_own(client: Client, bob):
    response = client.get("/api/v1/me/fhir", headers=bearer(bob.user))
    assert response.status_code == 404
    assert "no patient record" in response.json()["error"]


def test_the_fhir_export_needs_a_login(client: Client, record):
    assert client.get("/api/v1/me/fhir").status_code == 401
    assert client.get(f"/api/v1/patients/{record.uid}/fhir").status_code == 401


# --- the clinic's lists ---


def read_csv(response) -> list[dict[str, str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def day(alice, bob, charlie, clinic):
    charlie.clinic = clinic
    charlie.name = '=HYPERLINK("http://evil.example","x") 陈'
    charlie.save()
    appointment(bob, alice, datetime(2026, 3, 9, 9, tzinfo=UTC), status="arrived")
    appointment(
        bob, charlie, datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )  # 23:30 GMT: still 10 March in London
    appointment(bob, alice, datetime(2026, 3, 20, 9, tzinfo=UTC))
    return bob


def test_the_appointments_csv_is_safe_for_a_spreadsheet(client: Client, day):
    url = "/api/v1/clinic/exports/appointments?first=2026-03-09&last=2026-03-10&format=csv"
    response = client.get(url, headers=bearer(day.user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert [(r["date"], r["status"], r["arrived"]) for r in rows] == [
        ("2026-03-09", "arrived", "yes"),
        ("2026-03-10", "booked", "no"),
    ]
    assert rows[0]["start"] == "2026-03-09T09:00:00+00:00"
    assert rows[1]["patient"].startswith("'=HYPERLINK(")  # text, not a formula
    assert rows[1]["patient"].endswith("陈")


def test_the_appointments_export_is_audited_once_per_patient_listed(client: Client, day, alice):
    url = "/api/v1/clinic/exports/appointments?first=2026-03-01&last=2026-03-31"
    response = client.get(url, headers=bearer(day.user))
    assert response.json()["count"] == 3
    entries = AuditEntry.objects.filter(action="export", what="appointments")
    assert sorted(e.patient.name[:5] for e in entries) == ["=HYPE", "Alice"]


def test_the_appointments_of_one_practitioner(client: Client, day, clinic):
    from django.contrib.auth import get_user_model

    from anmian.web.records.models import Practitioner

    user = get_user_model().objects.create_user(username="cai@example.org")
    other = Practitioner.objects.create(user=user, clinic=clinic, display_name="Cai Lun")
    url = "/api/v1/clinic/exports/appointments?first=2026-03-01&last=2026-03-31&practitioner="
    assert client.get(url + str(other.pk), headers=bearer(day.user)).json()["count"] == 0
    assert client.get(url + str(day.pk), headers=bearer(day.user)).json()["count"] == 3


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("first=2026-03-10&last=2026-03-09", "before the first"),
        ("first=2025-01-01&last=2026-03-09", "at most 366 days"),
        ("first=2026-03-01&last=2026-03-09&practitioner=99999", "no practitioner 99999"),
    ],
)
def test_a_bad_range_is_400_saying_why(client: Client, bob, query, says):
    response = client.get(f"/api/v1/clinic/exports/appointments?{query}", headers=bearer(bob.user))
    assert response.status_code == 400
    assert says in response.json()["error"]


def test_a_malformed_day_or_format_is_422(client: Client, bob):
    for query in ("first=9 March&last=2026-03-09", "first=2026-03-01&last=2026-03-09&format=xlsx"):
        url = f"/api/v1/clinic/exports/appointments?{query}"
        assert client.get(url, headers=bearer(bob.user)).status_code == 422


def test_a_patient_cannot_export_the_clinics_lists(client: Client, alice):
    for path in ("appointments?first=2026-03-01&last=2026-03-02", "patients"):
        response = client.get(f"/api/v1/clinic/exports/{path}", headers=bearer(alice.user))
        assert response.status_code == 403
    assert AuditEntry.objects.filter(outcome="denied", action="export").count() == 2


def test_the_patient_list_as_csv_and_json(client: Client, day, alice_assessment, dave):
    response = client.get("/api/v1/clinic/exports/patients?format=csv", headers=bearer(day.user))
    rows = read_csv(response)
    assert [r["name"][:6] for r in rows] == ["'=HYPE", "Alice "]
    alice_row = rows[1]
    assert (alice_row["has_account"], alice_row["assessments"], alice_row["plans"]) == (
        "yes",
        "1",
        "0",
    )
    body = client.get("/api/v1/clinic/exports/patients", headers=bearer(day.user)).json()
    assert body["count"] == 2 and body["rows"][1]["has_account"] is True
    assert AuditEntry.objects.filter(action="export", what="patient-list").count() == 4
    # another clinic's practitioner lists their own clinic (nobody)
    other = client.get("/api/v1/clinic/exports/patients", headers=bearer(dave.user)).json()
    assert other["count"] == 0


# --- csvsafe ---


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain 陈", "plain 陈"),
        (-3, "-3"),  # a number is not a formula
        (True, "yes"),
        (False, "no"),
        (None, ""),
        (date(2026, 3, 9), "2026-03-09"),
        (datetime(2026, 3, 9, 10, tzinfo=UTC), "2026-03-09T10:00:00+00:00"),
    ],
)
def test_a_cell_is_written_as_a_spreadsheet_should_read_it(value, written):
    assert cell(value) == written


def test_the_file_starts_with_a_bom_and_uses_crlf():
    text = rows_to_csv(["a", "b"], [[1, "x,y"]])
    assert text == '\ufeffa,b\r\n1,"x,y"\r\n'


# --- the person's own diary CSV follows the same rules ---


def test_my_diary_csv_is_safe_for_a_spreadsheet_and_imports_back_unchanged(
    client: Client, alice, charlie
):
    from anmian.web.diary import services as diary

    DiaryEntry.objects.create(
        patient=alice, night_of=date(2026, 3, 1), severity=4, bedtime=time(22, 30),
        lights_out=time(22, 45), sleep_latency_min=30, final_wake=time(6, 30),
        out_of_bed=time(6, 45), quality=3, sleep_disturbance=2, nicotine=True,
        notes="=HYPERLINK(\"http://evil.example\") 腿不安",
    )  # fmt: skip
    client.force_login(alice.user)
    response = client.get("/diary/export.csv")
    (row,) = read_csv(response)
    assert row["notes"] == '\'=HYPERLINK("http://evil.example") 腿不安'
    assert (row["nicotine"], row["exercise"]) == ("yes", "no")
    assert row["night_of"] == "2026-03-01"
    report = diary.import_diary(charlie.user, response.content)
    assert not getattr(report, "errors", None), report
    imported = DiaryEntry.objects.get(patient=charlie)
    assert imported.notes == '=HYPERLINK("http://evil.example") 腿不安'
    assert imported.nicotine is True and imported.exercise is False


# --- download my data ---


def test_my_archive_holds_every_kind_of_record_i_have(client: Client, record, bob):
    import json
    import zipfile

    from anmian.web.booking.models import WaitlistEntry
    from anmian.web.diary.models import ScaleScore
    from anmian.web.shop.models import Order

    alice = record
    kind = AppointmentType.objects.get()
    WaitlistEntry.objects.create(patient=alice, appointment_type=kind, token="t" * 40)
    ScaleScore.objects.create(
        patient=alice, taken=date(2026, 3, 2), scale="anmian-leg-scale", total=18, band="moderate"
    )
    Order.objects.create(user=alice.user, delivery="pickup", total=12, tax=2)
    response = client.get("/api/v1/me/archive", headers=bearer(alice.user))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    files = {n.removeprefix("anmian-my-data/"): zf.read(n) for n in zf.namelist()}
    read = {n: json.loads(d) for n, d in files.items() if n.endswith(".json")}
    assert read["profile.json"]["name"] == "Alice Able"
    for name in (
        "assessments.json", "plans.json", "session-notes.json", "waitlist.json", "orders.json",
    ):  # fmt: skip
        assert len(read[name]) == 1, name
    assert read["session-notes.json"][0]["notes"] == "Calmer."
    for name in ("appointments.csv", "diary.csv", "scores.csv"):
        assert files[name].startswith(b"\xef\xbb\xbf") and files[name].count(b"\r\n") == 2, name
    assert files["progress-report.pdf"].startswith(b"%PDF")
    kinds = {e["resource"]["resourceType"] for e in read["record.fhir.json"]["entry"]}
    assert {"Patient", "CarePlan", "Appointment", "Observation"} <= kinds
    assert all(name in files["README.txt"].decode() for name in files if name != "README.txt")
    assert AuditEntry.objects.filter(action="export", what="archive", patient=alice).count() == 1


def test_the_archive_contents_as_json_and_who_may_have_it(client: Client, alice, bob):
    listed = client.get("/api/v1/me/archive?format=json", headers=bearer(alice.user)).json()
    assert listed["files"][0]["name"] == "README.txt"
    assert "record.fhir.json" in {f["name"] for f in listed["files"]}
    assert client.get("/api/v1/me/archive", headers=bearer(bob.user)).status_code == 404
    assert client.get("/api/v1/me/archive").status_code == 401


def test_the_fhir_export_takes_the_same_queries_for_one_or_many_records(
    client: Client, record, bob
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = bearer(bob.user)
    url = f"/api/v1/patients/{record.uid}/fhir"
    client.get(url, headers=headers)  # the token's first use writes last-used once
    with CaptureQueriesContext(connection) as one:
        client.get(url, headers=headers)
    for day in range(10, 16):
        appointment(bob, record, datetime(2026, 3, day, 10, tzinfo=UTC))
        SessionNote.objects.create(patient=record, practitioner=bob, date=date(2026, 3, day))
    with CaptureQueriesContext(connection) as many:
        client.get(url, headers=headers)
    assert len(many) == len(one)
