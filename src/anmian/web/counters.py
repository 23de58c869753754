"""Shared fixed-window counters for rate limits: one atomic increment a request, in the cache
every worker shares (settings.CACHES), instead of a list of timestamps read and written back.

A window is `window` seconds of the clock (12:00:00-12:00:59 for a minute); its key names it,
so it expires on its own and the next window starts from nothing. A client can send up to
twice the limit across the boundary of two windows, never more; each window holds exactly.

Why each backend counts every request once:
- Redis (every host): `add` is SET NX with an expiry and `incr` is INCR, each atomic on the
  server;
- LocMem (one process): `add` and `incr` take the cache's own lock;
- the file cache (every worker of one host): Django's `incr` reads a file and writes another
  in its place (a rename, milliseconds on a slow disk), so a counter here is a small file of
  its own, read and rewritten in place under an exclusive lock (flock) by whichever worker
  holds it. Its name ends like the cache's own files, so `cache.clear()` and the cache's
  culling remove it too (a culled counter starts again from nothing, as Django's would).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle


def hit(key: str, window: int, now: float | None = None) -> tuple[int, float]:
    """Count one request for `key` in the current window of `window` seconds: the number so
    far in this window (this one included), and the seconds until the window ends."""
    now = time.time() if now is None else now
    slot = int(now // window)
    backend = caches["default"]  # `cache` is a proxy to it
    if isinstance(backend, FileBasedCache):
        count = _file_hit(Path(backend._dir), key, slot)  # type: ignore[attr-defined]
    else:
        count = _cache_hit(f"count:{key}:{slot}", window)
    return count, (slot + 1) * window - now


def _cache_hit(name: str, window: int) -> int:
    for _ in range(3):
        cache.add(name, 0, timeout=window + 1)
        try:
            return cache.incr(name)
        except ValueError:  # expired between the two calls: create it again
            continue
    return 1  # pragma: no cover - a cache that keeps nothing: count the request alone


WIDTH = 20  # digits of a counter file


def _file_hit(folder: Path, key: str, slot: int) -> int:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    path = folder / f"count-{digest}-{slot}.djcache"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:  # the cache's folder is made by its first write
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed
        count = int(os.pread(fd, WIDTH, 0) or b"0") + 1
        os.pwrite(fd, f"{count:0{WIDTH}d}".encode(), 0)
    finally:
        os.close(fd)
    if count == 1:  # a new window: the one before it is over
        (folder / f"count-{digest}-{slot - 1}.djcache").unlink(missing_ok=True)
    return count


class AnonThrottle(AnonRateThrottle):
    """Anonymous rate limit read from settings on each request, so a clinic's
    ANMIAN_ANON_RATE (and a test's override) takes effect without rebuilding routes. Each
    request is one atomic increment of a counter per address and window in the shared cache
    (`hit` above), so the limit holds across workers and hosts; ninja's own throttle
    keeps a list of timestamps, read and written back whole, which two workers under-count."""

    _waits = threading.local()  # one instance serves every thread of the worker

    def allow_request(self, request: HttpRequest) -> bool:
        limit, window = self.parse_rate(settings.ANMIAN_ANON_RATE)
        key = self.get_cache_key(request)
        if key is None or limit is None or window is None:
            return True
        count, left = hit(key, window)
        self._waits.wait = left
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self._waits, "wait", None)
