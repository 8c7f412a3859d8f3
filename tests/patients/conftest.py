from __future__ import annotations

from types import SimpleNamespace

import pytest

from patients import services
from patients.models import ConsentText
from tests.patients.factories import PatientFactory


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Hélène", last_name="Lefèvre")


@pytest.fixture
def consent_texts(admin_user):
    """A general treatment consent and a photo consent, version 1 of each."""
    return SimpleNamespace(
        general=services.consent_text_publish(
            kind=ConsentText.Kind.TREATMENT, title="General", body="I agree.", by=admin_user
        ),
        photo=services.consent_text_publish(
            kind=ConsentText.Kind.PHOTO, title="Photos", body="Photos may be taken.", by=admin_user
        ),
    )
