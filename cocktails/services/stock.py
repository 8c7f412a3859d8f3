"""Writes for stock: receiving, recalling and using lots (the traceability ledger)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import capfirst, get_text_list

from clinic.lib.dates import years_after
from cocktails.composition import lot_problem
from cocktails.models import (
    Formulation,
    FormulationComponent,
    Lot,
    LotUsage,
    Product,
    plain_number,
)
from cocktails.services.formulations import formulation_freeze

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser


# The change history keeps a correction's reason in a column of this size.
CORRECTION_REASON_MAX = Lot.history.model._meta.get_field("history_change_reason").max_length

# A vial's shelf life is a few years: an expiry further out than this is a typing mistake.
MAX_SHELF_LIFE_YEARS = 10


def lot_date_problems(
    *,
    received_on: datetime.date | None,
    expiry_date: datetime.date | None,
    today: datetime.date,
    correcting: bool = False,
) -> dict[str, str]:
    """What is wrong with a delivery's dates, by field (a date left out is not checked).

    The receipt and correction forms ask this too, so every date error comes back with the
    others at once. A correction may give an expiry already past: a lot received long ago
    must still be correctable, and its true expiry is what tracing needs."""
    errors: dict[str, str] = {}
    if received_on is not None and received_on > today:
        errors["received_on"] = "A lot cannot be received after today: enter the day it arrived."
    if expiry_date is None:
        return errors
    if received_on is not None and expiry_date < received_on:
        errors["expiry_date"] = "The expiry date cannot be before the date of receipt."
    elif expiry_date < today and not correcting:
        errors["expiry_date"] = "This lot has already expired: it must not be put in stock."
    elif expiry_date > years_after(min(received_on or today, today), MAX_SHELF_LIFE_YEARS):
        errors["expiry_date"] = (
            f"An expiry more than {MAX_SHELF_LIFE_YEARS} years after receipt is not plausible: "
            "check the date on the box."
        )
    return errors


def _lot_problems(
    *,
    product: Product,
    lot_number: str,
    expiry_date: datetime.date | None,
    received_on: datetime.date | None,
    quantity: int | None,
    lot: Lot | None = None,
) -> dict[str, str]:
    """What is wrong with a lot's details as received, by field: at receipt, or when `lot` is
    corrected (then its own number is no clash, and an expiry already past is accepted)."""
    errors: dict[str, str] = {}
    others = Lot.objects.filter(product=product, lot_number__iexact=lot_number)
    if lot is not None:
        others = others.exclude(pk=lot.pk)
    if not lot_number:
        errors["lot_number"] = "Enter the lot number printed on the box."
    elif others.exists():
        errors["lot_number"] = f"Lot {lot_number} of {product} has already been received."
    if quantity is None or quantity <= 0:
        errors["quantity"] = "Enter the number of vials received, at least 1."
    errors |= lot_date_problems(
        received_on=received_on,
        expiry_date=expiry_date,
        today=timezone.localdate(),
        correcting=lot is not None,
    )
    return errors


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
    errors = _lot_problems(
        product=product,
        lot_number=lot_number,
        expiry_date=expiry_date,
        received_on=received_on,
        quantity=quantity,
    )
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


def _product_change_problem(*, lot: Lot, product: Product) -> str:
    """Why `lot` (locked, its product loaded) may not be recorded as `product`, or "".

    A lot entered under the wrong product is moved to the right one with its stock, but only
    while the records of its use stay true: no cocktail version names the lot as its old
    product, every cocktail it was injected with contains the new product, and every recorded
    use fits in the new product's vials. Otherwise past clinical records would claim that
    patients received a product they could not have received: that is an incident to record
    on their sessions, not a typing mistake to correct here. Cancelled uses record no
    injection and do not count."""
    if not product.is_active:
        return (
            f"{product} has been withdrawn from the catalogue: put it back in the catalogue "
            "before moving a lot to it."
        )
    named = (
        FormulationComponent.objects.filter(lot=lot)
        .values_list("formulation__cocktail__name", "formulation__number", "formulation__frozen_at")
        .order_by("formulation__cocktail__name", "formulation__number")
        .distinct()
    )
    if named:
        versions = get_text_list([f"{name} v{number}" for name, number, _ in named], "and")
        if any(frozen_at for *_, frozen_at in named):
            return (
                f"Lot {lot.lot_number} is named as {lot.product} in {versions}, already given "
                "to patients: those records would then name a lot of another product, so the "
                "lot's product cannot change."
            )
        return (
            f"Lot {lot.lot_number} is chosen as {lot.product} in {versions}: choose another "
            "lot there first."
        )
    injected = lot.usages.filter(cancelled_at__isnull=True)
    without = (
        injected.filter(formulation__isnull=False)
        .exclude(formulation__components__product=product)
        .values_list("formulation__cocktail__name", "formulation__number")
        .annotate(uses=Count("pk"))
        .order_by("formulation__cocktail__name", "formulation__number")
    )
    if without:
        uses = sum(count for *_, count in without)
        versions = get_text_list([f"{name} v{number}" for name, number, _ in without], "and")
        return (
            f"Lot {lot.lot_number} was injected {uses} time{pluralize(uses)} as part of "
            f"{versions}, which contain{pluralize(len(without), 's,')} no {product}: those "
            "records would then claim a product their cocktail does not hold. If that is what "
            "happened, record it on those sessions as an incident; the lot keeps its product."
        )
    vial_ml = product.volume_ml
    too_full = injected.filter(volume_ml__gt=F("quantity") * vial_ml).count()
    if too_full:
        return (
            f"{too_full} recorded use{pluralize(too_full)} of this lot took more than "
            f"{product} vials hold ({plain_number(vial_ml)} ml each): those records would then "
            "be impossible, so the lot keeps its product."
        )
    return ""


@transaction.atomic
def lot_correct(
    *,
    lot: Lot,
    lot_number: str,
    expiry_date: datetime.date,
    received_on: datetime.date,
    quantity: int,
    reason: str,
    by: User,
    product: Product | None = None,
    received_by: User | None = None,
) -> Lot:
    """Correct a lot's details as received: a mistyped number, date or count of vials, the
    product it was entered under, or who received it (`product` and `received_by` left out
    are kept; who received a lot cannot be unrecorded).

    The lot row is locked first, so a session using the lot meanwhile waits, and the vials
    left are recomputed from the vials already used: left = received - used. A lot moved to
    another product takes its vials with it (stock is counted from the lots), if the records
    of its use allow it (see _product_change_problem). The change history keeps the old
    values, who corrected them, when and `reason`. A recall stays."""
    locked = Lot.objects.select_for_update().select_related("product").get(pk=lot.pk)
    lot_number = lot_number.strip()
    reason = reason.strip()
    product = product or locked.product
    moved = product.pk != locked.product_id
    errors = _lot_problems(
        product=product,
        lot_number=lot_number,
        expiry_date=expiry_date,
        received_on=received_on,
        quantity=quantity,
        lot=locked,
    )
    clash_field = _clash_field(locked, lot_number=lot_number, moved=moved)
    if clash_field != "lot_number" and "lot_number" in errors and lot_number:
        errors[clash_field] = errors.pop("lot_number")
    if moved and "product" not in errors:
        problem = _product_change_problem(lot=locked, product=product)
        if problem:
            errors["product"] = problem
    used = locked.quantity_used
    if "quantity" not in errors and quantity < used:
        errors["quantity"] = (
            f"{used} vial(s) of this lot have already been used: "
            "it cannot have been received with fewer."
        )
    first_use = locked.usages.filter(cancelled_at__isnull=True).aggregate(first=Min("used_at"))
    if first_use["first"] and "received_on" not in errors:
        first_day = timezone.localdate(first_use["first"])
        if received_on is not None and received_on > first_day:
            errors["received_on"] = (
                f"This lot was first used on {first_day:%d/%m/%Y}: "
                "it was received on that day or before."
            )
    values = {
        "product": product,
        "lot_number": lot_number,
        "expiry_date": expiry_date,
        "received_on": received_on,
        "quantity_received": quantity,
        "received_by": received_by or locked.received_by,
    }
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not errors and not changed:
        raise ValidationError("Nothing was changed: the lot already has these details.")
    if not reason:
        errors["reason"] = "Say why the lot is corrected (e.g. lot number mistyped)."
    elif len(reason) > CORRECTION_REASON_MAX:
        errors["reason"] = f"Keep the reason to {CORRECTION_REASON_MAX} characters."
    if errors:
        raise ValidationError(errors)
    for name in changed:
        setattr(locked, name, values[name])
    locked.quantity_left = quantity - used
    locked._history_user = by
    locked._change_reason = reason
    try:
        # A savepoint, so a clash with a lot received meanwhile is refused at its field.
        with transaction.atomic():
            locked.save(update_fields=[*changed, "quantity_left"])
    except IntegrityError as exc:
        if "lot_unique_per_product" not in str(exc):
            raise
        raise ValidationError(
            {clash_field: f"Lot {lot_number} of {product} has already been received."}
        ) from exc
    return locked


def _clash_field(lot: Lot, *, lot_number: str, moved: bool) -> str:
    """Where a clash with a lot already received is shown: at the product when only the
    product changed (the number was right: the other product has this lot already)."""
    same_number = lot_number.lower() == lot.lot_number.lower()
    return "product" if moved and same_number else "lot_number"


@transaction.atomic
def lot_recall(*, lot: Lot, reason: str) -> Lot:
    """Withdraw a lot: it can no longer be used, and its recipients are listed on its page."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the lot is recalled (e.g. the notice number)."})
    limit = Lot._meta.get_field("recall_reason").max_length
    if len(reason) > limit:
        raise ValidationError({"reason": f"Keep the reason to {limit} characters."})
    if lot.is_recalled:
        raise ValidationError(f"Lot {lot.lot_number} was already recalled.")
    lot.recalled_at = timezone.now()
    lot.recall_reason = reason
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
    the day of use, recalled or without enough vials, or that was moved to another product
    since `lot` was read (the caller checked the product it was given against the cocktail).
    The formulation used, if given, is frozen.
    """
    used_at = used_at or timezone.now()
    if quantity is None or quantity <= 0:
        raise ValidationError({"quantity": "Use at least one vial."})
    used_on = timezone.localdate(used_at)
    product_id = lot.product_id
    taken = Lot.objects.filter(
        pk=lot.pk,
        product_id=product_id,
        quantity_left__gte=quantity,
        expiry_date__gte=used_on,
        recalled_at__isnull=True,
    ).update(quantity_left=F("quantity_left") - quantity)
    lot.refresh_from_db(fields=["quantity_left", "expiry_date", "recalled_at"])
    if not taken:
        problem = lot_problem(lot, used_on)
        moved_to = Product.objects.filter(lots=lot.pk).exclude(pk=product_id).first()
        if moved_to is not None:
            problem = (
                f"lot {lot.lot_number} has just been corrected to {moved_to}: "
                "check it against the cocktail and choose it again."
            )
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
