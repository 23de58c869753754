"""Every email goes through the queue: Django's EMAIL_BACKEND is this backend, which hands each
message to the worker once the transaction that wrote it commits; the worker sends it with the
real backend (the EMAIL_BACKEND variable, kept as ANMIAN_EMAIL_DELIVERY_BACKEND) and retries
with backoff while the mail server is down. Callers keep using send_mail and message.send(),
so no email can bypass the queue, and a mail server that fails never fails a booking.

When the queue itself cannot be reached (Redis down or cut off), the message is written to the
database instead (models.OutboxEmail), which the request already depends on, and the worker's
schedule hands it to the queue when it is back (tasks.drain_outbox): the booking succeeds and
its email is late, not lost."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from functools import partial

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

logger = logging.getLogger(__name__)


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            message.connection = None  # the worker opens its own
            transaction.on_commit(partial(enqueue, message))
        return len(email_messages)


def enqueue(message: EmailMessage) -> None:
    """Hand one message to the queue, or keep it in the outbox when the queue is unreachable."""
    from anmian.web.jobs import tasks  # the tasks need settings; this module must not
    from anmian.web.jobs.models import OutboxEmail

    try:
        tasks.deliver_email(message)
    except Exception as exc:  # whatever the store raises: redis.ConnectionError, TimeoutError
        why = f"{type(exc).__name__}: {exc}"[:200]
        OutboxEmail.objects.create(
            message=pickle.dumps(message), subject=str(message.subject)[:200], error=why
        )
        # The subject says which message without its recipient or text.
        logger.warning("queue unreachable, email kept in the outbox: %s", why)
