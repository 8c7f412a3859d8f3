from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic.demo import DEMO_PASSWORD, DEMO_STAFF
from clinic.roles import Role, user_roles
from tests.sqlite import run_on_sqlite

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    """Rows in every table of our apps and auth: a second seed must add none."""
    labels = {"auth", "patients", "cocktails", "treatments", "scheduling", "clinic"}
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_seed_demo_creates_one_login_per_role_and_prints_them():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    users = get_user_model().objects.filter(username__in=[p["username"] for p in DEMO_STAFF])
    assert {role for user in users for role in user_roles(user)} == set(Role)
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        assert user.username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()


def test_seed_demo_twice_creates_nothing_twice():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["auth.User"] == len(DEMO_STAFF)


SQLITE_SCRIPT = """
import json
from io import StringIO

import django
django.setup()
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from scheduling.reports.forms import ReportForm
from scheduling.reports.selectors import Report

assert connection.vendor == "sqlite"

def counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}

call_command("seed_demo", stdout=StringIO())
first = counts()
call_command("seed_demo", stdout=StringIO())
after = counts()
form = ReportForm({})
assert form.is_valid()
report = Report(form.period())
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(get_user_model().objects.get(username="manager"))
print(json.dumps({
    "added": {label: after[label] - n for label, n in first.items() if after[label] != n},
    "sessions": [row.values[0] for row in report.activity_table().rows],
    "maintenance": report.maintenance_table().totals[0].values[:3],
    "page": client.get("/reports/").status_code,
}))
"""


def test_the_demo_on_sqlite_as_make_run_seeds_it(sqlite_database):
    """`make run` seeds a SQLite file: the demo's past must be written there too, and a second
    run must add nothing."""
    printed = json.loads(run_on_sqlite(sqlite_database, SQLITE_SCRIPT).splitlines()[-1])
    assert printed["added"] == {}
    assert sum(1 for count in printed["sessions"] if count) >= 10, printed["sessions"]
    due, kept, missed = printed["maintenance"]
    assert due > kept > 0 and missed, printed["maintenance"]
    assert printed["page"] == 200
