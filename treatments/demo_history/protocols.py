"""How the demo practice treats each indication (the course it proposes, the zones it injects,
what a session and its result are like), the adverse events it sees, and where a session's
sites go on the map."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from cocktails.choices import BodyArea, Indication
from treatments import services
from treatments.maps import load_diagram
from treatments.models import AdverseEvent, TreatmentSession

Technique = TreatmentSession.Technique
Reaction = TreatmentSession.Reaction
FACE_I, HAIR, CELLULITE, SCARS, BODY = (
    Indication.FACIAL_REJUVENATION,
    Indication.HAIR_RESTORATION,
    Indication.CELLULITE,
    Indication.SCARS,
    Indication.BODY_CONTOURING,
)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Protocol:
    """How the demo practice treats an indication: the course it proposes, the zones of
    each body area it injects, and what a session of it is like."""

    sessions: tuple[int, ...]
    intervals: tuple[int, ...]
    maintenance: tuple[int | None, ...]
    zones: dict[str, tuple[str, ...]]
    ml_per_zone: tuple[str, str]
    depth: tuple[str, str]
    techniques: tuple[str, ...]
    gauges: tuple[int, ...]
    needle_mm: str
    pain: tuple[int, int]
    reactions: tuple[str, ...]
    # GAIS weights from "very much improved" (1) to "worse" (5), at the end of the course.
    gais: tuple[int, int, int, int, int]
    # The indication's measure (treatments/measures.py): a baseline range and how much a
    # good course changes it (negative: lower is better).
    baseline: tuple[int, int] | None = None
    change: tuple[float, float] = (0.0, 0.0)
    numbing: bool = True


PROTOCOLS: dict[str, Protocol] = {
    FACE_I: Protocol(
        sessions=(3, 4, 4, 5),
        intervals=(14,),
        maintenance=(90, 120, 120, 180),
        zones={
            BodyArea.FACE: ("forehead", "periorbital_r", "periorbital_l", "cheek_r", "cheek_l"),
            BodyArea.NECK: ("neck",),
            BodyArea.DECOLLETE: ("decollete",),
        },
        ml_per_zone=("0.3", "0.5"),
        depth=("1.0", "1.5"),
        techniques=(Technique.NAPPAGE, Technique.NAPPAGE, Technique.PAPULE),
        gauges=(30, 32),
        needle_mm="4",
        pain=(1, 4),
        reactions=(Reaction.REDNESS, Reaction.WHEALS, Reaction.PINPOINT_BLEEDING),
        gais=(20, 42, 28, 9, 1),
    ),
    HAIR: Protocol(
        sessions=(6, 8, 8, 10),
        intervals=(7, 10, 14),
        maintenance=(30, 30, 60),
        zones={
            BodyArea.SCALP: ("frontal", "mid_scalp", "vertex", "temporal_r", "temporal_l"),
        },
        ml_per_zone=("0.3", "0.4"),
        depth=("1.5", "2.5"),
        techniques=(Technique.POINT_BY_POINT, Technique.INJECTOR_GUN),
        gauges=(30, 32),
        needle_mm="4",
        pain=(2, 5),
        reactions=(Reaction.REDNESS, Reaction.PINPOINT_BLEEDING),
        gais=(8, 30, 36, 23, 3),
        baseline=(85, 140),
        change=(0.05, 0.22),
    ),
    CELLULITE: Protocol(
        sessions=(6, 8, 10),
        intervals=(7,),
        maintenance=(30,),
        zones={
            BodyArea.THIGHS: ("outer_thigh_r", "outer_thigh_l", "thigh_back_r", "thigh_back_l"),
            BodyArea.BUTTOCKS: ("buttock_r", "buttock_l"),
            BodyArea.ARMS: ("arm_back_r", "arm_back_l"),
            BodyArea.ABDOMEN: ("abdomen",),
            BodyArea.FLANKS: ("flank_r", "flank_l"),
        },
        ml_per_zone=("0.6", "0.9"),
        depth=("4.0", "6.0"),
        techniques=(Technique.PAPULE, Technique.POINT_BY_POINT),
        gauges=(27, 30),
        needle_mm="6",
        pain=(2, 4),
        reactions=(Reaction.REDNESS, Reaction.WHEALS, Reaction.BRUISING),
        gais=(4, 26, 45, 23, 2),
        baseline=(6, 12),
        change=(-0.35, -0.1),
        numbing=False,
    ),
    SCARS: Protocol(
        sessions=(3, 4, 5),
        intervals=(21, 28),
        maintenance=(None,),
        zones={
            BodyArea.FACE: ("cheek_r", "cheek_l", "chin"),
            BodyArea.BACK: ("upper_back",),
            BodyArea.NECK: ("neck",),
        },
        ml_per_zone=("0.3", "0.5"),
        depth=("1.0", "2.0"),
        techniques=(Technique.POINT_BY_POINT, Technique.LINEAR_RETROGRADE),
        gauges=(30, 32),
        needle_mm="4",
        pain=(2, 4),
        reactions=(Reaction.REDNESS, Reaction.PINPOINT_BLEEDING),
        gais=(18, 40, 30, 11, 1),
        baseline=(6, 10),
        change=(-0.5, -0.2),
    ),
    BODY: Protocol(
        sessions=(4, 6, 6, 8),
        intervals=(7, 10, 14),
        maintenance=(None,),
        zones={
            BodyArea.ABDOMEN: ("abdomen",),
            BodyArea.FLANKS: ("flank_r", "flank_l"),
            BodyArea.THIGHS: ("inner_thigh_r", "inner_thigh_l"),
            BodyArea.ARMS: ("arm_back_r", "arm_back_l"),
        },
        ml_per_zone=("1.0", "1.5"),
        depth=("6.0", "10.0"),
        techniques=(Technique.LINEAR_RETROGRADE, Technique.POINT_BY_POINT),
        gauges=(27, 30),
        needle_mm="13",
        pain=(3, 6),
        reactions=(Reaction.SWELLING, Reaction.BRUISING, Reaction.REDNESS),
        gais=(8, 30, 40, 20, 2),
        baseline=(72, 104),
        change=(-0.06, -0.02),
    ),
}


class Event(NamedTuple):
    """An adverse event as it goes: onset and duration in days (ranges), treatment given."""

    kind: str
    severity: str
    onset: tuple[int, int]
    lasting: tuple[int, int]
    treatment: str


AE = AdverseEvent.Kind
MILD, MODERATE, SEVERE = AdverseEvent.Severity
BRUISE = Event(AE.BRUISING, MILD, (0, 1), (4, 10), "Arnica gel and cold compresses.")
SWELLING = Event(AE.SWELLING, MILD, (0, 1), (2, 5), "Cold compresses; settled on its own.")
REDNESS = Event(AE.PROLONGED_REDNESS, MILD, (1, 2), (4, 9), "Soothing cream, sun protection.")
NODULE = Event(AE.NODULE, MODERATE, (7, 14), (20, 45), "Massage; reviewed at two weeks.")
INFECTION = Event(
    AE.INFECTION, MODERATE, (2, 4), (7, 12), "Oral antibiotics for 7 days after a swab."
)
PIGMENT = Event(
    AE.HYPERPIGMENTATION, MODERATE, (10, 20), (60, 100), "Sun protection, depigmenting cream."
)
ALLERGY = Event(
    AE.ALLERGIC_REACTION,
    SEVERE,
    (0, 0),
    (3, 6),
    "Antihistamine and oral corticosteroid; seen the next day. Cocktail to be reviewed.",
)
# By indication, with weights; drawn for about one session in thirty.
EVENT_RATE = 0.025
EVENTS: dict[str, tuple[tuple[Event, int], ...]] = {
    FACE_I: ((BRUISE, 8), (SWELLING, 4), (REDNESS, 3), (PIGMENT, 1), (ALLERGY, 1)),
    HAIR: ((REDNESS, 3), (SWELLING, 2), (INFECTION, 1)),
    CELLULITE: ((BRUISE, 8), (NODULE, 2), (SWELLING, 2)),
    SCARS: ((REDNESS, 3), (BRUISE, 2), (PIGMENT, 1)),
    BODY: ((BRUISE, 6), (SWELLING, 4), (NODULE, 3), (INFECTION, 1)),
}

STOP_REASONS = (
    "Moved out of the area; continues elsewhere.",
    "Could not keep the appointments with a new job.",
    "Not satisfied with the progress so far.",
    "Stopped for personal reasons.",
)
LOST = "Lost to follow-up: no answer to the maintenance reminders."
DECLINE_REASONS = (
    "Declined: over the budget for now.",
    "Declined after thinking it over.",
    "Wants to wait until after the summer.",
)
# How patients in maintenance behave: kept every visit, came once too late, stopped coming,
# or reached a stable result and were discharged by the practitioner.
REGULAR, LATE, LAPSED, DISCHARGED = "regular", "late", "lapsed", "discharged"
ADHERENCE = ((REGULAR, 40), (LATE, 25), (LAPSED, 25), (DISCHARGED, 10))


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([item for item, _ in pairs], [weight for _, weight in pairs])[0]


def between(rng: random.Random, low: str, high: str) -> Decimal:
    """A value between two, in tenths."""
    tenths = rng.randint(int(Decimal(low) * 10), int(Decimal(high) * 10))
    return Decimal(tenths) / 10


# --- Where the sites go on the map ----------------------------------------------------------

# Sites of one session must not hide each other's markers on the map (the treatments demo
# test checks it): a site is at least this far from every other, before a small jitter.
SITE_GAP = 0.062
_OFFSETS = (
    ((-0.035, 0.0), (0.035, 0.0)),
    ((0.0, -0.035), (0.0, 0.035)),
    ((-0.028, -0.028), (0.028, 0.028)),
    ((-0.028, 0.028), (0.028, -0.028)),
)


@cache
def _layout(diagram: str, zones: tuple[str, ...]) -> tuple[tuple[str, float, float], ...]:
    """(zone, x, y) of each site: two per zone, either side of its centre in whichever
    direction keeps them clear of the sites already placed, or one at its centre when the
    zone is too crowded for two (the body's thighs and flanks are close together)."""
    anchors = load_diagram(diagram).anchors
    placed: list[tuple[str, float, float]] = []

    def clear(x: float, y: float) -> bool:
        return all(abs(x - px) + abs(y - py) >= SITE_GAP for _, px, py in placed)

    for zone in zones:
        ax, ay = anchors[zone]
        for first, second in _OFFSETS:
            sites = [(ax + dx, ay + dy) for dx, dy in (first, second)]
            if all(clear(x, y) for x, y in sites):
                placed += [(zone, x, y) for x, y in sites]
                break
        else:
            if clear(ax, ay):
                placed.append((zone, ax, ay))
    return tuple(placed)


def site_points(
    diagram: str, zones: tuple[str, ...], ml_per_zone: Decimal, depth: Decimal, rng: random.Random
) -> list[services.PointInput]:
    sites = _layout(diagram, zones)
    per_zone: dict[str, int] = defaultdict(int)
    for zone, _, _ in sites:
        per_zone[zone] += 1
    return [
        services.PointInput(
            diagram=diagram,
            zone=zone,
            depth_mm=depth,
            volume_ml=(ml_per_zone / per_zone[zone]).quantize(CENT),
            x=round(x + rng.uniform(-0.004, 0.004), 4),
            y=round(y + rng.uniform(-0.006, 0.006), 4),
        )
        for zone, x, y in sites
    ]
