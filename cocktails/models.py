"""The catalogue (ingredients, products, lots), the lot-usage ledger and cocktail formulations.

A cocktail is a named formulation for an indication. Its content lives in numbered
`Formulation` versions: the current version may be adjusted until it is first used in a
session (it is then frozen, `frozen_at`), after which an adjustment makes a new version, so a
session can always point at the exact version injected.

Stock is counted in vials. `LotUsage` is the ledger of vials used for a patient: it is what
answers "which patients received lot X" without this app knowing about treatment sessions.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from cocktails.choices import Indication

# A lot expiring within this many days is flagged on the stock page and the home panel.
EXPIRY_WARNING_DAYS = 30


def plain_number(value: Decimal) -> str:
    """A quantity for people: at most 3 decimals, no trailing zeros (0.500 → 0.5, 20.000 → 20)."""
    return f"{value.quantize(Decimal('0.001'), rounding=ROUND_HALF_UP).normalize():f}"


class Ingredient(models.Model):
    """A component a cocktail can be made of, from the clinic's catalogue."""

    class Category(models.TextChoices):
        HYALURONIC_ACID = "hyaluronic_acid", "Hyaluronic acid"
        VITAMIN = "vitamin", "Vitamin"
        MINERAL = "mineral", "Mineral"
        AMINO_ACID = "amino_acid", "Amino acid"
        PEPTIDE = "peptide", "Peptide"
        PLANT_EXTRACT = "plant_extract", "Plant extract"
        ENZYME = "enzyme", "Enzyme"
        LIPOLYTIC = "lipolytic", "Lipolytic"
        ANAESTHETIC = "anaesthetic", "Anaesthetic"
        OTHER = "other", "Other"

    class Unit(models.TextChoices):
        MG_PER_ML = "mg/ml", "mg/ml"
        PERCENT = "%", "%"
        IU_PER_ML = "IU/ml", "IU/ml"
        MCG_PER_ML = "µg/ml", "µg/ml"

    name = models.CharField(max_length=120, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    usual_min = models.DecimalField(
        "usual concentration from", max_digits=10, decimal_places=3, null=True, blank=True
    )
    usual_max = models.DecimalField(
        "usual concentration up to", max_digits=10, decimal_places=3, null=True, blank=True
    )
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usual_min__isnull=True)
                | Q(usual_max__isnull=True)
                | Q(usual_min__lte=F("usual_max")),
                name="ingredient_usual_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def usual_range_label(self) -> str:
        low, high = self.usual_min, self.usual_max
        if low is None and high is None:
            return ""
        if high is None:
            return f"≥ {plain_number(low)} {self.unit}"
        if low is None:
            return f"≤ {plain_number(high)} {self.unit}"
        return f"{plain_number(low)}–{plain_number(high)} {self.unit}"  # noqa: RUF001


