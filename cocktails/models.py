from __future__ import annotations

from django.db import models
from django.db.models import F, Q


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
