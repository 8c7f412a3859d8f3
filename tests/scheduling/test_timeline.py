"""Appointments appear on the patient page's timeline, for receptionists too."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def test_appointments_are_on_the_patient_timeline(clinic, patient, receptionist_client):
    appointment = AppointmentFactory(
        patient=patient, practitioner=clinic, start=at(MONDAY + datetime.timedelta(days=1), "10:00")
    )
    page = receptionist_client.get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert reverse("scheduling:appointment", args=[appointment.pk]) in page
    assert appointment.appointment_type.name in page


@pytest.mark.parametrize("count", [1, 6])
def test_patient_page_queries_do_not_grow_with_appointments(
    clinic, patient, practitioner_client, django_assert_num_queries, count
):
    for day in range(count):
        AppointmentFactory(
            patient=patient,
            practitioner=clinic,
            start=at(MONDAY + datetime.timedelta(days=day + 1), "10:00"),
        )
    practitioner_client.get(reverse("patients:detail", args=[patient.pk]))  # warm caches
    with django_assert_num_queries(24):
        practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
