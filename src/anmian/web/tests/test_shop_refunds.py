"""Refunds of cancelled sessions of a course paid in one order (issue 14).

Every amount below is read from the clinic's stated policy, as the course page states it to
the patient before they pay: "a session cancelled at least 24 hours before its start, or
cancelled by the clinic, is refunded its price; a session cancelled later at your request is
not refunded". The course is 4 weekly Follow-ups at £45.00, so £180.00 paid; one session's
share is £45.00."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from anmian.web.booking import services as booking
from anmian.web.booking.errors import BookingError
from anmian.web.booking.models import Appointment
from anmian.web.shop import payments, services
from anmian.web.shop.models import Order, Payment
from anmian.web.shop.stripe import ProviderError
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
PAID = Decimal("180.00")  # 4 sessions at £45.00, as the course page bills them
SHARE = Decimal("45.00")  # one session's price, what the policy refunds

_clock = pinned_clock(NOW)


@pytest.fixture
def course(alice, bob, clinic):
    kind = bookable(bob, price=SHARE)
    booked, _ = booking.book_course(
        alice.user, bob, kind, date(2026, 3, 9), time(10), 4, now=NOW, patient=alice
    )
    return booked


@pytest.fixture
def paid(alice, course):
    order = services.order_course(alice.user, course.uid)
    notification = payments.DummyProvider().notification(
        payments.DummyProvider().callback_data(order, "paid")
    )
    services.record_payment(notification)
    order.refresh_from_db()
    assert order.state == Order.PAID and order.total == PAID
    return order


def sessions(course) -> list[Appointment]:
    return list(Appointment.objects.filter(course=course).order_by("start"))


def refunds(order: Order) -> list[Decimal]:
    return [p.amount for p in Payment.objects.filter(order=order, status="refunded")]


def test_the_course_page_states_the_refund_policy_before_paying(client: Client, alice, course):
    client.force_login(alice.user)
    page = client.get(f"/shop/courses/{course.uid}/").content.decode()
    policy = re.search(r'id="refund-policy">(.*?)</p>', page, re.S).group(1)
    assert "at least 24 hours before its start" in policy
    assert "cancelled by the clinic" in policy and "£45.00" in policy
    assert "later at your request" in policy and "not refunded" in policy


def test_a_session_the_patient_cancels_in_good_time_refunds_its_share(
    alice, course, paid, mailoutbox, django_capture_on_commit_callbacks
):
    first = sessions(course)[0]  # a week ahead: well over 24 hours
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(alice.user, first, now=NOW)
    assert refunds(paid) == [SHARE]
    paid.refresh_from_db()
    assert paid.state == Order.PAID  # three sessions are still paid for
    assert Payment.objects.get(status="refunded").appointment == first
    receipt = next(m for m in mailoutbox if m.subject == "A part of your order is refunded")
    assert "Refunded £45.00" in receipt.body and "Mon 9 Mar 2026" in receipt.body
    assert "£135.00" in receipt.alternatives[0][0]  # paid and kept: 180 - 45


def test_the_order_page_shows_the_refunded_session(client: Client, alice, course, paid):
    booking.cancel(alice.user, sessions(course)[0], now=NOW)
    client.force_login(alice.user)
    page = client.get(f"/shop/orders/{paid.uid}/").content.decode()
    assert "Refunds" in page and "£45.00" in page and "Mon 9 Mar 2026" in page
    assert "paid and kept: £135.00" in page


def test_the_patient_is_told_the_refund_before_confirming(client: Client, alice, course, paid):
    client.force_login(alice.user)
    page = client.get(f"/booking/appointments/{sessions(course)[0].uid}/cancel/").content.decode()
    note = re.search(r'id="refund-note">(.*?)</p>', page, re.S).group(1)
    assert "refunds £45.00" in note
    assert not refunds(paid)  # only told, nothing done


def test_the_clinic_cancelling_refunds_even_at_short_notice(bob, course, paid):
    first = sessions(course)[0]
    two_hours_before = first.start - timedelta(hours=2)
    booking.cancel(bob.user, first, now=two_hours_before)
    assert refunds(paid) == [SHARE]


def test_a_late_cancellation_the_patient_asked_for_refunds_nothing(bob, course, paid):
    first = sessions(course)[0]
    late = first.start - timedelta(hours=23)  # inside the 24 hours
    booking.cancel(bob.user, first, now=late, patient_asked=True)
    assert Appointment.objects.get(pk=first.pk).status == "cancelled"
    assert refunds(paid) == []
    paid.refresh_from_db()
    assert paid.state == Order.PAID and paid.kept == PAID


def test_staff_are_told_a_late_request_refunds_nothing_before_confirming(
    client: Client, bob, course, paid
):
    first = sessions(course)[0]
    with time_machine.travel(first.start - timedelta(hours=3), tick=False):
        client.force_login(bob.user)
        page = client.get(f"/booking/appointments/{first.uid}/cancel/").content.decode()
    assert "refunds £45.00" in page  # the clinic's own cancellation
    assert "If the patient asked:" in page and "refunds nothing" in page


def test_the_patient_asking_in_good_time_is_still_refunded(bob, course, paid):
    booking.cancel(bob.user, sessions(course)[1], now=NOW, patient_asked=True)
    assert refunds(paid) == [SHARE]


def test_cancelling_every_session_refunds_what_was_paid_and_ends_the_order(alice, course, paid):
    for session in sessions(course):
        booking.cancel(alice.user, session, now=NOW)
    assert sum(refunds(paid)) == PAID
    paid.refresh_from_db()
    assert paid.state == Order.REFUNDED


def test_cancelling_a_session_twice_refunds_it_once(alice, course, paid):
    first = sessions(course)[0]
    booking.cancel(alice.user, first, now=NOW)
    booking.cancel(alice.user, first, now=NOW)
    assert refunds(paid) == [SHARE]


def test_a_refund_the_provider_cannot_make_leaves_the_session_booked(
    alice, course, paid, monkeypatch
):
    def down(order, amount):
        raise ProviderError("The payment provider could not be reached; nothing was charged.")

    monkeypatch.setattr(payments.PROVIDER, "refund", down)
    first = sessions(course)[0]
    with pytest.raises(BookingError) as refused:
        booking.cancel(alice.user, first, now=NOW)
    assert refused.value.status == 502
    assert Appointment.objects.get(pk=first.pk).status == "booked"
    assert refunds(paid) == []


def test_cancelling_a_session_of_an_unpaid_course_order_cancels_that_bill(alice, course):
    order = services.order_course(alice.user, course.uid)
    booking.cancel(alice.user, sessions(course)[0], now=NOW)
    order.refresh_from_db()
    assert order.state == Order.CANCELLED and not order.payments.exists()
    again = services.order_course(alice.user, course.uid)
    assert again.total == PAID - SHARE  # the three sessions still booked


def test_a_session_cancelled_from_the_page_is_refunded(client: Client, alice, course, paid):
    client.force_login(alice.user)
    r = client.post(f"/booking/appointments/{sessions(course)[0].uid}/cancel/")
    assert r.status_code == 302
    assert refunds(paid) == [SHARE]
