"""Reads the cocktail pages share. Each owns its joins so a page runs a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.lib.history import BOOKKEEPING, Change, record_changes, tracked_fields
from clinic.lib.orm import deferred_except
from clinic.roles import Capability, can
from cocktails.composition import Costing, Finding, Part, Recipe, costing, safety_findings
from cocktails.models import (
    EXPIRY_WARNING_DAYS,
    Cocktail,
    Formulation,
    FormulationComponent,
    Ingredient,
    Lot,
    LotUsage,
    Product,
    ProductComponent,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


# --- Catalogue -------------------------------------------------------------------------------


def products_with_components() -> QuerySet[Product]:
    return Product.objects.prefetch_related(
        Prefetch("components", queryset=ProductComponent.objects.select_related("ingredient"))
    )


def usable_stock_filter(today: datetime.date, prefix: str = "") -> Q:
    """Lots that may still be used: in date and not recalled (stock is what is left of them)."""
    return Q(**{f"{prefix}expiry_date__gte": today, f"{prefix}recalled_at__isnull": True})


def _with_stock(products: QuerySet[Product], today: datetime.date) -> QuerySet[Product]:
    """Annotate usable vials in stock and the next expiry among them."""
    usable = usable_stock_filter(today, "lots__") & Q(lots__quantity_left__gt=0)
    return products.annotate(
        stock=Coalesce(Sum("lots__quantity_left", filter=usable), 0),
        next_expiry=Min("lots__expiry_date", filter=usable),
    )


def product_list(*, today: datetime.date) -> QuerySet[Product]:
    """Products with their composition, usable vials in stock and the next expiry."""
    return _with_stock(products_with_components(), today)


def ingredient_list(*, include_retired: bool) -> QuerySet[Ingredient]:
    ingredients = Ingredient.objects.annotate(
        product_count=Count("product_components", distinct=True)
    )
    return ingredients if include_retired else ingredients.filter(is_active=True)


def ingredient_users(*, ingredient: Ingredient) -> list[str]:
    """Names of what still relies on `ingredient`: active products and the current version of
    active cocktails. Retiring it is refused while this list is not empty."""
    products = Product.objects.filter(is_active=True, components__ingredient=ingredient)
    cocktails = Cocktail.objects.filter(
        archived_at__isnull=True,
        current__components__ingredient=ingredient,
    )
    return [str(p) for p in products.distinct()] + [c.name for c in cocktails.distinct()]


def ingredient_name_taken(*, name: str, exclude_pk: int | None = None) -> bool:
    """Whether another ingredient has this name, whatever its case."""
    return Ingredient.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists()


def product_name_taken(*, brand: str, name: str, exclude_pk: int | None = None) -> bool:
    """Whether another product has this brand and name (compared as the database does)."""
    same = Product.objects.filter(brand__iexact=brand, name__iexact=name)
    return same.exclude(pk=exclude_pk).exists()


def product_users(*, product: Product) -> list[str]:
    """Active cocktails whose current version draws on `product`."""
    return list(
        Cocktail.objects.filter(archived_at__isnull=True, current__components__product=product)
        .distinct()
        .values_list("name", flat=True)
    )


LOT_STATUSES = {
    "in_stock": "In stock",
    "expiring": "Expiring soon",
    "expired": "Expired",
    "recalled": "Recalled",
    "used_up": "Used up",
}


def _lot_status_filters(today: datetime.date) -> dict[str, Q]:
    soon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    in_stock = usable_stock_filter(today) & Q(quantity_left__gt=0)
    return {
        "in_stock": in_stock,
        "expiring": in_stock & Q(expiry_date__lte=soon),
        "expired": Q(expiry_date__lt=today, quantity_left__gt=0, recalled_at__isnull=True),
        "recalled": Q(recalled_at__isnull=False),
        "used_up": Q(quantity_left=0),
    }


def lot_list(*, status: str, today: datetime.date, product: Product | None = None) -> QuerySet[Lot]:
    """Lots in one of LOT_STATUSES (or "all"), soonest expiry first for the stock on hand."""
    lots = Lot.objects.select_related("product")
    if product is not None:
        lots = lots.filter(product=product)
    if status in LOT_STATUSES:
        lots = lots.filter(_lot_status_filters(today)[status])
    return lots.order_by("-received_on", "lot_number") if status in {"used_up", "all"} else lots


def lot_status_counts(*, today: datetime.date) -> dict[str, int]:
    """How many lots each status holds, in one query."""
    return Lot.objects.aggregate(
        **{key: Count("pk", filter=q) for key, q in _lot_status_filters(today).items()}
    )


# What a recall list shows of the people on it: the patient's name and date of birth, and
# the practitioners' names. Not their contact details, clinical notes or password hashes.
_RECIPIENT_FIELDS = {
    "patient": {"id", "first_name", "last_name", "date_of_birth"},
    "practitioner": {"id", "first_name", "last_name", "username"},
    "cancelled_by": {"id", "first_name", "last_name", "username"},
}


def lot_recipients(*, lot: Lot) -> QuerySet[LotUsage]:
    """Everyone who received `lot`, with when, by whom and from which cocktail version: the
    recall question, answered in one query whatever the number of sessions."""
    return (
        LotUsage.objects.filter(lot=lot)
        .select_related("patient", "practitioner", "formulation__cocktail", "cancelled_by")
        .defer(*deferred_except(LotUsage, _RECIPIENT_FIELDS))
    )


# The fields of a lot its page lists changes of: the vials left change with every use and are
# not in its history (a correction recomputes them from the vials received). The product and
# who received the lot are shown by name.
_LOT_HISTORY_FIELDS = tracked_fields(
    Lot, BOOKKEEPING | {"quantity_left"}, relations=("product", "received_by")
)


def _lot_change_title(record: Any) -> str:
    if record.history_type == "+":
        return "Received"
    if record.history_change_reason:
        return "Corrected"
    return "Recalled" if record.recalled_at else "Changed"


def lot_history_records(*, lot: Lot) -> QuerySet:
    """The versions of `lot` its change history is read from, newest first (what a page of the
    full history counts and pages through)."""
    return Lot.history.model._default_manager.filter(id=lot.pk).order_by(
        "-history_date", "-history_id"
    )


def lot_change_history(*, lot: Lot, limit: int = 50, offset: int = 0) -> list[Change]:
    """The changes to a lot (its receipt, corrections, recall), newest first, from the
    `offset`-th version on and `limit` at most, with who made them, when, what changed and
    why: one query, however many there are."""
    records = list(
        lot_history_records(lot=lot).select_related("history_user", "product", "received_by")[
            offset : offset + limit + 1
        ]
    )
    return record_changes(
        records, fields=_LOT_HISTORY_FIELDS, describe=_lot_change_title, limit=limit
    )


@dataclass(frozen=True)
class StockAlerts:
    expiring: list[Lot]
    expired: list[Lot]
    low_stock: list[Product]

    def __bool__(self) -> bool:
        return bool(self.expiring or self.expired or self.low_stock)


def stock_alerts(*, today: datetime.date) -> StockAlerts:
    """Lots to use or discard soon and products to reorder (two queries)."""
    soon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    lots = list(
        Lot.objects.select_related("product")
        .filter(quantity_left__gt=0, recalled_at__isnull=True, expiry_date__lte=soon)
        .order_by("expiry_date", "lot_number")
    )
    low = list(
        _with_stock(Product.objects.filter(is_active=True), today)
        .filter(stock__lt=F("reorder_level"))
        .order_by("brand", "name")
    )
    return StockAlerts(
        expiring=[lot for lot in lots if not lot.is_expired_on(today)],
        expired=[lot for lot in lots if lot.is_expired_on(today)],
        low_stock=low,
    )


# --- Cocktails -------------------------------------------------------------------------------


def _components_prefetch(lookup: str = "components") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=FormulationComponent.objects.select_related(
            "product", "ingredient", "lot"
        ).prefetch_related(
            Prefetch(
                "product__components",
                queryset=ProductComponent.objects.select_related("ingredient"),
            )
        ),
    )


def cocktail_list(*, kind: str, indication: str = "", query: str = "") -> QuerySet[Cocktail]:
    """Active templates (kind "templates") or patients' cocktails, with their current version."""
    cocktails = Cocktail.objects.filter(archived_at__isnull=True).select_related(
        "current", "patient", "template"
    )
    cocktails = cocktails.annotate(component_count=Count("current__components"))
    if kind == "templates":
        cocktails = cocktails.filter(patient__isnull=True)
    else:
        cocktails = cocktails.filter(patient__isnull=False)
    if indication:
        cocktails = cocktails.filter(indication=indication)
    if query:
        cocktails = cocktails.filter(
            Q(name__icontains=query)
            | Q(patient__last_name__icontains=query)
            | Q(patient__first_name__icontains=query)
        )
    return cocktails.order_by("name", "pk")


