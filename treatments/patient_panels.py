"""The treatments app's card on a patient's overview (see patients/panels.py): the patient's
treatment plans, however long ago they began, which the timeline pushes down once the
maintenance visits pile up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from clinic.dashboard import Panel
from treatments.selectors.plans import patient_plans

if TYPE_CHECKING:
    from patients.models import Patient

# A patient has a few plans; past this many the rest are on the timeline.
SHOWN = 8


def plans_panel(patient: Patient) -> Panel:
    """One query."""
    plans = patient_plans(patient=patient, limit=SHOWN + 1)
    return Panel(
        template="treatments/_patient_plans.html",
        context={
            "plans": plans[:SHOWN],
            "more": len(plans) > SHOWN,
            "today": timezone.localdate(),
        },
    )
