"""The admin, for superusers only (`superusers_only` below), and the knowledge base read-only
in it. The knowledge base is data files, not database rows, so it gets plain pages under
/admin/knowledge/ instead of ModelAdmins: edits go through a reviewed change to the YAML,
never through the site."""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from anmian.knowledge import get_kb
from anmian.knowledge.loader import KINDS


def kb_index(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    kinds = [(k, len(kb.table(k))) for k in KINDS]
    return render(
        request,
        "admin/knowledge/index.html",
        admin.site.each_context(request)
        | {"kinds": kinds, "version": kb.version, "title": "Knowledge base (read-only)"},
    )


def kb_kind(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("no such kind")
    entries = get_kb().table(kind)
    return render(
        request,
        "admin/knowledge/kind.html",
        admin.site.each_context(request)
        | {"kind": kind, "entries": sorted(entries), "title": f"Knowledge base: {kind}"},
    )


def kb_entry(request: HttpRequest, kind: str, entry_id: str) -> HttpResponse:
    kb = get_kb()
    if kind not in KINDS or entry_id not in kb.table(kind):
        raise Http404("no such entry")
    entry = kb.table(kind)[entry_id]
    body = json.dumps(entry.model_dump(exclude_defaults=True), ensure_ascii=False, indent=2)
    return render(
        request,
        "admin/knowledge/entry.html",
        admin.site.each_context(request)
        | {
            "kind": kind,
            "entry_id": entry_id,
            "body": body,
            "source": kb.sources.get((kind, entry_id), ""),
            "title": f"{kind}: {entry_id}",
        },
    )


_original_get_urls = admin.site.get_urls


def _get_urls():
    extra = [
        path("knowledge/", admin.site.admin_view(kb_index), name="knowledge"),
        path("knowledge/<slug:kind>/", admin.site.admin_view(kb_kind), name="knowledge-kind"),
        path(
            "knowledge/<slug:kind>/<slug:entry_id>/",
            admin.site.admin_view(kb_entry),
            name="knowledge-entry",
        ),
    ]
    return extra + _original_get_urls()


# The default site, which the other apps register on, is extended rather than replaced.
admin.site.get_urls = _get_urls  # type: ignore[method-assign]
admin.site.site_header = "Anmian administration"


def superusers_only(request: HttpRequest) -> bool:
    """The admin is for superusers only. Its model pages span every clinic, so a clinic's own
    staff, whatever their model permissions, run their clinic from its own pages (/clinic/,
    /booking/calendar/, the shop's staff pages, /clinic/audit/), which show only their clinic.
    Every admin page, its login and the knowledge-base pages above ask this."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only  # type: ignore[method-assign]
