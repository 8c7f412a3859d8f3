"""A treatment cannot be booked for a patient with an open absolute contraindication."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.models import Contraindication
from patients.services import contraindication_resolve
from scheduling.models import Appointment
from scheduling.services import appointment_book
from tests.patients.helpers import log_consultation
from tests.scheduling.conftest import MONDAY, at

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)


def _book(clinic, patient, appointment_type, hhmm: str) -> Appointment:
    return appointment_book(
        patient=patient,
        practitioner=clinic,
        appointment_type=appointment_type,
        start=at(TUESDAY, hhmm),
        booked_by=clinic,
    )


def test_absolute_contraindication_refuses_a_treatment_at_the_patient_field(
    clinic, patient, treatment
):
    log_consultation(patient, clinic, pregnancy="absolute")
    with pytest.raises(ValidationError) as refused:
        _book(clinic, patient, treatment, "10:00")
    message = refused.value.message_dict["patient"][0]
    assert "Absolute contraindication: Pregnancy or breastfeeding" in message
    assert not Appointment.objects.exists()


def test_a_consultation_stays_bookable_to_resolve_it(clinic, patient, treatment, consultation):
    log_consultation(patient, clinic, pregnancy="absolute")
    assert _book(clinic, patient, consultation, "10:00").pk


def test_relative_contraindication_does_not_refuse(clinic, patient, treatment):
    log_consultation(patient, clinic, anticoagulants="relative")
    assert Contraindication.objects.filter(patient=patient, severity="relative").exists()
    assert _book(clinic, patient, treatment, "10:00").pk


def test_once_resolved_the_treatment_can_be_booked(clinic, patient, treatment):
    log_consultation(patient, clinic, pregnancy="absolute")
    item = Contraindication.objects.get(patient=patient)
    contraindication_resolve(contraindication=item, by=clinic, reason="Pregnancy ended")
    assert _book(clinic, patient, treatment, "10:00").pk
