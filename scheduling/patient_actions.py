"""The scheduling app's button on a patient's page (see patients/actions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from patients.actions import PatientAction

if TYPE_CHECKING:
    from patients.models import Patient


def book(patient: Patient) -> PatientAction:
    return PatientAction(
        "Book appointment",
        f"{reverse('scheduling:book')}?patient={patient.pk}",
        icon="calendar-plus",
    )
