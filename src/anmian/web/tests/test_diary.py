"""The diary: quick nightly entries, clear refusals, nothing saved lost, export and import."""

from __future__ import annotations

import csv
import io
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anmian.web.diary.csvfile import COLUMNS
from anmian.web.diary.models import DiaryEntry
from anmian.web.records.models import Plan
from anmian.web.tests import world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        yield


def night(**kw) -> dict:
    return {
        "night_of": "2026-11-19",
        "severity": "6",
        "onset": "20:30",
        "areas": ["legs"],
        "sleep_disturbance": "2",
        "bedtime": "22:45",
        "lights_out": "23:00",
        "sleep_latency_min": "40",
        "awakenings": "2",
        "awake_min": "30",
        "final_wake": "06:30",
        "out_of_bed": "07:00",
        "quality": "2",
        "caffeine": "1",
        "alcohol": "0",
        "notes": "",
    } | kw


@pytest.fixture
def alice_client(client: Client, alice) -> Client:
    client.force_login(alice.user)
    return client


def test_a_night_is_saved_with_its_sleep_measures(alice_client, alice):
    response = alice_client.post("/diary/new/", night())
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.sleep(alice.tz).total_sleep_min == 7 * 60 + 30 - 40 - 30
    assert b"min" in alice_client.get("/diary/").content


def test_a_wake_time_before_bedtime_on_the_clock_is_fine(alice_client):
    assert (
        alice_client.post(
            "/diary/new/",
            night(bedtime="23:50", lights_out="23:55", final_wake="05:00", out_of_bed="05:20"),
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"night_of": "2026-11-21"}, "has not happened yet"),
        ({"severity": "11"}, "less than or equal to 10"),
        ({"quality": "0"}, "greater than or equal to 1"),
        ({"sleep_latency_min": "-5"}, "greater than or equal to 0"),
        ({"sleep_latency_min": "500", "awake_min": "300"}, "do not add up"),
        ({"bedtime": ""}, "required"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_kept_in_the_form(alice_client, change, message):
    response = alice_client.post("/diary/new/", night(**change))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="22:45"' in html or change.get("bedtime") == ""
    assert DiaryEntry.objects.count() == 0


def test_a_duplicate_night_is_refused_and_the_saved_one_kept(alice_client):
    alice_client.post("/diary/new/", night(severity="6"))
    response = alice_client.post("/diary/new/", night(severity="9"))
    assert response.status_code == 400 and b"already have an entry" in response.content
    assert DiaryEntry.objects.get().severity == 6


def test_a_missed_night_can_be_filled_in_later(alice_client):
    assert alice_client.post("/diary/new/", night(night_of="2026-11-18")).status_code == 302


def test_an_entry_can_be_edited_then_locks(alice_client, alice):
    alice_client.post("/diary/new/", night())
    assert alice_client.post("/diary/night/2026-11-19/", night(severity="3")).status_code == 302
    assert DiaryEntry.objects.get().severity == 3
    with time_machine.travel("2026-11-30 12:00:00+00:00", tick=False):
        alice_client.force_login(alice.user)  # ten days on, the idle session has ended
        response = alice_client.post("/diary/night/2026-11-19/", night(severity="8"))
        assert response.status_code == 400 and b"locked" in response.content
    assert DiaryEntry.objects.get().severity == 3


def test_a_long_missed_night_can_be_added_and_is_locked_at_once(alice_client):
    assert alice_client.post("/diary/new/", night(night_of="2026-11-01")).status_code == 302
    response = alice_client.post(
        "/diary/night/2026-11-01/", night(night_of="2026-11-01", severity="1")
    )
    assert response.status_code == 400 and b"locked" in response.content
    assert DiaryEntry.objects.get().severity == 6


def test_only_the_owner_sees_their_diary(client: Client, alice, charlie):
    client.force_login(alice.user)
    client.post("/diary/new/", night())
    client.force_login(charlie.user)
    assert client.get("/diary/night/2026-11-19/").status_code == 404
    assert json.loads(client.get("/diary/export.json").content) == {"diary": []}


def test_a_practitioner_has_no_personal_diary(client: Client, bob):
    client.force_login(bob.user)
    assert client.get("/diary/").status_code == 404


def test_export_json_and_csv_hold_every_night(alice_client):
    alice_client.post("/diary/new/", night())
    alice_client.post("/diary/new/", night(night_of="2026-11-18", severity="4"))
    data = json.loads(alice_client.get("/diary/export.json").content)["diary"]
    assert [r["night_of"] for r in data] == ["2026-11-18", "2026-11-19"]
    rows = list(csv.DictReader(io.StringIO(alice_client.get("/diary/export.csv").content.decode())))
    assert rows[1]["severity"] == "6" and rows[1]["sleep_efficiency"]


def test_an_unknown_export_format_is_404(alice_client):
    assert alice_client.get("/diary/export.xml").status_code == 404


def _csv(rows: list[dict]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    fields = [k for k in night() if k != "areas"] + ["areas"]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (";".join(v) if isinstance(v, list) else v) for k, v in r.items()})
    return SimpleUploadedFile("diary.csv", buffer.getvalue().encode(), content_type="text/csv")


