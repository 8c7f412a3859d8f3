"""ORM helpers the apps share: loading only what a list shows of the records it joins, and
date arithmetic that works the same on PostgreSQL and SQLite."""

from __future__ import annotations

from django.db import models


def deferred_except(model: type[models.Model], keep: dict[str, set[str]]) -> list[str]:
    """The paths to pass to ``QuerySet.defer()`` so that each relation of ``model`` named in
    ``keep`` (already in ``select_related``) loads only the fields listed for it.

    ``rows.defer(*deferred_except(Appointment, {"patient": {"id", "first_name"}}))`` loads the
    appointments whole and their patients' names alone: no clinical notes read for a list,
    no phone number parsed.
    """
    return [
        f"{relation}__{field.name}"
        for relation, kept in keep.items()
        for field in model._meta.get_field(relation).related_model._meta.concrete_fields
        if field.name not in kept
    ]


class AddDays(models.Func):
    """A date plus a whole number of days, as a date, on PostgreSQL and on SQLite (Django's
    duration arithmetic gives a timestamp on the one and a text datetime on the other, which
    compare wrongly with plain dates)."""

    output_field = models.DateField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # PostgreSQL: date + integer is a date.
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        # SQLite: date(day, '-30 days'), the modifier built from the number.
        return super().as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            **extra_context,
        )
