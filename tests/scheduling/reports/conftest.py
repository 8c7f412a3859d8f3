from __future__ import annotations

import pytest

from tests.cocktails.scenarios import make_catalogue, make_face_glow
from tests.scheduling.reports.scenes import NOW


@pytest.fixture
def frozen(time_machine):
    """Today is Wednesday 18 March 2026, 10:00 in Paris."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def cocktail(frozen, admin_user):
    return make_face_glow(make_catalogue(), by=admin_user)
