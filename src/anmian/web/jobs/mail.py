"""Every email goes through the queue: Django's EMAIL_BACKEND is this backend, which hands each
message to the worker once the transaction that wrote it commits; the worker sends it with the
real backend (the EMAIL_BACKEND variable, kept as ANMIAN_EMAIL_DELIVERY_BACKEND) and retries
with backoff while the mail server is down. Callers keep using send_mail and message.send(),
so no email can bypass the queue, and a mail server that fails never fails a booking."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        from anmian.web.jobs import tasks  # the tasks need settings; this module must not

        for message in email_messages:
            message.connection = None  # the worker opens its own
            transaction.on_commit(partial(tasks.deliver_email, message))
        return len(email_messages)
