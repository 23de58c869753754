"""A real worker (`manage.py run_huey`, as `make worker` starts it) on the production settings:
emails queued by another process reach a mail server on loopback, and a job that raises is
recorded for staff while the worker carries on with the next."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from anmian.web.jobs.models import FailedJob
from anmian.web.tests.smtpsink import SMTPSink

ROOT = Path(__file__).resolve().parents[4]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the worker runs on POSIX")


def database_url() -> str:
    """The test database, as DATABASE_URL, so processes started by a test share it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(tmp_path: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "EMAIL_", "ANMIAN_", "CACHE_URL", "SECURE_", "DEBUG"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "SECRET_KEY": "test-" + "k" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
        "ANMIAN_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PYTHONPATH": str(ROOT / "src"),
        **extra,
    }


def wait_for(check, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def sink() -> Iterator[SMTPSink]:
    server = SMTPSink().start()
    yield server
    server.stop()


@pytest.fixture
def worker(tmp_path, sink) -> Iterator[subprocess.Popen]:
    with (tmp_path / "worker.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1"],
            cwd=ROOT,
            env=production_env(tmp_path, sink.port),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield process
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_queued_emails_and_survives_a_job_that_raises(
    tmp_path, sink, worker
):
    sender = (
        "import django; django.setup()\n"
        "from django.core.mail import send_mail\n"
        "send_mail('first', 'to nobody', None, ['nobody@refused.example'])\n"
        "send_mail('second', 'to alice', None, ['alice@example.org'])\n"
    )
    subprocess.run(
        [sys.executable, "-c", sender],
        cwd=ROOT,
        env=production_env(tmp_path, sink.port),
        check=True,
        timeout=60,
    )
    assert wait_for(lambda: any("Subject: second" in m.data for m in sink.messages)), (
        tmp_path / "worker.log"
    ).read_text()
    assert wait_for(lambda: FailedJob.objects.filter(summary="first").exists())
    job = FailedJob.objects.get(summary="first")
    assert "refused 1 recipient(s): 550 no such mailbox" in job.error
    assert "nobody@refused.example" not in job.error
    assert job.retries_left > 0  # will be tried again
    assert worker.poll() is None  # still running
    assert [m.recipients for m in sink.messages] == [["alice@example.org"]]
