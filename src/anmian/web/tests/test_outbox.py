"""A booking made while the Redis queue is unreachable (issue 13): the booking succeeds, its
email waits in the database outbox, and once Redis answers again the worker's schedule hands
it to the queue and it is sent, once. The queue here is a real Redis store (not the tests'
immediate mode): first on a closed port, then on the Redis of the machine."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, time

import pytest
import redis
import time_machine
from django.core import mail
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
from anmian.web.jobs import tasks
from anmian.web.jobs.models import OutboxEmail
from anmian.web.records.models import ApiToken
from anmian.web.tests import queuing

pytestmark = pytest.mark.django_db
queued = queuing.queued  # fixture
REDIS_DB = 13  # a database of its own, emptied first


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def _storage(port: int) -> RedisStorage:
    pool = redis.ConnectionPool(
        host="127.0.0.1", port=port, db=REDIS_DB, socket_connect_timeout=1, socket_timeout=2
    )
    return RedisStorage(HUEY.name, connection_pool=pool)


@pytest.fixture
def real_queue():
    """HUEY on Redis as a deployment runs it; the tests' immediate mode back afterwards."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=1).flushdb()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    saved = HUEY.storage, HUEY._immediate
    HUEY._immediate = False
    yield
    HUEY.storage, HUEY._immediate = saved


def book(client, alice, bob):
    for weekday in range(5):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(19))
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="Follow-up", duration_min=45)
    body = {"practitioner": bob.pk, "appointment_type": kind.pk, "start": "2026-03-03T10:00:00Z"}
    with time_machine.travel(datetime(2026, 3, 2, 8, tzinfo=UTC), tick=False):
        return client.post(
            "/api/v1/booking/appointments",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {ApiToken.issue(alice.user)}"},
        )


def test_a_booking_while_redis_is_down_succeeds_and_its_email_follows_once_it_is_back(
    client, alice, bob, queued, real_queue, django_capture_on_commit_callbacks
):
    HUEY.storage = _storage(_closed_port())
    with django_capture_on_commit_callbacks(execute=True):
        response = book(client, alice, bob)
    assert response.status_code == 201, response.content
    assert Appointment.objects.count() == 1
    (waiting,) = OutboxEmail.objects.all()
    assert waiting.subject == "Your appointment is booked"
    assert "ConnectionError" in waiting.error

    # A worker's minute while Redis is still down: nothing lost, nothing sent.
    assert tasks.drain_outbox() == 0
    assert OutboxEmail.objects.count() == 1

    HUEY.storage = _storage(6379)  # Redis answers again
    assert tasks.drain_outbox() == 1
    assert not OutboxEmail.objects.exists()
    assert tasks.drain_outbox() == 0  # a second worker's schedule finds nothing to send again
    assert HUEY.pending_count() == 1
    HUEY.execute(HUEY.dequeue())  # the worker takes it from Redis
    assert HUEY.pending_count() == 0
    (sent,) = mail.outbox
    assert sent.subject == "Your appointment is booked"
    assert sent.to == ["alice@example.org"]
    assert sent.attachments[0][0] == "appointment.ics"  # the whole message survived


def test_with_redis_up_an_email_goes_straight_to_the_queue(
    client, alice, bob, queued, real_queue, django_capture_on_commit_callbacks
):
    HUEY.storage = _storage(6379)
    with django_capture_on_commit_callbacks(execute=True):
        assert book(client, alice, bob).status_code == 201
    assert not OutboxEmail.objects.exists()
    assert HUEY.pending_count() == 1


def test_the_schedule_drains_the_outbox(queued, monkeypatch):
    """run_schedule, what each worker runs every minute, is what empties the outbox."""
    calls = []
    monkeypatch.setattr(tasks, "drain_outbox", lambda: calls.append(1) or 0)
    tasks.run_schedule.call_local()
    assert calls == [1]
