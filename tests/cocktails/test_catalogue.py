"""The ingredient and product catalogue: what a clinic manager may change, and what is refused."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from cocktails.models import Ingredient, Product
from cocktails.services import (
    cocktail_archive,
    ingredient_create,
    ingredient_restore,
    ingredient_retire,
    ingredient_update,
    product_create,
    product_update,
)
from cocktails.starter_catalogue import STARTER_INGREDIENTS
from tests.cocktails.factories import IngredientFactory, ProductComponentFactory, ProductFactory
from tests.cocktails.scenarios import ingredient_part

pytestmark = pytest.mark.django_db


def _ingredient_fields(ingredient: Ingredient, **change) -> dict:
    fields = {
        "name": ingredient.name,
        "category": ingredient.category,
        "unit": ingredient.unit,
        "usual_min": ingredient.usual_min,
        "usual_max": ingredient.usual_max,
        "notes": ingredient.notes,
    }
    return fields | change


def test_the_data_migration_fills_the_catalogue_from_the_domain_notes():
    Ingredient.objects.all().delete()
    import_module("cocktails.migrations.0003_fill_ingredients").forward(apps, None)
    names = set(Ingredient.objects.values_list("name", flat=True))
    for expected in (
        "Hyaluronic acid",
        "Biotin",
        "Copper peptides",
        "Centella asiatica",
        "Hyaluronidase",
        "Deoxycholate",
        "Lidocaine",
        "Organic silicon",
    ):
        assert expected in names
    assert len(names) == len(STARTER_INGREDIENTS)
    lidocaine = Ingredient.objects.get(name="Lidocaine")
    assert (lidocaine.category, lidocaine.unit) == ("anaesthetic", "%")
    assert lidocaine.usual_min < lidocaine.usual_max


def test_the_data_migration_leaves_a_clinics_edits_alone():
    Ingredient.objects.filter(name="Lidocaine").update(usual_max=Decimal("0.8"))
    import_module("cocktails.migrations.0003_fill_ingredients").forward(apps, None)
    assert Ingredient.objects.get(name="Lidocaine").usual_max == Decimal("0.8")


@pytest.mark.parametrize(
    ("low", "high", "field", "message"),
    [
        ("5", "1", "usual_max", "must not be below"),
        ("-1", "1", "usual_min", "cannot be negative"),
    ],
)
def test_a_bad_usual_range_is_refused_at_the_field(low, high, field, message):
    with pytest.raises(ValidationError) as exc:
        ingredient_create(
            name="Niacinamide",
            category="vitamin",
            unit="mg/ml",
            usual_min=Decimal(low),
            usual_max=Decimal(high),
        )
    assert message in exc.value.message_dict[field][0]
    assert not Ingredient.objects.filter(name="Niacinamide").exists()


def test_a_duplicate_ingredient_name_is_refused_whatever_the_case():
    IngredientFactory(name="Niacinamide")
    with pytest.raises(ValidationError) as exc:
        ingredient_create(name="NIACINAMIDE", category="vitamin", unit="mg/ml")
    assert "already has an ingredient" in exc.value.message_dict["name"][0]


def test_the_unit_of_an_ingredient_in_use_cannot_change():
    ingredient = IngredientFactory()
    ProductComponentFactory(ingredient=ingredient)
    with pytest.raises(ValidationError) as exc:
        ingredient_update(ingredient=ingredient, **_ingredient_fields(ingredient, unit="%"))
    assert "cannot change" in exc.value.message_dict["unit"][0]
    ingredient.refresh_from_db()
    assert ingredient.unit == "mg/ml"


def test_an_unused_ingredient_may_change_unit():
    ingredient = IngredientFactory()
    ingredient_update(ingredient=ingredient, **_ingredient_fields(ingredient, unit="%"))
    ingredient.refresh_from_db()
    assert ingredient.unit == "%"


def test_an_ingredient_a_current_cocktail_uses_cannot_be_retired(catalogue, practitioner):
    from cocktails.services import cocktail_create

    cocktail = cocktail_create(
        name="Comfort",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[ingredient_part(catalogue.lidocaine, "0.5")],
        by=practitioner,
    )
    with pytest.raises(ValidationError) as exc:
        ingredient_retire(ingredient=catalogue.lidocaine)
    assert "Comfort" in exc.value.messages[0] and "Generic Lidocaine 2%" in exc.value.messages[0]
    catalogue.lidocaine.refresh_from_db()
    assert catalogue.lidocaine.is_active

    cocktail_archive(cocktail=cocktail)
    catalogue.lido_vial.is_active = False
    catalogue.lido_vial.save()
    ingredient_retire(ingredient=catalogue.lidocaine)
    assert not Ingredient.objects.get(pk=catalogue.lidocaine.pk).is_active
    ingredient_restore(ingredient=catalogue.lidocaine)
    assert Ingredient.objects.get(pk=catalogue.lidocaine.pk).is_active


def test_a_product_is_created_with_its_composition():
    biotin = IngredientFactory(name="Test biotin")
    zinc = IngredientFactory(name="Test zinc")
    product = product_create(
        brand="Capillis",
        name="Hair complex",
        volume_ml=Decimal("5"),
        price=Decimal("55"),
        components=[(biotin, Decimal("5")), (zinc, Decimal("0.5"))],
    )
    assert {(c.ingredient.name, c.concentration) for c in product.components.all()} == {
        ("Test biotin", Decimal("5")),
        ("Test zinc", Decimal("0.5")),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"volume_ml": Decimal("0")}, "volume_ml"),
        ({"price": Decimal("-1")}, "price"),
        ({"name": "HA 10"}, "name"),
        ({"components": "duplicate"}, "__all__"),
        ({"components": "zero"}, "__all__"),
    ],
)
def test_bad_products_are_refused_at_the_field(change, field):
    ProductFactory(brand="Mesolab", name="HA 10")
    biotin = IngredientFactory(name="Test biotin")
    components = {
        "duplicate": [(biotin, Decimal("1")), (biotin, Decimal("2"))],
        "zero": [(biotin, Decimal("0"))],
    }.get(change.get("components"), [(biotin, Decimal("5"))])
    values = {
        "brand": "mesolab",
        "name": "Hair complex",
        "volume_ml": Decimal("5"),
        "price": Decimal("10"),
    } | {k: v for k, v in change.items() if k != "components"}
    with pytest.raises(ValidationError) as exc:
        product_create(**values, components=components)
    assert field in exc.value.message_dict
    assert Product.objects.count() == 1


def test_editing_a_product_replaces_its_composition(catalogue):
    product_update(
        product=catalogue.c_vial,
        brand="Mesolab",
        name="Vita C",
        volume_ml=Decimal("5"),
        price=Decimal("12"),
        components=[(catalogue.vit_c, Decimal("150")), (catalogue.ha, Decimal("1"))],
        reorder_level=3,
        notes="",
        is_active=True,
    )
    assert {(c.ingredient_id, c.concentration) for c in catalogue.c_vial.components.all()} == {
        (catalogue.vit_c.pk, Decimal("150")),
        (catalogue.ha.pk, Decimal("1")),
    }


def test_a_product_a_current_cocktail_uses_cannot_be_withdrawn(face_glow, catalogue):
    with pytest.raises(ValidationError) as exc:
        product_update(
            product=catalogue.ha_vial,
            brand="Mesolab",
            name="HA 10",
            volume_ml=Decimal("5"),
            price=Decimal("40"),
            components=[(catalogue.ha, Decimal("10"))],
            reorder_level=2,
            notes="",
            is_active=False,
        )
    assert "Face glow" in exc.value.message_dict["is_active"][0]
    catalogue.ha_vial.refresh_from_db()
    assert catalogue.ha_vial.is_active
