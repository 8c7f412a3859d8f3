"""The injection map: the diagrams and their zones, and points placed on them, round trip."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.choices import Region
from tests.treatments.scenarios import start
from treatments.maps import load_diagram
from treatments.models import InjectionPoint
from treatments.zones import ZONE_DIAGRAM, Zone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("diagram", [region.value for region in Region])
def test_every_zone_is_drawn_on_its_diagram_and_nothing_else(diagram):
    drawing = load_diagram(diagram)
    expected = {zone for zone, on in ZONE_DIAGRAM.items() if on == diagram}
    assert set(drawing.anchors) == expected
    for ax, ay in drawing.anchors.values():
        assert 0 < ax < 1 and 0 < ay < 1
    # Line art with presentation attributes only: the strict CSP forbids style attributes.
    assert not re.search(r"\sstyle\s*=|<script", drawing.inner)


def test_every_zone_belongs_to_a_diagram():
    assert set(ZONE_DIAGRAM) == set(Zone.values)


def _post(scene, **rows):
    data = {
        # Given once the pre-checks passed (the session was started just now).
        "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "cocktail": scene.face_glow.pk,
        "technique": "nappage",
        "needle_gauge": "30",
        "needle_length_mm": "4",
        "total_volume_ml": "0.80",
        "antiseptic": "chlorhexidine",
        "aftercare": "Usual advice",
        "points-TOTAL_FORMS": "2",
        "points-INITIAL_FORMS": "0",
        "lots-TOTAL_FORMS": "0",
        "lots-INITIAL_FORMS": "0",
        "points-0-diagram": "face",
        "points-0-x": "0.4125",
        "points-0-y": "0.2307",
        "points-0-zone": "forehead",
        "points-0-depth_mm": "1.5",
        "points-0-volume_ml": "0.5",
        # Typed by zone: no position.
        "points-1-diagram": "",
        "points-1-x": "",
        "points-1-y": "",
        "points-1-zone": "cheek_l",
        "points-1-depth_mm": "2",
        "points-1-volume_ml": "0.3",
        "action": "save",
    }
    data.update(rows)
    return data


def test_points_placed_on_the_map_come_back_where_they_were_put(
    scene, practitioner, practitioner_client
):
    session = start(scene.plan, practitioner)
    response = practitioner_client.post(
        reverse("treatments:session_log", args=[session.pk]), _post(scene)
    )
    assert response.status_code == 302
    placed, typed = InjectionPoint.objects.filter(session=session).order_by("position")
    assert (placed.x, placed.y, placed.zone) == (0.4125, 0.2307, "forehead")
    assert (placed.depth_mm, placed.volume_ml) == (Decimal("1.5"), Decimal("0.50"))
    assert (typed.diagram, typed.x, typed.y, typed.zone) == ("face", None, None, "cheek_l")

    # The log shows them again, and the read-only map draws them in the drawing's units.
    log = practitioner_client.get(reverse("treatments:session_log", args=[session.pk]))
    assert 'name="points-0-x" value="0.4125"' in log.content.decode()
    page = practitioner_client.get(reverse("treatments:session_detail", args=[session.pk]))
    html = page.content.decode()
    drawing = load_diagram("face")
    assert f'cx="{0.4125 * drawing.width:.1f}" cy="{0.2307 * drawing.height:.1f}"' in html
    ax, ay = drawing.anchors["cheek_l"]
    assert f'cx="{ax * drawing.width:.1f}" cy="{ay * drawing.height:.1f}"' in html
    assert "Site 2: Left cheek, 0.30 ml at 2.0 mm (zone only)" in html


def test_a_site_outside_the_drawing_is_refused_in_its_row(scene, practitioner, practitioner_client):
    session = start(scene.plan, practitioner)
    response = practitioner_client.post(
        reverse("treatments:session_log", args=[session.pk]),
        _post(scene, **{"points-0-x": "1.4", "performed_at": ""}),
    )
    assert response.status_code == 200
    assert not InjectionPoint.objects.exists()
