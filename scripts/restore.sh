#!/usr/bin/env sh
# Restore a dump of scripts/backup.sh into a NEW, empty database (never over a live one).
#   scripts/restore.sh FILE ADMIN_URL NEW_DATABASE
# ADMIN_URL connects to any database of the server as a role that may create databases.
# Then point DATABASE_URL at the new database and run `manage.py migrate` (a no-op when the
# dump is of the same release) before starting the web and worker units.
set -eu
file="${1:?usage: restore.sh FILE ADMIN_URL NEW_DATABASE}"
admin="${2:?usage: restore.sh FILE ADMIN_URL NEW_DATABASE}"
name="${3:?usage: restore.sh FILE ADMIN_URL NEW_DATABASE}"
psql "$admin" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$name\""
target="$(printf '%s' "$admin" | sed -E 's#/[^/?]*(\?|$)#/'"$name"'\1#')"
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$target" "$file"
echo "restored $file into $name"
