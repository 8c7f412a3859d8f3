"""The back office lists and shows every patients model, read-only for clinical records."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.patients.access import populate_world

pytestmark = pytest.mark.django_db

MODELS = (
    "patient",
    "allergy",
    "consultation",
    "contraindication",
    "consenttext",
    "consent",
    "photo",
)


@pytest.fixture
def world(admin_user, practitioner):
    sample = SimpleNamespace(admin=admin_user, practitioner=practitioner)
    populate_world(sample)
    return sample


@pytest.mark.parametrize("model", MODELS)
def test_every_model_lists_and_opens_in_the_back_office(admin_client, world, model):
    assert admin_client.get(reverse(f"admin:patients_{model}_changelist")).status_code == 200
    first = {
        "patient": world.patient,
        "allergy": world.allergy,
        "consultation": world.consultation,
        "contraindication": world.contraindication,
        "consenttext": world.consent.text,
        "consent": world.consent,
        "photo": world.photo,
    }[model]
    page = admin_client.get(reverse(f"admin:patients_{model}_change", args=[first.pk]))
    assert page.status_code == 200
    # Nothing clinical is ever deleted, not even from the back office.
    assert "deletelink" not in page.text


def test_the_back_office_names_allergies_in_the_plural(admin_client):
    index = admin_client.get(reverse("admin:app_list", args=["patients"]))
    assert "Allergies" in index.text
    assert "Allergys" not in index.text
