"""The language saved on the account (issue 16): set when a person logged in uses the switch,
and used for the emails the worker sends them later, when no request says the language."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from anmian.web.accounts.models import Profile
from anmian.web.booking.models import AppointmentType
from anmian.web.tests.world import appointment_at

pytestmark = pytest.mark.django_db


def switch(client: Client, code: str):
    return client.post("/i18n/setlang/", {"language": code, "next": "/"})


def remind(alice, bob) -> mail.EmailMessage:
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="針灸", duration_min=30)
    appointment_at(bob, alice, kind, timezone.now() + timedelta(hours=2))
    mail.outbox.clear()
    call_command("send_reminders", stdout=io.StringIO())
    (sent,) = mail.outbox
    return sent


def test_a_logged_in_switch_saves_the_language_on_the_account(client: Client, alice):
    client.force_login(alice.user)
    response = switch(client, "zh-hant")
    assert response.status_code == 302
    assert Profile.objects.get(user=alice.user).language == "zh-hant"
    switch(client, "en-gb")
    assert Profile.objects.get(user=alice.user).language == "en-gb"


def test_a_switch_without_logging_in_saves_nothing_but_the_cookie(client: Client):
    response = switch(client, "zh-hant")
    assert response.status_code == 302 and response.cookies["django_language"].value == "zh-hant"
    assert not Profile.objects.exists()


def test_an_unknown_code_saves_nothing_and_is_no_error(client: Client, alice):
    client.force_login(alice.user)
    switch(client, "zh-hant")
    response = switch(client, "tlh")
    assert response.status_code == 302
    assert Profile.objects.get(user=alice.user).language == "zh-hant"


def test_a_get_changes_nothing_as_django_s_switch(client: Client, alice):
    client.force_login(alice.user)
    response = client.get("/i18n/setlang/", {"language": "zh-hant"})
    assert response.status_code == 302 and not Profile.objects.exists()


def test_the_worker_s_reminder_is_in_the_saved_language(client: Client, alice, bob):
    client.force_login(alice.user)
    switch(client, "zh-hant")
    sent = remind(alice, bob)
    assert sent.subject == "提醒您：明天有預約"
    assert "提醒您預約的時間。" in sent.body and "Bob Baker" in sent.body
    assert "年" in sent.body and "月" in sent.body  # the date in Chinese order, 2026年12月2日
    html = sent.alternatives[0][0]
    assert "附件的行事曆檔案" in html and "calendar file" not in html


def test_simplified_chinese_is_saved_and_used_too(client: Client, alice, bob):
    client.force_login(alice.user)
    switch(client, "zh-hans")
    assert remind(alice, bob).subject == "提醒您：明天有预约"


def test_a_person_who_never_switched_gets_english(alice, bob):
    sent = remind(alice, bob)
    assert sent.subject == "Reminder: your appointment tomorrow"
    assert "A reminder of your appointment." in sent.body
