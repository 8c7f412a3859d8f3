from __future__ import annotations

import pytest
from django.urls import reverse

from tests.patients.factories import PatientFactory
from tests.patients.helpers import log_consultation

pytestmark = pytest.mark.django_db


def test_home_panel_lists_blocked_patients_to_clinicians_only(
    practitioner_client, receptionist_client, practitioner
):
    blocked = PatientFactory(first_name="Camille", last_name="Lefèvre")
    log_consultation(blocked, practitioner, pregnancy="absolute")
    PatientFactory.create_batch(2)
    clinical = practitioner_client.get(reverse("home"))
    assert "Treatment blocked" in clinical.text and "Camille Lefèvre" in clinical.text
    front_desk = receptionist_client.get(reverse("home"))
    assert 'data-testid="patients-panel"' in front_desk.text
    assert "Camille Lefèvre" not in front_desk.text and "Pregnancy" not in front_desk.text


@pytest.mark.parametrize("size", [1, 8])
def test_home_panel_runs_a_constant_number_of_queries(
    practitioner_client, practitioner, django_assert_num_queries, size
):
    for patient in PatientFactory.create_batch(size):
        log_consultation(patient, practitioner, pregnancy="absolute")
    # The whole home page: session read and refresh, user, roles, then every app's panels
    # (the treatments panel: 2).
    with django_assert_num_queries(13):
        practitioner_client.get(reverse("home"))
