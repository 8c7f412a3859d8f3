"""What is in a syringe, whether it is safe for this patient and indication, and what it costs.

These functions work on a `Recipe`, the plain description shared by a builder form that has
not been saved yet and a saved `Formulation`, so the live checks in the builder and the checks
that guard saving are the same code. They do no queries: callers load the products (with their
components), ingredients and lots first (see selectors).

The safety rules, and why each is absolute or relative:
- Allergy (absolute): any ingredient of the cocktail, directly or inside a product, that the
  patient has an active structured allergy to. Free-text allergies cannot be matched and are
  shown to the practitioner instead.
- Lot (absolute): an expired, exhausted or recalled lot must never be injected.
- Indication (absolute or relative): lipolytics dissolve fat and belong to body work. For an
  indication treated only on the face or scalp (facial rejuvenation, hair restoration) they
  are refused; a submental fat treatment is planned as body contouring. For scar reduction,
  which covers face and body, they are allowed with an acknowledged warning that the cocktail
  is for body scars only.
- Concentration (relative): outside the ingredient's usual range is sometimes intended (a
  stronger dose for a resistant patient), so it warns and asks for an acknowledgement.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.formats import date_format

from cocktails.choices import INDICATION_DEFAULTS, Indication, Region
from cocktails.models import Ingredient, Lot, Product, ProductComponent, plain_number

ML = "ml"
CENT = Decimal("0.01")

# Where an ingredient category may be injected; categories not listed suit every region.
CATEGORY_REGIONS: dict[str, frozenset[Region]] = {
    Ingredient.Category.LIPOLYTIC: frozenset({Region.BODY}),
}


@dataclass(frozen=True)
class Part:
    """One component: ml of a product (its `components` loaded with their ingredients), or an
    ingredient at a concentration in the finished syringe. `row` is the builder row, if any."""

    product: Product | None
    ingredient: Ingredient | None
    amount: Decimal
    unit: str
    lot: Lot | None = None
    row: int | None = None

    @property
    def label(self) -> str:
        return str(self.product or self.ingredient)

    def ingredients(self) -> list[Ingredient]:
        if self.product is not None:
            return [pc.ingredient for pc in self.product.components.all()]
        return [self.ingredient] if self.ingredient is not None else []


@dataclass(frozen=True)
class Recipe:
    indication: str
    total_volume_ml: Decimal
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Concentration:
    """An ingredient's concentration in the finished syringe, against its usual range."""

    ingredient: Ingredient
    value: Decimal
    rows: tuple[int, ...]

    @property
    def status(self) -> str:
        low, high = self.ingredient.usual_min, self.ingredient.usual_max
        if low is not None and self.value < low:
            return "low"
        if high is not None and self.value > high:
            return "high"
        return "usual"

    @property
    def label(self) -> str:
        return f"{plain_number(self.value)} {self.ingredient.unit}"


