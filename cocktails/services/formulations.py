"""Writes for cocktails: versioned formulations, checked for safety before they are saved."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cocktails.composition import Finding, Part, Recipe, review, warnings_digest
from cocktails.models import Cocktail, Formulation, FormulationComponent
from cocktails.selectors import patient_allergies

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
