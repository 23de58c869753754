"""Reading a GP's FHIR R4 Bundle (anmian.fhir.importer). The Bundles under tests/data/fhir are
written in the shape of HL7's R4 examples (MedicationStatement example001, MedicationRequest
medrx0302 with a Medication reference, Condition example, AllergyIntolerance example)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from anmian.fhir.importer import ImportRefused, read_bundle, read_upload
from anmian.knowledge import get_kb

DATA = Path(__file__).parent / "data" / "fhir"


def _read(name: str):
    return read_bundle((DATA / name).read_bytes(), get_kb())


def _by_text(reading):
    return {i.text: i for i in reading.items}


def test_it_reads_medicines_through_the_medication_reader():
    items = _by_text(_read("gp-summary.json"))
    # SNOMED CT dm+d wording, RxNorm wording through a Medication reference, plain text.
    assert items["Warfarin 5mg tablets"].kb_id == "warfarin"
    assert items["Warfarin 5mg tablets"].code == "319740004"
    assert items["Sertraline 50 MG Oral Tablet"].kb_id == "sertraline"
    assert items["Amlodipine 5mg tablets"].kb_id == "amlodipine"


def test_it_reads_conditions_through_the_condition_reader():
    items = _by_text(_read("gp-summary.json"))
    assert items["Type 2 diabetes mellitus"].kind == "condition"
    assert items["Type 2 diabetes mellitus"].kb_id == "diabetes"


def test_it_lists_unknown_codes_for_the_person_to_confirm():
    reading = _read("gp-summary.json")
    unknown = {i.text for i in reading.unknown}
    assert unknown == {"Burnt Ear", "Cashew nuts"}
    assert _by_text(reading)["Cashew nuts"].kind == "allergy"


def test_it_suggests_keeping_only_what_is_current():
    items = _by_text(_read("gp-summary.json"))
    assert items["Warfarin 5mg tablets"].current
    assert not items["Amlodipine 5mg tablets"].current  # status completed
    assert not items["Burnt Ear"].current  # clinicalStatus resolved


def test_it_drops_entries_in_error_and_refuted():
    texts = set(_by_text(_read("gp-summary.json")))
    assert "Metoclopramide 10mg tablets" not in texts  # entered-in-error
    assert "Liver disease" not in texts  # verificationStatus refuted


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"Not JSON: warfarin", "not JSON"),
        (b"", "empty"),
        (b"<Bundle xmlns='http://hl7.org/fhir'/>", "FHIR XML"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "not a FHIR Bundle"),
        (b'{"resourceType": "Patient", "id": "example"}', "not a FHIR Bundle"),
    ],
)
def test_it_refuses_what_is_not_a_json_bundle(data, says):
    with pytest.raises(ImportRefused, match=says):
        read_bundle(data, get_kb())


def test_it_refuses_an_r5_bundle_by_its_fields():
    # R5 made MedicationStatement.medication a CodeableReference (hl7.org/fhir/R5).
    with pytest.raises(ImportRefused, match=r"R5.*MedicationStatement\.medication"):
        _read("r5-bundle.json")


def test_it_refuses_an_r5_bundle_by_its_profile():
    with pytest.raises(ImportRefused, match="FHIR R5, not R4"):
        _read("r5-profile-bundle.json")


def test_it_refuses_an_stu3_resource():
    bundle = json.loads((DATA / "gp-summary.json").read_text())
    bundle["entry"][1]["resource"]["taken"] = "y"  # STU3 only, removed in R4
    with pytest.raises(ImportRefused, match="STU3"):
        read_bundle(json.dumps(bundle), get_kb())


def test_it_skips_a_resource_that_is_not_valid_r4_and_reads_the_rest():
    bundle = json.loads((DATA / "gp-summary.json").read_text())
    bundle["entry"][1]["resource"]["status"] = {"not": "a code"}
    reading = read_bundle(json.dumps(bundle), get_kb())
    assert any("MedicationStatement example001" in s for s in reading.skipped)
    assert "Warfarin 5mg tablets" not in _by_text(reading)
    assert "Type 2 diabetes mellitus" in _by_text(reading)


class _Counting(io.BytesIO):
    def __init__(self, size: int):
        super().__init__()
        self.size, self.asked = size, 0

    def read(self, n: int = -1) -> bytes:
        assert n >= 0, "the whole stream was asked for"
        self.asked += n
        return b" " * min(n, self.size)


def test_it_refuses_50_mb_without_reading_it_all():
    stream = _Counting(50 * 1024 * 1024)
    with pytest.raises(ImportRefused, match="over 5 MB"):
        read_upload(stream, get_kb())
    assert stream.asked <= 5 * 1024 * 1024 + 1
