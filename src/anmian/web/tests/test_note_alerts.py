"""Danger signs written in diary notes and session notes: told at once to whoever wrote them,
and shown to the practitioner as a signal; a denial ("no chest pain") raises nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from anmian.web.diary.models import DiaryEntry
from anmian.web.diary.progress import progress, red_flags_in
from anmian.web.records.models import SessionNote
from anmian.web.tests.test_diary import night

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)
CLOT = "Possible blood clot in the leg"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-11-20 12:00:00+00:00", tick=False):
        yield


def _session_note(client: Client, patient, **kw):
    data = {"date": "2026-11-20", "points_needled": "", "response": "", "notes": ""} | kw
    return client.post(f"/clinic/patients/{patient.uid}/notes/new/", data, follow=True)


@pytest.mark.parametrize(
    ("texts", "flags"),
    [
        (["no chest pain, sleeping better"], []),
        (["Denies chest pain or breathlessness"], []),
        (["Says one calf is swollen and hot since Monday"], ["dvt-suspected"]),
        (["", "   ", "legs restless again"], []),
        ([], []),
    ],
)
def test_it_reads_notes_with_the_engine_note_reader(texts, flags):
    assert [a.flag for a in red_flags_in(texts)] == flags


def test_a_denied_danger_sign_in_a_session_note_raises_no_signal(alice, bob):
    SessionNote.objects.create(
        patient=alice, practitioner=bob, date=TODAY, notes="No chest pain; calves calmer"
    )
    assert progress(alice, TODAY).signals == []


def test_a_danger_sign_in_a_diary_note_is_a_signal_for_the_practitioner(client: Client, alice, bob):
    client.force_login(alice.user)
    client.post("/diary/new/", night(notes="My left calf is swollen, red and hot"))
    assert f"Danger sign in a note: {CLOT} (emergency)" in progress(alice, TODAY).signals
    client.force_login(bob.user)
    html = client.get("/clinic/patients/").content.decode()
    assert f"Danger sign in a note: {CLOT} (emergency)" in html


def test_an_old_note_is_no_longer_a_signal(alice, bob):
    SessionNote.objects.create(
        patient=alice, practitioner=bob, date=date(2026, 9, 1), notes="one calf swollen and hot"
    )
    assert progress(alice, TODAY).signals == []


def test_the_patient_is_told_what_to_do_right_after_saving_the_night(client: Client, alice):
    client.force_login(alice.user)
    response = client.post(
        "/diary/new/", night(notes="My left calf is swollen, red and hot"), follow=True
    )
    assert response.redirect_chain[-1][0] == "/diary/"
    html = response.content.decode()
    alert = html[html.index('<div class="messages">') : html.index("</main>")]
    assert 'role="alert"' in alert
    assert f"<strong>Your note may describe a danger sign: {CLOT}.</strong>" in alert
    assert "Contact emergency services or go to an emergency department now" in alert
    # told once: the next page is quiet
    assert b'class="messages"' not in client.get("/diary/").content


def test_an_edited_night_with_a_danger_sign_is_told_too(client: Client, alice):
    client.force_login(alice.user)
    client.post("/diary/new/", night())
    response = client.post(
        "/diary/night/2026-11-19/",
        night(notes="I have had thoughts of ending my life"),
        follow=True,
    )
    assert b"Thoughts of suicide or self-harm" in response.content
    assert DiaryEntry.objects.get().notes == "I have had thoughts of ending my life"


@pytest.mark.parametrize("notes", ["", "no chest pain tonight", "slept well after a foot soak"])
def test_a_quiet_night_says_nothing(client: Client, alice, notes):
    client.force_login(alice.user)
    response = client.post("/diary/new/", night(notes=notes), follow=True)
    assert response.status_code == 200 and b'class="messages"' not in response.content


def test_a_refused_night_says_nothing_and_saves_nothing(client: Client, alice):
    client.force_login(alice.user)
    response = client.post(
        "/diary/new/", night(night_of="2027-01-01", notes="one calf swollen and hot")
    )
    assert response.status_code == 400 and b"Your note may describe" not in response.content
    assert not DiaryEntry.objects.exists()


def test_the_practitioner_is_shown_a_danger_sign_in_a_session_note(client: Client, alice, bob):
    client.force_login(bob.user)
    response = _session_note(client, alice, notes="Reports sudden breathlessness and chest pain")
    assert response.redirect_chain[-1][0] == f"/clinic/patients/{alice.uid}/"
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Danger sign in this note: Possible blood clot in the lung (emergency)" in html
    assert "What the patient should do:" in html and "emergency number" in html


def test_a_danger_sign_in_the_response_field_is_shown_too(client: Client, alice, bob):
    client.force_login(bob.user)
    response = _session_note(client, alice, response="calf swollen and hot afterwards")
    assert f"Danger sign in this note: {CLOT}" in response.content.decode()


def test_a_quiet_session_note_says_nothing(client: Client, alice, bob):
    client.force_login(bob.user)
    response = _session_note(client, alice, notes="no chest pain, no swelling; slept better")
    assert b'class="messages"' not in response.content
    assert SessionNote.objects.count() == 1


def test_an_invalid_session_note_says_nothing_and_is_400(client: Client, alice, bob):
    client.force_login(bob.user)
    response = _session_note(client, alice, date="not a date", notes="calf swollen and hot")
    assert response.status_code == 400 and b"Danger sign in this note" not in response.content
