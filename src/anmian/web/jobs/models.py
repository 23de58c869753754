from __future__ import annotations

from django.db import models


class FailedJob(models.Model):
    """A background job that raised: one row per job, updated at each attempt, so staff see
    what failed, why, and whether it is still being retried. Holds the task's name and the
    error, never its arguments (an email's recipient and text are personal data)."""

    task_id = models.CharField(max_length=64, unique=True)
    task = models.CharField(max_length=200)
    summary = models.CharField(max_length=200, blank=True)  # e.g. an email's subject
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    retries_left = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField(auto_now_add=True)
    last_failed_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)  # a later attempt worked

    class Meta:
        ordering = ["-last_failed_at"]

    def __str__(self) -> str:
        return f"{self.task} ({self.task_id})"

    @property
    def state(self) -> str:
        if self.succeeded_at:
            return "succeeded on retry"
        return "retrying" if self.retries_left else "gave up"


class OutboxEmail(models.Model):
    """An email the queue could not take (Redis unreachable when its transaction committed),
    kept in the database until a worker's schedule hands it to the queue (tasks.drain_outbox)
    and deletes it. The message is pickled, as the queue itself stores it; the row lives
    minutes, and its subject alone is shown to staff."""

    message = models.BinaryField()
    subject = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=200, blank=True)  # why the queue refused it
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "email waiting for the queue"
        verbose_name_plural = "emails waiting for the queue"

    def __str__(self) -> str:
        return self.subject or f"email {self.pk}"
