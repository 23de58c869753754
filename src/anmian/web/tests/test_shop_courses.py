"""A course booked from a plan is paid for in one order (issue 14): the appointment type's
price for each session still booked, the cancellation policy shown, one order however often
the button is pressed, paid through the same provider as the shop, and only by whom booking
lets see the course."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.test import Client

from anmian.web.booking import services as booking
from anmian.web.booking.models import Appointment
from anmian.web.shop import services
from anmian.web.shop.models import Order
from anmian.web.tests.world import bookable, pinned_clock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)

_clock = pinned_clock(NOW)


@pytest.fixture
def kind(clinic, bob):
    return bookable(bob, price=Decimal("45.00"))


@pytest.fixture
def course(alice, bob, kind):
    booked, _ = booking.book_course(
        alice.user, bob, kind, date(2026, 3, 9), time(10), 4, now=NOW, patient=alice
    )
    return booked


def _pay(client: Client, location: str):
    page = client.get(location).content.decode()
    form = re.search(r'<form method="post" action="/shop/payments/dummy/".*?</form>', page, re.S)
    assert form, page
    return client.post(
        "/shop/payments/dummy/", dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    )


def test_booking_a_priced_course_leads_to_its_bill(client: Client, alice, bob, kind):
    client.force_login(alice.user)
    body = {"type": kind.pk, "practitioner": bob.pk, "first_day": "2026-03-09", "time": "10:00"}
    r = client.post("/booking/course/", body | {"weeks": "4"})
    assert r.status_code == 302 and r["Location"].startswith("/shop/courses/")
    page = client.get(r["Location"]).content.decode()
    assert page.count("<td>£45.00</td>") == 4  # one row per session
    assert "£180.00" in page  # 4 × £45
    assert "Cancellation policy" in page and "24 hours" in page


def test_the_course_page_lists_each_type_with_its_price(client: Client, alice, kind):
    client.force_login(alice.user)
    assert "Follow-up (£45.00 a session)" in client.get("/booking/course/").content.decode()


def test_a_course_is_paid_for_in_one_order_that_names_its_appointments(
    client: Client, alice, course
):
    client.force_login(alice.user)
    r = client.post(f"/shop/courses/{course.uid}/pay/")
    assert r.status_code == 302
    order = Order.objects.get()
    line = order.lines.get()
    assert order.total == Decimal("180.00") and order.user == alice.user
    assert set(line.appointments.all()) == set(Appointment.objects.filter(course=course))
    r = _pay(client, r["Location"])
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == Order.PAID
    assert "paid for" in client.get(f"/shop/courses/{course.uid}/").content.decode()


def test_pressing_pay_twice_places_one_order(client: Client, alice, course):
    client.force_login(alice.user)
    first = client.post(f"/shop/courses/{course.uid}/pay/")
    second = client.post(f"/shop/courses/{course.uid}/pay/")
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1


def test_a_cancelled_session_is_not_charged(alice, course):
    one = Appointment.objects.filter(course=course).first()
    booking.cancel(alice.user, one, now=NOW)
    order = services.order_course(alice.user, course.uid)
    assert order.total == Decimal("135.00") and order.lines.get().quantity == 3


def test_the_practitioner_can_raise_the_order_and_it_is_the_patients(alice, bob, course):
    order = services.order_course(bob.user, course.uid)
    assert order.user == alice.user


def test_someone_else_cannot_see_or_pay_for_the_course(client: Client, charlie, course):
    client.force_login(charlie.user)
    assert client.get(f"/shop/courses/{course.uid}/").status_code == 404
    assert client.post(f"/shop/courses/{course.uid}/pay/").status_code == 404
    assert not Order.objects.exists()


def test_a_course_without_a_price_has_nothing_to_pay(client: Client, alice, course, kind):
    kind.price = Decimal("0")
    kind.save()
    client.force_login(alice.user)
    r = client.post(f"/shop/courses/{course.uid}/pay/")
    assert r.status_code == 422 and b"no price" in r.content
    assert not Order.objects.exists()


def test_an_unpaid_course_order_can_be_released_and_ordered_again(alice, course):
    first = services.order_course(alice.user, course.uid)
    assert services.cancel_order(first)
    second = services.order_course(alice.user, course.uid)
    assert second.pk != first.pk
    assert Appointment.objects.filter(course=course, status="booked").count() == 4  # kept


def test_the_course_page_needs_a_login(client: Client, course):
    r = client.get(f"/shop/courses/{course.uid}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_paying_refuses_get(client: Client, alice, course):
    client.force_login(alice.user)
    assert client.get(f"/shop/courses/{course.uid}/pay/").status_code == 405


def test_the_api_shows_a_course_order_with_its_course_and_no_product(client: Client, alice, course):
    from anmian.web.records.models import ApiToken

    order = services.order_course(alice.user, course.uid)
    headers = {"Authorization": f"Bearer {ApiToken.issue(alice.user)}"}
    body = client.get(f"/api/v1/shop/orders/{order.uid}", headers=headers).json()
    assert body["total"] == "180.00" and body["delivery"] == "sessions"
    assert body["lines"] == [
        {
            "product": None,
            "course": str(course.uid),
            "name": "Course: 4 × Follow-up with Bob Baker",
            "quantity": 4,
            "unit_price": "45.00",
        }
    ]