def cocktail_for_user(*, user: AbstractBaseUser, pk: int) -> Cocktail:
    """A cocktail this user may see, with its current version's components loaded.

    Cocktails are clinical records: only roles that see clinical data reach them."""
    if not can(user, Capability.VIEW_CLINICAL):
        raise PermissionDenied
    return get_object_or_404(
        Cocktail.objects.select_related(
            "patient", "template", "current__acknowledged_by"
        ).prefetch_related(_components_prefetch("current__components")),
        pk=pk,
    )


def formulation_for_user(*, user: AbstractBaseUser, pk: int) -> Formulation:
    """One exact version (as injected in a session), with its components loaded."""
    if not can(user, Capability.VIEW_CLINICAL):
        raise PermissionDenied
    return get_object_or_404(
        Formulation.objects.select_related(
            "cocktail__patient", "cocktail__current", "created_by", "acknowledged_by"
        ).prefetch_related(_components_prefetch()),
        pk=pk,
    )


def cocktail_versions(*, cocktail: Cocktail) -> QuerySet[Formulation]:
    """Every version, newest first, with how often and when it was last used."""
    used = Q(lot_usages__cancelled_at__isnull=True)
    return (
        cocktail.versions.select_related("created_by")
        .annotate(
            usage_count=Count("lot_usages", filter=used),
            last_used=Max("lot_usages__used_at", filter=used),
        )
        .order_by("-number")
    )