def test_import_is_all_or_nothing_with_a_per_row_report(alice_client):
    good, bad = night(night_of="2026-11-17"), night(night_of="2026-11-18", severity="12")
    response = alice_client.post("/diary/import/", {"file": _csv([good, bad])})
    assert response.status_code == 400
    assert b"Row 3" in response.content and b"nothing was imported" in response.content
    assert DiaryEntry.objects.count() == 0


def test_import_can_keep_the_valid_rows(alice_client):
    good, bad = night(night_of="2026-11-17"), night(night_of="2026-11-18", severity="12")
    response = alice_client.post("/diary/import/", {"file": _csv([good, bad]), "keep_valid": "on"})
    assert response.status_code == 200 and b"Imported 1 night" in response.content
    assert DiaryEntry.objects.count() == 1


def test_import_names_the_row_and_column_of_each_problem(alice_client):
    bad = night(night_of="2026-11-18", bedtime="25:61", quality="9")
    response = alice_client.post("/diary/import/", {"file": _csv([night(), bad])})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Row 3, column bedtime: Enter a valid time." in html
    assert "Row 3, column quality: " in html


def test_import_refuses_a_row_with_more_cells_than_columns(alice_client):
    text = "night_of,severity,bedtime,lights_out,sleep_latency_min,final_wake,out_of_bed,quality\n"
    text += "2026-11-19,6,22:45,23:00,40,06:30,07:00,2,surplus\n"
    upload = SimpleUploadedFile("x.csv", text.encode(), content_type="text/csv")
    response = alice_client.post("/diary/import/", {"file": upload})
    assert response.status_code == 400
    assert "Row 2: More cells than the 8 columns of the header" in response.content.decode()


def test_import_refuses_a_file_without_the_columns(alice_client):
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = alice_client.post("/diary/import/", {"file": upload})
    assert response.status_code == 400 and b"Missing columns" in response.content


def test_import_refuses_a_night_already_saved(alice_client):
    alice_client.post("/diary/new/", night(night_of="2026-11-19"))
    response = alice_client.post(
        "/diary/import/", {"file": _csv([night(night_of="2026-11-19", severity="1")])}
    )
    assert response.status_code == 400 and b"already have an entry" in response.content
    assert DiaryEntry.objects.get().severity == 6


def test_import_refuses_a_binary_file(alice_client):
    upload = SimpleUploadedFile("x.csv", b"\xff\xfe\x00\x00garbage", content_type="text/csv")
    assert alice_client.post("/diary/import/", {"file": upload}).status_code == 400


def test_export_round_trips_through_import(client: Client, alice, charlie):
    client.force_login(alice.user)
    client.post("/diary/new/", night())
    exported = client.get("/diary/export.csv").content
    client.force_login(charlie.user)
    upload = SimpleUploadedFile("d.csv", exported, content_type="text/csv")
    assert client.post("/diary/import/", {"file": upload}).status_code == 200
    assert DiaryEntry.objects.filter(patient__name="Charlie Cole").count() == 1


