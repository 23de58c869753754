"""Clinic records: clinics, practitioners, patients, assessments, plans, session notes, and an
append-only audit log. Health data lives only here, never in URLs or logs."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Shown wherever a person is told to call or visit, and in the list of clinics to join.
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.name


class Practitioner(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practitioner"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="practitioners")
    display_name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.display_name


class Patient(models.Model):
    # Opaque public id: URLs never carry a sequential number or anything personal.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="patients", null=True, blank=True
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient",
    )
    name = models.CharField(max_length=200)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The profile the clinic sees (records.services.update_profile keeps it).
    CONTACT_WAYS = [
        ("email", _("Email")),
        ("phone", _("Phone call")),
        ("sms", _("Text message")),
    ]
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    emergency_contact = models.CharField(max_length=200, blank=True)
    preferred_contact = models.CharField(
        max_length=8, choices=CONTACT_WAYS, default="email", blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    # Set when the person's account was erased (exports/erasure.py): what remains of them is
    # what the clinic must keep by law (docs/privacy.md), kept under the name and birth date.
    erased = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["clinic", "name"])]

    @property
    def tz(self) -> ZoneInfo:
        """The clinic's time zone, which diary times and bookings are read in."""
        return ZoneInfo(self.clinic.time_zone if self.clinic else settings.TIME_ZONE)

    def __str__(self) -> str:
        return self.name


class ClinicInvite(models.Model):
    """A link a clinic sends: whoever opens it while logged in joins the clinic, as the
    patient record the clinic made (if any). The token is the only secret in the URL."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, null=True, blank=True, related_name="invites"
    )
    token = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    used = models.DateTimeField(null=True, blank=True)


class Assessment(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="assessments")
    created = models.DateTimeField(auto_now_add=True)
    kb_version = models.CharField(max_length=64)
    input = models.JSONField()
    result = models.JSONField()

    class Meta:
        ordering = ["-created"]

    def leading_patterns(self) -> list[dict[str, Any]]:
        return [
            p for p in self.result.get("patterns", []) if p.get("role") in ("primary", "combined")
        ]


class Plan(models.Model):
    """A practitioner's adopted plan: the engine's plan, then edited, each edit re-checked."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    adopted_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="plans")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    points = models.JSONField(default=list)  # point ids
    formula = models.CharField(max_length=64, blank=True)
    herbs = models.JSONField(default=list)  # herb ids of the (adjusted) formula

    class Meta:
        ordering = ["-created"]


class SessionNote(models.Model):
    SIDES = [("left", "Left"), ("right", "Right"), ("both", "Both")]
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="notes")
    date = models.DateField()
    tongue = models.CharField(max_length=200, blank=True)
    pulse = models.CharField(max_length=200, blank=True)
    points = models.JSONField(default=list)  # [{"point": id, "side": ..., "technique": ...}]
    herbs_given = models.CharField(max_length=500, blank=True)
    response = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-created"]


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """Who read, changed or exported which patient record, or tried to and was refused, when.
    Never updated or deleted. Written only through `records.audit.record`."""

    ACTIONS = [
        ("read", "read"),
        ("create", "create"),
        ("update", "update"),
        ("delete", "delete"),
        ("export", "export"),
    ]
    OUTCOMES = [("allowed", "allowed"), ("denied", "denied")]
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=8, choices=ACTIONS)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+", null=True)
    what = models.CharField(max_length=64)  # e.g. "assessment", "plan", "note"
    object_uid = models.CharField(max_length=64, blank=True)
    # A refused attempt names the id that was asked for, whether or not it exists.
    outcome = models.CharField(max_length=8, choices=OUTCOMES, default="allowed")
    # The route's name (never its path: some paths carry tokens), when a request is known.
    route = models.CharField(max_length=100, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["patient", "at"], name="audit_patient_at"),
            models.Index(fields=["user", "at"], name="audit_user_at"),
        ]
        permissions = [
            ("review_clinic_audit", "Can review the audit log of their own clinic's patients")
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the audit log is append-only")


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a SHA-256 of the token is stored, with a few of its
    first characters (`hint`) so its owner can tell their tokens apart in a list. A `read`
    token may only read; every token ends at `expires` and on a new password."""

    READ, READ_WRITE = "read", "read-write"
    SCOPES = [(READ, "read only"), (READ_WRITE, "read and write")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=SCOPES, default=READ)
    hint = models.CharField(max_length=8, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user: Any, *, name: str = "token", scope: str = READ_WRITE, days: int | None = None
    ) -> str:
        """A new token for `user`, returned once in clear (never stored so). Callers check
        `name`, `scope` and `days` first (records/tokens.py does, for people's requests)."""
        token = secrets.token_urlsafe(32)
        days = settings.ANMIAN_TOKEN_DAYS if days is None else days
        cls.objects.create(
            user=user,
            digest=cls.hash(token),
            name=name,
            scope=scope,
            hint=token[:6],
            expires=timezone.now() + timedelta(days=days),
        )
        return token


class RecordedItem(models.Model):
    """A medicine, condition or allergy the person confirmed from their GP's record (a FHIR
    import, exports/fhir_import.py), so a self-check starts from it rather than from memory."""

    KINDS = [("medication", "medicine"), ("condition", "condition"), ("allergy", "allergy")]
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="recorded_items")
    kind = models.CharField(max_length=10, choices=KINDS)
    text = models.CharField(max_length=300)  # the record's own words
    system = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=64, blank=True)
    kb_id = models.CharField(max_length=64, blank=True)  # what Anmian read it as; "" unknown
    status = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=16, default="fhir")
    confirmed = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "text"]


class ErasureRequest(models.Model):
    """A person's request to delete their account (exports/erasure.py): confirmed by an emailed
    link, carried out after a grace period, by staff or the scheduled job."""

    PENDING, CONFIRMED, CANCELLED, DONE = "pending", "confirmed", "cancelled", "done"
    STATES = [(s, s) for s in (PENDING, CONFIRMED, CANCELLED, DONE)]
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Kept after erasure (the patient row stays, anonymised, for the retained notes).
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="erasures")
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    token_digest = models.CharField(max_length=64, blank=True)
    requested = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)  # confirmed_at + the grace period
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested"]
