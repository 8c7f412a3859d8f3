"""Writes for the catalogue, stock and cocktails.

Every function is keyword-only and atomic, and refuses bad input with a ValidationError keyed
by the form field it concerns, so pages can show the message where the mistake is.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import capfirst

from cocktails.composition import Finding, Part, Recipe, lot_problem, review, warnings_digest
from cocktails.models import (
    Cocktail,
    Formulation,
    FormulationComponent,
    Ingredient,
    Lot,
    LotUsage,
    Product,
    ProductComponent,
)
from cocktails.selectors import ingredient_users, patient_allergies, product_users

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser


class FormulationRefused(ValidationError):
    """Saving a cocktail was refused; `findings` say why, component by component."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        super().__init__([finding.message for finding in self.findings])


class AcknowledgementRequired(ValidationError):
    """The cocktail has warnings the author has not acknowledged (or not these ones)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        self.digest = warnings_digest(self.findings)
        super().__init__(
            "Review the warnings and tick the box to confirm the cocktail is intended.",
            code="acknowledge",
        )


# --- Ingredients -----------------------------------------------------------------------------


def _check_range(usual_min: Decimal | None, usual_max: Decimal | None) -> None:
    errors = {}
    for field, value in (("usual_min", usual_min), ("usual_max", usual_max)):
        if value is not None and value < 0:
            errors[field] = "A concentration cannot be negative."
    if not errors and usual_min is not None and usual_max is not None and usual_min > usual_max:
        errors["usual_max"] = "The upper end of the usual range must not be below the lower end."
    if errors:
        raise ValidationError(errors)


def _check_ingredient_name(name: str, exclude_pk: int | None = None) -> None:
    others = Ingredient.objects.filter(name__iexact=name).exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": f"The catalogue already has an ingredient named {name}."})


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
    _check_range(usual_min, usual_max)
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
    _check_range(usual_min, usual_max)
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
    same = Product.objects.filter(brand__iexact=brand, name__iexact=name).exclude(pk=exclude_pk)
    if same.exists():
        errors["name"] = f"{brand} {name} is already in the catalogue."
    ingredient_ids = [ingredient.pk for ingredient, _ in components]
    if len(set(ingredient_ids)) != len(ingredient_ids):
        errors["__all__"] = "Each ingredient may appear only once in a product."
    if any(concentration <= 0 for _, concentration in components):
        errors["__all__"] = "Every concentration must be above zero."
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
    if product.is_active and not is_active:
        users = product_users(product=product)
        if users:
            raise ValidationError(
                {"is_active": f"Still used by {', '.join(users)}: change or archive them first."}
            )
    product.brand, product.name, product.notes = brand, name, notes
    product.volume_ml, product.price, product.reorder_level = volume_ml, price, reorder_level
    product.is_active = is_active
    product.save()
    _set_product_components(product, components)
    return product


# --- Lots and stock --------------------------------------------------------------------------


@transaction.atomic
def lot_receive(
    *,
    product: Product,
    lot_number: str,
    expiry_date: datetime.date,
    quantity: int,
    received_on: datetime.date,
    by: User,
) -> Lot:
    """Record a delivery of `quantity` vials of one lot."""
    lot_number = lot_number.strip()
    errors: dict[str, str] = {}
    if not lot_number:
        errors["lot_number"] = "Enter the lot number printed on the box."
    elif Lot.objects.filter(product=product, lot_number__iexact=lot_number).exists():
        errors["lot_number"] = f"Lot {lot_number} of {product} has already been received."
    if quantity is None or quantity <= 0:
        errors["quantity"] = "Enter the number of vials received, at least 1."
    if expiry_date < received_on:
        errors["expiry_date"] = "The expiry date cannot be before the date of receipt."
    elif expiry_date < timezone.localdate():
        errors["expiry_date"] = "This lot has already expired: it must not be put in stock."
    if not product.is_active:
        errors["product"] = f"{product} has been withdrawn from the catalogue."
    if errors:
        raise ValidationError(errors)
    return Lot.objects.create(
        product=product,
        lot_number=lot_number,
        expiry_date=expiry_date,
        received_on=received_on,
        quantity_received=quantity,
        quantity_left=quantity,
        received_by=by,
    )


@transaction.atomic
def lot_recall(*, lot: Lot, reason: str) -> Lot:
    """Withdraw a lot: it can no longer be used, and its recipients are listed on its page."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lot is recalled (e.g. the notice number)."})
    if lot.is_recalled:
        raise ValidationError(f"Lot {lot.lot_number} was already recalled.")
    lot.recalled_at = timezone.now()
    lot.recall_reason = reason.strip()
    lot.save(update_fields=["recalled_at", "recall_reason"])
    return lot


