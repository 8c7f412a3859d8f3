"""`manage.py seed_demo` for tests, seeded once per module and kept as a snapshot.

The demo takes seconds to seed (months of made-up past), and the tests of one module that
need it seed it on the same rows: each viewport of a screen, each journey of a page. The
first seeds it and keeps a copy of every table (PostgreSQL's COPY, in memory); the next
ones, when the database held the same number of rows in every table before the seed and the
clinic's day is the same, put that copy back in place of their rows instead: the same
demo, with the same primary keys, in a fraction of a second.

The copy is as old as the module's first seed, seconds to a minute: the same as a seed that
took that long (tests that move the clock to a fixed time seed at that time in each test,
and a new clinic day seeds again).

Since every table is replaced, an object a test made before the seed (a persona from a
fixture) must be read again after it, by a natural key (a username), not used as it is.
Transactional tests (browser journeys) get the copy committed, as a seed would be; other
tests get it inside their transaction, rolled back at their end.
"""

from __future__ import annotations

from io import BytesIO, StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from clinic.models import AuditEvent

# The last seed kept: (key, {table: rows as COPY text}, {sequence: (last value, called)}).
_kept: tuple[tuple, dict[str, bytes], dict[str, tuple[int, bool]]] | None = None


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return sorted(name for name in names if name != "django_migrations")


def _counts(tables: list[str]) -> tuple[tuple[str, int], ...]:
    """How many rows each table holds, in one query."""
    quote = connection.ops.quote_name
    union = " UNION ALL ".join(
        f"SELECT '{table}', COUNT(*) FROM {quote(table)}"  # noqa: S608 (introspected names)
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(union)
        return tuple(sorted(cursor.fetchall()))


def _sequences() -> dict[str, tuple[int, bool]]:
    """Where each sequence stands, to be set back with the rows."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
        names = [name for (name,) in cursor.fetchall()]
        values = {}
        for name in names:
            cursor.execute(f"SELECT last_value, is_called FROM {quote(name)}")  # noqa: S608
            values[name] = cursor.fetchone()
    return values


def _copy_out(tables: list[str]) -> dict[str, bytes]:
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            buffer = BytesIO()
            cursor.copy_expert(f"COPY {quote(table)} TO STDOUT", buffer)
            if buffer.tell():
                rows[table] = buffer.getvalue()
    return rows


def _copy_in(
    counts: dict[str, int], rows: dict[str, bytes], sequences: dict[str, tuple[int, bool]]
) -> None:
    """The tables that hold rows (`counts`) emptied, every table filled from `rows`, and the
    sequences set back: in one transaction, so the foreign keys (deferred) are checked once
    all rows are in. DELETE, not TRUNCATE: it locks no table against autovacuum (which the
    seed's thousands of rows set off) and only a few small tables hold rows before a seed;
    but the audit log refuses DELETE (clinic/migrations/0003), and nothing points at it."""
    quote = connection.ops.quote_name
    audit = AuditEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for table, count in counts.items():
            if count:
                verb = "TRUNCATE" if table == audit else "DELETE FROM"
                cursor.execute(f"{verb} {quote(table)}")
        for table, data in rows.items():
            cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", BytesIO(data))
        for name, (value, called) in sequences.items():
            cursor.execute("SELECT setval(%s, %s, %s)", [quote(name), value, called])
    # Content types are cached by id, and the copy's ids are those of the first seed.
    ContentType.objects.clear_cache()


def seed_demo(module: str) -> None:
    """What `call_command("seed_demo")` writes, from the seed kept for `module` when it was
    made on as many rows as the database holds now and on the same clinic day (see this
    module's docstring). On other databases than PostgreSQL, always a seed."""
    global _kept
    if connection.vendor != "postgresql":
        call_command("seed_demo", stdout=StringIO())
        return
    tables = _tables()
    key = (module, timezone.localdate(), _counts(tables))
    if _kept is not None and _kept[0] == key:
        _copy_in(dict(key[2]), _kept[1], _kept[2])
        return
    call_command("seed_demo", stdout=StringIO())
    _kept = (key, _copy_out(tables), _sequences())
