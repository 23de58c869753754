"""docs/deploy.md is exercised (issue 13: "every command in it is exercised by a script in the
test suite on loopback where it can be"): the systemd units pass `systemd-analyze verify`, the
nginx site passes `nginx -t`, and a backup restores into a new database with the same rows
(scripts/check-restore.sh on loopback PostgreSQL)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
PG = os.environ.get("ANMIAN_TEST_PG", "postgres://postgres@127.0.0.1:5432")


def _pg_up() -> bool:
    if not shutil.which("pg_dump"):
        return False
    probe = subprocess.run(["psql", f"{PG}/postgres", "-Atc", "SELECT 1"], capture_output=True)
    return probe.returncode == 0


def _installed_unit(name: str, tmp_path: Path) -> Path:
    """The unit as a host would have it, with this checkout standing in for /srv/anmian."""
    env = tmp_path / "anmian.env"
    env.touch()
    text = (DEPLOY / name).read_text()
    text = text.replace("/srv/anmian", str(ROOT)).replace("/etc/anmian/anmian.env", str(env))
    text = text.replace("/srv/anmian/.venv/bin/python", sys.executable)
    unit = tmp_path / name
    unit.write_text(text)
    return unit


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
@pytest.mark.parametrize("name", ["anmian-web.service", "anmian-worker.service"])
def test_the_systemd_unit_verifies(tmp_path, name):
    unit = _installed_unit(name, tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_would_catch_a_broken_unit(tmp_path):
    unit = _installed_unit("anmian-worker.service", tmp_path)
    unit.write_text(unit.read_text().replace("ExecStart=", "ExecStart=/no/such/bin/", 1))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True
    )
    assert result.returncode != 0


def test_the_units_run_what_the_guide_says():
    web = (DEPLOY / "anmian-web.service").read_text()
    worker = (DEPLOY / "anmian-worker.service").read_text()
    assert "gunicorn anmian.web.wsgi" in web and "--logger-class anmian.web.core.logsafe" in web
    assert "run_huey" in worker
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/anmian/anmian.env" in unit
        assert "migrate" not in unit.split("[Service]")[1].split("ExecStart")[1]


def _serving_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return env | {
        "SECRET_KEY": "test-" + "k" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT / "src"),
    }


def _gunicorn_flags(text: str, start: str) -> list[str]:
    """The arguments after `start` on its (continued) command line, with the shell's and
    systemd's continuation backslashes joined and $PORT given."""
    line = text.split(start, 1)[1].replace("\\\n", " ").split("\n", 1)[0]
    return shlex.split(line.replace('"127.0.0.1:$PORT"', "127.0.0.1:8000"))


