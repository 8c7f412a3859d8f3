"""Small builders shared by the patients tests."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from cocktails.choices import BodyArea, Indication
from patients import services
from patients.models import Consultation, Contraindication, Patient
from patients.screening import QUESTIONS

GPS_IFD = 0x8825


def screening(**flags: str) -> dict[str, services.ScreeningAnswer]:
    """Every question answered "no" except ``flags`` (question key -> severity)."""
    return {
        question.key: services.ScreeningAnswer(
            yes=question.key in flags,
            severity=flags.get(question.key, question.default_severity),
            note="noted" if question.key in flags else "",
        )
        for question in QUESTIONS
    }


def log_consultation(patient: Patient, practitioner: Any, **flags: str) -> Consultation:
    return services.consultation_create(
        patient=patient,
        practitioner=practitioner,
        consulted_on=timezone.localdate(),
        expectations_realistic=Consultation.Realistic.YES,
        pain_tolerance=5,
        screening=screening(**flags),
        concerns=[(Indication.FACIAL_REJUVENATION, BodyArea.FACE)],
    )


def consultation_post(**overrides: Any) -> dict[str, Any]:
    """A valid consultation form submission; every screening answer "no"."""
    data: dict[str, Any] = {
        "consulted_on": timezone.localdate().isoformat(),
        "goals": "Look less tired",
        "expectations": "Gradual result",
        "expectations_realistic": "yes",
        "pain_tolerance": "6",
        "needle_aversion": "none",
        "budget": "450",
        "notes": "",
        f"concern_{Indication.FACIAL_REJUVENATION}": [BodyArea.FACE, BodyArea.NECK],
        # The background as the page shows it: what is on record (nothing, for a new patient).
        "fitzpatrick_type": "",
        "current_medications": "",
        "previous_treatments": "",
    }
    for question in QUESTIONS:
        data[question.key] = "no"
        data[f"{question.key}_severity"] = question.default_severity
        data[f"{question.key}_note"] = ""
    data.update(overrides)
    return data


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG carrying EXIF: camera make, a comment and a GPS position."""
    image = Image.new("RGB", size, (200, 150, 120))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    exif[0x0112] = 1  # Orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"Rue des Lilas")
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo_post(content: bytes | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "image": upload(content if content is not None else jpeg_with_gps()),
        "kind": "before",
        "area": BodyArea.FACE,
        "angle": "front",
        "taken_on": timezone.localdate().isoformat(),
        "notes": "",
    }
    data.update(overrides)
    return data


def a_while_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


ABSOLUTE = Contraindication.Severity.ABSOLUTE
RELATIVE = Contraindication.Severity.RELATIVE
