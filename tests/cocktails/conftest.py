"""A small catalogue every cocktails test can build on (see scenarios.py)."""

from __future__ import annotations

import pytest

from cocktails.models import Cocktail
from tests.cocktails.factories import PatientFactory
from tests.cocktails.scenarios import make_catalogue, make_face_glow


@pytest.fixture
def catalogue(db):
    return make_catalogue()


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Camille", last_name="Lefèvre")


@pytest.fixture
def face_glow(catalogue, practitioner) -> Cocktail:
    return make_face_glow(catalogue, practitioner)
