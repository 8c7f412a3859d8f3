"""Redraw the injection maps' images for the summary PDF (static/img/print/) from their SVGs.
Run it after changing a drawing; tests/treatments/test_print_maps.py fails until you do.
Needs pdftoppm (poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from treatments.maps import PRINT_SCALE, diagram_path, load_diagram, print_image_name
from treatments.zones import DIAGRAM_LABELS


def render_print_image(key: str, target: Path) -> None:
    """Draw diagram `key` to a JPEG at `target`, PRINT_SCALE pixels per drawing unit:
    WeasyPrint lays the SVG on a page of its own size, pdftoppm rasterises that page.

    JPEG because WeasyPrint copies a JPEG into the PDF as it is, where it decodes and
    re-encodes a PNG (70 ms for the body); at this resolution, without chroma subsampling and
    at quality 92, the compression does not show on the lines."""
    from PIL import Image
    from weasyprint import HTML

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise CommandError("pdftoppm is missing: apt-get install poppler-utils")
    diagram = load_diagram(key)
    html = (
        f"<style>@page {{ size: {diagram.width:g}px {diagram.height:g}px; margin: 0 }}"
        f"body {{ margin: 0 }} img {{ display: block; width: {diagram.width:g}px;"
        f" height: {diagram.height:g}px }}</style>"
        f'<img src="{diagram_path(key).as_uri()}" alt="">'
    )
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "map.pdf"
        HTML(string=html).write_pdf(pdf)
        stem = Path(folder) / "map"
        dpi = str(96 * PRINT_SCALE)  # a CSS px is 1/96 in
        subprocess.run(  # noqa: S603 (fixed arguments, our own files)
            [pdftoppm, "-png", "-r", dpi, "-singlefile", str(pdf), str(stem)],
            check=True,
            timeout=60,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(stem.with_suffix(".png")) as drawing:
            drawing.convert("RGB").save(target, "JPEG", quality=92, subsampling=0)


class Command(BaseCommand):
    help = "Draw static/img/print/map-<diagram>.jpg from static/img/map-<diagram>.svg."

    def handle(self, *args: Any, **options: Any) -> None:
        for key in DIAGRAM_LABELS:
            target = Path(settings.BASE_DIR) / "static" / print_image_name(key)
            render_print_image(key, target)
            self.stdout.write(f"Wrote {target.relative_to(settings.BASE_DIR)}")
