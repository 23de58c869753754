#!/usr/bin/env sh
# Serve Anmian with gunicorn and its background worker (emails with retries; the worker's
# scheduler sends reminders every minute), as one process group: stopping the server (Ctrl-C)
# stops the worker too. Called by `make run`; in production each runs as its own systemd unit
# (docs/deploy.md).
set -eu
BIN="$(dirname "$0")/../.venv/bin"
PORT="${PORT:-8000}"
trap 'kill 0' INT TERM EXIT
"$BIN/python" manage.py run_huey &
# Access log without query strings (%(U)s): a search must never put personal data in a log;
# and paths that are credentials (feed, offer, reset links) logged with their token replaced
# by a fingerprint (anmian/web/core/logsafe.py).
# Sync workers, 2 x cores + 1 for two cores (gunicorn's rule): each takes a connection only when
# it is free, where threads kept each keep-alive connection on one worker behind the others'
# requests (README, Web speed: p99 at 16 connections 14 ms against 34). No keep-alive, and a
# slow client holds a worker: fine on loopback; in production nginx buffers in front.
"$BIN/gunicorn" anmian.web.wsgi --bind "127.0.0.1:$PORT" --worker-class sync --workers 5 \
  --logger-class anmian.web.core.logsafe.AccessLogger \
  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
