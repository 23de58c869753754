"""Secrets stay out of the server's log: a deployment refuses the console email backend,
which would print every reset link there. Issue 11: "the default console email backend
writes every email, with valid reset links (3 days), to the server log"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from anmian.web.tests import world

MAKEFILE = Path(__file__).resolve().parents[4] / "Makefile"
DEPLOY = {
    "SECRET_KEY": "k" * 20 + "R4nd0m-Pr0duct10n-K3y-W1th-Many-Ch4rs-#%&",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "clinic.example",
    "ANMIAN_SITE_URL": "https://clinic.example",  # required in production
}


def test_a_deployment_refuses_the_console_email_backend():
    result = world.start_django(DEPLOY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "EMAIL_BACKEND is the console backend" in result.stderr


def test_a_deployment_naming_the_console_backend_outright_is_refused_too():
    result = world.start_django(
        DEPLOY | {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
    assert result.returncode != 0 and "ANMIAN_ALLOW_CONSOLE_EMAIL" in result.stderr


@pytest.mark.parametrize(
    "extra",
    [
        {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
        {"ANMIAN_ALLOW_CONSOLE_EMAIL": "true"},  # said outright, for a machine of one's own
        {"DEBUG": "true"},
    ],
)
def test_a_real_backend_or_an_explicit_choice_starts(extra):
    result = world.start_django(DEPLOY | extra)
    assert result.returncode == 0, result.stderr


def test_make_run_still_starts():
    """`make run` serves with DEBUG off on loopback; its environment (RUN_ENV in the
    Makefile) must be one that starts."""
    line = next(ln for ln in MAKEFILE.read_text().splitlines() if ln.startswith("RUN_ENV"))
    env = dict(re.findall(r"\b([A-Z_]+)=([^\s$]+)", line))
    env["SECRET_KEY"] = "local-run-not-for-production-0123456789-abcdefghijklmnop"
    result = world.start_django(env | {"ALLOWED_HOSTS": "127.0.0.1"})
    assert result.returncode == 0, result.stderr


def test_reset_links_live_one_hour_in_production():
    from anmian.web import settings as prod

    assert prod.PASSWORD_RESET_TIMEOUT == 3600
