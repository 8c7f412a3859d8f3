"""The back office: rooms are edited there, appointments only read; hours and days off are
the app's (its Hours and Days off pages keep their rules), the superuser alone edits them here."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scheduling.models import TimeOff, WorkingHours
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

MODELS = (
    "room",
    "appointmenttype",
    "workinghours",
    "timeoff",
    "appointment",
    "appointmentseries",
    "waitlistentry",
)


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_opens(admin_client, clinic, model):
    AppointmentFactory(practitioner=clinic)
    assert admin_client.get(reverse(f"admin:scheduling_{model}_changelist")).status_code == 200


def test_appointments_cannot_be_added_in_the_back_office(admin_client, clinic):
    assert admin_client.get(reverse("admin:scheduling_appointment_add")).status_code == 403


@pytest.mark.parametrize("model", ["workinghours", "timeoff"])
def test_a_clinic_manager_only_reads_hours_and_days_off_in_the_back_office(
    admin_client, clinic, model
):
    off = TimeOff.objects.create(
        practitioner=clinic,
        first_day=datetime.date(2026, 3, 20),
        last_day=datetime.date(2026, 3, 20),
    )
    record = off if model == "timeoff" else WorkingHours.objects.filter(practitioner=clinic).first()
    assert admin_client.get(reverse(f"admin:scheduling_{model}_add")).status_code == 403
    change = admin_client.get(reverse(f"admin:scheduling_{model}_change", args=[record.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    delete = reverse(f"admin:scheduling_{model}_delete", args=[record.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_overlapping_hours_are_refused(superuser_client, clinic):
    before = WorkingHours.objects.count()
    response = superuser_client.post(
        reverse("admin:scheduling_workinghours_add"),
        {"practitioner": clinic.pk, "weekday": 0, "starts_at": "12:00", "ends_at": "13:00"},
    )
    assert response.status_code == 200
    assert "These hours overlap another block on the same day." in response.content.decode()
    assert WorkingHours.objects.count() == before


@pytest.mark.parametrize("whose", ["practitioner", "clinic"])
def test_an_overlapping_day_off_is_refused_in_the_back_office(superuser_client, clinic, whose):
    # The back office saves past the service: the exclusion constraints, which the form
    # validates on PostgreSQL, say why instead of a 500.
    who = clinic if whose == "practitioner" else None
    TimeOff.objects.create(
        practitioner=who, first_day=datetime.date(2026, 3, 20), last_day=datetime.date(2026, 3, 23)
    )
    response = superuser_client.post(
        reverse("admin:scheduling_timeoff_add"),
        {
            "practitioner": who.pk if who else "",
            "first_day": "2026-03-23",
            "last_day": "2026-03-24",
        },
    )
    assert response.status_code == 200
    assert "These days overlap a day off already recorded." in response.content.decode()
    assert TimeOff.objects.count() == 1


def test_a_day_off_added_and_removed_in_the_back_office_keeps_who_did_it(
    superuser_client, superuser, clinic
):
    response = superuser_client.post(
        reverse("admin:scheduling_timeoff_add"),
        {"practitioner": clinic.pk, "first_day": "2026-03-20", "last_day": "2026-03-20"},
    )
    assert response.status_code == 302
    off = TimeOff.objects.get()
    superuser_client.post(
        reverse("admin:scheduling_timeoff_delete", args=[off.pk]), {"post": "yes"}
    )
    assert not TimeOff.objects.exists()
    assert [(row.history_type, row.history_user) for row in TimeOff.history.order_by("pk")] == [
        ("+", superuser),
        ("-", superuser),
    ]


def test_the_back_office_shows_the_history_of_days_off_and_hours(
    admin_client, superuser_client, clinic
):
    superuser_client.post(
        reverse("admin:scheduling_timeoff_add"),
        {"practitioner": clinic.pk, "first_day": "2026-03-20", "last_day": "2026-03-20"},
    )
    off = TimeOff.objects.get()
    page = admin_client.get(reverse("admin:scheduling_timeoff_history", args=[off.pk]))
    assert page.status_code == 200
    assert "Created" in page.content.decode()
    hours = WorkingHours.objects.filter(practitioner=clinic).first()
    page = admin_client.get(reverse("admin:scheduling_workinghours_history", args=[hours.pk]))
    assert page.status_code == 200
