"""The audit log for the clinic's privacy officer (and superusers): filters, pages and a CSV
export, which is itself written to the log. Who may review what is `audit.reviewable`'s rule."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from anmian.knowledge import get_kb
from anmian.web.records import audit
from anmian.web.records.models import AuditEntry

PAGE_SIZE = 50
# The log's actions and outcomes as a reader of the page's language calls them (the entries
# keep the codes of AuditEntry.ACTIONS and OUTCOMES).
ACTIONS = {
    "read": pgettext_lazy("audit action", "read"),
    "create": pgettext_lazy("audit action", "create"),
    "update": pgettext_lazy("audit action", "update"),
    "delete": pgettext_lazy("audit action", "delete"),
    "export": pgettext_lazy("audit action", "export"),
}
OUTCOMES = {
    "allowed": pgettext_lazy("audit outcome", "allowed"),
    "denied": pgettext_lazy("audit outcome", "denied"),
}
COLUMNS = ["at", "user", "action", "outcome", "what", "patient", "patient_uid", "object", "route"]


class AuditFilter(forms.Form):
    user = forms.CharField(required=False, max_length=150, label=_("User (email)"))
    patient = forms.UUIDField(required=False, label=_("Patient id"))
    action = forms.ChoiceField(
        required=False, label=_("Action"), choices=[("", _("any")), *ACTIONS.items()]
    )
    outcome = forms.ChoiceField(
        required=False, label=_("Outcome"), choices=[("", _("any")), *OUTCOMES.items()]
    )
    since = forms.DateField(required=False, label=_("From (YYYY-MM-DD)"))
    until = forms.DateField(required=False, label=_("To (YYYY-MM-DD)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            # The log starts with the site; a day outside these years is a typing error, and
            # year 1 or 9999 would overflow when turned into an instant.
            if day is not None and not date(2000, 1, 1) <= day <= date(2999, 12, 31):
                self.add_error(name, _("Give a day between 2000-01-01 and 2999-12-31."))
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The last day comes before the first."))
        return data


def _entries(request: HttpRequest, form: AuditFilter):
    d = form.cleaned_data
    return audit.search(
        request.user,
        who=d.get("user", "").strip(),
        patient=d.get("patient"),
        action=d.get("action", ""),
        outcome=d.get("outcome", ""),
        since=d.get("since"),
        until=d.get("until"),
        request=request,
    )


@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    audit.reviewable(request.user, request)  # refused before the form says anything
    form = AuditFilter(request.GET)
    page = None
    if form.is_valid():
        page = Paginator(_entries(request, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "records/audit.html",
        {
            "disclaimer": get_kb().rules.disclaimer,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "actions": ACTIONS,
        },
        status=200 if page is not None else 400,
    )


@require_safe
def audit_csv(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    audit.reviewable(request.user, request)
    form = AuditFilter(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    entries = _entries(request, form)
    # The export is a disclosure of its own: written before the first row leaves.
    audit.record(request.user, "export", None, "audit-log", request=request)
    response = StreamingHttpResponse(_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="anmian-audit.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(entries) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    tz = timezone.get_current_timezone()
    for e in entries.iterator(chunk_size=1000):
        yield writer.writerow([_cell(v) for v in _row(e, tz)])


def _row(e: AuditEntry, tz) -> list[str]:
    return [
        e.at.astimezone(tz).isoformat(),
        e.user.get_username(),
        e.action,
        e.outcome,
        e.what,
        e.patient.name if e.patient else "",
        str(e.patient.uid) if e.patient else "",
        e.object_uid,
        e.route,
    ]


def _cell(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; a name is never one.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
