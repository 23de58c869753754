"""Paying for a booked course in one order. Booking's rules (who may see which appointment,
how a course is booked) stay in booking/services.py and are only called from here: this
module prices what booking says is booked and writes the order, exported through
shop.services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from anmian.web.shop import notify
from anmian.web.shop.errors import BadRequest, UnknownOrder
from anmian.web.shop.models import Order, OrderLine

ENDED = (Order.CANCELLED, Order.REFUNDED)


@dataclass
class CourseBill:
    course: Any  # booking.Course
    sessions: list[Any]  # its booked appointments, in order
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        return self.unit_price * len(self.sessions)

    @property
    def name(self) -> str:
        kind = self.course.appointment_type
        return f"Course: {len(self.sessions)} × {kind.name} with {self.course.practitioner.display_name}"

    @property
    def order(self) -> Order | None:
        """The order already paying (or waiting to pay) for this course, if there is one."""
        return Order.objects.filter(course=self.course).exclude(state__in=ENDED).first()


def course_bill(user: Any, uid: Any) -> CourseBill:
    """The sessions of a course the user may see, as booking decides, still booked."""
    from anmian.web.booking import services as booking

    sessions = list(
        booking.visible_appointments(user)
        .filter(course__uid=uid, status="booked")
        .select_related("course__appointment_type", "course__practitioner__clinic", "patient__user")
        .order_by("start")
    )
    if not sessions:
        raise UnknownOrder("There is no such course, or none of its sessions is still booked.")
    course = sessions[0].course
    assert course is not None  # filtered on course__uid above
    return CourseBill(course, sessions, course.appointment_type.price)


def order_course(user: Any, uid: Any) -> Order:
    """One order for the booked sessions of a course, at the appointment type's price each,
    for the patient whose course it is (so it is on their orders page, whoever clicked). A
    second request finds the open order instead of writing a twin (a database constraint,
    so two at once cannot both write one)."""
    bill = course_bill(user, uid)
    if bill.order is not None:
        return bill.order
    if bill.total <= 0:
        raise BadRequest("This course has no price set: there is nothing to pay online.")
    patient_user = bill.sessions[0].patient.user
    try:
        with transaction.atomic():
            order = Order.objects.create(
                user=patient_user,
                email=getattr(patient_user, "email", "") or "",
                delivery=Order.SESSIONS,
                course=bill.course,
                total=bill.total,
                # Appointment types carry no tax rate: the price is what the clinic charges.
                tax=Decimal("0.00"),
            )
            line = OrderLine.objects.create(
                order=order,
                course=bill.course,
                name=bill.name[:200],
                quantity=len(bill.sessions),
                unit_price=bill.unit_price,
                tax_rate=Decimal("0"),
            )
            line.appointments.set(bill.sessions)
            notify.after_commit(order, Order.PLACED)
    except IntegrityError:
        found = bill.order
        if found is None:
            raise
        return found
    return order
