"""Display helpers for treatment pages: the injection map, badges, course wording."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from cocktails.choices import Region
from treatments.maps import load_diagram
from treatments.models import InjectionPoint, TreatmentPlan, TreatmentSession
from treatments.zones import DIAGRAM_LABELS

register = template.Library()

PLAN_TONES = {
    TreatmentPlan.Status.PROPOSED: "proposed",
    TreatmentPlan.Status.ACCEPTED: "accepted",
    TreatmentPlan.Status.IN_PROGRESS: "in-progress",
    TreatmentPlan.Status.MAINTENANCE: "maintenance",
    TreatmentPlan.Status.COMPLETED: "completed",
    TreatmentPlan.Status.STOPPED: "stopped",
}


@register.inclusion_tag("treatments/_map.html")
def injection_map(
    diagram: str,
    points: Iterable[InjectionPoint] = (),
    editable: bool = False,
    hidden: bool = False,
) -> dict[str, Any]:
    """One diagram as inline SVG. Read-only, it carries the session's sites on it, numbered
    as in the sites table; a site typed without a position sits at its zone's centre, drawn
    as a ring. Editable, it is the session form's map (its script adds the markers)."""
    drawing = load_diagram(diagram)
    markers = []
    for number, point in enumerate(points, start=1):
        if point.diagram != diagram:
            continue
        if point.is_placed:
            x, y = drawing.point(point.x, point.y)
        elif point.zone in drawing.anchors:
            x, y = drawing.point(*drawing.anchors[point.zone])
        else:
            continue
        markers.append(
            {"x": x, "y": y, "number": number, "placed": point.is_placed, "point": point}
        )
    return {
        "drawing": drawing,
        "markers": markers,
        "editable": editable,
        "hidden": hidden,
        "label": DIAGRAM_LABELS.get(diagram, Region(diagram).label),
    }


@register.filter
def plan_tone(status: str) -> str:
    return PLAN_TONES.get(status, "proposed")


@register.filter
def days_label(days: int | None) -> str:
    """A cadence for people: 7 → "every week", 30 → "every month", 120 → "every 4 months"."""
    if not days:
        return "as needed"
    if days % 7 == 0 and days <= 56:
        weeks = days // 7
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    months = round(days / 30.4)
    if days >= 28 and abs(days - months * 30.4) <= 3:
        return "every month" if months == 1 else f"every {months} months"
    return f"every {days} days"


@register.filter
def session_tone(session: TreatmentSession) -> str:
    return {"planned": "booked", "in_progress": "open", "signed": "signed"}[session.status]


@register.filter
def ml(value: Any) -> str:
    """A volume: 2 decimals at most, no trailing zeros (1.50 → 1.5 ml)."""
    if value is None or value == "":
        return "—"
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return f"{text} ml"


@register.filter
def amendments_of(amendments: dict[str, list[Any]], field: str) -> list[Any]:
    """The amendments of one field of a session, oldest first."""
    return amendments.get(field, [])


@register.filter
def delay_after(day: Any, session: TreatmentSession) -> str:
    """How long after the session a day falls: "the same day", "4 days", "3 weeks"."""
    if day is None or session.performed_on is None:
        return ""
    days = (day - session.performed_on).days
    if days <= 0:
        return "the same day"
    if days < 14:
        return f"{days} day{'s' if days > 1 else ''} after"
    return f"{days // 7} weeks after"
