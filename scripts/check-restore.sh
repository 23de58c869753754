#!/usr/bin/env sh
# Prove a backup restores: dump DATABASE_URL, restore it into a fresh database, and compare
# the row count of every table. Exits non-zero on any difference. Run after each backup
# change, and by tests/test_deploy.py against loopback PostgreSQL.
#   scripts/check-restore.sh DATABASE_URL
set -eu
url="${1:?usage: check-restore.sh DATABASE_URL}"
here="$(dirname "$0")"
work="$(mktemp -d)"
copy="anmian_restore_check_$$"
admin="$(printf '%s' "$url" | sed -E 's#/[^/?]*(\?|$)#/postgres\1#')"
copy_url="$(printf '%s' "$url" | sed -E 's#/[^/?]*(\?|$)#/'"$copy"'\1#')"
cleanup() {
  psql "$admin" -q -c "DROP DATABASE IF EXISTS \"$copy\"" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

counts() {
  # Every table of the public schema with its exact row count, one "table count" a line.
  psql "$1" -At -v ON_ERROR_STOP=1 -c "
    SELECT format('SELECT %L || '' '' || count(*) FROM %I.%I;', tablename, schemaname, tablename)
    FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename" \
  | psql "$1" -At -v ON_ERROR_STOP=1
}

"$here/backup.sh" "$url" "$work/anmian.dump"
"$here/restore.sh" "$work/anmian.dump" "$admin" "$copy"
counts "$url" >"$work/before"
counts "$copy_url" >"$work/after"
if ! diff -u "$work/before" "$work/after"; then
  echo "restore check FAILED: row counts differ" >&2
  exit 1
fi
echo "restore check passed: $(wc -l <"$work/before") tables, $(awk '{s+=$2} END {print s}' "$work/before") rows, counts equal"
