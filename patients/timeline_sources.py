"""This app's own timeline sources: consultations and consents (see patients/timeline.py)."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.urls import reverse

from clinic.roles import practitioner_name
from patients.models import Patient
from patients.selectors import patient_consultations
from patients.timeline import TimelineEntry, older_than, older_than_day


def consultation_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """Three queries: the consultations, their concerns and their contraindications."""
    entries = []
    consultations = patient_consultations(patient=patient).filter(
        older_than_day("consulted_on", before)
    )
    for consultation in consultations[:limit]:
        concerns = sorted(consultation.concerns.all(), key=lambda c: (c.indication, c.pk))
        groups = [list(group) for _, group in groupby(concerns, key=lambda c: c.indication)]
        summary = "; ".join(
            f"{group[0].get_indication_display()} "
            f"({', '.join(concern.get_area_display() for concern in group)})"
            for group in groups
        )
        flagged = list(consultation.contraindications.all())
        badge, tone = "", "secondary"
        if any(item.is_absolute for item in flagged):
            badge, tone = "Absolute contraindication", "danger"
        elif flagged:
            plural = "s" if len(flagged) > 1 else ""
            badge, tone = f"{len(flagged)} relative contraindication{plural}", "warning"
        practitioner = consultation.practitioner
        entries.append(
            TimelineEntry(
                when=consultation.consulted_on,
                kind="consultation",
                title=f"Consultation with {practitioner_name(practitioner)}",
                summary=summary,
                url=reverse(
                    "patients:consultation_detail",
                    kwargs={"patient_pk": patient.pk, "pk": consultation.pk},
                ),
                icon="clipboard2-pulse",
                badge=badge,
                badge_tone=tone,
            )
        )
    return entries


def consent_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """One query: the consents the patient signed."""
    consents = (
        patient.consents.filter(older_than("signed_at", before))
        .select_related("text")
        .defer("signature_png")
        .order_by("-signed_at")[:limit]
    )
    return [
        TimelineEntry(
            when=consent.signed_at,
            kind="consent",
            title=f"Signed “{consent.text.title}”",
            summary=f"Version {consent.text.version} · {consent.text.scope_label}",
            url=reverse(
                "patients:consent_detail", kwargs={"patient_pk": patient.pk, "pk": consent.pk}
            ),
            icon="pen",
            # A signature the patient made as a minor stays in the history, marked.
            badge="Withdrawn"
            if consent.is_withdrawn
            else (
                "Not in force: signed as a minor" if consent.signed_as_minor_age is not None else ""
            ),
            badge_tone="secondary" if consent.is_withdrawn else "warning",
        )
        for consent in consents
    ]
