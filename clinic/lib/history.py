"""Change history read from django-simple-history's tables, as entries a page can list.

Consecutive versions fetched together are compared in Python, not with one ``diff_against``
query per version, so a history costs one query however long it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from clinic.roles import practitioner_name

# Bookkeeping columns that change without anyone meaning to change them.
BOOKKEEPING = frozenset({"updated_at", "created_at", "recorded_at", "uploaded_at"})
_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    who: str
    what: str
    action: str
    fields: tuple[FieldChange, ...] = ()
    # Why, when the change was made with a reason (a corrected consultation, a corrected lot).
    reason: str = ""


def display(field: models.Field, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        # Stored in UTC: shown in the clinic's time, as the entry's own heading is.
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "get_username"):
        # A member of staff (a relation shown by its record): named as every page names them.
        return practitioner_name(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def tracked_fields(
    model: type[models.Model],
    ignored: Iterable[str] = BOOKKEEPING,
    *,
    relations: Iterable[str] = (),
) -> list[models.Field]:
    """The fields of `model` whose changes a person reads in its history, in the model's
    order. Relations are left out but for those named in `relations`: they are shown by the
    record they point to, which the history query must then load (``select_related``)."""
    ignored = set(ignored)
    relations = set(relations)
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and (not field.is_relation or field.name in relations)
        and field.name not in ignored
        and not isinstance(field, models.BinaryField | models.FileField)
    ]


def record_changes(
    records: list[Any],
    *,
    fields: list[models.Field],
    describe: Callable[[Any], str],
    limit: int,
    actions: Mapping[str, str] = _ACTIONS,
) -> list[Change]:
    """The changes the historical `records` (newest first, `history_user` and the records of
    any relation in `fields` loaded) show.

    A version is compared with the next older one of the same object in `records`; a change
    that touched none of `fields` is left out. `describe(record)` names what changed;
    `actions` words each kind of change (by `history_type`) where "created" and "deleted"
    would not fit (a block of hours is added and removed)."""
    # Records arrive newest first; the previous version of an object is the next one seen.
    previous_of: dict[int, Any] = {}
    later: dict[int, Any] = {}
    for record in records:
        if record.id in later:
            previous_of[id(later[record.id])] = record
        later[record.id] = record
    changes = []
    for record in records[:limit]:
        before = previous_of.get(id(record))
        diffs: list[FieldChange] = []
        if record.history_type == "~" and before is not None:
            for field in fields:
                old, new = getattr(before, field.attname), getattr(record, field.attname)
                if old != new:
                    if field.is_relation:
                        # Compared by key, shown by the records loaded with the versions.
                        old, new = getattr(before, field.name), getattr(record, field.name)
                    diffs.append(
                        FieldChange(
                            field.verbose_name.capitalize(),
                            display(field, old),
                            display(field, new),
                        )
                    )
            if not diffs:
                continue
        user = record.history_user
        changes.append(
            Change(
                when=record.history_date,
                who=practitioner_name(user) if user else "System",
                what=describe(record),
                action=actions.get(record.history_type, "changed"),
                fields=tuple(diffs),
                reason=record.history_change_reason or "",
            )
        )
    return changes
