"""Clinic data in the admin, editable by staff with the matching model permissions. The audit
log is read-only for everyone."""

from __future__ import annotations

from django.contrib import admin

from anmian.web.records.audit_admin import AuditedAdmin
from anmian.web.records.models import (
    ApiToken,
    AuditEntry,
    Clinic,
    Patient,
    Plan,
    Practitioner,
    SessionNote,
)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "clinic"]
    list_filter = ["clinic"]


@admin.register(Patient)
class PatientAdmin(AuditedAdmin):
    list_display = ["name", "clinic", "created"]
    # Named, since Django joins only non-null foreign keys by itself: one query a page.
    list_select_related = ["clinic"]
    list_filter = ["clinic"]
    search_fields = ["name"]
    readonly_fields = ["uid"]


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["uid", "patient", "adopted_by", "created"]
    raw_id_fields = ["patient", "assessment", "adopted_by"]


@admin.register(SessionNote)
class SessionNoteAdmin(AuditedAdmin):
    list_display = ["date", "patient", "practitioner"]
    raw_id_fields = ["patient", "practitioner"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "what", "patient"]
    list_select_related = ["user", "patient"]
    list_filter = ["action", "what"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens listed with their owner, scope, expiry and last use; deleting one revokes it.
    Nobody makes one here (a token is shown once, to the person who asks for it), and the
    digest is never shown."""

    list_display = ["name", "user", "scope", "hint", "created", "expires", "last_used"]
    list_select_related = ["user"]
    list_filter = ["scope"]
    search_fields = ["name", "user__username"]
    fields = ("user", "name", "scope", "hint", "created", "expires", "last_used")
    readonly_fields = ("user", "name", "scope", "hint", "created", "expires", "last_used")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["delete"])
    def revoke(self, request, queryset) -> None:
        done = queryset.delete()[0]
        self.message_user(request, f"{done} token(s) revoked.")
