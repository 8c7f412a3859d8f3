"""The clinical vocabulary every app shares: indications, body areas and typical courses.

It lives in cocktails, the lowest app (the catalogue), so patients, treatments and scheduling
can all import it without cycles. Values come from shared/DOMAIN.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Indication(models.TextChoices):
    FACIAL_REJUVENATION = "facial_rejuvenation", "Facial rejuvenation"
    HAIR_RESTORATION = "hair_restoration", "Hair restoration"
    CELLULITE = "cellulite", "Cellulite reduction"
    SCARS = "scars", "Scar reduction"
    BODY_CONTOURING = "body_contouring", "Body contouring"


class Region(models.TextChoices):
    FACE = "face", "Face and neck"
    SCALP = "scalp", "Scalp"
    BODY = "body", "Body"


class BodyArea(models.TextChoices):
    FACE = "face", "Face"
    NECK = "neck", "Neck"
    DECOLLETE = "decollete", "Décolleté"
    HANDS = "hands", "Back of the hands"
    SCALP = "scalp", "Scalp"
    ABDOMEN = "abdomen", "Abdomen"
    FLANKS = "flanks", "Flanks"
    THIGHS = "thighs", "Thighs"
    BUTTOCKS = "buttocks", "Buttocks"
    ARMS = "arms", "Arms"
    KNEES = "knees", "Knees"
    BACK = "back", "Back"


AREA_REGION: dict[str, Region] = {
    BodyArea.FACE: Region.FACE,
    BodyArea.NECK: Region.FACE,
    BodyArea.DECOLLETE: Region.FACE,
    BodyArea.HANDS: Region.BODY,
    BodyArea.SCALP: Region.SCALP,
    BodyArea.ABDOMEN: Region.BODY,
    BodyArea.FLANKS: Region.BODY,
    BodyArea.THIGHS: Region.BODY,
    BodyArea.BUTTOCKS: Region.BODY,
    BodyArea.ARMS: Region.BODY,
    BodyArea.KNEES: Region.BODY,
    BodyArea.BACK: Region.BODY,
}


@dataclass(frozen=True)
class CourseDefaults:
    """A sensible default course for an indication; every plan may change it."""

    initial_sessions: int
    interval_days: int
    maintenance_every_days: int | None
    regions: frozenset[Region]


INDICATION_DEFAULTS: dict[str, CourseDefaults] = {
    Indication.FACIAL_REJUVENATION: CourseDefaults(4, 14, 120, frozenset({Region.FACE})),
    Indication.HAIR_RESTORATION: CourseDefaults(8, 10, 30, frozenset({Region.SCALP})),
    Indication.CELLULITE: CourseDefaults(8, 7, 30, frozenset({Region.BODY})),
    Indication.SCARS: CourseDefaults(4, 21, None, frozenset({Region.FACE, Region.BODY})),
    Indication.BODY_CONTOURING: CourseDefaults(6, 10, None, frozenset({Region.BODY})),
}
