"""Every change to a patient's record is kept with who and when, and shown to clinicians."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.history import patient_change_history
from tests.patients.helpers import log_consultation

pytestmark = pytest.mark.django_db


def test_changes_through_the_pages_record_who_made_them(
    practitioner_client, receptionist_client, patient, practitioner
):
    receptionist_client.post(
        reverse("patients:edit_contact", args=[patient.pk]),
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "sex": "F",
            "email": "new@example.fr",
            "phone": "",
            "preferred_language": "fr",
        },
    )
    practitioner_client.post(
        reverse("patients:edit_clinical", args=[patient.pk]),
        {"fitzpatrick_type": "2", "current_medications": "Doxycycline"},
    )
    changes = patient_change_history(patient=patient)
    clinical, contact = changes[0], changes[1]
    assert clinical.who == "Sophie Martin"
    assert ("Current medications", "—", "Doxycycline") in [
        (f.label, f.old, f.new) for f in clinical.fields
    ]
    assert contact.who == "Léa Bernard"
    assert {f.label for f in contact.fields} >= {"Email", "Preferred language"}

    page = practitioner_client.get(reverse("patients:history", args=[patient.pk]))
    assert "Doxycycline" in page.text and "Léa Bernard" in page.text


def test_clinical_records_appear_in_the_history(patient, practitioner):
    item = log_consultation(patient, practitioner, pregnancy="absolute").contraindications.get()
    services.contraindication_resolve(contraindication=item, by=practitioner, reason="Ended")
    changes = patient_change_history(patient=patient)
    resolved = changes[0]
    assert resolved.what == "Contraindication: Pregnancy or breastfeeding"
    assert resolved.action == "changed"
    assert ("Resolution reason", "—", "Ended") in [(f.label, f.old, f.new) for f in resolved.fields]
    assert {change.what for change in changes} >= {
        "Patient record",
        "Consultation of " + item.consultation.consulted_on.strftime("%d/%m/%Y"),
    }


def test_history_is_for_clinical_roles_only(receptionist_client, patient):
    assert (
        receptionist_client.get(reverse("patients:history", args=[patient.pk])).status_code == 403
    )


def test_times_in_a_change_read_in_the_clinics_time_like_its_heading(
    patient, practitioner, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC), tick=False)
    item = log_consultation(patient, practitioner, pregnancy="absolute").contraindications.get()
    # Resolved at 19:10 UTC: 20:10 in Paris in November.
    time_machine.move_to(datetime.datetime(2026, 11, 27, 19, 10, tzinfo=datetime.UTC), tick=False)
    services.contraindication_resolve(contraindication=item, by=practitioner, reason="Ended")
    resolved = next(c for c in patient_change_history(patient=patient) if c.action == "changed")
    assert ("Resolved at", "—", "27/11/2026 20:10") in [
        (f.label, f.old, f.new) for f in resolved.fields
    ]
    assert timezone.localtime(resolved.when).strftime("%H:%M") == "20:10"
