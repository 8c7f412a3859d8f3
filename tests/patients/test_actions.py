"""The buttons other apps put on a patient's page: what each role gets, and where they lead."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from patients import services

pytestmark = pytest.mark.django_db


def _actions(client, patient) -> dict[str, str]:
    text = client.get(reverse("patients:detail", args=[patient.pk])).text
    found = re.findall(
        r'<a class="btn btn-outline-primary" href="([^"]+)"[^>]*data-testid="patient-action">'
        r"<i [^>]*></i> ([^<]+)</a>",
        text,
    )
    return {label: url.replace("&amp;", "&") for url, label in found}


def test_a_practitioner_can_propose_a_plan_book_and_export_from_the_patient(
    practitioner_client, patient
):
    actions = _actions(practitioner_client, patient)
    assert list(actions) == ["New treatment plan", "Book appointment", "Treatment summary (PDF)"]
    # Each one opens on this patient.
    plan_form = practitioner_client.get(actions["New treatment plan"])
    assert plan_form.status_code == 200 and patient.full_name in plan_form.text
    booking = practitioner_client.get(actions["Book appointment"])
    assert booking.status_code == 200 and patient.full_name in booking.text
    pdf = practitioner_client.get(actions["Treatment summary (PDF)"])
    assert pdf["Content-Type"] == "application/pdf"


def test_the_front_desk_books_but_sees_nothing_clinical(receptionist_client, patient):
    assert list(_actions(receptionist_client, patient)) == ["Book appointment"]


def test_an_archived_record_offers_no_new_plan_or_booking(practitioner_client, patient):
    services.patient_archive(patient=patient)
    assert list(_actions(practitioner_client, patient)) == ["Treatment summary (PDF)"]
