#!/usr/bin/env sh
# Serve Anmian with gunicorn and its background worker (emails with retries; the worker's
# scheduler sends reminders every minute), as one process group: stopping the server (Ctrl-C)
# stops the worker too. Called by `make run`; in production each runs as its own systemd unit
# (docs/deploy.md).
set -eu
BIN="$(dirname "$0")/../.venv/bin"
PORT="${PORT:-8000}"
# The emails' links point at this server, whatever its port, unless ANMIAN_SITE_URL is set.
export ANMIAN_SITE_URL="${ANMIAN_SITE_URL:-http://127.0.0.1:$PORT}"
trap 'kill 0' INT TERM EXIT
"$BIN/python" manage.py run_huey &
# Threads, 3 workers of 4: nothing buffers in front of `make run`, and a browser keeps idle
# connections open (a speculative one it may never use): a sync worker waits on each until its
# 30 s timeout kills it, so five such sockets would stall the site. The production unit runs
# sync workers behind nginx's buffering (deploy/anmian-web.service; README, Web speed).
# Access log without query strings (%(U)s): a search must never put personal data in a log;
# and paths that are credentials (feed, offer, reset links) logged with their token replaced
# by a fingerprint (anmian/web/core/logsafe.py).
"$BIN/gunicorn" anmian.web.wsgi --bind "127.0.0.1:$PORT" --worker-class gthread --workers 3 \
  --threads 4 \
  --logger-class anmian.web.core.logsafe.AccessLogger \
  --access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
