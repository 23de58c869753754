"""Static files built once, served from a shared read-only folder (issue 13: "a host that has
not run collectstatic answers 500 on every page"): an app server with a fresh data folder of
its own serves pages and hashed assets from STATIC_ROOT, writing nothing there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")

SERVE = """
import django, re; django.setup()
from django.test import Client
client = Client()
page = client.get("/")
asset = re.search(r'/static/[^"]+\\.css', page.content.decode()).group(0)
print(page.status_code, client.get(asset).status_code, asset)
"""


def _env(data_dir: Path, static_root: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ANMIAN_"))}
    return keep | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "SECRET_KEY": "test-" + "k" * 50,
        "SECURE_TLS": "false",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "testserver",
        "ANMIAN_DATA_DIR": str(data_dir),
        "STATIC_ROOT": str(static_root),
    }


def test_a_fresh_host_serves_pages_and_assets_from_the_shared_static_folder(tmp_path):
    shared = tmp_path / "static"
    build = [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(build, env=_env(tmp_path / "builder", shared), check=True, timeout=300)
    assert (shared / "staticfiles.json").exists()
    for folder in [shared, *[p for p in shared.rglob("*") if p.is_dir()]]:
        folder.chmod(0o555)  # read-only for the app servers
    try:
        result = subprocess.run(
            [sys.executable, "-c", SERVE],
            env=_env(tmp_path / "fresh-host", shared),
            capture_output=True,
            text=True,
            timeout=120,
        )
        page, asset, name = result.stdout.split()
        assert (page, asset) == ("200", "200"), result.stderr
        assert re.search(r"\.[0-9a-f]{12}\.css$", name)  # the hashed name, cached forever
        assert not (tmp_path / "fresh-host" / "static").exists()
    finally:
        for folder in [shared, *[p for p in shared.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
