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


def _contact_edits(patient, count: int) -> None:
    """`count` changes of address, each its own version of the record."""
    for index in range(count):
        services.patient_update_contact(patient=patient, data={"address": f"{index} rue Haute"})


def test_the_history_pages_back_to_the_records_creation(practitioner_client, patient):
    _contact_edits(patient, 60)
    url = reverse("patients:history", args=[patient.pk])
    first = practitioner_client.get(url)
    assert len(first.context["changes"]) == 50
    assert first.context["changes"][0].fields[0].new == "59 rue Haute"
    assert 'data-testid="history-older"' in first.text
    second = practitioner_client.get(url, {"before": first.context["older"].isoformat()})
    changes = second.context["changes"]
    # The ten oldest address changes, then the record's creation, and nothing older.
    assert [change.fields[0].new for change in changes[:10]] == [
        f"{index} rue Haute" for index in range(9, -1, -1)
    ]
    assert changes[-1].action == "created"
    assert len(changes) == 11
    assert second.context["older"] is None
    assert "history-older" not in second.text
    assert "Newest</a>" in second.text


def test_a_history_that_fits_one_page_has_no_pager(practitioner_client, patient):
    _contact_edits(patient, 3)
    page = practitioner_client.get(reverse("patients:history", args=[patient.pk]))
    assert len(page.context["changes"]) == 4
    assert "History pages" not in page.text


@pytest.mark.parametrize("edits", [3, 70])
def test_a_page_of_history_runs_a_constant_number_of_queries(
    practitioner_client, patient, django_assert_num_queries, edits
):
    _contact_edits(patient, edits)
    url = reverse("patients:history", args=[patient.pk])
    # As the newest page (test_pages.py): the condition on the moment adds no query.
    with django_assert_num_queries(16):
        page = practitioner_client.get(url, {"before": "2100-01-01T00:00:00+00:00"})
    assert len(page.context["changes"]) == min(edits + 1, 50)
