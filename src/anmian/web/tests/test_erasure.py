"""Deleting one's account (exports/erasure.py): asked on the data page, confirmed by the
emailed link, carried out by the clinic after the grace period; every step audited; after it,
nothing personal of the person remains outside what the clinic must keep (RETAINED)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail, serializers
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from anmian.web.booking.models import Appointment, AppointmentType, CalendarFeed, WaitlistEntry
from anmian.web.diary.models import DiaryEntry, ScaleScore
from anmian.web.records.models import (
    ApiToken,
    Assessment,
    AuditEntry,
    ClinicInvite,
    ErasureRequest,
    Plan,
    RecordedItem,
    SessionNote,
)
from anmian.web.shop.models import Order
from anmian.web.tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PHONE, CONTACT = "+44 7700 900123", "Rowan Able, 07700 900456"
DIARY_NOTE, IMPORTED = "legs awful after the wedding", "Cashew nuts"
ADDRESS, POSTCODE = "1 Quiet Lane", "OX1 9ZZ"


def _appointment(bob, patient, start: datetime) -> Appointment:
    kind, _ = AppointmentType.objects.get_or_create(
        clinic=bob.clinic, name="Acupuncture", defaults={"duration_min": 45}
    )
    end = start + timedelta(minutes=45)
    return Appointment.objects.create(
        practitioner=bob, patient=patient, appointment_type=kind, start=start, end=end,
        blocked_start=start, blocked_end=end,
    )  # fmt: skip


@pytest.fixture
def everything(alice, bob, alice_assessment):
    """One record of each kind alice can have."""
    alice.phone, alice.emergency_contact, alice.sex = PHONE, CONTACT, "female"
    alice.date_of_birth = date(1976, 5, 4)
    alice.save()
    Plan.objects.create(patient=alice, assessment=alice_assessment, adopted_by=bob, points=["sp6"])
    unplanned = Assessment.objects.create(
        patient=alice, kb_version="x", input={"findings": ["my own words"]}, result={}
    )
    DiaryEntry.objects.create(
        patient=alice, night_of=date(2026, 3, 1), severity=6, bedtime=time(22, 30),
        lights_out=time(22, 45), sleep_latency_min=30, final_wake=time(6, 30),
        out_of_bed=time(6, 45), quality=3, notes=DIARY_NOTE,
    )  # fmt: skip
    ScaleScore.objects.create(
        patient=alice, taken=date(2026, 3, 2), scale="anmian-leg-scale", total=18, band="moderate"
    )
    past = _appointment(bob, alice, datetime(2026, 3, 9, 10, tzinfo=UTC))
    future = _appointment(bob, alice, timezone.now() + timedelta(days=60))
    SessionNote.objects.create(
        patient=alice, practitioner=bob, date=date(2026, 3, 9), tongue="pale", notes="Calmer."
    )
    WaitlistEntry.objects.create(
        patient=alice, appointment_type=past.appointment_type, token="w" * 40
    )
    RecordedItem.objects.create(patient=alice, kind="allergy", text=IMPORTED)
    ClinicInvite.objects.create(
        clinic=alice.clinic, email=alice.user.email, patient=alice, token="i" * 40, sent_by=bob.user
    )
    ApiToken.issue(alice.user)
    TOTPDevice.objects.create(user=alice.user, name="phone", confirmed=False)  # enrolling
    CalendarFeed.objects.create(user=alice.user)
    Order.objects.create(
        user=alice.user, email=alice.user.email, delivery="post", address_name="Alice Able",
        address_line=ADDRESS, address_city="Oxford", address_postcode=POSTCODE, total=12, tax=2,
    )  # fmt: skip
    return {"unplanned": unplanned, "future": future, "past": past}


@pytest.fixture(autouse=True)
def _emails_sent(django_capture_on_commit_callbacks):
    """Emails leave on commit (jobs/mail.py): run those callbacks as each request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        yield


def _grace_over(req: ErasureRequest) -> None:
    """Move the due time back, not the clock forward (which would end the staff session)."""
    ErasureRequest.objects.filter(pk=req.pk).update(due=timezone.now() - timedelta(minutes=1))


