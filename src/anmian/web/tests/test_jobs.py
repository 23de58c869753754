"""Background work (issue 13): every email goes through the queue once its transaction commits,
a mail server that is down makes the job retry with growing delays instead of failing the
request, and a job that fails is shown to staff with its error. The queue runs immediately in
tests (HUEY immediate in test_settings); test_worker.py runs a real worker."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from huey.contrib.djhuey import HUEY

from anmian.web.booking.models import Appointment, AppointmentType, WorkingHours
from anmian.web.jobs import tasks
from anmian.web.jobs.models import FailedJob
from anmian.web.records.models import ApiToken
from anmian.web.tests import queuing
from anmian.web.tests.queuing import MailServerDown, run_due_retries

pytestmark = pytest.mark.django_db
queued, mail_down = queuing.queued, queuing.mail_down  # fixtures


def test_an_email_is_handed_to_the_queue_only_when_its_transaction_commits(
    queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_mail("Your appointment is booked", "See you", None, ["alice@example.org"])
        assert mail.outbox == []  # not inside the transaction
    assert [m.subject for m in mail.outbox] == ["Your appointment is booked"]


def test_an_email_of_a_rolled_back_transaction_is_never_sent(
    queued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Your appointment is booked", "See you", None, ["alice@example.org"])
        raise RuntimeError("the booking failed")
    assert mail.outbox == []


def test_a_message_with_html_and_an_attachment_survives_the_queue(
    queued, mail_down, django_capture_on_commit_callbacks
):
    """The retry is serialised into the queue's store and read back, as a worker would."""
    message = mail.EmailMultiAlternatives("Booked", "text", None, ["alice@example.org"])
    message.attach_alternative("<p>html</p>", "text/html")
    message.attach("appointment.ics", "BEGIN:VCALENDAR", "text/calendar")
    with django_capture_on_commit_callbacks(execute=True):
        message.send()
    MailServerDown.down = False
    assert run_due_retries(timedelta(minutes=1)) == 1
    (sent,) = mail.outbox
    assert sent.alternatives[0][0] == "<p>html</p>"
    assert sent.attachments[0][0] == "appointment.ics"


def test_a_mail_server_that_is_down_is_retried_with_growing_delays(
    mail_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Tomorrow", None, ["alice@example.org"])
    assert mail.outbox == []
    etas = []
    for _ in range(3):
        (retry,) = HUEY.scheduled()
        etas.append(retry.eta)
        HUEY.storage.flush_schedule()
        HUEY.execute(retry, retry.eta)  # still down
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(etas)]
    assert gaps[1] > gaps[0] > 0  # the wait grows: backoff, not a fixed beat


def test_an_email_goes_out_once_the_mail_server_is_back(
    mail_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Tomorrow", None, ["alice@example.org"])
    assert run_due_retries(timedelta(seconds=tasks.EMAIL_FIRST_DELAY + 1)) == 1  # down again
    MailServerDown.down = False
    assert run_due_retries(timedelta(hours=1)) == 1
    assert [m.subject for m in mail.outbox] == ["Reminder"]
    assert HUEY.scheduled() == []  # nothing left to retry


def test_a_failed_job_is_recorded_with_its_error_and_no_personal_data(
    mail_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Dear Alice, your iron", None, ["alice@example.org"])
    job = FailedJob.objects.get()
    assert job.task.endswith("deliver_email") and job.summary == "Reminder"
    assert "SMTPConnectError" in job.error and "mail.example.org is down" in job.error
    assert (job.attempts, job.retries_left, job.state) == (1, tasks.EMAIL_RETRIES, "retrying")
    recorded = " ".join(str(getattr(job, f.name)) for f in FailedJob._meta.fields)
    assert "alice@example.org" not in recorded and "iron" not in recorded


def test_a_retry_that_works_closes_the_failure(mail_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Tomorrow", None, ["alice@example.org"])
    run_due_retries(timedelta(minutes=1))
    MailServerDown.down = False
    run_due_retries(timedelta(hours=1))
    job = FailedJob.objects.get()
    assert job.attempts == 2 and job.succeeded_at is not None
    assert job.state == "succeeded on retry"


def test_a_job_out_of_retries_is_shown_as_given_up(mail_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Tomorrow", None, ["alice@example.org"])
    for _ in range(tasks.EMAIL_RETRIES):
        assert run_due_retries(timedelta(days=2)) == 1
    assert run_due_retries(timedelta(days=30)) == 0  # no eleventh retry
    job = FailedJob.objects.get()
    assert (job.attempts, job.retries_left, job.state) == (tasks.EMAIL_RETRIES + 1, 0, "gave up")
    assert mail.outbox == []


def test_staff_see_failed_jobs_with_their_error_in_the_admin(
    client, admin_user, mail_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Reminder", "Tomorrow", None, ["alice@example.org"])
    client.force_login(admin_user)
    page = client.get("/admin/jobs/failedjob/").content.decode()
    assert "deliver_email" in page and "mail.example.org is down" in page
    assert "retrying" in page
    job = FailedJob.objects.get()
    assert client.get(f"/admin/jobs/failedjob/{job.pk}/change/").status_code == 200
    assert client.get("/admin/jobs/failedjob/add/").status_code == 403  # written by the worker


def test_a_job_that_raises_does_not_stop_the_next_one(queued, settings):
    settings.ANMIAN_EMAIL_DELIVERY_BACKEND = "anmian.web.tests.queuing.MailServerDown"
    MailServerDown.down = True
    tasks.deliver_email(EmailMessage("first", "x", None, ["a@example.org"]))
    MailServerDown.down = False
    tasks.deliver_email(EmailMessage("second", "x", None, ["b@example.org"]))
    assert [m.subject for m in mail.outbox] == ["second"]
    assert FailedJob.objects.get().summary == "first"


def test_an_api_booking_with_the_mail_server_down_succeeds_and_its_email_follows(
    client, alice, bob, mail_down, django_capture_on_commit_callbacks
):
    """Issue 13: "with the mail server down, an API booking returned an HTML 500 *after* the
    appointment was written"."""
    for weekday in range(5):
        WorkingHours.objects.create(practitioner=bob, weekday=weekday, start=time(9), end=time(19))
    kind = AppointmentType.objects.create(clinic=bob.clinic, name="Follow-up", duration_min=45)
    body = {"practitioner": bob.pk, "appointment_type": kind.pk, "start": "2026-03-03T10:00:00Z"}
    with (
        time_machine.travel(datetime(2026, 3, 2, 8, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/api/v1/booking/appointments",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {ApiToken.issue(alice.user)}"},
        )
    assert response.status_code == 201, response.content
    assert Appointment.objects.count() == 1 and mail.outbox == []
    MailServerDown.down = False
    run_due_retries(timedelta(minutes=1))
    assert [m.subject for m in mail.outbox] == ["Your appointment is booked"]
