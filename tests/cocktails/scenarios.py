"""Ready-made catalogue and cocktails for tests, shared by fixtures and browser journeys."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from cocktails.composition import ML, Part
from cocktails.models import Cocktail, Ingredient, Product
from cocktails.services import cocktail_create
from tests.cocktails.factories import (
    IngredientFactory,
    LotFactory,
    ProductComponentFactory,
    ProductFactory,
)


def make_catalogue() -> SimpleNamespace:
    """Hyaluronic acid and vitamin C products, lidocaine, a lipolytic, and a lot of each."""
    ha = IngredientFactory(
        name="Test hyaluronic acid",
        category=Ingredient.Category.HYALURONIC_ACID,
        usual_min=Decimal("2"),
        usual_max=Decimal("20"),
    )
    vit_c = IngredientFactory(
        name="Test vitamin C", usual_min=Decimal("10"), usual_max=Decimal("100")
    )
    lidocaine = IngredientFactory(
        name="Test lidocaine",
        category=Ingredient.Category.ANAESTHETIC,
        unit=Ingredient.Unit.PERCENT,
        usual_min=Decimal("0.1"),
        usual_max=Decimal("1"),
    )
    pc = IngredientFactory(
        name="Test phosphatidylcholine",
        category=Ingredient.Category.LIPOLYTIC,
        usual_min=Decimal("25"),
        usual_max=Decimal("50"),
    )
    ha_vial = ProductFactory(brand="Mesolab", name="HA 10", price=Decimal("40.00"))
    ProductComponentFactory(product=ha_vial, ingredient=ha, concentration=Decimal("10"))
    c_vial = ProductFactory(brand="Mesolab", name="Vita C", price=Decimal("10.00"))
    ProductComponentFactory(product=c_vial, ingredient=vit_c, concentration=Decimal("100"))
    lido_vial = ProductFactory(brand="Generic", name="Lidocaine 2%", price=Decimal("5.00"))
    ProductComponentFactory(product=lido_vial, ingredient=lidocaine, concentration=Decimal("2"))
    return SimpleNamespace(
        ha=ha,
        vit_c=vit_c,
        lidocaine=lidocaine,
        pc=pc,
        ha_vial=ha_vial,
        c_vial=c_vial,
        lido_vial=lido_vial,
        ha_lot=LotFactory(product=ha_vial, lot_number="HA-001"),
        c_lot=LotFactory(product=c_vial, lot_number="VC-001"),
    )


def make_face_glow(catalogue: SimpleNamespace, by) -> Cocktail:
    """A clinic template: 2 ml HA 10 + 1 ml Vita C in 5 ml (HA 4 mg/ml, vitamin C 20 mg/ml)."""
    return cocktail_create(
        name="Face glow",
        indication="facial_rejuvenation",
        total_volume_ml=Decimal("5"),
        parts=[product_part(catalogue.ha_vial, "2"), product_part(catalogue.c_vial, "1")],
        by=by,
    )


def product_part(product: Product, ml: str, lot=None) -> Part:
    return Part(product=product, ingredient=None, amount=Decimal(ml), unit=ML, lot=lot)


def ingredient_part(ingredient: Ingredient, amount: str, unit: str | None = None) -> Part:
    return Part(
        product=None, ingredient=ingredient, amount=Decimal(amount), unit=unit or ingredient.unit
    )
