"""The database side of "no slot is ever double-booked".

PostgreSQL holds the rule itself: an exclusion constraint (btree_gist) refuses two active
appointments whose occupied time ranges overlap for the same practitioner or the same room,
even when two receptionists commit at the same instant. SQLite (the newcomer's development
database) has no such constraint, so the booking service checks the same rule before it
writes, on every database.

Why a subclass rather than RunSQL in the migration: the constraint stays declared on the model,
so `makemigrations --check` keeps it in step with the fields, the admin and `full_clean()`
validate it on PostgreSQL, and the very same migration file runs on both databases. On any
other vendor the subclass emits no SQL and skips validation; `BtreeGistExtension` is already
a no-op there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """tstzrange(start, end, '[)'): the half-open range an appointment occupies."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DateRange(Func):
    """daterange(first, last, '[]'): the whole days a day off covers, both ends included."""

    function = "DATERANGE"
    output_field = DateRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ExclusionConstraint that exists on PostgreSQL and is silently absent elsewhere."""

    @staticmethod
    def _on_postgresql(schema_editor: Any) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        # None is dropped from CREATE TABLE by the schema editors (SQLite's table rebuilds too).
        return (
            super().constraint_sql(model, schema_editor)
            if self._on_postgresql(schema_editor)
            else None
        )

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().create_sql(model, schema_editor) if self._on_postgresql(schema_editor) else None
        )

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return (
            super().remove_sql(model, schema_editor) if self._on_postgresql(schema_editor) else None
        )

    def validate(
        self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


def exclusion_constraint_names(model: Any) -> tuple[str, ...]:
    """The names of `model`'s exclusion constraints: PostgreSQL names the one that refused a
    write in its error, which `refused_by` looks for."""
    return tuple(
        constraint.name
        for constraint in model._meta.constraints
        if isinstance(constraint, PostgresExclusionConstraint)
    )


def refused_by(error: Exception, names: tuple[str, ...]) -> bool:
    """Whether `error` (an IntegrityError) is PostgreSQL refusing a write with one of the
    constraints `names`."""
    return any(name in str(error) for name in names)
