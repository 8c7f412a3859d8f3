"""The pages that ask for a reason before a change kept for the record (resolve a
contraindication, remove an allergy or a photo, withdraw a consent): once the change is made,
the page says so and sends the user back, asking for nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from patients import services
from tests.patients.helpers import a_while_ago, jpeg_with_gps, log_consultation, upload

pytestmark = pytest.mark.django_db


def _done(kind, patient, practitioner, consent_texts):
    """Make the change of `kind` on `patient`; returns (its page, where it sends back, message)."""
    detail = reverse("patients:detail", args=[patient.pk])
    if kind == "contraindication":
        log_consultation(patient, practitioner, pregnancy="absolute")
        item = patient.contraindications.get()
        services.contraindication_resolve(contraindication=item, by=practitioner, reason="Ended")
        name, back, message = "contraindication_resolve", detail, "already resolved"
    elif kind == "allergy":
        item = services.allergy_record(patient=patient, by=practitioner, substance="Latex")
        services.allergy_remove(allergy=item, reason="Entered in error")
        name, back, message = "allergy_remove", detail, "already removed"
    elif kind == "consent":
        item = services.consent_sign(
            patient=patient,
            text=consent_texts.general,
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
        services.consent_withdraw(consent=item, by=practitioner, reason="Changed her mind")
        name, back, message = "consent_withdraw", detail, "already withdrawn"
    else:
        services.consent_sign(
            patient=patient,
            text=consent_texts.photo,
            signed_name=patient.full_name,
            witnessed_by=practitioner,
        )
        item = services.photo_upload(
            patient=patient,
            by=practitioner,
            upload=upload(jpeg_with_gps()),
            kind="before",
            area="face",
            angle="front",
            taken_on=a_while_ago(3),
        )
        services.photo_remove(photo=item, reason="Blurred")
        name = "photo_remove"
        back = reverse("patients:photo_list", args=[patient.pk])
        message = "already removed"
    return reverse(f"patients:{name}", args=[patient.pk, item.pk]), back, message


@pytest.mark.parametrize("kind", ["contraindication", "allergy", "consent", "photo"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_change_already_made_is_not_asked_for_again(
    practitioner_client, patient, practitioner, consent_texts, kind, method
):
    url, back, message = _done(kind, patient, practitioner, consent_texts)
    response = getattr(practitioner_client, method)(url, {"reason": "Again"})
    assert response.status_code == 302
    assert response["Location"] == back
    assert any(message in str(m) for m in get_messages(response.wsgi_request))