def formulation_recipe(formulation: Formulation, *, indication: str | None = None) -> Recipe:
    """The recipe of a saved version (its components must be loaded with _components_prefetch)."""
    parts = tuple(
        Part(
            product=c.product,
            ingredient=c.ingredient,
            amount=c.amount,
            unit=c.unit,
            lot=c.lot,
            row=i,
        )
        for i, c in enumerate(formulation.components.all())
    )
    return Recipe(
        indication=indication or formulation.cocktail.indication,
        total_volume_ml=formulation.total_volume_ml,
        parts=parts,
    )


def formulation_findings(*, formulation: Formulation, patient: Any) -> list[Finding]:
    """The safety review of a saved version for `patient` today: what a session should run
    before injecting, since an allergy may have been recorded or a lot expired since saving."""
    return safety_findings(
        formulation_recipe(_with_components(formulation)),
        allergen_ids=patient_allergies(patient).ingredient_ids,
        today=timezone.localdate(),
    )


def ingredient_sources(*, ingredient_ids: set[int]) -> dict[int, ProductComponent]:
    """For each ingredient, the active product that supplies it most cheaply (per unit of
    ingredient): what an ingredient-only component is costed from. One query."""
    if not ingredient_ids:
        return {}
    best: dict[int, ProductComponent] = {}
    carriers = ProductComponent.objects.filter(
        ingredient_id__in=ingredient_ids, product__is_active=True
    ).select_related("product")
    for carrier in carriers:
        price = carrier.product.price_per_ml / carrier.concentration
        current = best.get(carrier.ingredient_id)
        if current is None or price < current.product.price_per_ml / current.concentration:
            best[carrier.ingredient_id] = carrier
    return best


def recipe_costing(recipe: Recipe) -> Costing:
    ids = {p.ingredient.pk for p in recipe.parts if p.ingredient is not None}
    return costing(recipe, sources=ingredient_sources(ingredient_ids=ids))


def _with_components(formulation: Formulation) -> Formulation:
    """`formulation` with its components loaded (as given, if they already are)."""
    if "components" in getattr(formulation, "_prefetched_objects_cache", {}):
        return formulation
    return (
        Formulation.objects.select_related("cocktail")
        .prefetch_related(_components_prefetch())
        .get(pk=formulation.pk)
    )