@transaction.atomic
def lot_consume(
    *,
    lot: Lot,
    quantity: int,
    patient: Any,
    practitioner: User,
    used_at: datetime.datetime | None = None,
    formulation: Formulation | None = None,
    volume_ml: Decimal | None = None,
    reference: str = "",
) -> LotUsage:
    """Use `quantity` vials of `lot` for `patient` and record it in the traceability ledger.

    Safe under concurrent sessions: the decrement is one conditional UPDATE, so when two
    sessions race for the last vial PostgreSQL serialises them on the row and the second finds
    no vial left (the CHECK quantity_left >= 0 backs this up). Refuses a lot that is expired on
    the day of use, recalled or without enough vials. The formulation used, if given, is frozen.
    """
    used_at = used_at or timezone.now()
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": "Use at least one vial."})
    used_on = timezone.localdate(used_at)
    taken = Lot.objects.filter(
        pk=lot.pk,
        quantity_left__gte=quantity,
        expiry_date__gte=used_on,
        recalled_at__isnull=True,
    ).update(quantity_left=F("quantity_left") - quantity)
    lot.refresh_from_db(fields=["quantity_left", "expiry_date", "recalled_at"])
    if not taken:
        problem = lot_problem(lot, used_on)
        if not problem:
            problem = f"lot {lot.lot_number} has only {lot.quantity_left} vial(s) left."
        raise ValidationError({"lot": capfirst(problem)})
    if formulation is not None:
        formulation_freeze(formulation=formulation)
    return LotUsage.objects.create(
        lot=lot,
        quantity=quantity,
        volume_ml=volume_ml,
        patient=patient,
        practitioner=practitioner,
        used_at=used_at,
        formulation=formulation,
        reference=reference,
    )


