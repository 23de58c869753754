"""The queue's tasks. Each is small and idempotent where it can be: a job may run again after
a worker dies mid-way, and two workers (each with its scheduler) may run side by side."""

from __future__ import annotations

import io
import logging
import pickle
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.management import call_command
from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)

# A failed send is tried again after 30 s, 1, 2, 4 ... minutes: ten retries span about eight
# and a half hours, enough for a mail server's maintenance window or a night's outage.
EMAIL_RETRIES = 10
EMAIL_FIRST_DELAY = 30
EMAIL_BACKOFF = 2


class RecipientsRefused(Exception):
    """The mail server refused the recipients: said with their codes, not their addresses,
    since the error goes into the log and the failed-jobs list."""


@db_task(retries=EMAIL_RETRIES, retry_delay=EMAIL_FIRST_DELAY, retry_backoff=EMAIL_BACKOFF)
def deliver_email(message: EmailMessage) -> None:
    connection = get_connection(settings.ANMIAN_EMAIL_DELIVERY_BACKEND, fail_silently=False)
    try:
        connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted(
            {f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values()}
        )
        raise RecipientsRefused(
            f"the mail server refused {len(exc.recipients)} recipient(s): {'; '.join(codes)}"
        ) from None


OUTBOX_BATCH = 200


def drain_outbox() -> int:
    """Hand the emails the queue could not take (mail.enqueue) to it now; each row is locked,
    enqueued and deleted in one transaction, so two workers draining at once send each email
    once, and a queue still down leaves the row for the next minute."""
    from anmian.web.jobs.models import OutboxEmail

    handed = 0
    for pk in OutboxEmail.objects.values_list("pk", flat=True)[:OUTBOX_BATCH]:
        try:
            with transaction.atomic():
                row = OutboxEmail.objects.select_for_update().filter(pk=pk).first()
                if row is None:  # another worker took it meanwhile
                    continue
                deliver_email(pickle.loads(row.message))
                row.delete()
                handed += 1
        except Exception as exc:  # the queue is still unreachable: try again next minute
            logger.warning("outbox: queue still unreachable (%s)", type(exc).__name__)
            break
    return handed


@db_periodic_task(crontab(minute="*"))
def run_schedule() -> None:
    """Every minute in every worker: due reminders (each claimed by one conditional UPDATE,
    so two schedulers never send one twice) and expired waitlist offers passed on; shop orders
    left unpaid past ANMIAN_SHOP_HOLD_MINUTES cancelled and their stock released."""
    if handed := drain_outbox():
        logger.info("outbox: %d email(s) handed to the queue", handed)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    call_command("release_abandoned_orders", stdout=out)
    logger.info("schedule: %s", out.getvalue().strip())


@db_periodic_task(crontab(minute="7"))
def erase_due_accounts() -> None:
    """Hourly: every account erasure confirmed by the person whose grace period is over is
    carried out (exports/erasure.py `process_due`; each claimed once, so two workers agree)."""
    from anmian.web.exports import erasure

    done = erasure.process_due()
    if done:
        logger.info("erasure: %d account(s) erased as requested", len(done))
