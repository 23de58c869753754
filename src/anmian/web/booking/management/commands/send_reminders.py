"""Send each due reminder exactly once, and pass expired waitlist offers on. Run every minute by
the worker's scheduler (anmian/web/jobs/tasks.py), and safe twice at once: a reminder is
claimed by one UPDATE that only succeeds while reminder_sent_at is empty. The claimed email
goes to the task queue, which retries it while the mail server is down; a reminder that
could not even be queued is released, so the next run tries it again."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from anmian.web.booking import notify, services
from anmian.web.booking.models import Appointment

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send reminder emails for appointments starting within the reminder window (once each)."

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        window = timedelta(hours=settings.ANMIAN_REMINDER_HOURS)
        due = Appointment.objects.filter(
            status="booked", reminder_sent_at__isnull=True, start__gt=now, start__lte=now + window
        ).select_related(
            "patient__user", "practitioner__clinic", "appointment_type", "patient__clinic"
        )
        sent = 0
        for appointment in due:
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            try:
                notify.send(appointment, "reminder")
            except Exception:
                Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=None)
                logger.exception("reminder for appointment %s not queued", appointment.pk)
                continue
            sent += 1
        expired = services.expire_offers(now=now)
        self.stdout.write(
            f"{sent} reminder{'s' if sent != 1 else ''} sent, {expired} waitlist offer(s) expired"
        )
