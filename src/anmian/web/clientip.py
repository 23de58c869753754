"""The client's address, believing `X-Forwarded-For` only as far as our own proxies wrote it.

Each proxy appends the address it received the request from, so with N trusted proxies in
front of the site the real client is the N-th entry from the right; everything left of it
was written by the client and proves nothing. With no trusted proxy (the default) the header
is ignored and the socket's address is the client. Django-ninja's rate limits use the same
rule through `NINJA_NUM_PROXIES`, set from the same setting.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.ANMIAN_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    # Fewer hops than proxies means the request skipped a proxy: trust none of it.
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
