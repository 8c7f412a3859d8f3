"""The reports on SQLite, as a newcomer's `make run` has them: the same figures as on
PostgreSQL from the same records (months in the clinic's time zone, the maintenance due dates'
window query, the date arithmetic), and the page and its files answer."""

from __future__ import annotations

import json

import pytest

from scheduling.reports.selectors import Period, Report
from tests.scheduling.reports import scenes
from tests.sqlite import run_on_sqlite

SCRIPT = """
import json
import django
import time_machine
django.setup()
from django.db import connection
from django.test import Client
from clinic.roles import Role
from clinic.services import roles_sync, staff_create
from scheduling.reports.selectors import Period, Report
from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.scheduling.reports import scenes

assert connection.vendor == "sqlite"
with time_machine.travel(scenes.NOW, tick=False):
    roles_sync()
    manager = staff_create(username="manager", password="x", role=Role.ADMIN)
    martin = staff_create(username="dr.martin", password="x", role=Role.PRACTITIONER)
    nguyen = staff_create(username="dr.nguyen", password="x", role=Role.PRACTITIONER)
    cocktail = make_face_glow(make_catalogue(), by=manager)
    scenes.activity(martin, nguyen, cocktail)
    scenes.appointments(martin, nguyen)
    scenes.maintenance(martin, nguyen, cocktail)
    scenes.safety(martin, nguyen, cocktail)
    report = Report(Period(scenes.JAN, scenes.MAR), today=scenes.TODAY)
    print(json.dumps({slug: list(table.csv_rows()) for slug, table in report.tables().items()}))
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(manager)
    print(client.get("/reports/").status_code)
    print(client.get("/reports/gais.csv?start=2026-01&end=2026-03").status_code)
"""


def _tables(report: Report) -> dict[str, list]:
    return json.loads(json.dumps({slug: list(t.csv_rows()) for slug, t in report.tables().items()}))


@pytest.mark.django_db
def test_the_same_figures_as_on_postgresql(
    sqlite_database, admin_user, practitioner, other_practitioner, cocktail
):
    printed = run_on_sqlite(sqlite_database, SCRIPT).splitlines()
    on_sqlite = json.loads(printed[0])
    assert printed[1:] == ["200", "200"]

    scenes.activity(practitioner, other_practitioner, cocktail)
    scenes.appointments(practitioner, other_practitioner)
    scenes.maintenance(practitioner, other_practitioner, cocktail)
    scenes.safety(practitioner, other_practitioner, cocktail)
    on_postgresql = _tables(Report(Period(scenes.JAN, scenes.MAR), today=scenes.TODAY))
    assert on_sqlite == on_postgresql
    assert on_sqlite["maintenance"][-1] == ["Total", 8, 3, 3, 2, "50.0"]
