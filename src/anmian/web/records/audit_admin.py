"""The admin's pages of patient data write the same audit entries as the site: a changelist is a
read of every patient it shows, a change form a read of one, a save or a delete a change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from anmian.web.records.audit import record
from anmian.web.records.models import Patient


def _patient(obj: Model) -> Patient | None:
    return obj if isinstance(obj, Patient) else getattr(obj, "patient", None)


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin of patient data: a Patient, or a model with a `patient` foreign key."""

    def _what(self) -> str:
        return f"admin-{self.model._meta.model_name}"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The page's rows, read once here; the template reuses the evaluated queryset.
            shown = [_patient(o) for o in changelist.result_list]
            record(request.user, "read", [p for p in shown if p], self._what(), request=request)
        return response

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Model | None = None,
    ) -> HttpResponse:
        if obj is not None:
            record(request.user, "read", _patient(obj), self._what(), obj, request=request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = "update" if change else "create"
        record(request.user, action, _patient(obj), self._what(), obj, request=request)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        # Written before the delete: the entry keeps the patient, which PROTECT then guards.
        record(request.user, "delete", _patient(obj), self._what(), obj, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            record(request.user, "delete", _patient(obj), self._what(), obj, request=request)
        super().delete_queryset(request, queryset)