def formulation_costing(*, formulation: Formulation) -> Costing:
    """Cost lines of one syringe of `formulation`."""
    return recipe_costing(formulation_recipe(_with_components(formulation)))


def formulation_cost(*, formulation: Formulation) -> Decimal:
    """What one syringe of `formulation` costs the clinic in product, in CLINIC_CURRENCY."""
    return formulation_costing(formulation=formulation).total


# --- Patients (through the reverse relations, never importing the patients app) ---------------


@dataclass(frozen=True)
class AllergyProfile:
    ingredient_ids: frozenset[int]
    ingredient_names: tuple[str, ...]
    # Allergies recorded in words, which no check can match: shown to the practitioner.
    unlinked: tuple[str, ...]
    notes: str

    @classmethod
    def none(cls) -> AllergyProfile:
        return cls(frozenset(), (), (), "")


def patient_allergies(patient: Any | None) -> AllergyProfile:
    """The patient's active allergies (one query), read through the reverse relation."""
    if patient is None:
        return AllergyProfile.none()
    rows = list(
        patient.allergies.filter(removed_at__isnull=True).values_list(
            "ingredient_id", "ingredient__name", "substance"
        )
    )
    return AllergyProfile(
        ingredient_ids=frozenset(pk for pk, _, _ in rows if pk is not None),
        ingredient_names=tuple(name for pk, name, _ in rows if pk is not None),
        unlinked=tuple(substance for pk, _, substance in rows if pk is None),
        notes=patient.allergy_notes,
    )


def patient_choices() -> QuerySet:
    """Patients a cocktail may be built for. The model is reached through the relation, so
    this app never imports the patients app."""
    Patient = Cocktail._meta.get_field("patient").related_model
    return Patient.objects.filter(archived_at__isnull=True).order_by(
        "last_name", "first_name", "pk"
    )


# --- The cocktail builder --------------------------------------------------------------------


@dataclass
class BuilderCatalogue:
    """What the builder offers, loaded once per request (three or four queries)."""

    products: dict[int, Product]
    ingredients: dict[int, Ingredient]
    # The lots offered: usable ones, and those a saved version already names.
    lots: dict[int, Lot]
    # Lots looked up by id although not offered (see lot()).
    others: dict[int, Lot] = field(default_factory=dict)

    def lot(self, pk: int) -> Lot | None:
        """A lot by id; one that is not offered (expired, recalled or used up since the page
        was opened) is still found, so the safety check can say what is wrong with it."""
        if pk in self.lots:
            return self.lots[pk]
        if pk not in self.others:
            found = Lot.objects.select_related("product").filter(pk=pk).first()
            if found is None:
                return None
            self.others[pk] = found
        return self.others[pk]


def builder_catalogue(*, extra_lot_ids: set[int] | None = None) -> BuilderCatalogue:
    """The builder's choices. `extra_lot_ids` are lots offered even if no longer usable: those
    a saved version names, so editing it shows them (marked) rather than silently dropping them.
    """
    products = products_with_components().filter(is_active=True).order_by("brand", "name")
    ingredients = Ingredient.objects.filter(is_active=True).order_by("name")
    # Only lots that may be used today: an expired or recalled lot is not offered at all.
    on_shelf = usable_stock_filter(timezone.localdate()) & Q(
        quantity_left__gt=0, product__is_active=True
    )
    lots = (
        Lot.objects.select_related("product")
        .filter(on_shelf | Q(pk__in=extra_lot_ids or ()))
        .order_by("product__brand", "product__name", "expiry_date")
    )
    return BuilderCatalogue(
        products={p.pk: p for p in products},
        ingredients={i.pk: i for i in ingredients},
        lots={lot.pk: lot for lot in lots},
    )


def patient_cocktails(*, patient: Any) -> QuerySet[Cocktail]:
    """A patient's active cocktails with their current version (for the patient's page)."""
    return (
        Cocktail.objects.filter(patient=patient, archived_at__isnull=True)
        .select_related("current", "template")
        .order_by("name", "pk")
    )
