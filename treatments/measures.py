"""The measure each indication's results are followed with, at the review points of a course.

Facial rejuvenation has no scale of its own here: its reviews are followed with GAIS alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cocktails.choices import Indication


@dataclass(frozen=True)
class Measure:
    label: str
    # A physical unit ("cm"), or empty for a clinical scale, which shows its range instead.
    unit: str
    minimum: Decimal
    maximum: Decimal
    decimals: int
    # Whether a higher value is the better result (hair density) or a lower one (cellulite).
    higher_is_better: bool
    help_text: str = ""

    @property
    def scale(self) -> str:
        """The unit for people: "cm", or the range of a scale ("1 to 15", shown with a dash)."""
        if self.unit:
            return self.unit
        return f"{self.minimum}–{self.maximum}"  # noqa: RUF001 (an en dash in a range)

    def describe(self) -> str:
        return f"{self.label} ({self.scale})"

    def range_message(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label} is between {self.minimum} and {self.maximum}{unit}."


MEASURES: dict[str, Measure] = {
    Indication.HAIR_RESTORATION: Measure(
        "Hair density",
        "hairs/cm²",
        Decimal(0),
        Decimal(500),
        0,
        higher_is_better=True,
        help_text="Counted on the trichoscopy photo of the marked area.",
    ),
    Indication.CELLULITE: Measure(
        "Cellulite Severity Scale",
        "",
        Decimal(1),
        Decimal(15),
        0,
        higher_is_better=False,
        help_text="Hexsel's scale: 1 (barely visible) to 15 (severe).",
    ),
    Indication.BODY_CONTOURING: Measure(
        "Circumference",
        "cm",
        Decimal(20),
        Decimal(250),
        1,
        higher_is_better=False,
        help_text="Measured at the same marked level each time.",
    ),
    Indication.SCARS: Measure(
        "Vancouver Scar Scale",
        "",
        Decimal(0),
        Decimal(13),
        0,
        higher_is_better=False,
        help_text="0 is normal skin; 13 the worst scar.",
    ),
}


def measure_for(indication: str) -> Measure | None:
    return MEASURES.get(indication)