@transaction.atomic
def lot_usage_cancel(*, usage: LotUsage, by: User, reason: str) -> LotUsage:
    """Undo a use recorded in error: the vials go back to the lot; the row stays, marked."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this use is cancelled."})
    cancelled = LotUsage.objects.filter(pk=usage.pk, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now(), cancelled_by=by, cancel_reason=reason.strip()
    )
    if not cancelled:
        raise ValidationError("This use of the lot was already cancelled.")
    Lot.objects.filter(pk=usage.lot_id).update(quantity_left=F("quantity_left") + usage.quantity)
    usage.refresh_from_db()
    return usage


# --- Cocktails -------------------------------------------------------------------------------


def _checked(*, recipe: Recipe, patient: Any | None, acknowledged: str, by: User) -> dict[str, Any]:
    """Refuse absolute problems; demand an acknowledgement of exactly the current warnings.
    Returns what to record on the version about the acknowledgement."""
    findings = review(
        recipe,
        allergen_ids=patient_allergies(patient).ingredient_ids,
        today=timezone.localdate(),
        for_patient=patient is not None,
    )
    refusals = [f for f in findings if f.refuses]
    if refusals:
        raise FormulationRefused(refusals)
    warnings = [f for f in findings if not f.refuses]
    if not warnings:
        return {"acknowledged_warnings": [], "acknowledged_by": None, "acknowledged_at": None}
    if acknowledged != warnings_digest(warnings):
        raise AcknowledgementRequired(warnings)
    return {
        "acknowledged_warnings": [f.as_record() for f in warnings],
        "acknowledged_by": by,
        "acknowledged_at": timezone.now(),
    }


def _check_name(name: str, *, patient: Any | None, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the cocktail a name."})
    if patient is None:
        clash = Cocktail.objects.filter(
            name__iexact=name, patient__isnull=True, archived_at__isnull=True
        ).exclude(pk=exclude_pk)
        if clash.exists():
            raise ValidationError({"name": f"There is already a template called {name}."})
    return name


def _write_components(formulation: Formulation, parts: Sequence[Part]) -> None:
    # One by one (not bulk_create) so django-simple-history records each row.
    for position, part in enumerate(parts):
        FormulationComponent.objects.create(
            formulation=formulation,
            position=position,
            product=part.product,
            ingredient=part.ingredient,
            lot=part.lot,
            amount=part.amount,
            unit=part.unit,
        )


@transaction.atomic
def cocktail_create(
    *,
    name: str,
    indication: str,
    total_volume_ml: Decimal,
    parts: Sequence[Part],
    by: User,
    patient: Any | None = None,
    template: Cocktail | None = None,
    notes: str = "",
    acknowledged: str = "",
) -> Cocktail:
    """Create a clinic template (no patient) or a patient's cocktail, as version 1.

    `acknowledged` is the digest of the warnings the author accepted (see warnings_digest)."""
    name = _check_name(name, patient=patient)
    if template is not None and not template.is_template:
        raise ValidationError("A cocktail can only be derived from a clinic template.")
    recipe = Recipe(indication, total_volume_ml, tuple(parts))
    acknowledgement = _checked(recipe=recipe, patient=patient, acknowledged=acknowledged, by=by)
    cocktail = Cocktail.objects.create(
        name=name, indication=indication, patient=patient, template=template, created_by=by
    )
    version = Formulation.objects.create(
        cocktail=cocktail,
        number=1,
        total_volume_ml=total_volume_ml,
        notes=notes,
        created_by=by,
        **acknowledgement,
    )
    _write_components(version, parts)
    cocktail.current = version
    cocktail.save(update_fields=["current"])
    return cocktail


def _same_content(version: Formulation, total_volume_ml: Decimal, parts: Sequence[Part]) -> bool:
    saved = [
        (c.product_id, c.ingredient_id, c.lot_id, c.amount, c.unit)
        for c in version.components.all()
    ]
    wanted = [
        (
            p.product.pk if p.product else None,
            p.ingredient.pk if p.ingredient else None,
            p.lot.pk if p.lot else None,
            p.amount,
            p.unit,
        )
        for p in parts
    ]
    return version.total_volume_ml == total_volume_ml and saved == wanted


@transaction.atomic
def cocktail_revise(
    *,
    cocktail: Cocktail,
    name: str,
    indication: str,
    total_volume_ml: Decimal,
    parts: Sequence[Part],
    by: User,
    notes: str = "",
    acknowledged: str = "",
) -> Formulation:
    """Adjust a cocktail. The current version is changed in place until it has been used;
    once frozen, the adjustment becomes a new version and the frozen one stays as injected.
    Returns the version now current."""
    cocktail = Cocktail.objects.select_for_update().get(pk=cocktail.pk)
    if cocktail.is_archived:
        raise ValidationError("This cocktail is archived and can no longer be changed.")
    current = Formulation.objects.select_for_update().get(pk=cocktail.current_id)
    name = _check_name(name, patient=cocktail.patient, exclude_pk=cocktail.pk)
    recipe = Recipe(indication, total_volume_ml, tuple(parts))
    acknowledgement = _checked(
        recipe=recipe, patient=cocktail.patient, acknowledged=acknowledged, by=by
    )
    if (cocktail.name, cocktail.indication) != (name, indication):
        cocktail.name, cocktail.indication = name, indication
        cocktail.save(update_fields=["name", "indication"])
    unchanged = _same_content(current, total_volume_ml, parts)
    if current.is_frozen:
        if unchanged and current.notes == notes:
            return current
        current = Formulation.objects.create(
            cocktail=cocktail,
            number=current.number + 1,
            total_volume_ml=total_volume_ml,
            notes=notes,
            created_by=by,
            **acknowledgement,
        )
        cocktail.current = current
        cocktail.save(update_fields=["current"])
        _write_components(current, parts)
        return current
    current.total_volume_ml, current.notes = total_volume_ml, notes
    for field, value in acknowledgement.items():
        setattr(current, field, value)
    current.save()
    if not unchanged:
        for component in current.components.all():
            component.delete()
        _write_components(current, parts)
    return current


@transaction.atomic
def formulation_freeze(*, formulation: Formulation) -> Formulation:
    """Mark a version as used (call it when a session injects it): from then on it never
    changes, and adjusting the cocktail makes a new version. Idempotent."""
    locked = Formulation.objects.select_for_update().get(pk=formulation.pk)
    if locked.frozen_at is None:
        locked.frozen_at = timezone.now()
        locked.save(update_fields=["frozen_at"])
    formulation.frozen_at = locked.frozen_at
    return formulation


@transaction.atomic
def cocktail_freeze_current(*, cocktail: Cocktail) -> Formulation:
    """The version a session is about to inject, frozen: what the session should point at.

    The cocktail row is locked first, as cocktail_revise does, so an adjustment being saved at
    the same moment either lands before (and is what gets frozen) or becomes a new version."""
    locked = Cocktail.objects.select_for_update().get(pk=cocktail.pk)
    if locked.is_archived:
        raise ValidationError(f"{locked.name} is archived: choose a current cocktail.")
    return formulation_freeze(formulation=Formulation.objects.get(pk=locked.current_id))


@transaction.atomic
def cocktail_archive(*, cocktail: Cocktail) -> Cocktail:
    """Hide a cocktail from lists and the builder; its versions stay for the record."""
    if cocktail.is_archived:
        raise ValidationError("This cocktail is already archived.")
    cocktail.archived_at = timezone.now()
    cocktail.save(update_fields=["archived_at"])
    return cocktail
