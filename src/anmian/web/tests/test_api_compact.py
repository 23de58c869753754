"""POST /api/v1/assess answers compactly unless the full explanation is asked for (issue 17),
and its anonymous rate limit is a shared counter that holds across workers.

What the compact answer leaves out is what its documentation (the `detail` parameter in
docs/openapi.json) says: each pattern's `for` and `against` evidence and `input.readings`.
Everything else, the plan and every safety decision above all, is the full answer's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import Client, override_settings

from anmian.web import counters

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"
URL = "/api/v1/assess"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def post(client: Client, body: str, query: str = ""):
    return client.post(URL + query, data=body, content_type="application/json")


@pytest.mark.parametrize("name", ["demo.json", "kidney-yin.json", "free-text.json"])
def test_the_compact_answer_is_the_full_one_without_its_explanation(client: Client, name):
    body = (EXAMPLES / name).read_text(encoding="utf-8")
    full = post(client, body, "?detail=full").json()
    short = post(client, body).json()
    assert post(client, body, "?detail=compact").json() == short
    assert set(full) == set(short)
    for key in set(full) - {"input", "patterns"}:  # plan, safety, screening, ...: all of it
        assert short[key] == full[key], key
    assert "readings" in full["input"] and "readings" not in short["input"]
    assert {k: v for k, v in full["input"].items() if k != "readings"} == short["input"]
    assert len(short["patterns"]) == len(full["patterns"])
    for s, f in zip(short["patterns"], full["patterns"], strict=True):
        assert "for" in f and "against" in f and "for" not in s and "against" not in s
        assert s == {k: v for k, v in f.items() if k not in ("for", "against")}
    assert len(json.dumps(short)) < len(json.dumps(full))


def test_the_chinese_answer_is_compact_too(client: Client):
    body = (EXAMPLES / "demo.json").read_text(encoding="utf-8")
    short = post(client, body, "?lang=zh-Hant").json()
    assert short["lang"] == "zh-Hant" and "readings" not in short["input"]
    assert all("for" not in p and p.get("zh") for p in short["patterns"])


@pytest.mark.parametrize("value", ["everything", "", "FULL\x00"])
def test_an_unknown_detail_is_a_422_naming_the_choices(client: Client, value):
    r = post(client, (EXAMPLES / "demo.json").read_text(), f"?detail={value}")
    assert r.status_code == 422
    assert "detail" in r.json()["error"] and "compact" in r.json()["error"]


def test_the_document_describes_both_shapes(client: Client):
    doc = client.get("/api/openapi.json").json()
    op = doc["paths"]["/api/v1/assess"]["post"]
    shapes = op["responses"]["200"]["content"]["application/json"]["schema"]["anyOf"]
    assert [s["$ref"].rsplit("/", 1)[1] for s in shapes] == [
        "AssessmentResultCompact",
        "AssessmentResult",
    ]
    models = doc["components"]["schemas"]
    assert "for" in models["PatternScore"]["properties"]
    assert "for" not in models["PatternScoreCompact"]["properties"]
    assert "readings" not in models["InputReportCompact"]["properties"]
    detail = next(p for p in op["parameters"] if p["name"] == "detail")
    assert detail["schema"]["default"] == "compact"


# --- the anonymous rate limit: one shared counter per address and minute ---


def test_the_limit_is_counted_per_clock_minute_and_says_when_it_ends(client: Client, settings):
    settings.ANMIAN_ANON_RATE = "3/min"
    with time_machine.travel(datetime(2026, 5, 1, 12, 0, 40, tzinfo=UTC), tick=False):
        codes = [post(client, "{}").status_code for _ in range(4)]
        refused = post(client, "{}")
    assert codes == [400, 400, 400, 429]  # `{}` is a bad document: counted all the same
    assert refused.status_code == 429 and refused["Retry-After"] == "20"
    with time_machine.travel(datetime(2026, 5, 1, 12, 1, 0, tzinfo=UTC), tick=False):
        assert post(client, "{}").status_code == 400  # a new minute, a new count


def test_each_address_has_its_own_count(settings):
    settings.ANMIAN_ANON_RATE = "2/min"
    one, two = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    assert [post(one, "{}").status_code for _ in range(3)] == [400, 400, 429]
    assert post(two, "{}").status_code == 400


CHILD = r"""
import sys, threading
import django
django.setup()
from anmian.web import counters
got = []
def run():
    for _ in range(25):
        got.append(counters.hit("two-workers", 3600, now=1_800_000_000.0)[0])
threads = [threading.Thread(target=run) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print(" ".join(map(str, got)))
"""


def test_two_worker_processes_sharing_the_file_cache_count_every_request_once():
    """Two processes of four threads, 25 requests each, one counter in the file cache every
    worker of the host shares: the 200 requests get the numbers 1 to 200, each once (a
    counter read and written back without the lock gives some number twice)."""
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "anmian.web.test_settings"}
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    numbers = [int(n) for child in children for n in child.communicate(timeout=120)[0].split()]
    assert all(child.returncode == 0 for child in children)
    assert sorted(numbers) == list(range(1, 201))


def _redis_or_skip() -> dict:
    import redis

    probe = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        probe.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        probe.close()
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": f"anmian-test-{os.getpid()}",
        }
    }


def _disconnect(backend) -> None:
    for pool in backend._cache._pools.values():  # close its sockets
        pool.disconnect()


def test_threads_sharing_redis_count_every_request_once():
    with override_settings(CACHES=_redis_or_skip()):
        from django.core.cache import cache as redis_cache

        got: list[int] = []

        def run() -> None:
            for _ in range(25):
                got.append(counters.hit("redis-threads", 3600, now=1_800_000_000.0)[0])
            _disconnect(caches["default"])  # each thread has a cache of its own

        threads = [threading.Thread(target=run) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        redis_cache.clear()
        _disconnect(caches["default"])
    assert sorted(got) == list(range(1, 201))
