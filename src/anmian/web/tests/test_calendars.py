"""Calendar files as a calendar program reads them: every file parses with `icalendar` and has
RFC 5545's essentials (VERSION, PRODID; each event's UID, DTSTAMP, DTSTART, SEQUENCE), times in
UTC; email invitations are RFC 5546 messages (REQUEST or CANCEL, with ORGANIZER and ATTENDEE);
a moved or cancelled appointment outranks the copy a calendar already has (a higher SEQUENCE);
a time held for a waitlisted person is TENTATIVE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from icalendar import Calendar

from anmian.web.booking import services, waitlist
from anmian.web.booking.ics import calendar
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
TEN = datetime(2026, 3, 4, 10, tzinfo=UTC)

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob, name="Follow-up 复诊")


def parse(text: str) -> Calendar:
    cal = Calendar.from_ical(text)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    for event in cal.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"):
            assert required in event, required
        for when in ("DTSTAMP", "DTSTART", "DTEND"):
            assert event.decoded(when).utcoffset() == timedelta(0), when
            assert event[when].to_ical().endswith(b"Z"), when  # UTC, never floating
    return cal


def invitations(outbox) -> list[tuple[str, Calendar]]:
    """(content type, calendar) of each email's calendar file, in the order sent."""
    out = []
    for message in outbox:
        (name, body, content_type) = message.attachments[0]
        assert name.endswith(".ics")
        out.append((content_type, parse(body)))
    return out


def event_of(cal: Calendar):
    (event,) = cal.walk("VEVENT")
    return event


def test_a_booking_is_an_rfc5546_request_with_organizer_and_attendee(
    alice, bob, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.book(alice.user, bob, kind, TEN, now=NOW)
    ((content_type, cal),) = invitations(mail.outbox)
    assert content_type == "text/calendar; method=REQUEST"
    assert cal["METHOD"] == "REQUEST"
    event = event_of(cal)
    assert event.decoded("DTSTART") == TEN
    assert int(event["SEQUENCE"]) == 0
    assert event["STATUS"] == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:bob@example.org"
    assert event["ORGANIZER"].params["CN"] == "Bob Baker"
    assert str(event["ATTENDEE"]) == "mailto:alice@example.org"
    assert "复诊" in str(event["SUMMARY"])  # folded lines keep the characters whole


def test_a_moved_appointment_has_a_higher_sequence_and_the_same_uid(
    alice, bob, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (booked, _) = services.book(alice.user, bob, kind, TEN, now=NOW)
        services.move(alice.user, booked, TEN + timedelta(hours=2), now=NOW)
    (_, first), (_, moved) = invitations(mail.outbox)
    before, after = event_of(first), event_of(moved)
    assert before["UID"] == after["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == TEN + timedelta(hours=2)
    assert moved["METHOD"] == "REQUEST"


def test_a_cancellation_is_a_cancel_with_organizer_attendee_and_a_higher_sequence(
    alice, bob, kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (booked, _) = services.book(alice.user, bob, kind, TEN, now=NOW)
        services.move(alice.user, booked, TEN + timedelta(hours=1), now=NOW)
        services.cancel(alice.user, booked, now=NOW)
    sent = invitations(mail.outbox)
    content_type, cancelled = sent[-1]
    assert content_type == "text/calendar; method=CANCEL"
    assert cancelled["METHOD"] == "CANCEL"
    event = event_of(cancelled)
    assert event["STATUS"] == "CANCELLED"
    assert "ORGANIZER" in event and "ATTENDEE" in event
    sequences = [int(event_of(cal)["SEQUENCE"]) for _, cal in sent]
    assert sequences == sorted(set(sequences)) == [0, 1, 2]


def test_a_time_held_for_the_waitlist_is_tentative_until_accepted(
    alice, charlie, bob, kind, clinic, django_capture_on_commit_callbacks
):
    charlie.clinic = clinic
    charlie.save()
    (booked, _) = services.book(alice.user, bob, kind, TEN, now=NOW)
    entry = waitlist.join(charlie.user, kind, bob)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(alice.user, booked, now=NOW)
    offers = [
        cal
        for _, cal in invitations(mail.outbox)
        if "charlie" in str(event_of(cal).get("ATTENDEE", ""))
    ]
    (offer,) = offers
    held = event_of(offer)
    assert held["STATUS"] == "TENTATIVE"
    assert held["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    entry.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        waitlist.accept(entry.token, NOW)
    ((_, confirmed),) = invitations(mail.outbox)
    accepted = event_of(confirmed)
    assert accepted["STATUS"] == "CONFIRMED" and accepted["UID"] == held["UID"]
    assert int(accepted["SEQUENCE"]) > int(held["SEQUENCE"])


def test_the_feed_parses_has_no_method_and_no_attendees(client: Client, alice, bob, kind):
    services.book(alice.user, bob, kind, TEN, now=NOW)
    (second, _) = services.book(alice.user, bob, kind, TEN + timedelta(days=1), now=NOW)
    services.cancel(alice.user, second, now=NOW)
    client.force_login(alice.user)
    html = client.get("/booking/").content.decode()
    url = html.split("<code>")[1].split("</code>")[0].replace("http://testserver", "")
    client.logout()
    cal = parse(client.get(url).content.decode())
    assert "METHOD" not in cal
    events = cal.walk("VEVENT")
    assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]
    assert all("ATTENDEE" not in e and "ORGANIZER" in e for e in events)


def test_an_unknown_method_is_refused(alice, bob, kind):
    (booked, _) = services.book(alice.user, bob, kind, TEN, now=NOW)
    with pytest.raises(ValueError, match="PUBLISH"):
        calendar([booked], "x", "PUBLISH")
