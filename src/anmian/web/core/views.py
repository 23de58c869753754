from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from anmian.knowledge import get_kb
from anmian.web.core import bodychart


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial view: liveness for load balancers, and the baseline in bench/web.py."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    return render(request, "core/home.html", {"kb": kb, "disclaimer": kb.rules.disclaimer})


def _ctx(**extra) -> dict:
    kb = get_kb()
    return {"kb": kb, "disclaimer": kb.rules.disclaimer, **extra}


def _entry(table: dict, entry_id: str):
    entry = table.get(entry_id)
    if entry is None:
        raise Http404("no such entry")
    return entry


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    return render(request, "core/library.html", _ctx())


@require_safe
def points(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    items = sorted(kb.points.values(), key=lambda p: (p.meridian, p.code))
    charts = [(bodychart.TITLE[v], bodychart.render(items, v)) for v in ("front", "back")]
    return render(request, "core/points.html", _ctx(items=items, charts=charts))


@require_safe
def point(request: HttpRequest, point_id: str) -> HttpResponse:
    kb = get_kb()
    p = _entry(kb.points, point_id)
    charts = [(bodychart.TITLE[v], bodychart.render([p], v)) for v in bodychart.views_for([p])]
    patterns = [pat for pat in kb.patterns.values() if any(x.point == p.id for x in pat.points)]
    return render(request, "core/point.html", _ctx(p=p, charts=charts, patterns=patterns))


@require_safe
def herbs(request: HttpRequest) -> HttpResponse:
    items = sorted(get_kb().herbs.values(), key=lambda h: h.pinyin)
    return render(request, "core/herbs.html", _ctx(items=items))


@require_safe
def herb(request: HttpRequest, herb_id: str) -> HttpResponse:
    kb = get_kb()
    h = _entry(kb.herbs, herb_id)
    formulas = [f for f in kb.formulas.values() if any(i.herb == h.id for i in f.ingredients)]
    return render(request, "core/herb.html", _ctx(h=h, formulas=formulas))


@require_safe
def patterns(request: HttpRequest) -> HttpResponse:
    items = sorted(get_kb().patterns.values(), key=lambda p: p.name)
    return render(request, "core/patterns.html", _ctx(items=items))


@require_safe
def pattern(request: HttpRequest, pattern_id: str) -> HttpResponse:
    kb = get_kb()
    p = _entry(kb.patterns, pattern_id)
    return render(
        request,
        "core/pattern.html",
        _ctx(p=p, findings=kb.findings, formulas=kb.formulas, points=kb.points),
    )


@require_safe
def evidence(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    return render(
        request,
        "core/evidence.html",
        _ctx(items=list(kb.evidence.values()), references=kb.references),
    )


@require_safe
def references(request: HttpRequest) -> HttpResponse:
    items = sorted(get_kb().references.values(), key=lambda r: r.id)
    return render(request, "core/references.html", _ctx(items=items))
