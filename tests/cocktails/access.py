"""What every cocktails URL answers to each role; merged into tests/access.py.

Cocktails are clinical (practitioners and the clinic manager); the catalogue is seen by the
same roles and managed by the manager only; receptionists reach none of it."""

from __future__ import annotations

from typing import Any

from tests.access_rule import ADMIN_ONLY, CLINICAL, Rule
from tests.cocktails.scenarios import make_catalogue, make_face_glow


def _cocktail(w: Any) -> dict[str, int]:
    return {"pk": w.cocktail.pk}


def _ingredient(w: Any) -> dict[str, int]:
    return {"pk": w.ingredient.pk}


def _product(w: Any) -> dict[str, int]:
    return {"pk": w.product.pk}


def _lot(w: Any) -> dict[str, int]:
    return {"pk": w.lot.pk}


RULES: dict[str, Rule] = {
    "cocktails:cocktail_list": Rule(ok=CLINICAL),
    "cocktails:cocktail_create": Rule(ok=CLINICAL),
    "cocktails:cocktail_detail": Rule(ok=CLINICAL, kwargs=_cocktail),
    "cocktails:cocktail_edit": Rule(ok=CLINICAL, kwargs=_cocktail),
    "cocktails:cocktail_archive": Rule(ok=CLINICAL, ok_status=405, kwargs=_cocktail),
    "cocktails:formulation_detail": Rule(
        ok=CLINICAL, kwargs=lambda w: {"pk": w.cocktail.current_id}
    ),
    "cocktails:builder_components": Rule(ok=CLINICAL, ok_status=405),
    "cocktails:builder_checks": Rule(ok=CLINICAL, ok_status=405),
    "cocktails:catalogue:ingredient_list": Rule(ok=CLINICAL),
    "cocktails:catalogue:ingredient_create": Rule(ok=ADMIN_ONLY),
    "cocktails:catalogue:ingredient_edit": Rule(ok=ADMIN_ONLY, kwargs=_ingredient),
    "cocktails:catalogue:ingredient_retire": Rule(ok=ADMIN_ONLY, ok_status=405, kwargs=_ingredient),
    "cocktails:catalogue:ingredient_restore": Rule(
        ok=ADMIN_ONLY, ok_status=405, kwargs=_ingredient
    ),
    "cocktails:catalogue:product_list": Rule(ok=CLINICAL),
    "cocktails:catalogue:product_create": Rule(ok=ADMIN_ONLY),
    "cocktails:catalogue:product_detail": Rule(ok=CLINICAL, kwargs=_product),
    "cocktails:catalogue:product_edit": Rule(ok=ADMIN_ONLY, kwargs=_product),
    "cocktails:catalogue:lot_list": Rule(ok=CLINICAL),
    "cocktails:catalogue:lot_receive": Rule(ok=ADMIN_ONLY),
    "cocktails:catalogue:lot_detail": Rule(ok=CLINICAL, kwargs=_lot),
    "cocktails:catalogue:lot_correct": Rule(ok=ADMIN_ONLY, kwargs=_lot),
    "cocktails:catalogue:lot_history": Rule(ok=CLINICAL, kwargs=_lot),
    "cocktails:catalogue:lot_recall": Rule(ok=ADMIN_ONLY, ok_status=405, kwargs=_lot),
    "cocktails:catalogue:lot_recipients_csv": Rule(ok=CLINICAL, kwargs=_lot),
}


def populate_world(world: Any) -> None:
    """Add to `world` the records this app's URLs with parameters need."""
    catalogue = make_catalogue()
    world.cocktail = make_face_glow(catalogue, world.practitioner)
    world.ingredient = catalogue.ha
    world.product = catalogue.ha_vial
    world.lot = catalogue.ha_lot
