from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from patients.models import ADULT_AGE, age_on

register = template.Library()


@register.filter
def age(born: datetime.date | None) -> int | str:
    """Age in whole years today (in the clinic's time zone)."""
    if born is None:
        return ""
    return age_on(born, timezone.localdate())


@register.filter
def minor(born: datetime.date | None) -> bool:
    """Under ADULT_AGE today: a parent or legal guardian signs the patient's consents."""
    return born is not None and age(born) < ADULT_AGE


@register.filter
def initials(patient: object) -> str:
    first = getattr(patient, "first_name", "")[:1]
    last = getattr(patient, "last_name", "")[:1]
    return f"{first}{last}".upper()
