"""The injection map's vocabulary: the diagrams and the zones drawn on each.

A zone is a named area of one diagram (``static/img/map-<diagram>.svg``), where each zone
is a shape carrying ``data-zone="<value>"`` and an anchor ``data-ax``/``data-ay`` (its centre,
as fractions of the drawing's width and height). Clicking a shape in the session form names
the zone of the point placed; a site entered by keyboard, without a position, is drawn at its
zone's anchor. Sides are the patient's: on the front views the patient's right is on the
viewer's left, on the back view it is on the viewer's right.
"""

from __future__ import annotations

from django.db import models

from cocktails.choices import AREA_REGION, Region


class Zone(models.TextChoices):
    # Face, neck and décolleté (front view).
    FOREHEAD = "forehead", "Forehead"
    GLABELLA = "glabella", "Glabella"
    TEMPLE_R = "temple_r", "Right temple"
    TEMPLE_L = "temple_l", "Left temple"
    PERIORBITAL_R = "periorbital_r", "Right eye area"
    PERIORBITAL_L = "periorbital_l", "Left eye area"
    CHEEK_R = "cheek_r", "Right cheek"
    CHEEK_L = "cheek_l", "Left cheek"
    NASOLABIAL_R = "nasolabial_r", "Right nasolabial fold"
    NASOLABIAL_L = "nasolabial_l", "Left nasolabial fold"
    PERIORAL = "perioral", "Around the mouth"
    CHIN = "chin", "Chin"
    JAWLINE_R = "jawline_r", "Right jawline"
    JAWLINE_L = "jawline_l", "Left jawline"
    NECK = "neck", "Neck"
    DECOLLETE = "decollete", "Décolleté"
    # Scalp (seen from above, forehead at the top).
    FRONTAL = "frontal", "Frontal hairline"
    MID_SCALP = "mid_scalp", "Mid-scalp"
    VERTEX = "vertex", "Crown (vertex)"
    TEMPORAL_R = "temporal_r", "Right temporal"
    TEMPORAL_L = "temporal_l", "Left temporal"
    PARIETAL_R = "parietal_r", "Right parietal"
    PARIETAL_L = "parietal_l", "Left parietal"
    OCCIPITAL = "occipital", "Occipital"
    # Body, front view.
    ABDOMEN = "abdomen", "Abdomen"
    THIGH_FRONT_R = "thigh_front_r", "Front of right thigh"
    THIGH_FRONT_L = "thigh_front_l", "Front of left thigh"
    INNER_THIGH_R = "inner_thigh_r", "Right inner thigh"
    INNER_THIGH_L = "inner_thigh_l", "Left inner thigh"
    KNEE_R = "knee_r", "Right knee"
    KNEE_L = "knee_l", "Left knee"
    # Body, back view (flanks are drawn on both views).
    FLANK_R = "flank_r", "Right flank"
    FLANK_L = "flank_l", "Left flank"
    UPPER_BACK = "upper_back", "Back"
    ARM_BACK_R = "arm_back_r", "Back of right arm"
    ARM_BACK_L = "arm_back_l", "Back of left arm"
    HAND_R = "hand_r", "Back of right hand"
    HAND_L = "hand_l", "Back of left hand"
    BUTTOCK_R = "buttock_r", "Right buttock"
    BUTTOCK_L = "buttock_l", "Left buttock"
    OUTER_THIGH_R = "outer_thigh_r", "Right outer thigh"
    OUTER_THIGH_L = "outer_thigh_l", "Left outer thigh"
    THIGH_BACK_R = "thigh_back_r", "Back of right thigh"
    THIGH_BACK_L = "thigh_back_l", "Back of left thigh"


_FACE_ZONES = (
    "forehead glabella temple_r temple_l periorbital_r periorbital_l cheek_r cheek_l "
    "nasolabial_r nasolabial_l perioral chin jawline_r jawline_l neck decollete"
)
_SCALP_ZONES = "frontal mid_scalp vertex temporal_r temporal_l parietal_r parietal_l occipital"

ZONE_DIAGRAM: dict[str, str] = {
    **dict.fromkeys(_FACE_ZONES.split(), Region.FACE),
    **dict.fromkeys(_SCALP_ZONES.split(), Region.SCALP),
}
ZONE_DIAGRAM.update({zone.value: Region.BODY for zone in Zone if zone.value not in ZONE_DIAGRAM})

DIAGRAM_LABELS: dict[str, str] = {
    Region.FACE: "Face and neck",
    Region.SCALP: "Scalp",
    Region.BODY: "Body",
}


def zones_of(diagram: str) -> list[tuple[str, str]]:
    """The (value, label) choices of one diagram, in the order of Zone."""
    return [(zone.value, zone.label) for zone in Zone if ZONE_DIAGRAM[zone.value] == diagram]


def diagrams_for(body_areas: list[str]) -> list[str]:
    """The diagrams a plan's body areas are drawn on, in Region order (face first)."""
    wanted = {AREA_REGION[area] for area in body_areas if area in AREA_REGION}
    return [region.value for region in Region if region in wanted] or [Region.FACE.value]
