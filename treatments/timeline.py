"""This app's entries on a patient's timeline (see patients/timeline.py): plans and sessions.
Clinical, so only roles that see clinical data get them (the default capability)."""

from __future__ import annotations

import datetime

from clinic.lib.urls import url_for_pk
from clinic.roles import practitioner_name
from patients.models import Patient
from patients.timeline import TimelineEntry, older_than
from treatments.models import TreatmentPlan, TreatmentSession

PLAN_TONES = {
    TreatmentPlan.Status.PROPOSED: "info",
    TreatmentPlan.Status.ACCEPTED: "info",
    TreatmentPlan.Status.IN_PROGRESS: "success",
    TreatmentPlan.Status.MAINTENANCE: "success",
    TreatmentPlan.Status.COMPLETED: "secondary",
    TreatmentPlan.Status.STOPPED: "secondary",
}


def plan_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """One query: the patient's plans, on the day they were proposed."""
    plans = (
        TreatmentPlan.objects.filter(older_than("created_at", before), patient=patient)
        .select_related("cocktail")
        .order_by("-created_at")[:limit]
    )
    link = url_for_pk("treatments:plan_detail")
    return [
        TimelineEntry(
            when=plan.created_at,
            kind="plan",
            title=f"{plan.get_indication_display()} plan",
            summary=f"{plan.initial_sessions} sessions · {plan.cocktail.name}",
            url=link(plan.pk),
            icon="journal-medical",
            badge=plan.get_status_display(),
            badge_tone=PLAN_TONES[plan.status],
        )
        for plan in plans
    ]


def session_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """One query: the sessions given (started or signed), with their plan."""
    sessions = (
        TreatmentSession.objects.filter(
            older_than("performed_at", before),
            plan__patient=patient,
            status__in=TreatmentSession.STARTED,
        )
        .select_related("plan", "practitioner")
        .order_by("-performed_at")[:limit]
    )
    link = url_for_pk("treatments:session_detail")
    return [
        TimelineEntry(
            when=session.performed_at,
            kind="session",
            title=f"{session.get_kind_display()}, {session.plan.get_indication_display().lower()}",
            summary=(
                f"{session.total_volume_ml} ml · " if session.total_volume_ml is not None else ""
            )
            + practitioner_name(session.practitioner),
            url=link(session.pk),
            icon="eyedropper",
            badge="" if session.is_signed else "Not signed",
            badge_tone="warning",
        )
        for session in sessions
    ]
