"""The back office: hours and rooms are edited there, appointments only read."""

from __future__ import annotations

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


def test_overlapping_hours_are_refused(admin_client, clinic):
    before = WorkingHours.objects.count()
    response = admin_client.post(
        reverse("admin:scheduling_workinghours_add"),
        {"practitioner": clinic.pk, "weekday": 0, "starts_at": "12:00", "ends_at": "13:00"},
    )
    assert response.status_code == 200
    assert "These hours overlap another block on the same day." in response.content.decode()
    assert WorkingHours.objects.count() == before


def test_a_day_off_added_and_removed_in_the_back_office_keeps_who_did_it(
    admin_client, admin_user, clinic
):
    response = admin_client.post(
        reverse("admin:scheduling_timeoff_add"),
        {"practitioner": clinic.pk, "first_day": "2026-03-20", "last_day": "2026-03-20"},
    )
    assert response.status_code == 302
    off = TimeOff.objects.get()
    admin_client.post(reverse("admin:scheduling_timeoff_delete", args=[off.pk]), {"post": "yes"})
    assert not TimeOff.objects.exists()
    assert [(row.history_type, row.history_user) for row in TimeOff.history.order_by("pk")] == [
        ("+", admin_user),
        ("-", admin_user),
    ]


def test_the_back_office_shows_the_history_of_days_off_and_hours(admin_client, clinic):
    admin_client.post(
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