# --- the date, editing, the quick entry, points pressed ---


def test_a_new_night_opens_with_today_in_the_date_pickers_format(alice_client):
    html = alice_client.get("/diary/new/").content.decode()
    assert 'type="date"' in html and 'value="2026-11-20"' in html


def test_a_saved_night_opens_with_its_own_date_and_saves_unchanged(alice_client):
    alice_client.post("/diary/new/", night())
    html = alice_client.get("/diary/night/2026-11-19/").content.decode()
    assert 'name="night_of" value="2026-11-19"' in html
    assert 'name="bedtime" value="22:45"' in html  # the times as a time input takes them
    response = alice_client.post("/diary/night/2026-11-19/", night(severity="2"))
    assert response.status_code == 302
    assert DiaryEntry.objects.get().severity == 2


def test_a_saved_night_can_move_to_a_free_date_but_not_onto_another(alice_client):
    alice_client.post("/diary/new/", night())
    alice_client.post("/diary/new/", night(night_of="2026-11-17"))
    moved = alice_client.post("/diary/night/2026-11-19/", night(night_of="2026-11-18"))
    assert moved.status_code == 302
    clash = alice_client.post("/diary/night/2026-11-18/", night(night_of="2026-11-17"))
    assert clash.status_code == 400 and b"already have an entry" in clash.content
    assert sorted(str(d) for d in DiaryEntry.objects.values_list("night_of", flat=True)) == [
        "2026-11-17",
        "2026-11-18",
    ]


@pytest.mark.parametrize("typed", ["19/11/2026", "19.11.2026", "19 Nov 2026", "2026-11-19"])
def test_a_date_typed_by_hand_in_a_common_format_is_read(alice_client, typed):
    assert alice_client.post("/diary/new/", night(night_of=typed)).status_code == 302
    assert str(DiaryEntry.objects.get().night_of) == "2026-11-19"


@pytest.mark.parametrize("typed", ["11/19/2026", "yesterday", "2026-02-30"])
def test_a_date_that_cannot_be_read_is_refused_with_the_format_shown(alice_client, typed):
    response = alice_client.post("/diary/new/", night(night_of=typed))
    assert response.status_code == 400
    assert b"YYYY-MM-DD, for example 2026-11-19" in response.content
    assert f'value="{typed}"'.encode() in response.content  # what was typed is kept


def test_the_quick_entry_asks_three_questions_and_saves_a_night_without_times(alice_client):
    html = alice_client.get("/diary/quick/").content.decode()
    asked = set(re.findall(r'<label for="id_(\w+)"', html))
    assert asked == {"night_of", "severity", "quality"}  # and no plan yet: no points to tick
    response = alice_client.post(
        "/diary/quick/", {"night_of": "2026-11-19", "severity": "7", "quality": "2"}
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.severity, entry.quality, entry.bedtime) == (7, 2, None)
    assert b"no times yet" in alice_client.get("/diary/").content
    assert alice_client.get("/diary/progress/").status_code == 200
    assert alice_client.get("/diary/export.csv").status_code == 200


def test_the_times_of_a_quick_night_can_be_added_later_in_the_full_form(alice_client):
    alice_client.post("/diary/quick/", {"night_of": "2026-11-19", "severity": "7", "quality": "2"})
    refused = alice_client.post("/diary/night/2026-11-19/", night(bedtime=""))
    assert refused.status_code == 400 and b"required" in refused.content
    assert alice_client.post("/diary/night/2026-11-19/", night()).status_code == 302
    assert DiaryEntry.objects.get().sleep(ZoneInfo("Europe/London")) is not None


def test_a_quick_change_keeps_the_times_already_saved(alice_client):
    alice_client.post("/diary/new/", night())
    response = alice_client.post(
        "/diary/night/2026-11-19/quick/",
        {"night_of": "2026-11-19", "severity": "1", "quality": "5"},
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.severity, str(entry.bedtime), entry.sleep_latency_min) == (1, "22:45:00", 40)


