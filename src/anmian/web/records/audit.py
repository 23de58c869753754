"""The one door to the audit log: every read, change, export and refused attempt on patient
data is written by `record`, from the services, the views, the API and the admin alike.

A list (the patient list, a calendar, the API's patients, an admin changelist) writes one row
per patient it shows, in one insert: the privacy officer's question is "who has seen this
person's name", and a row per patient answers it with the indexed patient column on SQLite and
PostgreSQL alike, where a row holding a list of ids would need a JSON search per database.

A refused attempt (the access functions' 404, a 403) names the acting user and the id that was
asked for, and the patient it belongs to when there is one, so the patient's clinic sees who
tried. Anonymous requests never reach the access checks (they are sent to log in, or answered
401 by the API) and are not written: the log is about people with accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from anmian.web.records.models import Assessment, AuditEntry, Patient, Plan, SessionNote

ALLOWED, DENIED = "allowed", "denied"
ACTIONS = frozenset(a for a, _ in AuditEntry.ACTIONS)

# What a refused id may name, and how to find the patient it belongs to (outside any access
# filter: the log must say whose record was tried, even to someone who may not see it).
_OWNERS: dict[str, Any] = {
    "patient": lambda uid: Patient.objects.filter(uid=uid).values_list("pk", flat=True),
    "assessment": lambda uid: Assessment.objects.filter(uid=uid).values_list("patient", flat=True),
    "plan": lambda uid: Plan.objects.filter(uid=uid).values_list("patient", flat=True),
    "note": lambda uid: SessionNote.objects.filter(uid=uid).values_list("patient", flat=True),
}


def record(
    user: AbstractBaseUser | AnonymousUser,
    action: str,
    patient: Patient | Iterable[Patient] | None,
    what: str,
    obj: Any = None,
    outcome: str = ALLOWED,
    request: HttpRequest | None = None,
) -> None:
    """Write who did `action` ("read", "create", "update", "delete", "export") to `what` of
    `patient` (one patient, an iterable of the patients a list showed, or None), on `obj` (a
    model with a `uid`, or the id asked for). `outcome` is "denied" for a refused attempt."""
    if action not in ACTIONS or outcome not in (ALLOWED, DENIED):
        raise ValueError(f"unknown audit action {action!r} or outcome {outcome!r}")
    if not user.is_authenticated:
        return
    route = _route(request)
    if patient is None or isinstance(patient, Patient):
        patient_id = patient.pk if patient is not None else None
        uid = _uid(obj)
        if patient_id is None and outcome == DENIED and uid and what in _OWNERS:
            patient_id = _owner(what, uid)
        AuditEntry.objects.create(
            user_id=user.pk,
            action=action,
            patient_id=patient_id,
            what=what,
            object_uid=uid,
            outcome=outcome,
            route=route,
        )
        return
    rows = [
        AuditEntry(
            user_id=user.pk,
            action=action,
            patient_id=p.pk,
            what=what,
            object_uid=str(p.uid),
            outcome=outcome,
            route=route,
        )
        for p in patient
    ]
    if rows:
        AuditEntry.objects.bulk_create(rows)


def _uid(obj: Any) -> str:
    if obj is None:
        return ""
    value = getattr(obj, "uid", obj)
    return str(value)[:64] if value is not None else ""


def _owner(what: str, uid: str) -> int | None:
    try:
        return _OWNERS[what](uid).first()
    except (ValidationError, ValueError):  # a malformed id owns nothing; the refusal stays logged
        return None


def _route(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "")[:100] if match is not None else ""


# --- reviewing the log ---


class NotReviewer(Http404):
    """The audit log is for privacy officers and superusers; to anyone else it does not exist."""


def reviewable(
    user: AbstractBaseUser | AnonymousUser, request: HttpRequest | None = None
) -> QuerySet[AuditEntry]:
    """The entries this user may review: every entry for a superuser; for a practitioner with
    `records.review_clinic_audit` (the clinic's privacy officer), those about their clinic's
    patients and those written by their clinic's people (refused ids of no patient, exports
    of the log). Anyone else is refused, and the attempt is written."""
    entries = AuditEntry.objects.select_related("user", "patient")
    if isinstance(user, PermissionsMixin) and user.is_superuser:
        return entries
    practitioner = getattr(user, "practitioner", None) if user.is_authenticated else None
    may = isinstance(user, PermissionsMixin) and user.has_perm("records.review_clinic_audit")
    if practitioner is None or not may:
        record(user, "read", None, "audit-log", outcome=DENIED, request=request)
        raise NotReviewer("no such page")
    clinic = practitioner.clinic_id
    return entries.filter(Q(patient__clinic_id=clinic) | Q(user__practitioner__clinic_id=clinic))


def search(
    user: AbstractBaseUser | AnonymousUser,
    *,
    who: str = "",
    patient: UUID | None = None,
    action: str = "",
    outcome: str = "",
    since: date | None = None,
    until: date | None = None,
    request: HttpRequest | None = None,
) -> QuerySet[AuditEntry]:
    """The entries this user may review, newest first, filtered; days are the site's local
    days, both ends included."""
    entries = reviewable(user, request)
    if who:
        entries = entries.filter(user__username__iexact=who)
    if patient:
        entries = entries.filter(patient__uid=patient)
    if action:
        entries = entries.filter(action=action)
    if outcome:
        entries = entries.filter(outcome=outcome)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-pk")
