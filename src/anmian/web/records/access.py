"""Every patient object is fetched through these functions, so a patient reaches only their
own records and a practitioner only their clinic's. A miss is a 404, never a 403, so an
outsider cannot even learn that a record exists; the attempt is written to the audit log, with
the acting user and the id asked for."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from anmian.web.records.audit import DENIED, record
from anmian.web.records.models import Assessment, Patient


def visible_patients(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Patient]:
    if not user.is_authenticated:
        return Patient.objects.none()
    practitioner = getattr(user, "practitioner", None)
    if practitioner is not None:
        return Patient.objects.filter(clinic=practitioner.clinic)
    return Patient.objects.filter(user_id=user.pk)


def get_patient(user: AbstractBaseUser | AnonymousUser, uid: UUID) -> Patient:
    # URLs use the <uuid:...> converter, so `uid` is always a well-formed UUID here.
    try:
        return visible_patients(user).get(uid=uid)
    except Patient.DoesNotExist:
        record(user, "read", None, "patient", uid, outcome=DENIED)
        raise Http404("no such patient") from None


def get_assessment(user: AbstractBaseUser | AnonymousUser, uid: UUID) -> Assessment:
    try:
        return Assessment.objects.select_related("patient").get(
            uid=uid, patient__in=visible_patients(user)
        )
    except Assessment.DoesNotExist:
        record(user, "read", None, "assessment", uid, outcome=DENIED)
        raise Http404("no such assessment") from None


def is_practitioner(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and hasattr(user, "practitioner")