@pytest.fixture
def alice_plan(alice, bob, alice_assessment):
    # bl17 is for needling only: the person is not offered it
    return Plan.objects.create(
        patient=alice, assessment=alice_assessment, adopted_by=bob, points=["sp6", "bl17", "li4"]
    )


def test_the_points_of_the_plan_can_be_ticked_as_pressed(alice_client, alice_plan):
    html = alice_client.get("/diary/quick/").content.decode()
    assert "SP6 Sanyinjiao (Three Yin Intersection)" in html and "LI4" in html
    assert 'value="bl17"' not in html
    response = alice_client.post(
        "/diary/quick/",
        {"night_of": "2026-11-19", "severity": "4", "quality": "3", "points_pressed": ["sp6"]},
    )
    assert response.status_code == 302
    assert DiaryEntry.objects.get().points_pressed == ["sp6"]
    exported = list(
        csv.DictReader(io.StringIO(alice_client.get("/diary/export.csv").content.decode()))
    )
    assert exported[0]["points_pressed"] == "sp6"


def test_a_point_outside_the_plan_is_refused(alice_client, alice_plan):
    response = alice_client.post("/diary/new/", night(points_pressed=["bl17"]))
    assert response.status_code == 400 and b"not one of the available choices" in response.content


def test_an_import_takes_quick_nights_but_not_half_the_times(alice_client):
    def upload(**times) -> SimpleUploadedFile:
        row = {"night_of": "2026-11-18", "severity": "5", "quality": "3"}
        row |= {"sleep_disturbance": "0", "awakenings": "0", "awake_min": "0"}
        row |= {"caffeine": "0", "alcohol": "0"} | times
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(row)
        return SimpleUploadedFile("d.csv", buffer.getvalue().encode())

    half = alice_client.post("/diary/import/", {"file": upload(bedtime="22:30")})
    assert half.status_code == 400 and b"all the sleep times or none" in half.content
    assert alice_client.post("/diary/import/", {"file": upload()}).status_code == 200
    assert DiaryEntry.objects.get().bedtime is None


# --- progress: scores, charts, signals ---

from datetime import date, timedelta  # noqa: E402

from anmian.web.diary.models import ScaleScore  # noqa: E402
from anmian.web.diary.progress import progress  # noqa: E402
from anmian.web.records.models import SessionNote  # noqa: E402


def _fill(patient, start: date, nights: int, severity=lambda i: 5, onset=lambda i: "21:00"):
    from datetime import time

    DiaryEntry.objects.bulk_create(
        [
            world.night(
                patient,
                start + timedelta(days=i),
                severity=severity(i),
                onset=time.fromisoformat(onset(i)),
                awakenings=1,
                awake_min=20,
                points_pressed=["sp6"] if i % 2 else [],
            )
            for i in range(nights)
        ]
    )


def test_the_weekly_score_is_scored_banded_and_compared_with_the_baseline(alice_client, alice):
    from anmian.knowledge import get_kb

    items = get_kb().scales["anmian-leg-scale"].items
    ScaleScore.objects.create(
        patient=alice,
        taken=date(2026, 10, 1),
        scale="anmian-leg-scale",
        answers=[3] * 10,
        total=30,
        band="severe",
    )
    response = alice_client.post("/diary/score/", {i.id: "1" for i in items})
    assert response.status_code == 302
    latest = ScaleScore.objects.order_by("-taken").first()
    assert latest.total == 10 and latest.band == "mild"
    html = alice_client.get("/diary/progress/").content.decode()
    assert "Baseline 30, now 10" in html and "clinically important improvement" in html


def test_an_incomplete_weekly_score_is_refused(alice_client):
    response = alice_client.post("/diary/score/", {})
    assert response.status_code == 400 and b"answer every question" in response.content


def test_the_progress_page_has_accessible_charts(alice_client, alice):
    _fill(alice, date(2026, 10, 1), 30)
    html = alice_client.get("/diary/progress/").content.decode()
    assert html.count('<svg class="chart"') == 5 - 1  # no weekly score yet: that chart says so
    assert '<title id="sev-t">' in html and '<desc id="sev-d">' in html
    assert "Week by week" in html


