#!/usr/bin/env sh
# Back up Anmian's PostgreSQL database: one compressed custom-format dump (pg_restore reads
# it; it restores tables, constraints and the btree_gist extension alike).
#   scripts/backup.sh DATABASE_URL FILE
# Example (cron, nightly): scripts/backup.sh "$DATABASE_URL" /var/backups/anmian/$(date +%F).dump
set -eu
url="${1:?usage: backup.sh DATABASE_URL FILE}"
file="${2:?usage: backup.sh DATABASE_URL FILE}"
umask 077  # a dump is every patient's record
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$file.partial" "$url"
mv "$file.partial" "$file"  # a half-written dump never looks like a good one
echo "backed up to $file ($(wc -c <"$file") bytes)"