def _ask_and_confirm(client: Client, alice) -> ErasureRequest:
    client.force_login(alice.user)
    assert client.post(reverse("accounts:erasure_request")).status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/mine/data/delete/(\S+)/", message.body)
    assert link, message.body
    page = client.get(link[0].split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert page.status_code == 200 and "keeps, by law" in page.content.decode()
    assert client.post(reverse("accounts:erasure_confirm", args=[link[1]])).status_code == 302
    return ErasureRequest.objects.get()


def _dump() -> str:
    """Every row of every table, as JSON text."""
    return serializers.serialize("json", [o for m in apps.get_models() for o in m.objects.all()])


def test_the_data_page_links_the_downloads_and_explains_what_is_kept(client: Client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("accounts:my_data")).content.decode()
    for link in ("/api/v1/me/archive", "/api/v1/me/fhir", reverse("diary:export", args=["csv"])):
        assert f'href="{link}"' in page
    assert "Records Management Code of Practice" in page and "14 days" in page


def test_my_page_leads_to_my_data(client: Client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("accounts:mine")).content.decode()
    assert f'href="{reverse("accounts:my_data")}"' in page


def test_nothing_personal_remains_outside_what_is_retained(client: Client, everything, alice, bob):
    email, user_id = alice.user.email, alice.user.pk
    assert all(v in _dump() for v in (PHONE, CONTACT, DIARY_NOTE, IMPORTED, ADDRESS, email))
    req = _ask_and_confirm(client, alice)
    assert req.due - req.confirmed_at == timedelta(days=14)
    client.force_login(bob.user)
    _grace_over(req)
    r = client.post(reverse("exports:erasure_process", args=[req.uid]))
    assert r.status_code == 302
    dump = _dump()
    for value in (PHONE, CONTACT, DIARY_NOTE, IMPORTED, ADDRESS, POSTCODE, email, "my own words"):
        assert value not in dump, value
    # The name (and date of birth) remain only on the retained patient row, marked erased.
    rows = [o for m in apps.get_models() for o in m.objects.all()]
    named = {o._meta.label for o in rows if "Alice Able" in serializers.serialize("json", [o])}
    assert named <= {"records.Patient", "shop.Order"}
    alice.refresh_from_db()
    assert alice.erased is not None and alice.user is None
    # Retained: the session note, the past appointment, the planned assessment, the order.
    assert SessionNote.objects.filter(patient=alice).count() == 1
    assert Plan.objects.filter(patient=alice).count() == 1
    assert not Assessment.objects.filter(pk=everything["unplanned"].pk).exists()
    assert Appointment.objects.get(pk=everything["past"].pk).status == "booked"
    assert Appointment.objects.get(pk=everything["future"].pk).status == "cancelled"
    assert Order.objects.get().total == 12
    # The account cannot log in, and its tokens and devices are gone.
    user = get_user_model().objects.get(pk=user_id)
    assert not user.is_active and not user.has_usable_password()
    assert not ApiToken.objects.filter(user=user).exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.logout()
    r = client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_every_step_is_audited(client: Client, everything, alice, bob):
    _ask_and_confirm(client, alice)
    a, b = alice.user.pk, bob.user.pk
    client.post(reverse("accounts:erasure_cancel"))
    client.post(reverse("accounts:erasure_request"))
    token = re.search(r"/delete/(\S+)/", mail.outbox[-1].body)[1]
    client.post(reverse("accounts:erasure_confirm", args=[token]))
    req = ErasureRequest.objects.get(state="confirmed")
    client.force_login(bob.user)
    client.get(reverse("exports:erasures"))
    _grace_over(req)
    client.post(reverse("exports:erasure_process", args=[req.uid]))
    steps = list(
        AuditEntry.objects.filter(what__in=["erasure-request", "account"])
        .order_by("pk")
        .values_list("action", "what", "user_id")
    )
    assert steps == [
        ("create", "erasure-request", a), ("update", "erasure-request", a),  # ask, confirm
        ("update", "erasure-request", a),  # cancel
        ("create", "erasure-request", a), ("update", "erasure-request", a),
        ("read", "erasure-request", b), ("delete", "account", b),
    ]  # fmt: skip


def test_the_clinic_cannot_erase_before_the_grace_period_ends(client: Client, alice, bob):
    req = _ask_and_confirm(client, alice)
    client.force_login(bob.user)
    r = client.post(reverse("exports:erasure_process", args=[req.uid]))
    assert r.status_code == 409 and "grace period" in r.content.decode()
    alice.refresh_from_db()
    assert alice.erased is None and alice.user is not None


def test_an_unconfirmed_request_cannot_be_carried_out(client: Client, alice, bob):
    client.force_login(alice.user)
    client.post(reverse("accounts:erasure_request"))
    req = ErasureRequest.objects.get()
    client.force_login(bob.user)
    _grace_over(req)
    r = client.post(reverse("exports:erasure_process", args=[req.uid]))
    assert r.status_code == 409 and "pending" in r.content.decode()


def test_another_clinic_sees_no_request_and_cannot_process_it(client: Client, alice, dave):
    req = _ask_and_confirm(client, alice)
    client.force_login(dave.user)
    assert "Alice Able" not in client.get(reverse("exports:erasures")).content.decode()
    _grace_over(req)
    r = client.post(reverse("exports:erasure_process", args=[req.uid]))
    assert r.status_code == 404
    assert AuditEntry.objects.filter(user=dave.user, outcome="denied", what="erasure-request")


def test_the_link_works_only_for_the_person_who_asked(client: Client, alice, charlie):
    client.force_login(alice.user)
    client.post(reverse("accounts:erasure_request"))
    token = re.search(r"/delete/(\S+)/", mail.outbox[0].body)[1]
    client.force_login(charlie.user)
    assert client.post(reverse("accounts:erasure_confirm", args=[token])).status_code == 404
    assert ErasureRequest.objects.get().state == "pending"


def test_the_grace_period_is_a_setting(client: Client, alice, settings):
    settings.ANMIAN_ERASURE_GRACE_DAYS = 30
    req = _ask_and_confirm(client, alice)
    assert req.due - req.confirmed_at == timedelta(days=30)


def test_the_clinic_finds_the_requests_from_its_patient_list(client: Client, alice, bob):
    _ask_and_confirm(client, alice)
    client.force_login(bob.user)
    patients = client.get(reverse("records:patients")).content.decode()
    assert f'href="{reverse("exports:erasures")}"' in patients
    page = client.get(reverse("exports:erasures")).content.decode()
    assert "Alice Able" in page and "waiting for the grace period" in page


def test_every_kind_of_record_of_a_person_has_a_rule():
    """A model that points to a patient or an account must say what an erasure does with it
    (exports/erasure.py HANDLED), so a new kind of record is not left behind."""
    from anmian.web.exports.erasure import HANDLED
    from anmian.web.records.models import Patient

    people = (Patient, get_user_model())
    pointing = {
        m._meta.label
        for m in apps.get_models()
        for f in m._meta.get_fields()
        if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model in people
    }
    assert pointing <= set(HANDLED), sorted(pointing - set(HANDLED))


# --- the API and the scheduled job ---------------------------------------------------------


def test_the_api_asks_for_an_erasure_and_cancels_it_each_step_audited(client: Client, alice):
    client.force_login(alice.user)
    r = client.post("/api/v1/me/erasure", content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert body["state"] == "pending" and body["due"] is None and body["grace_days"] == 14
    assert any("Records Management Code of Practice" in k["why"] for k in body["kept"])
    (message,) = mail.outbox  # the link that confirms, as on the site
    assert "/accounts/mine/data/delete/" in message.body
    again = client.post("/api/v1/me/erasure", content_type="application/json")
    assert again.status_code == 409 and "already asked" in again.json()["error"]
    r = client.delete("/api/v1/me/erasure")
    assert r.status_code == 200 and r.json()["state"] == "cancelled"
    assert client.delete("/api/v1/me/erasure").status_code == 409
    assert list(
        AuditEntry.objects.filter(what="erasure-request")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "update"]


def test_the_api_needs_a_login_and_a_patient_record(client: Client, bob):
    assert client.post("/api/v1/me/erasure", content_type="application/json").status_code == 401
    client.force_login(bob.user)  # a practitioner: no patient record to delete
    assert client.post("/api/v1/me/erasure", content_type="application/json").status_code == 404
    assert not ErasureRequest.objects.exists()


def test_the_scheduled_job_erases_once_the_grace_period_is_over(client: Client, alice):
    from anmian.web.jobs.tasks import erase_due_accounts

    req = _ask_and_confirm(client, alice)
    asker = alice.user.pk
    erase_due_accounts.call_local()  # inside the grace period: nothing happens
    alice.refresh_from_db()
    assert alice.erased is None and ErasureRequest.objects.get().state == "confirmed"
    _grace_over(req)
    erase_due_accounts.call_local()
    alice.refresh_from_db()
    req.refresh_from_db()
    assert alice.erased is not None and alice.user is None and alice.phone == ""
    assert req.state == "done" and req.done_at is not None and req.done_by is None
    assert (
        AuditEntry.objects.filter(
            action="delete", what="account", user_id=asker, patient=alice
        ).count()
        == 1
    )
    erase_due_accounts.call_local()  # run again (another worker): nothing twice
    assert AuditEntry.objects.filter(action="delete", what="account").count() == 1


def test_the_job_leaves_unconfirmed_and_cancelled_requests_alone(client: Client, alice):
    from anmian.web.exports.erasure import process_due

    client.force_login(alice.user)
    client.post(reverse("accounts:erasure_request"))
    req = ErasureRequest.objects.get()
    _grace_over(req)
    assert process_due() == []
    client.post(reverse("accounts:erasure_cancel"))
    assert process_due(timezone.now() + timedelta(days=365)) == []
    alice.refresh_from_db()
    assert alice.erased is None and alice.user is not None