class Product(models.Model):
    """A vial the clinic buys: a brand's product with a fixed composition and volume."""

    brand = models.CharField(max_length=120)
    name = models.CharField(max_length=160)
    volume_ml = models.DecimalField("volume per vial (ml)", max_digits=7, decimal_places=2)
    price = models.DecimalField(
        "price per vial", max_digits=9, decimal_places=2, help_text="What the clinic pays."
    )
    reorder_level = models.PositiveIntegerField(
        "low-stock alert below",
        default=5,
        help_text="Flag the product when fewer usable vials than this are left.",
    )
    ingredients = models.ManyToManyField(
        Ingredient, through="ProductComponent", related_name="products"
    )
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["brand", "name"]
        constraints = [
            models.UniqueConstraint(Lower("brand"), Lower("name"), name="product_unique_name"),
            models.CheckConstraint(condition=Q(volume_ml__gt=0), name="product_volume_positive"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.name}"

    @property
    def price_per_ml(self) -> Decimal:
        return self.price / self.volume_ml


class ProductComponent(models.Model):
    """An ingredient in a product, at a concentration in the ingredient's unit."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="components")
    ingredient = models.ForeignKey(
        Ingredient, on_delete=models.PROTECT, related_name="product_components"
    )
    concentration = models.DecimalField(max_digits=10, decimal_places=3)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ingredient__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "ingredient"], name="product_component_unique"
            ),
            models.CheckConstraint(
                condition=Q(concentration__gt=0), name="product_component_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ingredient} {plain_number(self.concentration)} {self.ingredient.unit}"


class Lot(models.Model):
    """A batch of vials of one product, as received. Stock is counted in vials."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=60)
    expiry_date = models.DateField()
    received_on = models.DateField()
    quantity_received = models.PositiveIntegerField("vials received")
    quantity_left = models.PositiveIntegerField("vials left")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["quantity_left"])

    class Meta:
        ordering = ["expiry_date", "lot_number"]
        constraints = [
            models.UniqueConstraint("product", Lower("lot_number"), name="lot_unique_per_product"),
            models.CheckConstraint(
                condition=Q(quantity_received__gt=0), name="lot_received_positive"
            ),
            # The last line of defence against over-using a lot: see services.lot_consume.
            models.CheckConstraint(condition=Q(quantity_left__gte=0), name="lot_left_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_left__lte=F("quantity_received")),
                name="lot_left_within_received",
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__gte=F("received_on")), name="lot_expiry_after_receipt"
            ),
        ]
        indexes = [
            models.Index(
                fields=["expiry_date"],
                name="lot_in_stock_expiry_idx",
                condition=Q(quantity_left__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_number} ({self.product})"

    def is_expired_on(self, day: datetime.date) -> bool:
        """A lot may be used up to and including its expiry date."""
        return self.expiry_date < day

    @property
    def is_exhausted(self) -> bool:
        return self.quantity_left == 0

    @property
    def quantity_used(self) -> int:
        """Vials taken from the lot (a cancelled use gives its vials back)."""
        return self.quantity_received - self.quantity_left

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None


class Cocktail(models.Model):
    """A named formulation for an indication: a clinic template when it has no patient, or a
    patient's own cocktail (usually derived from a template). Its content is versioned."""

    name = models.CharField(max_length=120)
    indication = models.CharField(max_length=30, choices=Indication.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cocktails",
    )
    template = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived",
        help_text="The clinic template this cocktail was adjusted from.",
    )
    # The version to use next; kept by services so lists need no subquery.
    current = models.ForeignKey(
        "Formulation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(patient__isnull=True, archived_at__isnull=True),
                name="cocktail_template_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["patient", "archived_at"], name="cocktail_patient_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_template(self) -> bool:
        return self.patient_id is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Formulation(models.Model):
    """One version of a cocktail's content. Frozen once used: then it never changes again."""

    cocktail = models.ForeignKey(Cocktail, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    total_volume_ml = models.DecimalField("total volume (ml)", max_digits=6, decimal_places=2)
    notes = models.TextField(blank=True)
    # What the author was warned about and accepted, as shown to them (kind and message).
    acknowledged_warnings = models.JSONField(default=list, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    frozen_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cocktail_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cocktail", "number"], name="formulation_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_volume_ml__gt=0), name="formulation_volume_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cocktail} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class FormulationComponent(models.Model):
    """A product (an amount in ml drawn from its vials) or an ingredient (its concentration in
    the finished syringe). The unit is copied so a frozen version reads the same forever."""

    formulation = models.ForeignKey(
        Formulation, on_delete=models.CASCADE, related_name="components"
    )
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ingredient = models.ForeignKey(
        Ingredient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="formulation_components",
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=10)

    history = HistoricalRecords()

    class Meta:
        ordering = ["formulation_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(ingredient__isnull=True))
                | (Q(product__isnull=True) & Q(ingredient__isnull=False)),
                name="formulation_component_one_source",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="formulation_component_positive"
            ),
            models.CheckConstraint(
                condition=Q(lot__isnull=True) | Q(product__isnull=False),
                name="formulation_component_lot_needs_product",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product or self.ingredient} {plain_number(self.amount)} {self.unit}"


class LotUsage(models.Model):
    """Vials of a lot used for a patient: the traceability ledger (written by lot_consume).

    Treatment sessions point at these rows; a row recorded in error is cancelled (stock comes
    back), never deleted, so a recall still sees it.
    """

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="usages")
    quantity = models.PositiveIntegerField("vials")
    volume_ml = models.DecimalField(
        "volume injected (ml)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="lot_usages"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField()
    formulation = models.ForeignKey(
        Formulation, on_delete=models.PROTECT, null=True, blank=True, related_name="lot_usages"
    )
    reference = models.CharField(
        max_length=120, blank=True, help_text="Where the use was recorded, e.g. a session."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["used_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="lot_usage_quantity_positive"),
        ]
        indexes = [models.Index(fields=["lot", "used_at"], name="lot_usage_lot_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} vial(s) of lot {self.lot.lot_number}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None
