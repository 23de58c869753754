"""Headers Django does not set by itself: a Content Security Policy, and no caching of
pages that may show health data."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Every page, the API docs included: Swagger UI is served from our own static files
        # (ninja's copy) and started by a script file, with no inline code or CDN.
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        # Anything that is not a static asset may carry personal data: never cache it.
        if not request.path.startswith("/static/"):
            add_never_cache_headers(response)
        return response
