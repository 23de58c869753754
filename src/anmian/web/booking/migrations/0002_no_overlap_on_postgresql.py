"""On PostgreSQL, make overlapping active appointments of one practitioner impossible.

An exclusion constraint over (practitioner, [blocked_start, blocked_end)) for booked and
arrived rows: the database itself refuses the second booking, whichever code path (site,
API, admin, shell) tries it. SQLite has no such constraint; there the booking service
serialises writers and re-checks (services.py).
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_appointment ADD CONSTRAINT no_double_booking
EXCLUDE USING gist (
    practitioner_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (status IN ('booked', 'arrived'));
"""
DROP = "ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS no_double_booking;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
