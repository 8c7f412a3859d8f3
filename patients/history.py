"""The change history of a patient's record, read from django-simple-history's tables.

One query per kind of record (patient, consultations, contraindications, allergies,
consents, photos), whatever the number of changes: consecutive versions fetched together
are compared in Python, not with one ``diff_against`` query per version.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from clinic.lib.history import BOOKKEEPING, Change, record_changes, tracked_fields
from patients.models import Allergy, Consent, Consultation, Contraindication, Patient, Photo

# Each record's history table, queried through its plain manager: ``Model.history`` builds a
# new manager class at every access (about 0.15 ms each, six times a patient page).
_HISTORY = {
    model: model.history.model._default_manager
    for model in (Patient, Consultation, Contraindication, Allergy, Consent, Photo)
}

# Besides the bookkeeping columns: the search key (derived from the name) and the screening
# answers (shown as the consultation's contraindications).
_IGNORED = BOOKKEEPING | {"search_key", "screening"}


def _fields(model: type[models.Model]) -> list[models.Field]:
    return tracked_fields(model, _IGNORED)


def _label(model: type[models.Model], record: Any) -> str:
    if model is Patient:
        return "Patient record"
    if model is Contraindication:
        return f"Contraindication: {record.get_kind_display()}"
    if model is Consultation:
        return f"Consultation of {record.consulted_on:%d/%m/%Y}"
    if model is Allergy:
        return f"Allergy: {record.ingredient or record.substance}"
    if model is Consent:
        return f"Consent: {record.text.title} (version {record.text.version})"
    if model is Photo:
        return f"Photo: {record.get_area_display()}, {record.get_kind_display().lower()}"
    return model._meta.verbose_name.capitalize()


def _changes_for(model: type[models.Model], records: list[Any], limit: int) -> list[Change]:
    return record_changes(
        records,
        fields=_fields(model),
        describe=lambda record: _label(model, record),
        limit=limit,
    )


def patient_change_history(
    *, patient: Patient, limit: int = 30, before: datetime.datetime | None = None
) -> list[Change]:
    """The latest ``limit`` changes to the patient's record and clinical records made before
    ``before`` (all when None), newest first."""
    sources: list[tuple[type[models.Model], models.QuerySet]] = [
        (Patient, _HISTORY[Patient].filter(id=patient.pk)),
        (Consultation, _HISTORY[Consultation].filter(patient_id=patient.pk)),
        (Contraindication, _HISTORY[Contraindication].filter(patient_id=patient.pk)),
        (Allergy, _HISTORY[Allergy].filter(patient_id=patient.pk).select_related("ingredient")),
        (Consent, _HISTORY[Consent].filter(patient_id=patient.pk).select_related("text")),
        (Photo, _HISTORY[Photo].filter(patient_id=patient.pk)),
    ]
    changes: list[Change] = []
    for model, queryset in sources:
        if before is not None:
            queryset = queryset.filter(history_date__lt=before)
        # One extra version per object is needed to compare the oldest change shown; twice
        # the limit is a cheap bound that covers all but pathological cases.
        records = list(
            queryset.select_related("history_user").order_by("-history_date", "-history_id")[
                : limit * 2
            ]
        )
        changes.extend(_changes_for(model, records, limit))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]
