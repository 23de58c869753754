"""The queue's hooks: a failed job is written down for staff (admin: Background jobs), with its
error and whether it will be retried, while the worker carries on with the next job; and each
log line written while a job runs carries the job's id (anmian/web/jsonlog.py)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from huey.api import Task
from huey.contrib.djhuey import post_execute, pre_execute, signal
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ERROR

from anmian.web import jsonlog
from anmian.web.jobs.models import FailedJob

MAX_ERROR = 2000


def _summary(task: Task) -> str:
    """An email's subject says which message failed without its recipient or text."""
    for arg in task.args or ():
        subject = getattr(arg, "subject", None)
        if isinstance(subject, str):
            return subject[:200]
    return ""


@signal(SIGNAL_ERROR)
def record_failure(signal_name: str, task: Task, exc: BaseException | None = None) -> None:
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR] if exc else "unknown error"
    updated = FailedJob.objects.filter(task_id=task.id).update(
        error=error,
        attempts=F("attempts") + 1,
        retries_left=task.retries,
        last_failed_at=timezone.now(),
    )
    if not updated:
        FailedJob.objects.create(
            task_id=task.id,
            task=task.name,
            summary=_summary(task),
            error=error,
            retries_left=task.retries,
        )


@signal(SIGNAL_COMPLETE)
def record_success(signal_name: str, task: Task) -> None:
    # Only a job that has failed before has a row to close; the rest cost no query.
    if task.retries < type(task).default_retries:
        FailedJob.objects.filter(task_id=task.id, succeeded_at=None).update(
            succeeded_at=timezone.now()
        )


@pre_execute()
def _name_the_job_in_the_log(task: Task) -> None:
    jsonlog.job_id.set(task.id)


@post_execute()
def _forget_the_job(task: Task, task_value: object, exc: BaseException | None) -> None:
    jsonlog.job_id.set(None)
