"""Task queue figures: emails enqueued per second by the web side, and delivered per second by
one real worker (`manage.py run_huey`, 2 threads), on the SQLite queue `make run` uses and on
Redis. Delivery goes to Django's dummy backend, so the figure is the queue's own cost.

Run: .venv/bin/python bench/jobs.py [--jobs 500] [--redis redis://127.0.0.1:6379/13]
Prints figures; asserts nothing. The Redis database given is emptied first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENQUEUE = """
import sys, time, django
django.setup()
from django.core.mail import EmailMessage
from huey.contrib.djhuey import HUEY
from anmian.web.jobs.tasks import deliver_email
jobs = int(sys.argv[1])
start = time.perf_counter()
for i in range(jobs):
    deliver_email(EmailMessage(f"bench {i}", "body", None, [f"p{i}@example.org"]))
print(time.perf_counter() - start)
"""


def pending(queue_url: str) -> int:
    """Jobs still waiting, read straight from the store (no Django start-up per look)."""
    from huey import PriorityRedisHuey, SqliteHuey

    if queue_url.startswith("sqlite://"):
        return SqliteHuey("anmian", filename=queue_url[len("sqlite://") :]).pending_count()
    return PriorityRedisHuey("anmian", url=queue_url).pending_count()


def run_one(label: str, queue_url: str, jobs: int, data_dir: str) -> None:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": data_dir,
        "ANMIAN_QUEUE_URL": queue_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT / "src"),
    }
    py = [sys.executable, "-c"]
    took = float(
        subprocess.run(
            [*py, ENQUEUE, str(jobs)], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "run_huey", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    start = time.perf_counter()
    try:
        while pending(queue_url):
            time.sleep(0.2)
        drained = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(
        f"{label:8} enqueue {jobs / took:7.0f} jobs/s   deliver {jobs / drained:6.0f} jobs/s "
        f"(one worker, 2 threads; {jobs} jobs, including the worker's start-up)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        run_one("sqlite", f"sqlite:///{data_dir}/queue.sqlite3", args.jobs, data_dir)
        db = args.redis.rsplit("/", 1)[-1]
        if subprocess.run(["redis-cli", "-n", db, "flushdb"], capture_output=True).returncode == 0:
            run_one("redis", args.redis, args.jobs, data_dir)
        else:
            print("redis    not reachable, skipped")


if __name__ == "__main__":
    main()
