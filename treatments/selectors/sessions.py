"""What a session may use: the cocktails it may inject, the lots it may draw from, and the
safety review of the cocktail before injecting."""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cocktails.composition import Finding, Severity
from cocktails.models import Cocktail, Formulation, Lot, Product
from cocktails.selectors import formulation_findings, usable_stock_filter
from patients.models import Patient
from treatments.models import TreatmentPlan, TreatmentSession

CENT = Decimal("0.01")


def session_cocktail_choices(*, plan: TreatmentPlan) -> QuerySet[Cocktail]:
    """Cocktails a session of `plan` may inject: the plan's, the patient's own and the clinic
    templates for the same indication, none archived."""
    return (
        Cocktail.objects.filter(indication=plan.indication, archived_at__isnull=True)
        .filter(Q(patient__isnull=True) | Q(patient_id=plan.patient_id))
        .select_related("current")
        .order_by("patient_id", "name")
    )


def allowed_products(*, formulation: Formulation) -> dict[int, Product]:
    """Products whose lots may go into `formulation`: its product components, and for an
    ingredient-only component, every active product carrying that ingredient. Two queries."""
    components = list(formulation.components.all())
    product_ids = {c.product_id for c in components if c.product_id}
    ingredient_ids = {c.ingredient_id for c in components if c.ingredient_id}
    products = Product.objects.filter(
        Q(pk__in=product_ids) | Q(components__ingredient_id__in=ingredient_ids, is_active=True)
    ).distinct()
    return {product.pk: product for product in products}


def session_lot_choices(*, formulation: Formulation, extra_ids: Collection[int] = ()) -> list[Lot]:
    """Lots to offer in the session log: usable lots (in date, not recalled, vials left) of
    the products the cocktail is made of, soonest expiry first; plus `extra_ids` (lots the
    log already holds). Three queries."""
    products = allowed_products(formulation=formulation)
    today = timezone.localdate()
    return list(
        Lot.objects.filter(
            (Q(product_id__in=list(products)) & usable_stock_filter(today) & Q(quantity_left__gt=0))
            | Q(pk__in=list(extra_ids))
        )
        .select_related("product")
        .order_by("product__brand", "product__name", "expiry_date", "lot_number")
    )


def lot_suggestions(*, formulation: Formulation, lots: list[Lot]) -> list[dict[str, Any]]:
    """A first guess at a session's lots: for each product of the cocktail, its soonest-
    expiring usable lot (`lots` as session_lot_choices gives them), the ml the recipe draws
    and the vials that takes. One query: the version's components."""
    suggestions = []
    for component in formulation.components.all():
        if component.product_id is None:
            continue
        lot = next((lot for lot in lots if lot.product_id == component.product_id), None)
        if lot is None:
            continue
        vials = max(1, math.ceil(component.amount / lot.product.volume_ml))
        suggestions.append(
            {"lot": lot.pk, "vials": vials, "volume_ml": component.amount.quantize(CENT)}
        )
    return suggestions


def _refusals(findings: list[Finding]) -> list[str]:
    """The findings that forbid injecting the cocktail today (an allergy, a lipolytic on the
    face). The version's own lot choices are left out: a session records the lots it really
    uses, and those are checked when they are taken."""
    return [
        finding.message
        for finding in findings
        if finding.severity is Severity.REFUSE and finding.kind != "lot"
    ]


def _warnings(findings: list[Finding]) -> list[str]:
    return [finding.message for finding in findings if finding.severity is not Severity.REFUSE]


def blocking_findings(*, formulation_id: int | None, patient: Patient) -> list[str]:
    """The cocktail safety review's refusals for injecting it into `patient` today."""
    if formulation_id is None:
        return []
    formulation = Formulation(pk=formulation_id)
    return _refusals(formulation_findings(formulation=formulation, patient=patient))


def session_warnings(*, formulation: Formulation, patient: Patient) -> list[str]:
    """The review's warnings (unusual concentrations and the like), shown, not blocking."""
    return _warnings(formulation_findings(formulation=formulation, patient=patient))


def session_review(*, formulation: Formulation, patient: Patient) -> tuple[list[str], list[str]]:
    """`blocking_findings` and `session_warnings` from one run of the review, for a page that
    shows both (the pre-checks)."""
    findings = formulation_findings(formulation=formulation, patient=patient)
    return _refusals(findings), _warnings(findings)


def plan_interval_warning(*, plan: TreatmentPlan, today: datetime.date | None = None) -> str:
    """A word of warning when the plan's last signed session is fewer than its interval ago
    (on the clinic's calendar); "" when not. It does not stop the session: the practitioner
    may have a reason, but should not start one too early without noticing. One query."""
    last = (
        plan.sessions.filter(status=TreatmentSession.Status.SIGNED)
        .order_by("-performed_at")
        .values_list("performed_at", flat=True)
        .first()
    )
    if last is None:
        return ""
    day = timezone.localdate(last)
    ago = ((today or timezone.localdate()) - day).days
    if ago >= plan.interval_days:
        return ""
    when = {0: "today", 1: "yesterday"}.get(ago, f"{ago} days ago")
    return (
        f"The last session was on {day.day} {day:%B %Y} ({when}); this plan's interval is "
        f"{plan.interval_days} days."
    )
