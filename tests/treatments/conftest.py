from __future__ import annotations

import pytest

from tests.treatments.scenarios import clinic


@pytest.fixture
def scene(practitioner, admin_user):
    """A catalogue, the Face glow template, a consenting patient and their accepted plan."""
    return clinic(practitioner, admin_user)
