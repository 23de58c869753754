"""The keep-alive behind "stay signed in" in the warning before automatic logoff
(static/anmian/logoff.js; the limits are anmian.web.sessionlimits')."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from anmian.web import sessionlimits


@require_POST
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Count the click as activity and answer the seconds the session now has. A session that
    has already ended (the middleware signed it out on this very request) is a 401, and the
    script reloads the page, which then says why."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed out"}, status=401)
    sessionlimits.touch(request)
    return JsonResponse({"seconds_left": sessionlimits.seconds_left(request)})
