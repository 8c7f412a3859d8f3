"""Loading only what a list shows of the records it joins."""

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
