"""The worker's schedule (issue 13): every minute each worker's scheduler runs the reminders and
the waitlist expiry; each due reminder is delivered exactly once even with two schedulers at
the same moment, and a reminder whose email fails is retried by the queue, not lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from anmian.web.booking.models import Appointment, AppointmentType
from anmian.web.jobs import tasks
from anmian.web.jobs.models import OutboxEmail
from anmian.web.tests import queuing
from anmian.web.tests.queuing import MailServerDown, run_due_retries
from anmian.web.tests.world import appointment_at, at_once

queued, mail_down = queuing.queued, queuing.mail_down  # fixtures


def _due_appointments(alice, bob, count: int) -> list[Appointment]:
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="Needling", duration_min=30)
    first = timezone.now() + timedelta(hours=1)
    made = []
    for i in range(count):
        start = first + timedelta(minutes=40 * i)  # all inside the 24 h reminder window
        made.append(appointment_at(bob, alice, kind, start))
    return made


def test_the_schedule_is_a_periodic_task_of_every_minute():
    minute = datetime(2026, 3, 2, 8, 17, tzinfo=UTC).replace(tzinfo=None)
    names = {t.name for t in HUEY.read_periodic(minute)}
    assert any(name.endswith("run_schedule") for name in names), names


@pytest.mark.django_db(transaction=True)  # commits, as the worker's schedule does
def test_a_due_reminder_goes_through_the_queue(queued, alice, bob):
    (appointment,) = _due_appointments(alice, bob, 1)
    tasks.run_schedule.call_local()
    assert [m.subject for m in mail.outbox] == ["Reminder: your appointment tomorrow"]
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_of_30_reminders_exactly_once(queued, alice, bob):
    _due_appointments(alice, bob, 30)
    errors: list[BaseException] = []

    def scheduler(_: int) -> None:
        try:
            tasks.run_schedule.call_local()
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    at_once(2, scheduler)
    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == 30 and set(recipients) == {alice.user.email}
    assert not Appointment.objects.filter(reminder_sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)  # commits, as the worker's schedule does
def test_a_reminder_with_the_mail_server_down_is_sent_once_it_is_back(mail_down, alice, bob):
    _due_appointments(alice, bob, 1)
    tasks.run_schedule.call_local()
    tasks.run_schedule.call_local()  # the next minute: claimed already, not queued again
    assert mail.outbox == [] and len(HUEY.scheduled()) == 1
    MailServerDown.down = False
    run_due_retries(timedelta(minutes=1))
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)  # commits, as the worker's schedule does
def test_a_reminder_that_could_not_be_queued_is_tried_again(queued, alice, bob, monkeypatch):
    _due_appointments(alice, bob, 1)

    def queue_down(message):
        raise ConnectionError("redis at 127.0.0.1:6379 refused the connection")

    monkeypatch.setattr(tasks, "deliver_email", queue_down)
    tasks.run_schedule.call_local()
    # Kept in the database outbox (jobs/mail.py), not lost; claimed, so never sent twice.
    assert OutboxEmail.objects.get().subject.startswith("Reminder")
    monkeypatch.undo()
    tasks.run_schedule.call_local()  # the next minute, the queue answers
    tasks.run_schedule.call_local()
    assert len(mail.outbox) == 1
    assert not OutboxEmail.objects.exists()
