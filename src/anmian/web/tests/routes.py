"""Every route of the site and the API, read from Django's URL resolver and from ninja's own
operations (not a hand-kept list), for the access matrix and the audit tests.

A site route is known by its name ("records:patient"), or by its pattern when it has none (a
few of the admin's); an API operation by its method and path ("api:GET /v1/patients"), since
one path may take several methods. The API's paths also appear in the resolver (as "api/..."):
they are taken from ninja, which knows their methods, and skipped in the resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # what the tables are keyed by
    pattern: str  # the full pattern ("clinic/patients/<uuid:uid>/"; "/v1/patients/{uid}")
    name: str | None  # the resolver's name, for reverse(); None for the API and unnamed ones
    methods: tuple[str, ...] = ()  # the API's methods; empty for site routes (the table says)

    @property
    def is_api(self) -> bool:
        return bool(self.methods)

    def ids(self) -> list[str]:
        """What each id of the pattern names, from the segment before it: "patients/<uuid:uid>"
        names a patient, "plans/{uid}" a plan."""
        found = re.findall(r"([a-z-]+)/(?:<(?:uuid:)?uid>|\{uid\})", self.pattern)
        return [s.removesuffix("s") for s in found]


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None


def site_routes() -> list[Route]:
    routes: dict[str, Route] = {}
    for pattern, name in _walk(get_resolver().url_patterns):
        if pattern.startswith("api/") and pattern not in ("api/openapi.json", "api/docs"):
            continue
        key = name or pattern
        routes.setdefault(key, Route(key, pattern, name))
    return list(routes.values())


def api_routes() -> list[Route]:
    from anmian.web.api import api

    routes = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for op in view.operations:
                for method in op.methods:
                    full = f"{prefix}{path}".replace("//", "/")
                    routes.append(Route(f"api:{method} {full}", full, None, (method,)))
    return routes


def all_routes() -> list[Route]:
    return site_routes() + api_routes()
