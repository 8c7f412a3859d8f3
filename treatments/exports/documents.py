"""What leaves the app: the treatment summary as a PDF (``templates/treatments/pdf/``, rendered
by WeasyPrint through clinic/lib/pdf.py, with the injection maps and the outcome chart drawn
inline), and the rows of the sessions CSV."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from clinic.lib.pdf import pdf_render
from clinic.roles import practitioner_name
from patients.models import Patient
from treatments.exports.selectors import FULL_RECORDS, SummaryDocument
from treatments.models import TreatmentPlan, TreatmentSession

TEMPLATE = "treatments/pdf/summary.html"


def clinic_identity() -> dict[str, str]:
    """The letterhead: the clinic's name, address, phone and logo (a static file)."""
    return {
        "name": settings.CLINIC_NAME,
        "address": settings.CLINIC_ADDRESS,
        "phone": settings.CLINIC_PHONE,
        "logo": settings.CLINIC_LOGO,
    }


def summary_pdf(
    *, document: SummaryDocument, target: str | Path | IO[bytes] | None = None
) -> bytes | None:
    """Render the summary; write it to `target` (a path or a file) or return the bytes."""
    return pdf_render(
        template=TEMPLATE,
        context={
            "doc": document,
            "clinic": clinic_identity(),
            "time_zone": settings.TIME_ZONE,
            "full_records": FULL_RECORDS,
        },
        target=target,
    )


# Latin letters that do not decompose into a plain letter and an accent.
_LATIN_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l", "Ł": "L"}
)


def summary_filename(*, patient: Patient, plan: TreatmentPlan | None = None) -> str:
    """An ASCII file name that says whose summary it is: accents are dropped, and a name in
    another script falls back to the record number alone."""
    name = f"{patient.last_name} {patient.first_name}".translate(_LATIN_LETTERS)
    name = slugify(name) or "patient"
    scope = f"plan-{plan.pk}" if plan is not None else "all-plans"
    return f"treatment-summary-{name}-{patient.pk}-{scope}.pdf"


# --- The sessions CSV -------------------------------------------------------------------------

SESSION_COLUMNS = (
    "Session",
    "Date",
    "Patient record",
    "Patient",
    "Plan",
    "Indication",
    "Kind",
    "Status",
    "Practitioner",
    "Cocktail",
    "Version",
    "Components",
    "Technique",
    "Needle gauge",
    "Needle length (mm)",
    "Depth min (mm)",
    "Depth max (mm)",
    "Sites",
    "Zones (ml)",
    "Total volume (ml)",
    "Lots",
    "Pain (0-10)",
    "Reactions",
    "Adverse events",
    "Signed at",
    "Signed by",
)
NOTE_COLUMNS = ("Reaction details", "Aftercare", "Notes")


def _person(user: Any) -> str:
    return practitioner_name(user) if user is not None else ""


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def session_csv_header(*, notes: bool) -> tuple[str, ...]:
    return SESSION_COLUMNS + NOTE_COLUMNS if notes else SESSION_COLUMNS


def session_csv_row(session: TreatmentSession, *, notes: bool) -> tuple[Any, ...]:
    """One session as a row of plain values (sessions as ``sessions_for_csv`` loads them)."""
    plan = session.plan
    points = list(session.points.all())
    zones: dict[str, Decimal] = {}
    for point in points:
        zones[point.get_zone_display()] = zones.get(point.get_zone_display(), 0) + point.volume_ml
    depths = [point.depth_mm for point in points]
    formulation = session.formulation
    row = (
        session.pk,
        _moment(session.performed_at),
        plan.patient_id,
        plan.patient.full_name,
        plan.pk,
        plan.get_indication_display(),
        session.get_kind_display(),
        session.get_status_display(),
        _person(session.practitioner),
        formulation.cocktail.name if formulation else "",
        formulation.number if formulation else "",
        "; ".join(str(c) for c in formulation.components.all()) if formulation else "",
        session.get_technique_display(),
        session.needle_gauge or "",
        session.needle_length_mm if session.needle_length_mm is not None else "",
        min(depths) if depths else "",
        max(depths) if depths else "",
        len(points),
        "; ".join(f"{zone} {volume:g}" for zone, volume in zones.items()),
        session.total_volume_ml if session.total_volume_ml is not None else "",
        "; ".join(
            f"{row.lot.lot_number} ({row.lot.product}, exp. {row.lot.expiry_date.isoformat()}, "
            f"{row.vials} vial{'s' if row.vials > 1 else ''}, {row.volume_ml:g} ml)"
            for row in session.active_lots
        ),
        session.pain_score if session.pain_score is not None else "",
        ", ".join(session.reaction_labels),
        "; ".join(
            f"{event.label} ({event.get_severity_display().lower()}, "
            f"{event.get_outcome_display().lower()})"
            for event in session.adverse_events.all()
        ),
        _moment(session.signed_at),
        _person(session.signed_by),
    )
    if notes:
        row += (session.reaction_notes, session.aftercare, session.notes)
    return row
