"""Scheduling's entries on the patient page's timeline (see patients/timeline.py)."""

from __future__ import annotations

import datetime

from clinic.lib.urls import url_for_pk
from clinic.roles import practitioner_name
from patients.models import Patient
from patients.timeline import TimelineEntry, older_than
from scheduling.models import Appointment

_TONES = {
    Appointment.Status.CANCELLED: "secondary",
    Appointment.Status.NO_SHOW: "danger",
    Appointment.Status.COMPLETED: "success",
    Appointment.Status.CONFIRMED: "info",
}


def appointment_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """One query: the patient's appointments, newest first, with type, practitioner and room."""
    rows = (
        Appointment.objects.filter(older_than("start", before), patient=patient)
        .select_related("appointment_type", "practitioner", "room")
        .order_by("-start")[:limit]
    )
    link = url_for_pk("scheduling:appointment")
    return [
        TimelineEntry(
            when=row.start,
            kind="appointment",
            title=f"{row.appointment_type.name} with {practitioner_name(row.practitioner)}",
            summary=row.room.name,
            url=link(row.pk),
            icon="calendar-event",
            badge=row.get_status_display(),
            badge_tone=_TONES.get(row.status, "secondary"),
        )
        for row in rows
    ]
