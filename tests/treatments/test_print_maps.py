"""The summary PDF draws each injection map from an image made from its SVG (treatments.maps):
every diagram has one, at the right size, and it still shows the current drawing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops

from treatments.management.commands.render_print_maps import render_print_image
from treatments.maps import PRINT_SCALE, load_diagram, print_image_name
from treatments.zones import DIAGRAM_LABELS


@pytest.mark.parametrize("key", list(DIAGRAM_LABELS))
def test_each_map_has_a_print_image_of_its_current_drawing(key, tmp_path):
    committed = Path(settings.BASE_DIR) / "static" / print_image_name(key)
    assert committed.exists(), "run `manage.py render_print_maps`"
    diagram = load_diagram(key)
    fresh = tmp_path / f"{key}.jpg"
    render_print_image(key, fresh)
    with Image.open(committed) as old, Image.open(fresh) as new:
        assert old.size == (diagram.width * PRINT_SCALE, diagram.height * PRINT_SCALE)
        assert new.size == old.size
        # Redrawn now, the image matches the committed one, allowing for another poppler's
        # anti-aliasing at the edges of lines: a changed drawing whose PNG was not redrawn
        # fails here.
        difference = ImageChops.difference(old.convert("L"), new.convert("L"))
        changed = sum(difference.histogram()[64:]) / (old.width * old.height)
        assert changed < 0.001, "run `manage.py render_print_maps`"
