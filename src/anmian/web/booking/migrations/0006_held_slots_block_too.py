"""Held slots (waitlist offers) block the practitioner's time like bookings do."""

from django.db import migrations

CREATE = """
ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS no_double_booking;
ALTER TABLE booking_appointment ADD CONSTRAINT no_double_booking
EXCLUDE USING gist (
    practitioner_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (status IN ('booked', 'arrived', 'held'));
"""
PREVIOUS = """
ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS no_double_booking;
ALTER TABLE booking_appointment ADD CONSTRAINT no_double_booking
EXCLUDE USING gist (
    practitioner_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (status IN ('booked', 'arrived'));
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("booking", "0005_waitlist")]
    operations = [migrations.RunPython(forwards, backwards)]
