"""Logs as JSON lines (issue 13: "Django logs are bare lines with no time, level or request
id"): each line has the time in UTC, the level, the request's id and the account's id, and no
personal data."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import datetime

import pytest
from django.test import Client

from anmian.web.jsonlog import JSONFormatter

pytestmark = pytest.mark.django_db


def _lines(caplog, logger: str) -> list[dict]:
    formatter = JSONFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


def test_a_request_log_line_has_time_level_request_id_and_account(client: Client, alice, caplog):
    client.force_login(alice.user)
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-0123456789abcdef"})
    assert response.status_code == 404
    (line,) = _lines(caplog, "django.request")
    assert line["level"] == "WARNING" and line["status"] == 404
    assert line["request_id"] == "req-0123456789abcdef" == response["X-Request-ID"]
    assert line["user_id"] == alice.user.pk
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0


def test_a_line_never_holds_the_accounts_name_or_email(client: Client, alice, caplog):
    client.force_login(alice.user)
    caplog.set_level(logging.WARNING, logger="django.request")
    client.get("/no-such-page/")
    (line,) = _lines(caplog, "django.request")
    text = json.dumps(line)
    assert alice.user.email not in text and alice.user.username not in text
    assert alice.name not in text


def test_an_anonymous_request_has_no_account_and_a_fresh_id(client: Client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page/", headers={"X-Request-ID": "bad id\nforged: yes"})
    (line,) = _lines(caplog, "django.request")
    assert line["user_id"] is None
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32 and "forged" not in line["request_id"]


def test_two_requests_have_two_ids(client: Client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_an_exception_is_kept_in_its_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "failed" and "ValueError: boom" in line["exc"]


def test_the_servers_log_is_json(tmp_path):
    """With the production settings, as gunicorn and the worker run them."""
    code = "import django, logging; django.setup(); logging.getLogger('anmian').warning('hello')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "SECRET_KEY": "test-" + "k" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "anmian", "hello")
    assert line["request_id"] is None and line["user_id"] is None
