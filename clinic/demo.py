"""Demo staff for `manage.py seed_demo`. Apps may add a `demo.py` with a `seed(out)` function.

The demo practice has a past: consultations, courses, appointments and reviews over the
months before today (`PAST_MONTHS`, from `past_start`), always counted back from the day the
demo is seeded, so a demo seeded today reads as fresh as one seeded a year ago did then.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models

from clinic.lib.dates import add_months
from clinic.roles import Role
from clinic.services import roles_sync, staff_create

# The password is printed by seed_demo; it only ever exists on demo databases.
DEMO_PASSWORD = "mesoclinic-demo"  # noqa: S105

DEMO_STAFF: tuple[dict[str, str | Role], ...] = (
    {"username": "manager", "first_name": "Claire", "last_name": "Durand", "role": Role.ADMIN},
    {
        "username": "dr.martin",
        "first_name": "Sophie",
        "last_name": "Martin",
        "role": Role.PRACTITIONER,
    },
    {
        "username": "dr.nguyen",
        "first_name": "Paul",
        "last_name": "Nguyen",
        "role": Role.PRACTITIONER,
    },
    {
        "username": "reception",
        "first_name": "Léa",
        "last_name": "Bernard",
        "role": Role.RECEPTIONIST,
    },
)


# French public holidays on fixed dates: the demo clinic is closed (the scheduling demo makes
# them days off; no demo session falls on one).
HOLIDAYS = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day",
    (5, 8): "Victory in Europe Day",
    (7, 14): "Bastille Day",
    (8, 15): "Assumption",
    (11, 1): "All Saints' Day",
    (11, 11): "Armistice Day",
    (12, 25): "Christmas Day",
}

# Months of past activity: more than the reports' default period (the current month and the
# twelve before it), so that its first months already have patients in maintenance.
PAST_MONTHS = 18


def past_start(today: datetime.date) -> datetime.date:
    """The first day of the demo practice's past: the first of the month PAST_MONTHS before
    `today`'s (the clinic's today, which each app's demo passes in)."""
    return add_months(today.replace(day=1), -PAST_MONTHS)


@functools.cache
def _history_of(model: type[models.Model]) -> models.Manager:
    # `Model.history` builds a new manager class at every access: read it once.
    return model.history.model._default_manager  # type: ignore[attr-defined]


class Backdating:
    """Dates records the demo wrote through the services, which stamp "now" and, called from
    no request, name nobody in the change history, as they happened in the demo's past: new
    values for their date fields, set on the rows and on every version of them in the change
    history that carried the stamp (so the history shows no change nobody made), and the
    date and author of those versions. Collected, then written by `save` in a few queries
    whatever the number of records."""

    def __init__(self) -> None:
        # model -> pk -> (values, (date, author) of the creation entry, of the later ones)
        self.rows: dict[type[models.Model], dict[int, tuple[dict[str, Any], tuple, tuple]]] = (
            defaultdict(dict)
        )

    def add(
        self,
        record: models.Model,
        *,
        created: datetime.datetime | None = None,
        changed: datetime.datetime | None = None,
        by: Any = None,
        then_by: Any = None,
        **values: Any,
    ) -> None:
        """`values` for `record`'s fields; its creation entry in the change history dated
        `created` and made `by`, its later entries dated `changed` and made `then_by` (each
        left as it is when None)."""
        rows = self.rows[type(record)]
        old_values, old_created, old_changed = rows.get(record.pk, ({}, (None, None), (None, None)))
        rows[record.pk] = (
            {**old_values, **values},
            (created or old_created[0], by or old_created[1]),
            (changed or old_changed[0], then_by or old_changed[1]),
        )

    def save(self) -> None:
        for model, rows in self.rows.items():
            names = sorted({name for values, _, _ in rows.values() for name in values})
            stamps: dict[tuple[int, str], Any] = {}
            if names:
                live = list(model._default_manager.filter(pk__in=list(rows)))
                for record in live:
                    for name, value in rows[record.pk][0].items():
                        stamps[record.pk, name] = getattr(record, name)
                        setattr(record, name, value)
                model._default_manager.bulk_update(live, names, batch_size=200)
            versions = list(_history_of(model).filter(id__in=list(rows)))
            for version in versions:
                values, created, changed = rows[version.id]
                for name, value in values.items():
                    if getattr(version, name) == stamps[version.id, name]:
                        setattr(version, name, value)
                when, who = created if version.history_type == "+" else changed
                version.history_date = when or version.history_date
                version.history_user_id = who.pk if who else version.history_user_id
            fields = [*names, "history_date", "history_user"]
            _history_of(model).bulk_update(versions, fields, batch_size=200)
        self.rows.clear()


def history_in_bulk(model: type[models.Model], ids: list[int], *, date: str, user: str) -> None:
    """The creation entries in the change history of rows of `model` just written in bulk,
    copied from them by the database (INSERT ... SELECT): what `bulk_create_with_history`
    does in Python, many times faster for the tens of thousands of rows of the demo's past.
    `date` and `user` name the column the entry's date and author come from: one of the row
    (``used_at``) or, through a foreign key, of the row it points at (``session__signed_at``)."""
    history = _history_of(model).model
    quote = connection.ops.quote_name
    joins: dict[str, str] = {}

    def column(path: str) -> str:
        if "__" not in path:
            return f"src.{quote(model._meta.get_field(path).column)}"
        via, name = path.split("__")
        key = model._meta.get_field(via)
        target = key.related_model
        joins[via] = (
            f"JOIN {quote(target._meta.db_table)} {quote(via)} "
            f"ON {quote(via)}.{quote(target._meta.pk.column)} = src.{quote(key.column)}"
        )
        return f"{quote(via)}.{quote(target._meta.get_field(name).column)}"

    # Names from the models' metadata only; the ids are parameters.
    tracked = [quote(field.column) for field in history.tracked_fields]
    columns = ", ".join([*tracked, "history_date", "history_user_id"])
    values = ", ".join([*(f"src.{name}" for name in tracked), column(date), column(user)])
    source = f"{quote(model._meta.db_table)} src {' '.join(joins.values())}"
    insert = " ".join(
        [
            f"INSERT INTO {quote(history._meta.db_table)}",
            f"({columns}, history_change_reason, history_type)",
            f"SELECT {values}, NULL, '+' FROM {source}",  # noqa: S608
            f"WHERE src.{quote(model._meta.pk.column)} IN",
        ]
    )
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            cursor.execute(insert + f"({', '.join(['%s'] * len(batch))})", batch)


def seed(out: Callable[[str], None]) -> None:
    roles_sync()
    User = get_user_model()
    for person in DEMO_STAFF:
        if User.objects.filter(username=person["username"]).exists():
            continue
        staff_create(
            username=str(person["username"]),
            password=DEMO_PASSWORD,
            role=Role(person["role"]),
            first_name=str(person["first_name"]),
            last_name=str(person["last_name"]),
            email=f"{person['username']}@mesoclinic.test",
        )
        out(f"created {person['role']} {person['username']}")
