"""Patient pages: who sees what, and a constant number of queries whatever the record holds."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from patients import services
from patients.models import ConsentText
from tests.patients.factories import AllergyFactory, PatientFactory
from tests.patients.helpers import jpeg_with_gps, log_consultation, upload

pytestmark = pytest.mark.django_db

# Values that only exist in clinical fields and records: none may reach a receptionist.
SECRETS = ("Warfarin 5 mg", "Botox 2019", "Peanuts and latex", "Fitzpatrick")


@pytest.fixture
def full_record(patient, practitioner, admin_user):
    """A patient with something in every clinical part of the record."""
    services.patient_update_clinical(
        patient=patient,
        data={
            "fitzpatrick_type": 3,
            "current_medications": "Warfarin 5 mg",
            "previous_treatments": "Botox 2019",
            "allergy_notes": "Peanuts and latex",
        },
    )
    consultation = log_consultation(patient, practitioner, pregnancy="absolute", keloid="relative")
    AllergyFactory(patient=patient, substance="Chlorhexidine", recorded_by=practitioner)
    text = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="General", body="I agree.", by=admin_user
    )
    services.consent_sign(
        patient=patient, text=text, signed_name=patient.full_name, witnessed_by=practitioner
    )
    services.photo_upload(
        patient=patient,
        by=practitioner,
        upload=upload(jpeg_with_gps()),
        kind="before",
        area="face",
        angle="front",
        taken_on=timezone.localdate(),
    )
    return consultation


def test_receptionist_sees_identity_and_contact_but_nothing_clinical(
    receptionist_client, patient, full_record
):
    for url in (
        reverse("patients:detail", args=[patient.pk]),
        reverse("patients:list"),
        reverse("patients:list") + "?q=lefevre",
        reverse("patients:edit_contact", args=[patient.pk]),
    ):
        page = receptionist_client.get(url)
        assert page.status_code == 200
        assert "Lefèvre" in page.text
        for secret in (*SECRETS, "Pregnancy", "Blocked", "Chlorhexidine", "Consultation"):
            assert secret not in page.text, f"{secret!r} shown to a receptionist on {url}"


def test_practitioner_sees_the_whole_record(practitioner_client, patient, full_record):
    page = practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    for expected in (
        "Warfarin 5 mg",
        "Botox 2019",
        "Treatment blocked",
        "Pregnancy or breastfeeding",
        "Keloid tendency",
        "Chlorhexidine",
        "Consultation with Sophie Martin",
        "Signed “General”",
        "Recent changes",
    ):
        assert expected in page.text, expected


@pytest.mark.parametrize(
    "name",
    [
        "patients:edit_clinical",
        "patients:history",
        "patients:consultation_create",
        "patients:photo_list",
        "patients:photo_upload",
        "patients:photo_compare",
        "patients:consent_sign",
        "patients:allergy_add",
    ],
)
def test_receptionist_gets_403_on_clinical_pages(receptionist_client, patient, name):
    kwarg = "pk" if name in {"patients:edit_clinical", "patients:history"} else "patient_pk"
    response = receptionist_client.get(reverse(name, kwargs={kwarg: patient.pk}))
    assert response.status_code == 403


def test_receptionist_cannot_post_to_clinical_views(receptionist_client, patient, practitioner):
    item = log_consultation(patient, practitioner, pregnancy="absolute").contraindications.get()
    url = reverse("patients:contraindication_resolve", args=[patient.pk, item.pk])
    assert receptionist_client.post(url, {"reason": "ended"}).status_code == 403
    item.refresh_from_db()
    assert item.is_open


def test_an_unknown_patient_is_404(practitioner_client):
    assert practitioner_client.get(reverse("patients:detail", args=[99999])).status_code == 404


def test_a_record_of_another_patient_is_404_under_this_one(
    practitioner_client, patient, full_record
):
    other = PatientFactory()
    url = reverse("patients:consultation_detail", args=[other.pk, full_record.pk])
    assert practitioner_client.get(url).status_code == 404


def _grow(patient, practitioner, admin_user, times: int) -> None:
    """Add `times` of every kind of clinical record to the patient."""
    for index in range(times):
        consultation = log_consultation(patient, practitioner, keloid="relative")
        consultation.contraindications.first() and services.contraindication_resolve(
            contraindication=consultation.contraindications.get(), by=practitioner, reason="ok"
        )
        AllergyFactory(patient=patient, substance=f"Substance {index}", recorded_by=practitioner)
        services.photo_upload(
            patient=patient,
            by=practitioner,
            upload=upload(jpeg_with_gps((32, 32))),
            kind="progress",
            area="face",
            angle="front",
            taken_on=timezone.localdate(),
        )
        services.patient_update_contact(patient=patient, data={"address": f"{index} rue"})
    text = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="General", body=f"v{times}", by=admin_user
    )
    services.consent_sign(
        patient=patient, text=text, signed_name=patient.full_name, witnessed_by=practitioner
    )


# Session, user and roles (3), then the page's own reads. The patient page: patient,
# timeline (consultations, concerns, their contraindications, consents, treatment plans,
# treatment sessions, appointments), alerts (2), resolved contraindications, consents (2),
# photos, change history (6), the treatment plans card, emails, and the audit entry for the
# view. The readiness panel is worked out from the alerts and consents
# (patient_general_blockers): no query of its own.
PAGES = [
    ("patients:detail", "pk", 29),
    ("patients:history", "pk", 16),
    ("patients:photo_list", "patient_pk", 11),
    ("patients:photo_compare", "patient_pk", 11),
    ("patients:consultation_create", "patient_pk", 10),
    ("patients:consent_sign", "patient_pk", 11),
]


@pytest.mark.parametrize(("name", "kwarg", "queries"), PAGES)
@pytest.mark.parametrize("times", [1, 6])
def test_clinical_pages_run_a_constant_number_of_queries(
    practitioner_client,
    practitioner,
    admin_user,
    patient,
    django_assert_num_queries,
    name,
    kwarg,
    queries,
    times,
):
    _grow(patient, practitioner, admin_user, times)
    with django_assert_num_queries(queries):
        response = practitioner_client.get(reverse(name, kwargs={kwarg: patient.pk}))
    assert response.status_code == 200


@pytest.mark.parametrize("times", [1, 6])
def test_a_consent_the_patient_signed_as_a_minor_costs_the_patient_page_no_query(
    practitioner_client, practitioner, admin_user, patient, django_assert_num_queries, times
):
    _grow(patient, practitioner, admin_user, times)
    # Born 17 years ago: the signature _grow took today is one she made herself as a minor.
    today = timezone.localdate()
    patient.date_of_birth = today.replace(year=today.year - 17) - datetime.timedelta(days=3)
    patient.save()
    queries = next(count for name, _, count in PAGES if name == "patients:detail")
    with django_assert_num_queries(queries):
        page = practitioner_client.get(reverse("patients:detail", args=[patient.pk]))
    assert "Signed by Hélène herself at 17: a parent or legal guardian" in page.text


@pytest.mark.parametrize("times", [1, 6])
def test_receptionist_patient_page_runs_a_constant_number_of_queries(
    receptionist_client, practitioner, admin_user, patient, django_assert_num_queries, times
):
    _grow(patient, practitioner, admin_user, times)
    # Session (read and refresh), user, roles, patient, appointments on the timeline, emails,
    # and the audit entry for the view.
    with django_assert_num_queries(10):
        receptionist_client.get(reverse("patients:detail", args=[patient.pk]))


@pytest.mark.parametrize("times", [1, 6])
def test_consultation_page_runs_a_constant_number_of_queries(
    practitioner_client, practitioner, admin_user, patient, django_assert_num_queries, times
):
    _grow(patient, practitioner, admin_user, times)
    consultation = log_consultation(patient, practitioner, pregnancy="absolute")
    url = reverse("patients:consultation_detail", args=[patient.pk, consultation.pk])
    with django_assert_num_queries(13):
        assert practitioner_client.get(url).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_navigation_offers_patients_to_every_staff_role(role_clients, role):
    page = role_clients[role].get(reverse("home"))
    assert reverse("patients:list") in page.text
