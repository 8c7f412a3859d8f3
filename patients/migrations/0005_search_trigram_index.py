"""Trigram search on PostgreSQL: the pg_trgm extension and a GIN index on the search key.

Both steps do nothing on SQLite, where the search falls back to a plain LIKE scan, so the
same migrations run on both databases. The index is not in Patient.Meta.indexes because
Django cannot limit a Meta index to one database vendor.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "patient_search_key_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON patients_patient "
            "USING gin (search_key gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_fill_search_key")]

    operations = [
        # CreateExtension already skips databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
