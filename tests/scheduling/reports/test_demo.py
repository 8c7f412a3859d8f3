"""The reports on the demo data (`make run`): what a newcomer signed in as the clinic manager
sees is a practice with a year behind it, not a few thin months."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from scheduling.reports.forms import ReportForm
from scheduling.reports.selectors import Report

pytestmark = pytest.mark.django_db


def _past_rows(table):
    """The rows of the months before the current one, as {month key: values}."""
    return {row.keys[0]: row.values for row in table.rows if "to date" not in row.labels[0]}


def test_the_default_report_shows_a_year_of_the_demo_practice():
    call_command("seed_demo", stdout=StringIO())
    form = ReportForm({})
    assert form.is_valid()
    report = Report(form.period())

    activity = _past_rows(report.activity_table())
    assert len(activity) == 12
    sessions, plans, patients = zip(*activity.values(), strict=True)
    # Sessions, new plans and new patients in (nearly) every month, not a few of them.
    assert sum(1 for count in sessions if count) >= 10, activity
    assert sum(1 for count in plans if count) >= 10, activity
    assert sum(1 for count in patients if count) >= 10, activity
    assert sum(sessions) >= 400

    appointments = _past_rows(report.appointments_table())
    assert sum(1 for values in appointments.values() if values[1]) >= 10, appointments
    _, attended, cancelled, no_shows, still_booked, rate = (
        report.appointments_table().totals[0].values
    )
    assert attended >= 500 and cancelled and no_shows and still_booked
    assert 1 < rate < 15

    # Maintenance kept, and missed: the share is neither nothing nor everything.
    due, kept, missed, _, share = report.maintenance_table().totals[0].values
    assert due >= 50 and kept and missed, (due, kept, missed)
    assert 50 < share < 100
    assert sum(1 for values in _past_rows(report.maintenance_table()).values() if values[0]) >= 10

    # Adverse events of several kinds and every severity.
    events = report.adverse_events
    assert len({kind for _, kind, _ in events}) >= 4
    assert {severity for _, _, severity in events} == {"mild", "moderate", "severe"}

    # Reviews for every indication, by the practitioner and by the patient.
    for row in report.gais_table().rows:
        assert row.values[5], row.labels  # "Reviews"

    headlines = {headline.label: headline for headline in report.headlines()}
    assert "kept or missed" in headlines["Maintenance kept"].detail

    manager = get_user_model().objects.get(username="manager")
    client = Client()
    client.force_login(manager)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert b"Maintenance kept" in page.content
