"""What a syringe costs the clinic: used by plan estimates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cocktails.selectors import formulation_cost, formulation_costing
from cocktails.services import cocktail_create
from tests.cocktails.factories import IngredientFactory, ProductComponentFactory, ProductFactory
from tests.cocktails.scenarios import ingredient_part, product_part

pytestmark = pytest.mark.django_db


def _cocktail(practitioner, parts, volume="5"):
    return cocktail_create(
        name="Costed",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal(volume),
        parts=parts,
        by=practitioner,
    )


def test_a_product_costs_its_price_per_ml_times_the_ml_drawn(face_glow, catalogue):
    # HA 10: 40.00 for 5 ml (8.00/ml), 2 ml drawn; Vita C: 10.00 for 5 ml (2.00/ml), 1 ml.
    assert catalogue.ha_vial.price_per_ml == Decimal("8")
    assert formulation_cost(formulation=face_glow.current) == Decimal("18.00")
    assert formulation_costing(formulation=face_glow.current).per_ml == Decimal("3.60")


def test_an_ingredient_is_costed_from_its_cheapest_active_carrier(catalogue, practitioner):
    # 0.5 % lidocaine in 5 ml. Lidocaine 2 %: 1.00/ml, i.e. 0.50 per % per ml;
    # a 1 % vial at 2.00 for 5 ml costs 0.40 per % per ml: cheaper, so 2.5 ml of it = 1.00.
    cheap = ProductFactory(brand="Generic", name="Lidocaine 1%", price=Decimal("2.00"))
    ProductComponentFactory(product=cheap, ingredient=catalogue.lidocaine, concentration=1)
    retired = ProductFactory(name="Old lidocaine", price=Decimal("0.01"), is_active=False)
    ProductComponentFactory(product=retired, ingredient=catalogue.lidocaine, concentration=2)
    cocktail = _cocktail(practitioner, [ingredient_part(catalogue.lidocaine, "0.5")])
    costing = formulation_costing(formulation=cocktail.current)
    assert costing.total == Decimal("1.00")
    assert costing.lines[0].source == cheap and costing.lines[0].ml == Decimal("2.5")


def test_an_ingredient_no_product_carries_is_listed_as_unpriced(catalogue, practitioner):
    rare = IngredientFactory(name="Rare peptide", usual_min=None, usual_max=None)
    cocktail = _cocktail(
        practitioner, [product_part(catalogue.c_vial, "1"), ingredient_part(rare, "1")]
    )
    costing = formulation_costing(formulation=cocktail.current)
    assert costing.total == Decimal("2.00")
    assert costing.unpriced == ("Rare peptide",)


def test_the_cost_of_a_version_does_not_depend_on_later_versions(face_glow, catalogue):
    first = face_glow.current
    assert formulation_cost(formulation=first) == formulation_cost(formulation=first)


def test_costing_a_version_runs_a_fixed_number_of_queries(
    catalogue, practitioner, django_assert_num_queries
):
    small = _cocktail(
        practitioner, [product_part(catalogue.ha_vial, "1"), ingredient_part(catalogue.vit_c, "20")]
    )
    large = cocktail_create(
        name="Large",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[
            product_part(catalogue.ha_vial, "1"),
            product_part(catalogue.c_vial, "1"),
            product_part(catalogue.lido_vial, "0.5"),
            ingredient_part(catalogue.vit_c, "20"),
            ingredient_part(catalogue.lidocaine, "0.5"),
        ],
        by=practitioner,
    )
    for cocktail in (small, large):
        # The version, its components, their products' compositions, the ingredients' carriers.
        with django_assert_num_queries(4):
            formulation_cost(formulation=cocktail.current)
