"""Liveness and readiness for load balancers and orchestrators.

`/healthz`: the process answers (core.views.healthz). `/readyz`: this app server can do its
work: the database answers and has every migration, the cache and the task queue answer, and
the static files were built. A lost connection fails the check and the next check reconnects,
so a server recovers without a restart. The answer names each check as ok or failed; why it
failed goes to the log only, as the check is open to anyone."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)
_migrated = False  # once every migration is applied it stays so for this process


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        if not connection.in_atomic_block:
            connection.close()  # the next check opens a fresh connection
        raise


def check_migrations() -> None:
    global _migrated
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations are not all applied (manage.py migrate)")
    _migrated = True


def check_cache() -> None:
    nonce = uuid.uuid4().hex
    cache.set("anmian:readyz", nonce, 10)
    if cache.get("anmian:readyz") != nonce:
        raise RuntimeError("the cache did not keep a value")


def check_queue() -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.pending_count()


def check_static() -> None:
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not settings.DEBUG and not staticfiles_storage.exists(manifest):
        raise RuntimeError(f"no {manifest} in STATIC_ROOT (manage.py collectstatic)")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "queue": check_queue,
    "static": check_static,
}


def readiness() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "failed"
            continue
        try:
            check()
            results[name] = "ok"
        except Exception as exc:
            logger.warning("readyz: %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failed"
    return results


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results = readiness()
    ready = all(v == "ok" for v in results.values())
    return JsonResponse({"ready": ready, "checks": results}, status=200 if ready else 503)
