"""The demo data: a useful catalogue, stock that exercises the alerts, a template per
indication, and patient cocktails once demo patients exist."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cocktails.choices import Indication
from cocktails.demo import seed_patient_cocktails
from cocktails.models import Cocktail, Ingredient
from cocktails.selectors import stock_alerts
from tests.cocktails.factories import AllergyFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(seed_demo):
    seed_demo()


def test_the_demo_has_a_template_for_every_indication_with_nothing_to_acknowledge(seeded):
    templates = Cocktail.objects.filter(patient__isnull=True)
    assert {t.indication for t in templates} == set(Indication.values)
    assert all(t.current.acknowledged_warnings == [] for t in templates)


def test_the_demo_stock_raises_every_kind_of_alert(seeded):
    alerts = stock_alerts(today=timezone.localdate())
    assert alerts.expiring and alerts.expired and alerts.low_stock


def test_patient_cocktails_are_made_once_and_never_against_an_allergy(seeded):
    camille, julien = PatientFactory(first_name="Camille"), PatientFactory(first_name="Julien")
    AllergyFactory(patient=camille, ingredient=Ingredient.objects.get(name="Lidocaine"))
    lines: list[str] = []
    seed_patient_cocktails(lines.append, [camille, julien])
    seed_patient_cocktails(lines.append, [camille, julien])
    assert not Cocktail.objects.filter(patient=camille).exists()  # Face glow adds lidocaine
    assert any("allergic to Lidocaine" in line for line in lines)
    mine = Cocktail.objects.get(patient=julien)
    assert mine.template.name == "Hair restoration standard"
    assert all(c.lot is not None for c in mine.current.components.all())
