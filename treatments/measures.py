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
    unit: str
    minimum: Decimal
    maximum: Decimal
    decimals: int
    # Whether a higher value is the better result (hair density) or a lower one (cellulite).
    higher_is_better: bool
    help_text: str = ""

    def describe(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


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
        "1–15",  # noqa: RUF001 (an en dash in a range)
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
        "0–13",  # noqa: RUF001
        Decimal(0),
        Decimal(13),
        0,
        higher_is_better=False,
        help_text="0 is normal skin; 13 the worst scar.",
    ),
}


def measure_for(indication: str) -> Measure | None:
    return MEASURES.get(indication)