def test_worsening_and_earlier_onset_raise_signals(alice):
    start = date(2026, 10, 1)
    _fill(
        alice,
        start,
        50,
        severity=lambda i: 3 if i < 43 else 8,
        onset=lambda i: "22:00" if i < 14 else ("19:30" if i >= 36 else "21:00"),
    )
    found = progress(alice, start + timedelta(days=50)).signals
    assert any("Worsening" in s for s in found)
    assert any("earlier" in s for s in found)


def test_the_signal_thresholds_are_the_knowledge_base_s(alice, monkeypatch):
    # A rise of 5 points and an onset 2.5 hours earlier: signals at the base's thresholds
    # (2 points, 60 minutes), none when the base asks for more than the diary shows.
    from tests.kb_edits import with_rules

    from anmian.knowledge import get_kb
    from anmian.web.diary import progress as module

    start = date(2026, 10, 1)
    _fill(
        alice,
        start,
        50,
        severity=lambda i: 3 if i < 43 else 8,
        onset=lambda i: "22:00" if i < 14 else ("19:30" if i >= 36 else "21:00"),
    )
    strict = with_rules(get_kb(), "diary_signals", worsening_points=6.0, earlier_onset_minutes=180)
    monkeypatch.setattr(module, "get_kb", lambda: strict)
    assert progress(alice, start + timedelta(days=50)).signals == []


def test_a_steady_diary_raises_no_signal(alice):
    _fill(alice, date(2026, 10, 1), 40)
    assert progress(alice, date(2026, 11, 10)).signals == []


def test_a_red_flag_in_a_session_note_is_a_signal(alice, bob):
    SessionNote.objects.create(
        patient=alice,
        practitioner=bob,
        date=date(2026, 11, 18),
        notes="Says one calf is swollen and hot since Monday",
    )
    assert "Danger sign in a note: Possible blood clot in the leg (emergency)" in (
        progress(alice, date(2026, 11, 20)).signals
    )


def test_a_practitioner_of_the_clinic_sees_the_progress_and_others_get_404(
    client: Client, alice, bob, dave, charlie
):
    for user, status in ((bob.user, 200), (dave.user, 404), (charlie.user, 404)):
        client.force_login(user)
        assert client.get(f"/diary/patients/{alice.uid}/progress/").status_code == status


def test_progress_takes_a_fixed_number_of_queries(alice, django_assert_max_num_queries):
    _fill(alice, date(2020, 1, 1), 400)
    with django_assert_max_num_queries(6):
        progress(alice, date(2026, 11, 20))


@pytest.mark.parametrize(("paper", "width_pt"), [("a4", 595), ("letter", 612)])
def test_the_report_is_a_pdf_of_the_right_paper_with_the_charts(
    alice_client, alice, paper, width_pt
):
    _fill(alice, date(2026, 10, 1), 30)
    response = alice_client.get(f"/diary/report.pdf?paper={paper}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    first = reader.pages[0]
    assert round(float(first.mediabox.width)) == width_pt
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Progress report" in text
    # the charts are drawn into the PDF: their axis and band labels are there as text
    assert "target 85%+" in text and "14:00" in text and "severity" in text


def test_a_bad_paper_size_is_400(alice_client):
    assert alice_client.get("/diary/report.pdf?paper=a3").status_code == 400


def test_the_report_is_404_for_another_clinic(client: Client, alice, dave):
    client.force_login(dave.user)
    assert client.get(f"/diary/patients/{alice.uid}/report.pdf").status_code == 404


@pytest.mark.parametrize(
    "url", ["/diary/", "/diary/new/", "/diary/import/", "/diary/score/", "/diary/export.csv"]
)
def test_an_account_without_a_diary_gets_404(client: Client, bob, url):
    client.force_login(bob.user)
    assert client.get(url).status_code == 404


def test_an_account_without_a_diary_cannot_import_into_one(client: Client, bob):
    client.force_login(bob.user)
    upload = _csv([night()])
    assert client.post("/diary/import/", {"file": upload}).status_code == 404
    assert DiaryEntry.objects.count() == 0
