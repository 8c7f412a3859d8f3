"""What every patients URL answers to each role; merged into tests/access.py."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.utils import timezone
from PIL import Image

from clinic.roles import Role
from patients import services
from patients.models import ConsentText
from tests.access_rule import CLINICAL, Rule
from tests.patients.factories import AllergyFactory, PatientFactory
from tests.patients.helpers import jpeg_with_gps, log_consultation, upload


def _patient(world: Any) -> dict[str, Any]:
    return {"pk": world.patient.pk}


def _child(name: str):
    def kwargs(world: Any) -> dict[str, Any]:
        return {"patient_pk": world.patient.pk, "pk": getattr(world, name).pk}

    return kwargs


def _of_patient(world: Any) -> dict[str, Any]:
    return {"patient_pk": world.patient.pk}


CLINICAL_PAGE = Rule(ok=CLINICAL)

RULES: dict[str, Rule] = {
    "patients:list": Rule(),
    "patients:create": Rule(),
    # The search picker other apps' forms embed: every role that may see patients.
    "patients:picker": Rule(),
    "patients:detail": Rule(kwargs=_patient),
    "patients:edit_contact": Rule(kwargs=_patient),
    "patients:edit_clinical": Rule(ok=CLINICAL, kwargs=_patient),
    "patients:archive": Rule(ok_status=405, kwargs=_patient),
    "patients:unarchive": Rule(ok_status=405, kwargs=_patient),
    "patients:history": Rule(ok=CLINICAL, kwargs=_patient),
    "patients:timeline": Rule(kwargs=_patient),
    "patients:consultation_create": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:consultation_detail": Rule(ok=CLINICAL, kwargs=_child("consultation")),
    "patients:consultation_edit": Rule(ok=CLINICAL, kwargs=_child("consultation")),
    "patients:contraindication_resolve": Rule(ok=CLINICAL, kwargs=_child("contraindication")),
    "patients:allergy_add": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:allergy_remove": Rule(ok=CLINICAL, kwargs=_child("allergy")),
    "patients:consent_sign": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:consent_detail": Rule(ok=CLINICAL, kwargs=_child("consent")),
    "patients:consent_signature": Rule(ok=CLINICAL, kwargs=_child("consent")),
    "patients:consent_withdraw": Rule(ok=CLINICAL, kwargs=_child("consent")),
    "patients:photo_list": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:photo_upload": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:photo_compare": Rule(ok=CLINICAL, kwargs=_of_patient),
    "patients:photo_file": Rule(ok=CLINICAL, kwargs=_child("photo")),
    "patients:photo_remove": Rule(ok=CLINICAL, kwargs=_child("photo")),
}
# Receptionists may register and edit patients, and the archive buttons are POST-only.
assert RULES["patients:archive"].expected(Role.RECEPTIONIST) == 405


def _signature_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 255)).save(out, "PNG")
    return out.getvalue()


def populate_world(world: Any) -> None:
    """Add to `world` the records this app's URLs with parameters need."""
    world.patient = PatientFactory(first_name="Inès", last_name="Benali")
    # Signed with an absolute contraindication open, so every clinical URL has its record.
    world.consultation = log_consultation(world.patient, world.practitioner, pregnancy="absolute")
    world.contraindication = world.consultation.contraindications.get()
    world.allergy = AllergyFactory(patient=world.patient, recorded_by=world.practitioner)
    text = services.consent_text_publish(
        kind=ConsentText.Kind.TREATMENT, title="General", body="I agree.", by=world.admin
    )
    world.consent = services.consent_sign(
        patient=world.patient,
        text=text,
        signed_name=world.patient.full_name,
        witnessed_by=world.practitioner,
        signature_png=base64.b64decode(base64.b64encode(_signature_png())),
    )
    world.photo = services.photo_upload(
        patient=world.patient,
        by=world.practitioner,
        upload=upload(jpeg_with_gps()),
        kind="before",
        area="face",
        angle="front",
        taken_on=timezone.localdate(),
    )
