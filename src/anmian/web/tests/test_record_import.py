"""A person brings in their GP's record (exports/fhir_import.py): the page and the API read a
FHIR R4 Bundle, show what was read, and save only what the person confirms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anmian.web.exports import fhir_import
from anmian.web.records.models import AuditEntry, RecordedItem

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[4] / "tests" / "data" / "fhir"
GP = (DATA / "gp-summary.json").read_bytes()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def _upload(client, data: bytes, name="record.json"):
    return client.post(
        reverse("accounts:record_import"), {"bundle": SimpleUploadedFile(name, data)}
    )


def test_it_shows_what_was_read_and_saves_nothing_yet(alice_client, alice):
    r = _upload(alice_client, GP)
    assert r.status_code == 200
    page = r.content.decode()
    assert "Warfarin 5mg tablets" in page and "Type 2 diabetes mellitus" in page
    assert "unknown to Anmian" in page  # Burnt Ear, Cashew nuts
    assert RecordedItem.objects.count() == 0


def test_it_keeps_only_the_ticked_items(alice_client, alice):
    r = _upload(alice_client, GP)
    token = r.context["preview"].token
    texts = [i.text for i in r.context["preview"].items]
    keep = [texts.index("Warfarin 5mg tablets"), texts.index("Cashew nuts")]
    r = alice_client.post(reverse("accounts:record_import_confirm"), {"token": token, "keep": keep})
    assert r.status_code == 302
    kept = {(i.kind, i.text, i.kb_id) for i in alice.recorded_items.all()}
    assert kept == {
        ("medication", "Warfarin 5mg tablets", "warfarin"),
        ("allergy", "Cashew nuts", ""),
    }
    assert AuditEntry.objects.filter(patient=alice, action="create", what="recorded-items").exists()
    # What a self-check can start from.
    fields = fhir_import.assessment_fields(alice)
    assert fields == {
        "medications": ["Warfarin 5mg tablets"],
        "conditions": [],
        "allergies": ["Cashew nuts"],
    }


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"not json at all", "not JSON"),
        (b'{"resourceType": "Patient"}', "not a FHIR Bundle"),
        ((DATA / "r5-bundle.json").read_bytes(), "FHIR R5"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "holds no"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_message(alice_client, data, says):
    r = _upload(alice_client, data)
    assert r.status_code == 400
    assert says in r.content.decode()
    assert RecordedItem.objects.count() == 0


def test_it_refuses_a_file_over_the_limit_by_its_length(alice_client, settings):
    settings.ANMIAN_FHIR_IMPORT_MAX_BYTES = 1024 * 1024
    r = _upload(alice_client, GP + b" " * (2 * 1024 * 1024))
    assert r.status_code == 413
    assert "over 1 MB" in r.content.decode()


def test_it_refuses_a_list_changed_in_the_form(alice_client, alice):
    r = _upload(alice_client, GP)
    token = r.context["preview"].token
    r = alice_client.post(
        reverse("accounts:record_import_confirm"), {"token": token[:-2] + "xx", "keep": [0]}
    )
    assert r.status_code == 400
    assert RecordedItem.objects.count() == 0


def test_a_list_read_for_alice_cannot_be_kept_by_erin(client, alice, clinic):
    from anmian.web.records.models import Patient
    from anmian.web.tests.conftest import _user

    erin = Patient.objects.create(user=_user("erin@example.org"), clinic=clinic, name="Erin")
    client.force_login(alice.user)
    token = _upload(client, GP).context["preview"].token
    client.force_login(erin.user)
    r = client.post(reverse("accounts:record_import_confirm"), {"token": token, "keep": [0]})
    assert r.status_code == 400
    assert RecordedItem.objects.count() == 0


def test_the_api_reads_then_keeps(alice_client, alice):
    r = alice_client.post("/api/v1/me/fhir/import", GP, content_type="application/fhir+json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["unknown"] == 2
    keep = [i for i, item in enumerate(body["items"]) if item["kb_id"] == "diabetes"]
    r = alice_client.post(
        "/api/v1/me/fhir/import/confirm",
        json.dumps({"token": body["token"], "keep": keep}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json() == {"kept": 1}
    assert [i.kb_id for i in alice.recorded_items.all()] == ["diabetes"]


def test_the_api_refuses_50_mb_by_its_length(alice_client):
    r = alice_client.post(
        "/api/v1/me/fhir/import",
        b"{}",
        content_type="application/fhir+json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert r.status_code == 413
    assert "over 5 MB" in r.json()["error"]


def test_the_api_refuses_an_index_outside_the_list(alice_client):
    body = alice_client.post(
        "/api/v1/me/fhir/import", GP, content_type="application/fhir+json"
    ).json()
    r = alice_client.post(
        "/api/v1/me/fhir/import/confirm",
        json.dumps({"token": body["token"], "keep": [99]}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert RecordedItem.objects.count() == 0


def test_a_self_check_starts_from_the_confirmed_record(alice_client, alice):
    r = _upload(alice_client, GP)
    texts = [i.text for i in r.context["preview"].items]
    keep = [texts.index(t) for t in ("Warfarin 5mg tablets", "Type 2 diabetes mellitus")]
    keep += [texts.index("Burnt Ear"), texts.index("Cashew nuts")]
    token = r.context["preview"].token
    alice_client.post(reverse("accounts:record_import_confirm"), {"token": token, "keep": keep})
    page = alice_client.get("/self-check/step/context/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Warfarin 5mg tablets"' in html  # a medicine box, for the safety check
    assert page.context["form"].initial["conditions"] == ["diabetes"]
    assert page.context["form"].initial["other_conditions"] == "Burnt Ear"
    # the record's allergy, in the allergies box, so the safety check starts from it too
    assert page.context["form"].initial["allergies"] == "Cashew nuts"


def test_a_self_check_without_a_record_starts_empty(client, alice):
    client.force_login(alice.user)
    page = client.get("/self-check/step/context/")
    assert page.status_code == 200 and not page.context["form"].initial