class Severity(StrEnum):
    REFUSE = "refuse"
    WARN = "warn"


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: Severity
    message: str
    rows: tuple[int, ...] = ()
    # The builder field the message belongs to: a component row's field, or a form field
    # such as "total_volume_ml" when `rows` is empty.
    field: str = "component"

    @property
    def refuses(self) -> bool:
        return self.severity is Severity.REFUSE

    def as_record(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


def _rows(part: Part) -> tuple[int, ...]:
    return () if part.row is None else (part.row,)


def concentrations(recipe: Recipe) -> list[Concentration]:
    """Each ingredient's concentration once the products are diluted to the total volume."""
    if recipe.total_volume_ml <= 0:
        return []
    values: dict[int, Decimal] = defaultdict(Decimal)
    rows: dict[int, list[int]] = defaultdict(list)
    ingredients: dict[int, Ingredient] = {}
    for part in recipe.parts:
        if part.product is not None:
            for pc in part.product.components.all():
                share = pc.concentration * part.amount / recipe.total_volume_ml
                values[pc.ingredient_id] += share
                ingredients[pc.ingredient_id] = pc.ingredient
                rows[pc.ingredient_id] += _rows(part)
        elif part.ingredient is not None:
            values[part.ingredient.pk] += part.amount
            ingredients[part.ingredient.pk] = part.ingredient
            rows[part.ingredient.pk] += _rows(part)
    return sorted(
        (Concentration(ingredients[pk], values[pk], tuple(rows[pk])) for pk in values),
        key=lambda c: c.ingredient.name,
    )


def _allergy_findings(recipe: Recipe, allergen_ids: frozenset[int]) -> list[Finding]:
    found = []
    for part in recipe.parts:
        for ingredient in part.ingredients():
            if ingredient.pk in allergen_ids:
                where = "" if part.ingredient is not None else f" (in {part.product})"
                found.append(
                    Finding(
                        "allergy",
                        Severity.REFUSE,
                        f"Refused: the patient is allergic to {ingredient.name}{where}.",
                        _rows(part),
                    )
                )
    return found


def _lot_findings(recipe: Recipe, today: datetime.date) -> list[Finding]:
    found = []
    for part in recipe.parts:
        lot = part.lot
        if lot is None:
            continue
        problem = lot_problem(lot, today)
        if problem:
            found.append(
                Finding("lot", Severity.REFUSE, f"Refused: {problem}", _rows(part), field="lot")
            )
    return found


def lot_problem(lot: Lot, day: datetime.date) -> str:
    """Why `lot` must not be used on `day`, or "" when it may."""
    if lot.is_recalled:
        return f"lot {lot.lot_number} has been recalled."
    if lot.is_expired_on(day):
        return f"lot {lot.lot_number} expired on {date_format(lot.expiry_date, 'j M Y')}."
    if lot.is_exhausted:
        return f"lot {lot.lot_number} has no vials left."
    return ""


def _indication_findings(recipe: Recipe) -> list[Finding]:
    defaults = INDICATION_DEFAULTS.get(recipe.indication)
    if defaults is None:
        return []
    indication = Indication(recipe.indication).label.lower()
    found = []
    for part in recipe.parts:
        for ingredient in part.ingredients():
            suited = CATEGORY_REGIONS.get(ingredient.category)
            if suited is None or defaults.regions <= suited:
                continue
            category = ingredient.get_category_display().lower()
            if not defaults.regions & suited:
                found.append(
                    Finding(
                        "indication",
                        Severity.REFUSE,
                        f"Refused: {ingredient.name} is a {category}, for body work only; "
                        f"it is not suited to {indication}.",
                        _rows(part),
                    )
                )
            else:
                found.append(
                    Finding(
                        "indication",
                        Severity.WARN,
                        f"{ingredient.name} is a {category}, for body work only: "
                        f"use this cocktail for {indication} on the body, never the face.",
                        _rows(part),
                    )
                )
    return found


def _concentration_findings(recipe: Recipe) -> list[Finding]:
    found = []
    for conc in concentrations(recipe):
        if conc.status == "usual":
            continue
        found.append(
            Finding(
                "concentration",
                Severity.WARN,
                f"{conc.ingredient.name} would be {conc.label} in the syringe, "
                f"{'below' if conc.status == 'low' else 'above'} the usual "
                f"{conc.ingredient.usual_range_label}.",
                conc.rows,
            )
        )
    return found


# The most an ingredient can be concentrated, by unit. A percentage is at most the whole; a
# gram per ml (1000 mg/ml) is more than any injectable solution holds, and the other units are
# given the same headroom. Beyond these a value is a typing mistake, not a clinical choice.
CONCENTRATION_CEILINGS: dict[str, Decimal] = {
    Ingredient.Unit.PERCENT: Decimal("100"),
    Ingredient.Unit.MG_PER_ML: Decimal("1000"),
    Ingredient.Unit.MCG_PER_ML: Decimal("1000000"),
    Ingredient.Unit.IU_PER_ML: Decimal("1000000"),
}


def concentration_ceiling_problem(value: Decimal, unit: str) -> str:
    """Why `value` is too high to be a concentration in `unit` ("" when it is not)."""
    ceiling = CONCENTRATION_CEILINGS.get(unit)
    if ceiling is None or value <= ceiling:
        return ""
    if unit == Ingredient.Unit.PERCENT:
        return "A concentration cannot be above 100 %."
    return f"Enter a concentration of at most {plain_number(ceiling)} {unit}."


def concentration_problem(value: Decimal, unit: str) -> str:
    """Why `value` cannot be a concentration in `unit` ("" when it can)."""
    if value <= 0:
        return "Enter a concentration above zero."
    return concentration_ceiling_problem(value, unit)


def unit_problem(ingredient: Ingredient, unit: str) -> str:
    """Why a concentration of `ingredient` cannot be given in `unit` ("" when it can)."""
    if unit == ingredient.unit:
        return ""
    return f"{ingredient.name} is measured in {ingredient.unit}, not {unit}."


def input_problems(recipe: Recipe, *, for_patient: bool) -> list[Finding]:
    """What makes `recipe` impossible to save as entered, before any clinical judgement."""

    def problem(message: str, part: Part | None = None, field: str = "component") -> None:
        found.append(Finding("input", Severity.REFUSE, message, _rows(part) if part else (), field))

    found: list[Finding] = []
    if recipe.total_volume_ml <= 0:
        problem("Enter a total volume above zero.", field="total_volume_ml")
    if not recipe.parts:
        problem("Add at least one component.", field="__all__")
    seen: set[tuple[str, int]] = set()
    product_ml = Decimal(0)
    for part in recipe.parts:
        source = part.product or part.ingredient
        if source is None:
            continue
        if not source.is_active:
            problem(f"{part.label} has been retired from the catalogue.", part)
        key = ("product" if part.product is not None else "ingredient", source.pk)
        if key in seen:
            problem(f"{part.label} is listed twice: put the whole amount on one line.", part)
        seen.add(key)
        if part.amount <= 0:
            problem(f"{part.label}: enter an amount above zero.", part, "amount")
        if part.product is not None:
            product_ml += max(part.amount, Decimal(0))
            if part.unit != ML:
                problem(
                    f"{part.label} is measured in ml drawn from the vial, not {part.unit}.",
                    part,
                    "unit",
                )
        elif part.ingredient is not None:
            if message := unit_problem(part.ingredient, part.unit):
                problem(message, part, "unit")
            elif message := concentration_ceiling_problem(part.amount, part.unit):
                problem(f"{part.label}: {message[0].lower()}{message[1:]}", part, "amount")
        if part.lot is not None:
            if part.product is None:
                problem("A lot belongs to a product, not to an ingredient.", part, "lot")
            elif part.lot.product_id != part.product.pk:
                problem(f"Lot {part.lot.lot_number} is not a lot of {part.product}.", part, "lot")
            elif not for_patient:
                problem(
                    "Lots are chosen for a patient's cocktail, not for a template.", part, "lot"
                )
    if recipe.total_volume_ml > 0 and product_ml > recipe.total_volume_ml:
        problem(
            f"The products add up to {plain_number(product_ml)} ml, more than the "
            f"{plain_number(recipe.total_volume_ml)} ml total volume.",
            field="total_volume_ml",
        )
    return found


def safety_findings(
    recipe: Recipe, *, allergen_ids: frozenset[int], today: datetime.date
) -> list[Finding]:
    """Every safety problem of `recipe`, refusals first."""
    found = (
        _allergy_findings(recipe, allergen_ids)
        + _lot_findings(recipe, today)
        + _indication_findings(recipe)
        + _concentration_findings(recipe)
    )
    return sorted(found, key=lambda f: not f.refuses)


def review(
    recipe: Recipe, *, allergen_ids: frozenset[int], today: datetime.date, for_patient: bool
) -> list[Finding]:
    """Input problems, then safety findings: everything the builder shows and saving checks."""
    return input_problems(recipe, for_patient=for_patient) + safety_findings(
        recipe, allergen_ids=allergen_ids, today=today
    )


def warnings_digest(findings: list[Finding]) -> str:
    """A fingerprint of the warnings a user was shown: an acknowledgement names exactly these,
    so a warning that appears after the box was ticked still has to be acknowledged."""
    messages = sorted(f.message for f in findings if not f.refuses)
    return hashlib.sha256("\n".join(messages).encode()).hexdigest()[:16] if messages else ""


@dataclass(frozen=True)
class CostLine:
    label: str
    # The product the ml come from (for an ingredient: the cheapest product that carries it).
    source: Product | None
    ml: Decimal | None
    cost: Decimal | None
    # True when an ingredient-only part is costed from a product that carries it.
    carried: bool = False


@dataclass(frozen=True)
class Costing:
    lines: tuple[CostLine, ...]
    total: Decimal
    total_volume_ml: Decimal
    unpriced: tuple[str, ...] = field(default=())

    @property
    def per_ml(self) -> Decimal:
        if self.total_volume_ml <= 0:
            return Decimal("0.00")
        return (self.total / self.total_volume_ml).quantize(CENT, rounding=ROUND_HALF_UP)


def costing(recipe: Recipe, *, sources: dict[int, ProductComponent]) -> Costing:
    """What one syringe of `recipe` costs in product. `sources` maps an ingredient id to the
    product component an ingredient-only part is drawn from (its cheapest carrier)."""
    lines = []
    unpriced = []
    for part in recipe.parts:
        if part.product is not None:
            ml = part.amount
            source = part.product
        else:
            carrier = sources.get(part.ingredient.pk) if part.ingredient is not None else None
            if carrier is None:
                lines.append(CostLine(part.label, None, None, None))
                unpriced.append(part.label)
                continue
            ml = part.amount * recipe.total_volume_ml / carrier.concentration
            source = carrier.product
        cost = (ml * source.price_per_ml).quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append(CostLine(part.label, source, ml, cost, carried=part.product is None))
    total = sum((line.cost for line in lines if line.cost is not None), Decimal("0.00"))
    return Costing(tuple(lines), total, recipe.total_volume_ml, tuple(unpriced))
