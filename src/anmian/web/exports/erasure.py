"""Deleting a person's account (UK GDPR Art. 17), in four steps, each audited:

1. `request_erasure`: the person asks; an email carries a confirmation link (so a session left
   open on a shared computer cannot erase an account alone);
2. `confirm`: the link's token confirms; the erasure is due after the grace period
   (ANMIAN_ERASURE_GRACE_DAYS, 14 by default), during which the person can `cancel`;
3. the clinic's practitioners see the requests (`requests_for`) and `process` a due one; the
   scheduled job (`process_due`, run hourly by the worker: jobs/tasks.py) carries out every
   confirmed request whose grace period is over, so none waits on staff;
4. `process` (and the job) erases what is the person's own and keeps what the clinic must keep (RETAINED,
   docs/privacy.md says why): the records stay under the patient's name and date of birth,
   the patient is marked `erased`, and the account can no longer log in.

The retained rows keep no contact details: nothing of the person remains that the clinic
needs no reason in law to hold."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anmian.web.records.audit import DENIED
from anmian.web.records.audit import record as audit
from anmian.web.records.models import (
    ApiToken,
    Assessment,
    ClinicInvite,
    ErasureRequest,
    Patient,
    Practitioner,
)
from anmian.web.records.services import require_practitioner

User = AbstractBaseUser | AnonymousUser

# What the clinic keeps after an erasure, and why (shown to the person before they ask).
RETAINED = [
    (
        _("session notes, adopted plans and the assessments they were made from"),
        _(
            "clinical records of care given: a health professional must keep them for a set "
            "time (NHS England, Records Management Code of Practice 2023: adult health records, "
            "8 years after the last treatment); UK GDPR Art. 17(3)(c) and (e) let the clinic "
            "keep them"
        ),
    ),
    (
        _("appointments (times, type, attendance)"),
        _("part of the same clinical record, and of the clinic's accounts"),
    ),
    (
        _("shop orders (what was bought, the amounts, the name the invoice was made out to)"),
        _(
            "accounting records the clinic must keep for 6 years (HMRC; Companies Act 2006 "
            "s.388); the email and delivery address are erased"
        ),
    ),
    (
        _("the audit log of who saw or changed your record"),
        _(
            "the clinic's accountability for your data (UK GDPR Art. 5(2)); it holds no details "
            "about you, only ids and times"
        ),
    ),
]


# Every model that points to a patient or an account, and what an erasure does with its rows
# (a test fails when a new one is missing here, so no new kind of record is forgotten).
HANDLED = {
    "records.Patient": "anonymised: contact details gone, name and date of birth kept, marked",
    "records.Assessment": "erased, unless a plan was adopted from it (then kept with the plan)",
    "records.Plan": "kept (clinical record)",
    "records.SessionNote": "kept (clinical record)",
    "records.RecordedItem": "erased",
    "records.ClinicInvite": "erased",
    "records.ApiToken": "erased",
    "records.AuditEntry": "kept (accountability; ids only)",
    "records.ErasureRequest": "kept (the proof the request was carried out)",
    "records.Practitioner": "not a patient's (staff accounts)",
    "admin.LogEntry": "not a patient's (the admin's own log of staff actions)",
    "diary.DiaryEntry": "erased",
    "diary.ScaleScore": "erased",
    "diary.PreparedReport": "erased (a long progress report waiting to be fetched)",
    "booking.Appointment": "kept (clinical record); future bookings cancelled",
    "booking.Course": "kept with its appointments",
    "booking.WaitlistEntry": "erased",
    "booking.CalendarFeed": "erased",
    "shop.CartItem": "erased",
    "shop.Order": "kept (accounting); email and delivery address erased",
    "otp_totp.TOTPDevice": "erased",
    "otp_static.StaticDevice": "erased",
    "accounts.Profile": "erased (the language chosen for emails)",
}


class ErasureError(ValueError):
    """A step that cannot be taken now (the message says why, for the person)."""


def grace_days() -> int:
    return int(settings.ANMIAN_ERASURE_GRACE_DAYS)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _own_patient(user: User) -> Patient:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise Http404("this account has no patient record")
    return patient


def open_request(patient: Patient) -> ErasureRequest | None:
    states = (ErasureRequest.PENDING, ErasureRequest.CONFIRMED)
    return patient.erasures.filter(state__in=states).first()


def request_erasure(user: User) -> ErasureRequest:
    """Start an erasure and email the link that confirms it (one open request at a time)."""
    patient = _own_patient(user)
    if open_request(patient) is not None:
        raise ErasureError("you have already asked; confirm or cancel that request first")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        req = ErasureRequest.objects.create(patient=patient, token_digest=_digest(token))
        audit(user, "create", patient, "erasure-request", req)
        link = settings.ANMIAN_SITE_URL.rstrip("/") + reverse(
            "accounts:erasure_confirm", args=[token]
        )
        # Asked for on the person's own page: in the language they read it in.
        send_mail(
            str(_("Confirm: delete your Anmian account")),
            _(
                "You asked to delete your Anmian account. To confirm, open this link:\n\n"
                "%(link)s\n\nYour account is deleted %(days)s days after you confirm; until then "
                "you can cancel on your data page. If you did not ask, ignore this email: nothing "
                "changes.\n"
            )
            % {"link": link, "days": grace_days()},
            None,
            [user.email],  # type: ignore[union-attr]
        )
    return req


def _by_token(token: str) -> ErasureRequest:
    req = ErasureRequest.objects.filter(
        token_digest=_digest(token), state=ErasureRequest.PENDING
    ).first()
    if req is None or len(token) > 100:
        raise Http404("this confirmation link is not valid (used, cancelled or mistyped)")
    return req


def check_token(user: User, token: str) -> ErasureRequest:
    req = _by_token(token)
    if req.patient_id != getattr(_own_patient(user), "pk", None):
        audit(user, "update", None, "erasure-request", str(req.uid), outcome=DENIED)
        raise Http404("this confirmation link is not valid (used, cancelled or mistyped)")
    return req


def confirm(user: User, token: str) -> ErasureRequest:
    """The person (logged in, so the link alone does not erase) confirms from the email."""
    req = check_token(user, token)
    now = timezone.now()
    req.state, req.confirmed_at = ErasureRequest.CONFIRMED, now
    req.due, req.token_digest = now + timedelta(days=grace_days()), ""
    req.save(update_fields=["state", "confirmed_at", "due", "token_digest"])
    audit(user, "update", req.patient, "erasure-request", req)
    return req


def cancel(user: User) -> ErasureRequest:
    patient = _own_patient(user)
    req = open_request(patient)
    if req is None:
        raise ErasureError("there is no request to cancel")
    req.state, req.token_digest = ErasureRequest.CANCELLED, ""
    req.save(update_fields=["state", "token_digest"])
    audit(user, "update", patient, "erasure-request", req)
    return req


def requests_for(user: User) -> list[ErasureRequest]:
    """The open and recent requests of the practitioner's clinic, each audited as a read (the
    list names the patients)."""
    practitioner = require_practitioner(user)
    reqs = list(
        ErasureRequest.objects.filter(patient__clinic=practitioner.clinic)
        .exclude(state=ErasureRequest.CANCELLED)
        .select_related("patient")[:200]
    )
    audit(user, "read", {r.patient for r in reqs}, "erasure-request")
    return reqs


def process(user: User, uid: uuid.UUID) -> ErasureRequest:
    """Carry out a confirmed request whose grace period is over (a practitioner of the
    patient's clinic)."""
    practitioner: Practitioner = require_practitioner(user)
    req = (
        ErasureRequest.objects.filter(uid=uid, patient__clinic=practitioner.clinic)
        .select_related("patient")
        .first()
    )
    if req is None:
        audit(user, "delete", None, "erasure-request", str(uid), outcome=DENIED)
        raise Http404("no such request in your clinic")
    if req.state != ErasureRequest.CONFIRMED:
        raise ErasureError(f"this request is {req.state}, not confirmed by the person")
    if req.due and req.due > timezone.now():
        raise ErasureError(f"the grace period runs until {req.due:%Y-%m-%d %H:%M} UTC")
    with transaction.atomic():
        erase(req.patient)
        req.state, req.done_at, req.done_by_id = ErasureRequest.DONE, timezone.now(), user.pk
        req.save(update_fields=["state", "done_at", "done_by"])
        audit(user, "delete", req.patient, "account", req)
    return req


def process_due(now: datetime | None = None) -> list[ErasureRequest]:
    """Carry out every confirmed request whose grace period is over (the scheduled job).

    Each request is claimed by one conditional UPDATE (confirmed -> done) in the transaction
    that erases, so two workers running the job at once never erase twice, and a failure
    leaves the request confirmed for the next run. The audit entry names the person whose
    confirmed request it was (the job has no account of its own); `done_by` stays empty,
    which is how a scheduled erasure is told from one a practitioner processed."""
    now = now or timezone.now()
    due = ErasureRequest.objects.filter(state=ErasureRequest.CONFIRMED, due__lte=now)
    done = []
    for req in due.select_related("patient__user"):
        with transaction.atomic():
            claimed = ErasureRequest.objects.filter(
                pk=req.pk, state=ErasureRequest.CONFIRMED
            ).update(state=ErasureRequest.DONE, done_at=now)
            if not claimed:
                continue
            asker = req.patient.user
            erase(req.patient)
            if asker is not None:
                audit(asker, "delete", req.patient, "account", req)
        req.refresh_from_db()
        done.append(req)
    return done


def state_of(user: User) -> ErasureRequest | None:
    """The person's open request, if any (for the API's answer)."""
    return open_request(_own_patient(user))


def erase(patient: Patient) -> None:
    """Erase the person's own records and anonymise their account, keeping RETAINED."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anmian.web.accounts.models import Profile
    from anmian.web.booking.models import Appointment, CalendarFeed
    from anmian.web.shop.models import CartItem, Order

    user = patient.user
    # Own records: the diary, scores, waiting lists, GP imports, self-checks no plan used.
    patient.diary.all().delete()
    patient.scores.all().delete()
    patient.prepared_reports.all().delete()
    patient.waitlist.all().delete()
    patient.recorded_items.all().delete()
    Assessment.objects.filter(patient=patient, plans__isnull=True).delete()
    ClinicInvite.objects.filter(patient=patient).delete()
    # Future bookings are cancelled (the slot frees up); the past ones are the record.
    Appointment.objects.filter(patient=patient, status="booked", start__gt=timezone.now()).update(
        status="cancelled"
    )
    if user is not None:
        ClinicInvite.objects.filter(email__iexact=user.email).delete()
        ApiToken.objects.filter(user=user).delete()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        Profile.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        CartItem.objects.filter(user=user).delete()
        Order.objects.filter(user=user).update(
            email="", address_line="", address_city="", address_postcode=""
        )
        _forget_logins(user.username, user.email)
        user.username = f"erased-{uuid.uuid4().hex[:16]}"
        user.email = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
    patient.phone = patient.emergency_contact = patient.sex = ""
    patient.preferred_contact = ""
    patient.user = None
    patient.erased = timezone.now()
    patient.save()


def _forget_logins(*names: str) -> None:
    """django-axes keeps failed and successful logins by username."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=[n for n in names if n]).delete()
