import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
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


# --- error pages (urls.handler404 / handler500) ---


def _disclaimer() -> str:
    try:
        return get_kb().rules.disclaimer
    except Exception:  # the error page must show even if the knowledge base is what failed
        return ""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A styled 404 with a way home. It never repeats the path asked for: some paths hold a
    secret (calendar feeds, waitlist offers) and a page is no place to echo them."""
    return render(request, "404.html", {"disclaimer": _disclaimer()}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A styled 500 rendered without the request: no context processors, no session, no
    database, so it shows when one of those is what broke. If even the template fails, a
    line of plain HTML says the same."""
    try:
        body = loader.get_template("500.html").render({"disclaimer": _disclaimer()})
    except Exception:
        logging.getLogger(__name__).exception("the 500 page itself failed to render")
        body = (
            "<!doctype html><title>Server error</title><h1>Something went wrong on our side</h1>"
            '<p>Please try again in a few minutes. <a href="/">Home</a></p>'
        )
    return HttpResponseServerError(body)
