"""Writes for the catalogue: ingredients and products."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cocktails.composition import concentration_ceiling_problem, concentration_problem
from cocktails.models import Ingredient, Product, ProductComponent
from cocktails.selectors import (
    ingredient_name_taken,
    ingredient_users,
    product_name_taken,
    product_users,
)

# --- Ingredients -----------------------------------------------------------------------------


def usual_range_problems(
    usual_min: Decimal | None, usual_max: Decimal | None, unit: str
) -> dict[str, str]:
    """What is wrong with an ingredient's usual concentration range, by field (a bound left
    out is not checked). The ingredient form asks this too, so its errors come at once."""
    errors = {}
    for field, value in (("usual_min", usual_min), ("usual_max", usual_max)):
        if value is not None and value < 0:
            errors[field] = "A concentration cannot be negative."
        elif value is not None and (message := concentration_ceiling_problem(value, unit)):
            errors[field] = message
    if not errors and usual_min is not None and usual_max is not None and usual_min > usual_max:
        errors["usual_max"] = "The upper end of the usual range must not be below the lower end."
    return errors


def _check_range(usual_min: Decimal | None, usual_max: Decimal | None, unit: str) -> None:
    errors = usual_range_problems(usual_min, usual_max, unit)
    if errors:
        raise ValidationError(errors)


def ingredient_name_problem(name: str, exclude_pk: int | None = None) -> str:
    """Why an ingredient cannot have this name ("" when it can); the form asks this too."""
    if ingredient_name_taken(name=name, exclude_pk=exclude_pk):
        return f"The catalogue already has an ingredient named {name}."
    return ""


def _check_ingredient_name(name: str, exclude_pk: int | None = None) -> None:
    if message := ingredient_name_problem(name, exclude_pk):
        raise ValidationError({"name": message})


@transaction.atomic
def ingredient_create(
    *,
    name: str,
    category: str,
    unit: str,
    usual_min: Decimal | None = None,
    usual_max: Decimal | None = None,
    notes: str = "",
) -> Ingredient:
    _check_ingredient_name(name)
    _check_range(usual_min, usual_max, unit)
    return Ingredient.objects.create(
        name=name,
        category=category,
        unit=unit,
        usual_min=usual_min,
        usual_max=usual_max,
        notes=notes,
    )


@transaction.atomic
def ingredient_update(
    *,
    ingredient: Ingredient,
    name: str,
    category: str,
    unit: str,
    usual_min: Decimal | None,
    usual_max: Decimal | None,
    notes: str,
) -> Ingredient:
    """Edit an ingredient. Its unit is fixed once a product or a cocktail uses it: changing
    it would silently change the meaning of every concentration already recorded."""
    _check_ingredient_name(name, exclude_pk=ingredient.pk)
    _check_range(usual_min, usual_max, unit)
    if unit != ingredient.unit and (
        ingredient.product_components.exists() or ingredient.formulation_components.exists()
    ):
        raise ValidationError(
            {
                "unit": f"{ingredient.name} is already used in {ingredient.unit} by products or "
                "cocktails, so its unit cannot change. Add a new ingredient instead."
            }
        )
    for field, value in {
        "name": name,
        "category": category,
        "unit": unit,
        "usual_min": usual_min,
        "usual_max": usual_max,
        "notes": notes,
    }.items():
        setattr(ingredient, field, value)
    ingredient.save()
    return ingredient


@transaction.atomic
def ingredient_retire(*, ingredient: Ingredient) -> Ingredient:
    """Take an ingredient out of the catalogue's choices. It is never deleted (allergies and
    past cocktails refer to it), and refused while an active product or cocktail uses it."""
    users = ingredient_users(ingredient=ingredient)
    if users:
        raise ValidationError(
            f"{ingredient.name} is still used by {', '.join(users)}. "
            "Change or archive those first; nothing was removed."
        )
    ingredient.is_active = False
    ingredient.save(update_fields=["is_active"])
    return ingredient


@transaction.atomic
def ingredient_restore(*, ingredient: Ingredient) -> Ingredient:
    ingredient.is_active = True
    ingredient.save(update_fields=["is_active"])
    return ingredient


# --- Products --------------------------------------------------------------------------------


def product_name_problem(*, brand: str, name: str, exclude_pk: int | None = None) -> str:
    """Why a product cannot have this brand and name ("" when it can): the product form asks
    this too, so the clash comes with its other errors."""
    if product_name_taken(brand=brand, name=name, exclude_pk=exclude_pk):
        return f"{brand} {name} is already in the catalogue."
    return ""


def product_archive_problem(product: Product) -> str:
    """Why `product` cannot be taken out of use now ("" when it can)."""
    users = product_users(product=product)
    return f"Still used by {', '.join(users)}: change or archive them first." if users else ""


def _check_product(
    *,
    brand: str,
    name: str,
    volume_ml: Decimal,
    price: Decimal,
    components: Sequence[tuple[Ingredient, Decimal]],
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if volume_ml <= 0:
        errors["volume_ml"] = "Enter the vial's volume in ml, above zero."
    if price < 0:
        errors["price"] = "A price cannot be negative."
    if message := product_name_problem(brand=brand, name=name, exclude_pk=exclude_pk):
        errors["name"] = message
    ingredient_ids = [ingredient.pk for ingredient, _ in components]
    if len(set(ingredient_ids)) != len(ingredient_ids):
        errors["__all__"] = "Each ingredient may appear only once in a product."
    for ingredient, concentration in components:
        if message := concentration_problem(concentration, ingredient.unit):
            errors["__all__"] = f"{ingredient.name}: {message}"
    if errors:
        raise ValidationError(errors)


def _set_product_components(
    product: Product, components: Sequence[tuple[Ingredient, Decimal]]
) -> None:
    wanted = {ingredient.pk: concentration for ingredient, concentration in components}
    for existing in product.components.all():
        if existing.ingredient_id not in wanted:
            existing.delete()
        elif existing.concentration != wanted[existing.ingredient_id]:
            existing.concentration = wanted[existing.ingredient_id]
            existing.save(update_fields=["concentration"])
        wanted.pop(existing.ingredient_id, None)
    for ingredient_id, concentration in wanted.items():
        ProductComponent.objects.create(
            product=product, ingredient_id=ingredient_id, concentration=concentration
        )


@transaction.atomic
def product_create(
    *,
    brand: str,
    name: str,
    volume_ml: Decimal,
    price: Decimal,
    components: Sequence[tuple[Ingredient, Decimal]],
    reorder_level: int = 5,
    notes: str = "",
) -> Product:
    _check_product(brand=brand, name=name, volume_ml=volume_ml, price=price, components=components)
    product = Product.objects.create(
        brand=brand,
        name=name,
        volume_ml=volume_ml,
        price=price,
        reorder_level=reorder_level,
        notes=notes,
    )
    _set_product_components(product, components)
    return product


@transaction.atomic
def product_update(
    *,
    product: Product,
    brand: str,
    name: str,
    volume_ml: Decimal,
    price: Decimal,
    components: Sequence[tuple[Ingredient, Decimal]],
    reorder_level: int,
    notes: str,
    is_active: bool,
) -> Product:
    _check_product(
        brand=brand,
        name=name,
        volume_ml=volume_ml,
        price=price,
        components=components,
        exclude_pk=product.pk,
    )
    if product.is_active and not is_active and (message := product_archive_problem(product)):
        raise ValidationError({"is_active": message})
    product.brand, product.name, product.notes = brand, name, notes
    product.volume_ml, product.price, product.reorder_level = volume_ml, price, reorder_level
    product.is_active = is_active
    product.save()
    _set_product_components(product, components)
    return product
