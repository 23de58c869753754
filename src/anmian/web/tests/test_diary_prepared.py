"""A long diary's progress report is prepared by the worker (issue 13): the person is told it
is being prepared, the page refreshes itself until a download link is there, and the file is
fetched through the same access check and audit entry as a direct download. Only whoever
asked may fetch it; a failure says what to do, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from anmian.web.diary import prepared
from anmian.web.diary.models import DiaryEntry, PreparedReport
from anmian.web.jobs.models import FailedJob
from anmian.web.records.models import AuditEntry, Clinic
from anmian.web.tests import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_diary(alice, monkeypatch):
    """Twelve nights, and a limit of five for the direct path, so this diary counts as long."""
    monkeypatch.setattr(prepared, "DIRECT_NIGHTS", 5)
    today = timezone.localdate()
    DiaryEntry.objects.bulk_create(
        world.night(alice, today - timedelta(days=i), severity=4) for i in range(1, 13)
    )
    return alice


def exports(user) -> int:
    return AuditEntry.objects.filter(user_id=user.pk, action="export", what="report").count()


def ask(client, path="/diary/report.pdf?paper=a4"):
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def test_a_short_diary_s_report_comes_at_once(client, alice):
    DiaryEntry.objects.bulk_create([world.night(alice, date(2026, 11, 1), severity=3)])
    client.force_login(alice.user)
    response = client.get("/diary/report.pdf?paper=a4")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert not PreparedReport.objects.exists()


def test_a_long_diary_s_report_is_prepared_then_fetched(
    client, long_diary, django_capture_on_commit_callbacks
):
    client.force_login(long_diary.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        status_url = ask(client)
    page = client.get(status_url)
    assert "Preparing your report" in page.content.decode()
    assert page["Refresh"] == "3"  # refreshes itself, with or without JavaScript
    assert exports(long_diary.user) == 0  # nothing has left yet

    for run in queued:  # what the worker does once the request has committed
        run()
    page = client.get(status_url).content.decode()
    assert "Your report is ready" in page
    (report,) = PreparedReport.objects.all()
    file_url = reverse("diary:prepared_file", args=[report.uid])
    assert f'href="{file_url}"' in page

    pdf = client.get(file_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "no-store" in pdf["Cache-Control"]
    assert exports(long_diary.user) == 1  # audited as the direct download is


def test_asking_again_while_it_is_prepared_waits_for_the_same_report(
    client, long_diary, django_capture_on_commit_callbacks
):
    client.force_login(long_diary.user)
    with django_capture_on_commit_callbacks(execute=False):
        first, second = ask(client), ask(client)
    assert first == second
    assert PreparedReport.objects.count() == 1


def test_nobody_else_can_see_or_fetch_it(client, long_diary, charlie, bob, admin_user):
    client.force_login(long_diary.user)
    ask(client)
    report = PreparedReport.objects.get()
    for other in (charlie.user, bob.user, admin_user):
        client.force_login(other)
        for name in ("diary:prepared", "diary:prepared_file"):
            assert client.get(reverse(name, args=[report.uid])).status_code == 404, other


def test_a_practitioner_who_has_left_the_clinic_cannot_fetch_what_they_asked_for(
    client, long_diary, bob, django_capture_on_commit_callbacks
):
    client.force_login(bob.user)
    with django_capture_on_commit_callbacks(execute=True):
        status_url = ask(client, f"/diary/patients/{long_diary.uid}/report.pdf?paper=letter")
    report = PreparedReport.objects.get()
    assert report.status == PreparedReport.READY and not report.own
    file_url = reverse("diary:prepared_file", args=[report.uid])
    assert client.get(file_url).status_code == 200
    assert AuditEntry.objects.filter(user_id=bob.user.pk, action="export").count() == 1

    bob.clinic = Clinic.objects.create(name="Another Clinic")
    bob.save()
    assert client.get(status_url).status_code == 404
    assert client.get(file_url).status_code == 404


def test_a_report_that_fails_says_so_and_offers_another_try(
    client, long_diary, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args):
        raise RuntimeError("font missing")

    monkeypatch.setattr(prepared, "report_pdf", broken)
    client.force_login(long_diary.user)
    with django_capture_on_commit_callbacks(execute=True):
        status_url = ask(client)
    page = client.get(status_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "could not be made" in text
    assert 'href="/diary/report.pdf?paper=a4"' in text
    assert "Refresh" not in page  # a failed report does not refresh for ever
    # Staff see the job with its error (Background jobs).
    (job,) = FailedJob.objects.all()
    assert "prepare_report" in job.task and "font missing" in job.error
    # Fetching it leads back to the page, not to an empty file.
    file_url = reverse("diary:prepared_file", args=[PreparedReport.objects.get().uid])
    assert client.get(file_url)["Location"] == status_url


def test_a_queue_that_cannot_be_reached_is_a_failed_report_not_a_500(
    client, long_diary, monkeypatch, django_capture_on_commit_callbacks
):
    from anmian.web.diary import tasks

    def unreachable(report_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks, "prepare_report", unreachable)
    client.force_login(long_diary.user)
    with django_capture_on_commit_callbacks(execute=True):
        status_url = ask(client)
    assert "could not be made" in client.get(status_url).content.decode()


def test_prepared_reports_are_deleted_an_hour_after_they_are_done(long_diary):
    now = timezone.now()
    fields = {"requested_by": long_diary.user, "patient": long_diary, "own": True, "day": now}
    old = PreparedReport.objects.create(
        paper="a4", status="ready", finished=now - timedelta(hours=2), **fields
    )
    fresh = PreparedReport.objects.create(
        paper="a4", status="ready", finished=now - timedelta(minutes=5), **fields
    )
    assert prepared.purge() == 1
    assert list(PreparedReport.objects.all()) == [fresh]
    assert not PreparedReport.objects.filter(pk=old.pk).exists()


def test_a_wrong_method_is_refused(client, long_diary):
    client.force_login(long_diary.user)
    ask(client)
    report = PreparedReport.objects.get()
    assert client.post(reverse("diary:prepared", args=[report.uid])).status_code == 405


def _prepared_text(client, user, path, language="en-gb") -> str:
    """The report `user` asks for at `path`, prepared as the worker does it: after the request,
    with no request to say the language (the worker's default is the site's)."""
    import io

    from django.utils import translation
    from pypdf import PdfReader

    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    (report,) = PreparedReport.objects.filter(requested_by=user)
    with translation.override(language):
        prepared.prepare(report.pk)
    pdf = client.get(reverse("diary:prepared_file", args=[report.uid]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)


def test_the_worker_writes_the_report_in_the_language_saved_on_the_account(
    client, long_diary, django_capture_on_commit_callbacks
):
    from anmian.web.accounts.models import Profile

    Profile.objects.create(user=long_diary.user, language="zh-hant")
    with django_capture_on_commit_callbacks(execute=False):
        text = _prepared_text(client, long_diary.user, "/diary/report.pdf?paper=a4")
    # the headings a person reads first, as the site's zh-Hant says them (django.po)
    assert "進展報告" in text and "分數" in text
    assert "Progress report" not in text and "Scores" not in text


def test_a_practitioner_reads_the_patient_s_report_in_their_own_saved_language(
    client, long_diary, bob, django_capture_on_commit_callbacks
):
    from anmian.web.accounts.models import Profile

    Profile.objects.create(user=long_diary.user, language="en-gb")  # the patient reads English
    Profile.objects.create(user=bob.user, language="zh-hans")  # who asked reads Simplified
    with django_capture_on_commit_callbacks(execute=False):
        text = _prepared_text(
            client, bob.user, f"/diary/patients/{long_diary.uid}/report.pdf?paper=letter"
        )
    assert "进展报告" in text and "分数" in text
    assert "進展報告" not in text and "Progress report" not in text


def test_without_a_saved_language_the_worker_writes_the_site_s_default(
    client, long_diary, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        # asked while the worker's own language happens to be Chinese: the account decides
        text = _prepared_text(
            client, long_diary.user, "/diary/report.pdf?paper=a4", language="zh-hant"
        )
    assert "Progress report" in text and "進展報告" not in text
