"""Fixtures for tests of work done through the task queue (immediate in tests)."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from huey.contrib.djhuey import HUEY


class MailServerDown(LocmemBackend):
    """A delivery backend whose server refuses connections while `down` is true."""

    down = True

    def send_messages(self, messages):
        if MailServerDown.down:
            raise smtplib.SMTPConnectError(421, "mail.example.org is down")
        return super().send_messages(messages)


@pytest.fixture
def queued(settings):
    """Emails through the queue, delivered into mail.outbox (pytest-django otherwise swaps
    the queue's backend for locmem, and the queue would be skipped)."""
    settings.EMAIL_BACKEND = "anmian.web.jobs.mail.QueuedEmailBackend"
    settings.ANMIAN_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


@pytest.fixture
def mail_down(queued, settings):
    settings.ANMIAN_EMAIL_DELIVERY_BACKEND = "anmian.web.tests.queuing.MailServerDown"
    MailServerDown.down = True
    yield MailServerDown
    MailServerDown.down = False


def run_due_retries(after: timedelta) -> int:
    """What the worker's scheduler does when `after` has passed: run each retry now due."""
    then = datetime.now(UTC).replace(tzinfo=None) + after  # huey keeps naive UTC times
    due = HUEY.read_schedule(then)
    for task in due:
        HUEY.execute(task, then)
    return len(due)
