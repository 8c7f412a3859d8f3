"""Registering and editing patients: identity, contact, clinical background, archiving."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from patients.models import Patient
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)


def _form(**overrides):
    data = {
        "first_name": "Chloé",
        "last_name": "Martin",
        "date_of_birth": "1990-04-12",
        "sex": "F",
        "email": "chloe@example.fr",
        "phone": "06 12 34 56 78",
        "address": "3 rue des Lilas",
        "preferred_language": "fr",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }
    data.update(overrides)
    return data


def test_receptionist_registers_a_patient_with_a_normalised_phone(receptionist_client):
    response = receptionist_client.post(reverse("patients:create"), _form(reminder_consent="on"))
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert str(patient.phone.as_e164) == "+33612345678"
    assert patient.accepts_reminders
    assert patient.history.get().history_type == "+"


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": "2026-06-16"}, "date_of_birth", "in the future"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "before 1900"),
        ({"date_of_birth": "31/02/1990"}, "date_of_birth", "Enter a valid date"),
        ({"email": "chloe@"}, "email", "valid email"),
        ({"phone": "12"}, "phone", "valid phone number"),
        ({"phone": "+33 1"}, "phone", "valid phone number"),
        ({"emergency_contact_phone": "abc"}, "emergency_contact_phone", "valid phone number"),
        ({"first_name": ""}, "first_name", "required"),
        ({"email": "", "reminder_consent": "on"}, "reminder_consent", "need an email"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(
    practitioner_client, overrides, field, message
):
    response = practitioner_client.post(reverse("patients:create"), _form(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Patient.objects.exists()


def test_a_duplicate_is_flagged_with_a_link_until_confirmed(receptionist_client):
    existing = PatientFactory(
        first_name="Chloé", last_name="MARTIN", date_of_birth=datetime.date(1990, 4, 12)
    )
    url = reverse("patients:create")
    response = receptionist_client.post(url, _form(first_name="chloe"))
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["last_name"])
    assert reverse("patients:detail", args=[existing.pk]) in response.text
    assert Patient.objects.count() == 1

    confirmed = receptionist_client.post(url, _form(first_name="chloe", allow_duplicate="on"))
    assert confirmed.status_code == 302
    assert Patient.objects.count() == 2


def test_same_name_born_another_day_is_not_a_duplicate(receptionist_client):
    PatientFactory(first_name="Chloé", last_name="Martin", date_of_birth=datetime.date(1991, 4, 12))
    assert receptionist_client.post(reverse("patients:create"), _form()).status_code == 302


def test_receptionist_edits_contact_and_cannot_touch_clinical_fields(receptionist_client, patient):
    patient.current_medications = "Isotretinoin"
    patient.save()
    response = receptionist_client.post(
        reverse("patients:edit_contact", args=[patient.pk]),
        _form(
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth.isoformat(),
            email="new@example.fr",
            current_medications="",
            allergy_notes="changed",
        ),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.email == "new@example.fr"
    assert patient.current_medications == "Isotretinoin"
    assert patient.allergy_notes == ""


def test_editing_a_patient_does_not_flag_them_as_their_own_duplicate(receptionist_client, patient):
    response = receptionist_client.post(
        reverse("patients:edit_contact", args=[patient.pk]),
        _form(
            first_name=patient.first_name,
            last_name=patient.last_name,
            date_of_birth=patient.date_of_birth.isoformat(),
        ),
    )
    assert response.status_code == 302


def test_withdrawing_reminder_consent_keeps_both_timestamps(
    receptionist_client, receptionist, patient
):
    url = reverse("patients:edit_contact", args=[patient.pk])
    base = _form(
        first_name=patient.first_name,
        last_name=patient.last_name,
        date_of_birth=patient.date_of_birth.isoformat(),
    )
    with time_machine.travel(TODAY, tick=False):
        receptionist_client.post(url, {**base, "reminder_consent": "on"})
    with time_machine.travel(TODAY + datetime.timedelta(days=30), tick=False):
        # A month later the idle session has long expired: sign in again.
        receptionist_client.force_login(receptionist)
        receptionist_client.post(url, base)
    patient.refresh_from_db()
    assert patient.reminder_consent_at == TODAY
    assert patient.reminder_consent_withdrawn_at == TODAY + datetime.timedelta(days=30)
    assert not patient.accepts_reminders


def test_practitioner_edits_the_clinical_background(practitioner_client, patient):
    response = practitioner_client.post(
        reverse("patients:edit_clinical", args=[patient.pk]),
        {
            "fitzpatrick_type": "4",
            "current_medications": "Levothyrox",
            "previous_treatments": "Peeling 2024",
            "allergy_notes": "",
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.fitzpatrick_type == 4
    assert patient.history.first().history_user.username == "dr.martin"


def test_a_skin_type_outside_i_to_vi_is_refused(practitioner_client, patient):
    response = practitioner_client.post(
        reverse("patients:edit_clinical", args=[patient.pk]), {"fitzpatrick_type": "7"}
    )
    assert "fitzpatrick_type" in response.context["form"].errors


def test_archiving_hides_the_patient_and_deletes_nothing(receptionist_client, patient):
    response = receptionist_client.post(reverse("patients:archive", args=[patient.pk]))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.is_archived
    listing = receptionist_client.get(reverse("patients:list"))
    assert patient not in listing.context["page"].object_list
    receptionist_client.post(reverse("patients:unarchive", args=[patient.pk]))
    patient.refresh_from_db()
    assert not patient.is_archived


def test_the_admin_cannot_delete_a_patient(admin_client, patient):
    response = admin_client.get(reverse("admin:patients_patient_delete", args=[patient.pk]))
    assert response.status_code == 403
    assert Patient.objects.filter(pk=patient.pk).exists()