@pytest.mark.parametrize(
    ("path", "start"),
    [("scripts/serve.sh", '"$BIN/gunicorn"'), ("deploy/anmian-web.service", "bin/gunicorn")],
)
def test_the_shipped_gunicorn_configuration_loads(tmp_path, path, start):
    """gunicorn --check-config reads the flags and loads the app, as `make run` and the unit
    start it; a flag it cannot read fails the check."""
    flags = _gunicorn_flags((ROOT / path).read_text(), start)
    assert flags[0] == "anmian.web.wsgi"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--check-config", *flags],
        env=_serving_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    broken = subprocess.run(
        [str(gunicorn), "--check-config", *flags, "--workers", "five"],
        env=_serving_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert broken.returncode != 0


def test_a_worker_freezes_what_it_keeps_before_its_first_request(tmp_path):
    """gunicorn imports anmian.web.wsgi in each worker: by then the views, the API and the
    knowledge base are loaded and frozen (gc.freeze moves them out of gc.get_objects(), so no
    collection walks them again)."""
    probe = (
        "import gc, sys\n"
        "import anmian.web.wsgi\n"
        "from anmian.knowledge import get_kb\n"
        "kb = get_kb()\n"
        "young = {id(o) for o in gc.get_objects()}\n"
        "print(gc.get_freeze_count() > 0, 'anmian.web.api' in sys.modules, id(kb) in young)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=_serving_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "False"], out.stdout


def _nginx_test(tmp_path: Path, site: str) -> subprocess.CompletedProcess:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if not cert.exists():
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=clinic.example", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
    site = site.replace("/etc/letsencrypt/live/clinic.example/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/clinic.example/privkey.pem", str(key))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "anmian.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; include {tmp_path}/anmian.conf; }}\n"
    )
    return subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    result = _nginx_test(tmp_path, (DEPLOY / "nginx-anmian.conf").read_text())
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx not installed")
def test_nginx_t_would_catch_a_broken_site(tmp_path):
    broken = (DEPLOY / "nginx-anmian.conf").read_text().replace("proxy_pass", "proxy_passs")
    assert _nginx_test(tmp_path, broken).returncode != 0


def test_the_nginx_site_passes_what_the_app_trusts():
    site = (DEPLOY / "nginx-anmian.conf").read_text()
    for header in ("X-Forwarded-Proto $scheme", "X-Forwarded-For", "X-Request-ID $request_id"):
        assert header in site
    assert "return 301 https://" in site
    assert "$uri" in site and '$request_uri" ' not in site  # no query strings in the log


def test_the_guide_names_every_file_it_installs():
    for path in [*DEPLOY.iterdir(), *(ROOT / "scripts").glob("*.sh")]:
        if path.name != "serve.sh":
            assert path.name in GUIDE, f"docs/deploy.md does not mention {path.name}"
    for word in ("btree_gist", "pg_dump", "migrate", "collectstatic", "SECRET_KEY_FALLBACKS"):
        assert word in GUIDE


@pytest.mark.skipif(not _pg_up(), reason="no PostgreSQL on loopback")
def test_a_backup_restores_into_a_new_database_with_the_same_rows(tmp_path):
    name = f"anmian_backup_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    url = f"{PG}/{name}"
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | {
            "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": "test-" + "k" * 50,
            "SECURE_TLS": "false",
            "ANMIAN_DATA_DIR": str(tmp_path),
        }
        manage = [sys.executable, "-m", "django"]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=300)
        subprocess.run(
            [
                "psql",
                url,
                "-qc",
                "INSERT INTO jobs_failedjob (task_id, task, summary, error, "
                "attempts, retries_left, first_failed_at, last_failed_at) VALUES "
                "('t1', 'deliver_email', 'Reminder', 'SMTPConnectError', 1, 10, now(), now())",
            ],
            check=True,
        )
        result = subprocess.run(
            [str(ROOT / "scripts" / "check-restore.sh"), url],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        tables, rows = map(int, re.search(r"(\d+) tables, (\d+) rows", result.stdout).groups())
        assert tables > 30 and rows > 0
    finally:
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'])


@pytest.mark.skipif(not _pg_up(), reason="no PostgreSQL on loopback")
def test_the_restore_check_fails_when_rows_differ(tmp_path):
    """The check can fail: a restore that lost rows is caught (here a table that changes
    between the dump and the count stands in for one)."""
    name = f"anmian_backup_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    url = f"{PG}/{name}"
    try:
        subprocess.run(
            ["psql", url, "-qc", "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2);"],
            check=True,
        )
        # restore.sh is wrapped so the copy loses a row after restoring.
        scripts = tmp_path / "scripts"
        scripts.mkdir()
        for script in ("backup.sh", "check-restore.sh"):
            shutil.copy(ROOT / "scripts" / script, scripts / script)
        (scripts / "restore.sh").write_text(
            f'#!/usr/bin/env sh\nset -eu\n"{ROOT}/scripts/restore.sh" "$@"\n'
            'psql "${2%/*}/$3" -qc "DELETE FROM t WHERE n = 2"\n'
        )
        (scripts / "restore.sh").chmod(0o755)
        result = subprocess.run(
            [str(scripts / "check-restore.sh"), url], capture_output=True, text=True, timeout=120
        )
        assert result.returncode != 0 and "row counts differ" in result.stderr
    finally:
        subprocess.run(["psql", f"{PG}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}"'])


def test_make_run_serves_beside_idle_browser_connections(tmp_path):
    """Nothing buffers in front of `make run`, and a browser opens connections it may never
    use: with serve.sh's flags a request is answered while eight such sockets sit idle (sync
    workers would each wait on one until their timeout, and the request with them)."""
    (tmp_path / "idle_app.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    flags = _gunicorn_flags((ROOT / "scripts/serve.sh").read_text(), '"$BIN/gunicorn"')
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    flags = [f if f != "127.0.0.1:8000" else f"127.0.0.1:{port}" for f in flags]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), *["idle_app:app" if f == "anmian.web.wsgi" else f for f in flags]],
        cwd=tmp_path,
        env=_serving_env(tmp_path) | {"PYTHONPATH": str(tmp_path) + os.pathsep + str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    idle: list[socket.socket] = []
    try:
        _get(port, deadline=60)  # up
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]
        time.sleep(0.5)  # each idle socket is accepted by now
        assert _get(port, deadline=5) == b"ok"
    finally:
        for s in idle:
            s.close()
        server.terminate()
        server.wait(timeout=30)


def _get(port: int, deadline: float) -> bytes:
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=deadline) as r:
                return bytes(r.read())
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_make_run_mails_links_to_its_own_port(tmp_path):
    """PORT=8765 make run: the emails' links (ANMIAN_SITE_URL) name port 8765, for the
    server and its mail worker alike; a set ANMIAN_SITE_URL is kept."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/serve.sh", tmp_path / "scripts/serve.sh")
    bin_dir = tmp_path / ".venv/bin"
    bin_dir.mkdir(parents=True)
    for name in ("python", "gunicorn"):
        stub = bin_dir / name
        stub.write_text(f'#!/bin/sh\necho "{name} $ANMIAN_SITE_URL" >> "{tmp_path}/seen"\n')
        stub.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "ANMIAN_SITE_URL"}
    for extra, expected in (
        ({"PORT": "8765"}, "http://127.0.0.1:8765"),
        ({"PORT": "8765", "ANMIAN_SITE_URL": "https://clinic.example"}, "https://clinic.example"),
    ):
        (tmp_path / "seen").write_text("")
        subprocess.run(
            ["sh", str(tmp_path / "scripts/serve.sh")],
            env=env | extra,
            start_new_session=True,  # the script's trap signals its own process group
            timeout=60,
            check=False,
        )
        seen = sorted((tmp_path / "seen").read_text().split("\n"))
        assert [s for s in seen if s] == [f"gunicorn {expected}", f"python {expected}"]
