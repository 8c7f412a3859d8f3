"""The treatments app's buttons on a patient's page (see patients/actions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from patients.actions import PatientAction

if TYPE_CHECKING:
    from patients.models import Patient


def propose_plan(patient: Patient) -> PatientAction:
    return PatientAction(
        "New treatment plan",
        f"{reverse('treatments:plan_create')}?patient={patient.pk}",
        icon="journal-plus",
    )


def summary_pdf(patient: Patient) -> PatientAction:
    return PatientAction(
        "Treatment summary (PDF)",
        reverse("treatments:patient_summary_pdf", args=[patient.pk]),
        icon="file-earmark-pdf",
        download=True,
    )
