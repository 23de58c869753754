"""The diary's background jobs: long progress reports rendered by the worker (prepared.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from anmian.web.diary import prepared


@db_task()
def prepare_report(report_id: int) -> None:
    prepared.prepare(report_id)


@db_periodic_task(crontab(minute="*/10"))
def purge_prepared_reports() -> None:
    """Reports hold personal data: none is kept longer than prepared.PREPARED_KEEP."""
    prepared.purge()
