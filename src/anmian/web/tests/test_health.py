"""/healthz and /readyz (issue 13): alive is not ready; ready means the database (migrated),
the cache, the queue and the static files all answer; a lost connection to Redis makes
/readyz fail and it recovers without a restart."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client
from huey.contrib.djhuey import HUEY

from anmian.web import health
from anmian.web.tests.tcpproxy import TCPProxy

pytestmark = pytest.mark.django_db
REDIS_PORT = 6379


def _ready(client: Client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_healthz_says_the_process_is_alive_without_touching_anything(
    client: Client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_is_200_when_database_cache_queue_and_static_answer(client: Client):
    status, body = _ready(client)
    assert status == 200
    assert body == {
        "ready": True,
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "cache": "ok",
            "queue": "ok",
            "static": "ok",
        },
    }


def test_readyz_fails_when_the_database_does_not_answer(client: Client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1:5432 refused")

    monkeypatch.setattr(connection, "cursor", refused)
    status, body = _ready(client)
    assert status == 503 and body["ready"] is False
    assert body["checks"]["database"] == "failed"
    assert body["checks"]["migrations"] == "failed"  # cannot be known without the database
    assert "5432" not in str(body)  # the reason is logged, not told to anyone who asks
    monkeypatch.undo()
    assert _ready(client)[0] == 200


def test_readyz_fails_while_a_migration_is_unapplied(client: Client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        health.MigrationExecutor, "migration_plan", lambda self, targets: [("jobs", "0002")]
    )
    status, body = _ready(client)
    assert status == 503 and body["checks"]["migrations"] == "failed"


def test_readyz_fails_when_the_queue_does_not_answer(client: Client, monkeypatch):
    def refused():
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(HUEY, "pending_count", refused)
    status, body = _ready(client)
    assert status == 503 and body["checks"]["queue"] == "failed"


def test_readyz_fails_when_the_static_files_were_never_built(client: Client, settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    status, body = _ready(client)
    assert status == 503 and body["checks"]["static"] == "failed"
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert _ready(client)[1]["checks"]["static"] == "ok"


def test_readyz_fails_when_redis_is_lost_and_recovers_without_a_restart(client: Client, settings):
    proxy = TCPProxy(REDIS_PORT).start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{proxy.port}/15",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        assert _ready(client)[0] == 200
        proxy.cut()
        status, body = _ready(client)
        assert status == 503 and body["checks"]["cache"] == "failed"
        proxy.start()  # the same port again: the network is back
        status, body = _ready(client)
        assert status == 200, body
    finally:
        proxy.cut()


def test_load_balancers_probe_over_plain_http_without_a_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301  # every other page goes to https
