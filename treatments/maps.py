"""The injection-map diagrams, read from static/img/map-<diagram>.svg and drawn inline.

The drawings are inlined (not <img>) so the session form's script can tell which zone a
click lands on, and so the read-only map (page and PDF) can carry its points inside the same
SVG, positioned in the drawing's own units. See treatments/zones.py for the zones.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

_VIEWBOX = re.compile(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"')
_ZONE = re.compile(r'data-zone="([a-z_]+)" data-ax="([\d.]+)" data-ay="([\d.]+)"')
_BODY = re.compile(r"<svg[^>]*>(.*)</svg>", re.DOTALL)


@dataclass(frozen=True)
class Diagram:
    key: str
    width: float
    height: float
    # The drawing inside the <svg> element: our own static file, trusted markup.
    inner: SafeString
    # Zone -> its anchor, as fractions of the width and height.
    anchors: dict[str, tuple[float, float]]

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A position given as fractions, in the drawing's units."""
        return x * self.width, y * self.height


def diagram_path(key: str) -> Path:
    found = finders.find(f"img/map-{key}.svg")
    if not found:
        raise FileNotFoundError(f"static/img/map-{key}.svg is missing")
    return Path(found)


@functools.cache
def load_diagram(key: str) -> Diagram:
    """The diagram `key` ("face", "scalp" or "body"), read once per process."""
    text = diagram_path(key).read_text(encoding="utf-8")
    size = _VIEWBOX.search(text)
    body = _BODY.search(text)
    if size is None or body is None:
        raise ValueError(f"map-{key}.svg has no viewBox or no content")
    anchors: dict[str, tuple[float, float]] = {}
    for zone, ax, ay in _ZONE.findall(text):
        # A zone drawn on two views (the flanks) is anchored on the first one.
        anchors.setdefault(zone, (float(ax), float(ay)))
    return Diagram(
        key=key,
        width=float(size.group(1)),
        height=float(size.group(2)),
        inner=mark_safe(body.group(1)),  # noqa: S308 (our own static drawing)
        anchors=anchors,
    )


# --- The drawings as images for the summary PDF -------------------------------------------------
# WeasyPrint draws an SVG <img> anew each time it appears (about 25 ms for the body), but
# embeds a raster image once however many sessions show it. The PDF therefore uses a JPEG of
# each drawing, at PRINT_SCALE pixels per drawing unit (about 400 to 600 dpi at the size the
# summary prints a map), made from the SVG by `manage.py render_print_maps`.
PRINT_SCALE = 2


def print_image_name(key: str) -> str:
    """The static path of diagram `key`'s image for print."""
    return f"img/print/map-{key}.jpg"
