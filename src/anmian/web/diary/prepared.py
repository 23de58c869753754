"""The progress report of a long diary, prepared by the worker: asked for, rendered in the
background, then fetched. A diary of up to DIRECT_NIGHTS nights is rendered in the request
(about a tenth of a second for a month); a longer one takes seconds (bench/diary.py: about
one for five years), too long to hold a web server's thread, so the page says "preparing",
refreshes itself, and links the file when it is there.

The rules are the direct download's: the same access check when asked and again when fetched
(a practitioner who has left the clinic since cannot fetch what they asked for), the same
audit entry when the file leaves, and only the person who asked may fetch it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from anmian.web.accounts.language import in_language_of
from anmian.web.diary.models import PreparedReport
from anmian.web.diary.report import report_pdf
from anmian.web.diary.services import progress_report, readable_diary, today_of
from anmian.web.records.audit import record as audit

logger = logging.getLogger(__name__)

DIRECT_NIGHTS = 366  # up to a year of nights is rendered in the request
PREPARED_KEEP = timedelta(hours=1)  # a prepared report is deleted this long after it is done
STUCK_AFTER = timedelta(minutes=10)  # a report still pending then is shown as failed


@dataclass(frozen=True)
class Asked:
    """What a request for the report gets: the PDF at once, or a report being prepared."""

    pdf: bytes | None = None
    prepared: PreparedReport | None = None


def ask(
    user: Any, paper: str, uid: UUID | None = None, *, enqueue: Callable[[int], object]
) -> Asked:
    """The report for `user` (their own diary, or patient `uid`'s for a practitioner).
    `enqueue` hands a report's id to the worker (diary.tasks.prepare_report, passed in by the
    view: the task module calls this one, so this one does not import it)."""
    patient = readable_diary(user, uid)
    if patient.diary.count() <= DIRECT_NIGHTS:
        return Asked(pdf=progress_report(user, paper, uid))
    # Asking again while one is being prepared (a double click, the back button) waits for
    # that one instead of starting another.
    pending = PreparedReport.objects.filter(
        requested_by=user.pk,
        patient=patient,
        paper=paper,
        status=PreparedReport.PENDING,
        created__gte=timezone.now() - STUCK_AFTER,
    ).first()
    if pending is not None:
        return Asked(prepared=pending)
    report = PreparedReport.objects.create(
        requested_by=user,
        patient=patient,
        own=uid is None,
        paper=paper,
        day=today_of(patient),
    )
    transaction.on_commit(lambda: _enqueue(report, enqueue))
    return Asked(prepared=report)


def _enqueue(report: PreparedReport, enqueue: Callable[[int], object]) -> None:
    try:
        enqueue(report.pk)
    except Exception as exc:  # the queue is unreachable: say so on the page, do not 500
        logger.warning("report %s not queued: %s", report.uid, type(exc).__name__)
        PreparedReport.objects.filter(pk=report.pk, status=PreparedReport.PENDING).update(
            status=PreparedReport.FAILED,
            error="The report could not be started. Please try again in a few minutes.",
            finished=timezone.now(),
        )


def prepare(report_id: int) -> None:
    """The worker's part: render the PDF of one asked-for report (once: a report already
    done, or deleted meanwhile, is left alone), in the language saved on the account of
    whoever asked (the worker has no request to say it; the direct download is in the
    request's language, which the language switch saves on the account too)."""
    report = (
        PreparedReport.objects.select_related("patient", "patient__clinic", "requested_by")
        .filter(pk=report_id, status=PreparedReport.PENDING)
        .first()
    )
    if report is None:
        return
    try:
        with in_language_of(report.requested_by):
            pdf = report_pdf(report.patient, report.day, report.paper)
    except Exception:
        PreparedReport.objects.filter(pk=report.pk).update(
            status=PreparedReport.FAILED,
            error="The report could not be made. Please try again; if it fails again, "
            "tell the clinic.",
            finished=timezone.now(),
        )
        raise  # and the job is listed with its error for staff (Background jobs)
    PreparedReport.objects.filter(pk=report.pk, status=PreparedReport.PENDING).update(
        status=PreparedReport.READY, pdf=pdf, finished=timezone.now()
    )


def _mine(user: Any, uid: UUID) -> PreparedReport:
    """The report `user` asked for, after the access check of asking again: a report that is
    another's, or of a patient no longer readable, is a 404 as any unknown id is."""
    report = (
        PreparedReport.objects.select_related("patient")
        .filter(uid=uid, requested_by=user.pk)
        .defer("pdf")
        .first()
    )
    if report is None:
        raise Http404("no such report")
    patient = readable_diary(user, None if report.own else report.patient.uid)
    if patient.pk != report.patient_id:
        raise Http404("no such report")
    if report.status == PreparedReport.PENDING and report.created < timezone.now() - STUCK_AFTER:
        report.status = PreparedReport.FAILED
        report.error = "The report took too long. Please try again."
    return report


def status(user: Any, uid: UUID) -> PreparedReport:
    return _mine(user, uid)


def fetch(user: Any, uid: UUID) -> tuple[PreparedReport, bytes | None]:
    """The PDF of a ready report, audited as the direct download is; None while not ready."""
    report = _mine(user, uid)
    pdf = PreparedReport.objects.values_list("pdf", flat=True).get(pk=report.pk)
    if report.status != PreparedReport.READY or pdf is None:
        return report, None
    audit(user, "export", report.patient, "report", None if report.own else report.patient)
    return report, bytes(pdf)


def purge() -> int:
    """Delete reports done more than PREPARED_KEEP ago, and ones that never finished."""
    now = timezone.now()
    done, _ = PreparedReport.objects.filter(finished__lt=now - PREPARED_KEEP).delete()
    stuck, _ = PreparedReport.objects.filter(
        finished=None, created__lt=now - STUCK_AFTER - PREPARED_KEEP
    ).delete()
    return done + stuck
