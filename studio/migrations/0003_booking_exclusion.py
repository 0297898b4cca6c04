"""PostgreSQL refuses overlapping confirmed bookings of one room, and of one engineer.

Exclusion constraints exist only on PostgreSQL, so they are not in the model's Meta (SQLite
could not create the table); on SQLite the booking service serializes check and write instead.
btree_gist lets one GiST index mix the room id (=) with the time range (&&).
"""

from django.db import migrations

CONSTRAINTS = {
    "booking_room_no_overlap": "room_id WITH =",
    "booking_engineer_no_overlap": "engineer_id WITH =",
}


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, key in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE studio_booking ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({key}, tstzrange(start, \"end\", '[)') WITH &&) WHERE (status = 'confirmed')"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE studio_booking DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("studio", "0002_bookings_and_feeds")]

    operations = [migrations.RunPython(add, remove)]
