"""Settings: strict parsing with clear messages, and a clean deploy check in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from anmian.web import settings as s

PROD_ENV = {
    "SECRET_KEY": "k" * 20 + "R4nd0m-Pr0duct10n-K3y-W1th-Many-Ch4rs-#%&",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "clinic.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",  # no console in production
    "ANMIAN_SITE_URL": "https://clinic.example",  # required in production
}


def _run_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean | env | {"DJANGO_SETTINGS_MODULE": "anmian.web.settings"},
        capture_output=True,
        text=True,
    )


def test_the_deploy_check_is_clean_with_production_settings():
    result = _run_check(PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_check({"DEBUG": "false", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("fn", "value", "message"),
    [(s.envbool, "maybe", "is not a boolean"), (s.envint, "ten", "is not a whole number")],
)
def test_bad_values_name_the_variable(monkeypatch, fn, value, message):
    monkeypatch.setenv("ANMIAN_TEST_VAR", value)
    with pytest.raises(ImproperlyConfigured, match=f"ANMIAN_TEST_VAR=.*{message}"):
        fn("ANMIAN_TEST_VAR", "1")


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("ANMIAN_TEST_VAR_FILE", str(secret))
    assert s.envstr("ANMIAN_TEST_VAR", "") == "from-a-file"


def test_an_unreadable_secret_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("ANMIAN_TEST_VAR_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="ANMIAN_TEST_VAR_FILE"):
        s.envstr("ANMIAN_TEST_VAR", "")
