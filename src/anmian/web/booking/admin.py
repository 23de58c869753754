"""Booking set-up for clinic staff: appointment types, hours, breaks and time off. Appointments
are read here but made through the booking service, which guards against double booking."""

from __future__ import annotations

from django.contrib import admin

from anmian.web.booking.models import (
    Appointment,
    AppointmentType,
    Break,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from anmian.web.records.audit_admin import AuditedAdmin


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "clinic",
        "duration_min",
        "buffer_before_min",
        "buffer_after_min",
        "price",
    ]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner"]


@admin.register(Break)
class BreakAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["clinic", "practitioner", "first_day", "last_day", "reason"]


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdmin):
    list_display = ["start", "practitioner", "patient", "appointment_type", "status"]
    list_filter = ["status", "practitioner"]
    readonly_fields = [f.name for f in Appointment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # book through the site or the API, where clashes are checked


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(AuditedAdmin):
    list_display = [
        "created",
        "patient",
        "practitioner",
        "appointment_type",
        "status",
        "hold_until",
    ]
    exclude = ["token"]
