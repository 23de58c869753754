"""Booking in zh-Hant (issue 16): the day picker, the confirmation, the cancel page and the
waitlist offer read in Chinese, with dates as Taiwan writes them (2026年3月3日（星期二）10:00),
not day-month-year in Chinese month names. The clinic's and its people's own words (the
appointment type, the practitioner's name, the address) are theirs and are taken out first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal

import pytest
from django.test import Client

from anmian.web.booking import services, waitlist
from anmian.web.booking.models import WaitlistEntry
from anmian.web.records.models import Patient
from anmian.web.tests.test_i18n import _compiled, english_words, lang_of  # noqa: F401
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday; London is on UTC in March
TUESDAY_10 = datetime(2026, 3, 3, 10, tzinfo=UTC)

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    clinic.name, clinic.phone, clinic.address = "安眠中醫診所", "02 2345 6789", "台北市安和路一段"
    clinic.save()
    bob.display_name = "陳醫師"
    bob.save()
    return bookable(bob, until=time(20), name="針灸", duration_min=60, price=Decimal("50.00"))


@pytest.fixture
def zh(client: Client, alice) -> Client:
    client.force_login(alice.user)
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    return client


def _clean(response, clinic) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    assert lang_of(page) == "zh-Hant"
    left = english_words(page.replace(clinic.time_zone, ""))
    assert not left, f"English on the page: {left}"
    return page


def test_the_day_picker_reads_in_chinese(zh: Client, kind, clinic):
    page = _clean(zh.get("/booking/book/", {"type": kind.pk, "day": "2026-03-03"}), clinic)
    assert "3月3日（星期二）" in page  # the day's heading
    morning, afternoon, evening = (page.index(w) for w in ("上午", "下午", "晚上"))
    assert morning < page.index("09:00") < afternoon < page.index("13:00") < evening


def test_the_confirmation_reads_in_chinese(zh: Client, kind, bob, clinic):
    start = TUESDAY_10.isoformat()
    response = zh.get(
        "/booking/book/confirm/", {"type": kind.pk, "practitioner": bob.pk, "start": start}
    )
    page = _clean(response, clinic)
    assert "2026年3月3日（星期二）10:00" in page
    assert "Tuesday" not in page and "March" not in page


def test_the_cancel_page_reads_in_chinese(zh: Client, alice, bob, kind, clinic):
    appointment, _ = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)
    page = _clean(zh.get(f"/booking/appointments/{appointment.uid}/cancel/"), clinic)
    assert "2026年3月3日（星期二）10:00" in page


def test_the_waitlist_offer_reads_in_chinese(client: Client, alice, bob, kind, clinic):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("w@x.org", "w@x.org")
    Patient.objects.create(clinic=clinic, name="王小姐", user=user)
    entry = waitlist.join(user, kind, bob)
    appointment, _ = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)
    services.cancel(alice.user, appointment, now=NOW)
    token = WaitlistEntry.objects.get(pk=entry.pk).token
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    page = _clean(client.get(f"/booking/waitlist/{token}/"), clinic)
    assert "2026年3月3日（星期二）10:00" in page


def test_the_waitlist_offer_email_is_in_the_waiting_person_s_saved_language(
    alice, bob, kind, clinic, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model
    from django.core import mail

    from anmian.web.accounts.models import Profile

    user = get_user_model().objects.create_user("w@x.org", "w@x.org")
    Patient.objects.create(clinic=clinic, name="王小姐", user=user)
    Profile.objects.create(user=user, language="zh-hant")
    waitlist.join(user, kind, bob)
    appointment, _ = services.book(alice.user, bob, kind, TUESDAY_10, now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(alice.user, appointment, now=NOW)  # alice reads English
    offer = next(m for m in mail.outbox if m.to == ["w@x.org"])
    cancelled = next(m for m in mail.outbox if m.to == [alice.user.email])
    assert cancelled.subject == "Your appointment is cancelled"
    words = re.sub(r"https?://\S+", " ", offer.subject + offer.body).replace(clinic.time_zone, "")
    assert not english_words("<body>" + words)  # its link and the zone's IANA id aside
    assert "2026年3月3日（星期二）10:00" in offer.body


def test_booking_says_so_in_chinese_with_a_chinese_date(zh: Client, alice, bob, kind):
    data = {"type": kind.pk, "practitioner": bob.pk, "start": TUESDAY_10.isoformat()}
    response = zh.post("/booking/book/", data, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert len(said) == 1 and "3月3日（星期二） 10:00" in said[0], said
    assert not english_words("<body>" + said[0])
