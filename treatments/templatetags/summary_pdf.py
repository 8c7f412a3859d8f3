"""Tags for the treatment summary PDF (templates/treatments/pdf/)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from treatments.models import InjectionPoint
from treatments.templatetags.treatments_tags import injection_map

register = template.Library()


@register.inclusion_tag("treatments/pdf/_map.html")
def print_map(diagram: str, points: Iterable[InjectionPoint]) -> dict[str, Any]:
    """The session page's read-only injection map (same drawing, same numbered sites), with
    markers sized to stay legible on a map a few centimetres wide."""
    return injection_map(diagram, points)
