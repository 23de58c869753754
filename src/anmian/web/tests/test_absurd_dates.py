"""A session note and a diary night are of days that happened, within a sensible span: a note
dated 2099 or 1900 counted as a care session and stretched the leg chart to 2099; a diary
night of 1900 squeezed every chart into 1900-2026 (the walk of a fresh clone).

The clock is 2026-11-20 12:00 UTC. Hand-worked bounds: a note from 2016-11-20 (ten years back)
to today; a diary night from 2024-11-20 (two years back) to today, typed or imported."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from anmian.web.diary.models import DiaryEntry
from anmian.web.diary.services import earliest_night
from anmian.web.records.models import SessionNote
from anmian.web.records.services import DateRange, check_note_date, record_note, years_before
from anmian.web.tests.test_diary import _csv, night

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        yield


def _note(client: Client, patient, day: str):
    data = {"date": day, "points_needled": "", "response": "", "notes": "calmer"}
    return client.post(f"/clinic/patients/{patient.uid}/notes/new/", data)


@pytest.fixture
def bob_client(client: Client, bob) -> Client:
    client.force_login(bob.user)
    return client


@pytest.fixture
def alice_client(client: Client, alice) -> Client:
    client.force_login(alice.user)
    return client


# --- session notes ---

NOTE_RANGE = "Choose a date from 2016-11-20 to today, 2026-11-20"


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        ("2099-01-01", "That date is in the future: a note records a session that happened."),
        ("2026-11-21", "That date is in the future: a note records a session that happened."),
        ("1900-01-01", "That date is more than 10 years ago."),
        ("2016-11-19", "That date is more than 10 years ago."),
    ],
)
def test_a_note_dated_outside_the_span_is_refused_saying_the_range(bob_client, alice, day, problem):
    response = _note(bob_client, alice, day)
    assert response.status_code == 400
    html = response.content.decode()
    assert problem in html and NOTE_RANGE in html
    assert f'value="{day}"' in html  # what was typed is kept, to be corrected
    assert not SessionNote.objects.exists()


@pytest.mark.parametrize("day", ["2026-11-20", "2016-11-20", "2021-06-01"])
def test_a_note_from_ten_years_back_to_today_is_saved(bob_client, alice, day):
    assert _note(bob_client, alice, day).status_code == 302
    assert SessionNote.objects.get().date == date.fromisoformat(day)


def test_the_note_form_offers_only_the_allowed_dates(bob_client, alice):
    html = bob_client.get(f"/clinic/patients/{alice.uid}/notes/new/").content.decode()
    field = re.search(r'<input type="date" name="date"[^>]*>', html)
    assert field is not None
    assert 'min="2016-11-20"' in field.group(0) and 'max="2026-11-20"' in field.group(0)
    assert 'value="2026-11-20"' in field.group(0)


@pytest.mark.parametrize(
    ("zone", "now", "latest_ok", "refused"),
    [
        # 01:00 on the 21st in Auckland (UTC+13 in November): the 21st has begun there
        ("Pacific/Auckland", "2026-11-20 12:00:00+00:00", "2026-11-21", "2026-11-22"),
        # 19:00 on the 19th in Los Angeles (UTC-8): the 20th has not begun there
        ("America/Los_Angeles", "2026-11-20 03:00:00+00:00", "2026-11-19", "2026-11-20"),
    ],
)
def test_today_is_the_clinics_today(bob_client, alice, zone, now, latest_ok, refused):
    alice.clinic.time_zone = zone
    alice.clinic.save()
    with time_machine.travel(now, tick=False):
        bad = _note(bob_client, alice, refused)
        assert bad.status_code == 400 and b"in the future" in bad.content
        assert _note(bob_client, alice, latest_ok).status_code == 302


def test_the_service_refuses_a_note_that_came_by_another_door(alice, bob):
    note = SessionNote(date=date(1900, 1, 1), notes="typed elsewhere")
    with pytest.raises(ValidationError, match="more than 10 years ago"):
        record_note(bob.user, alice.uid, note)
    assert not SessionNote.objects.exists()


def test_a_date_on_a_bound_is_allowed_and_one_day_past_it_is_not():
    dates = DateRange(date(2016, 11, 20), date(2026, 11, 20))
    check_note_date(date(2016, 11, 20), dates)
    check_note_date(date(2026, 11, 20), dates)
    for day in (date(2016, 11, 19), date(2026, 11, 21)):
        with pytest.raises(ValidationError):
            check_note_date(day, dates)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 11, 20), 10, date(2016, 11, 20)),
        (date(2028, 2, 29), 2, date(2026, 2, 28)),  # no 29 February in 2026
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
    ],
)
def test_years_before_keeps_the_date_or_takes_the_28th(day, years, expected):
    assert years_before(day, years) == expected


# --- diary nights ---

NIGHT_RANGE = "from 2024-11-20 to today, 2026-11-20."


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        ("2099-01-01", "That night has not happened yet: choose a night"),
        ("2026-11-21", "That night has not happened yet: choose a night"),
        ("1900-01-01", "That night is too long ago: the diary takes nights"),
        ("2024-11-19", "That night is too long ago: the diary takes nights"),
    ],
)
@pytest.mark.parametrize("path", ["/diary/new/", "/diary/quick/"])
def test_a_night_outside_the_span_is_refused_saying_the_range(alice_client, path, day, problem):
    response = alice_client.post(path, night(night_of=day))
    assert response.status_code == 400
    html = response.content.decode()
    assert problem in html and NIGHT_RANGE in html
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("day", ["2024-11-20", "2026-11-20"])
def test_a_night_on_either_bound_is_saved(alice_client, day):
    assert alice_client.post("/diary/new/", night(night_of=day)).status_code == 302
    assert DiaryEntry.objects.get().night_of == date.fromisoformat(day)


def test_the_diary_form_offers_only_the_allowed_nights(alice_client):
    html = alice_client.get("/diary/new/").content.decode()
    field = re.search(r'<input type="date" name="night_of"[^>]*>', html)
    assert field is not None
    assert 'min="2024-11-20"' in field.group(0) and 'max="2026-11-20"' in field.group(0)


def test_an_imported_row_is_held_to_the_same_bound(alice_client):
    rows = [night(night_of="2024-11-20"), night(night_of="1900-01-01")]
    response = alice_client.post("/diary/import/", {"file": _csv(rows)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Row 3, column night_of: That night is too long ago" in html and NIGHT_RANGE in html
    assert not DiaryEntry.objects.exists()
    kept = alice_client.post("/diary/import/", {"file": _csv(rows), "keep_valid": "on"})
    assert kept.status_code == 200
    assert list(DiaryEntry.objects.values_list("night_of", flat=True)) == [date(2024, 11, 20)]


def test_the_earliest_night_is_two_years_back():
    assert earliest_night(date(2026, 11, 20)) == date(2024, 11, 20)


def test_the_diary_list_gives_the_year_of_a_night_from_another_year(alice_client):
    for day in ("2026-11-19", "2025-12-31"):
        assert alice_client.post("/diary/new/", night(night_of=day)).status_code == 302
    html = alice_client.get("/diary/").content.decode()
    cells = re.findall(r"<tr>\s*<td>([^<]*)</td>", html)
    assert cells == ["Thu 19 Nov", "Wed 31 Dec 2025"]  # weekdays from a calendar
