"""Scheduling's entries on the patient page's timeline (see patients/timeline.py)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from clinic.lib.urls import url_for_pk
from clinic.roles import practitioner_name
from patients.models import Consultation, Patient
from patients.timeline import TimelineEntry, older_than
from scheduling import clock
from scheduling.models import Appointment, AppointmentType
from treatments.models import TreatmentSession

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
    return _entries(Appointment.objects.filter(patient=patient), limit=limit, before=before)


def visit_entries(
    *, patient: Patient, limit: int, before: datetime.datetime | None = None
) -> list[TimelineEntry]:
    """``appointment_entries`` for those who see the clinical records too: a completed visit
    is left to the record made at it, which tells more (the timeline listed each twice). A
    treatment visit is the session it held; a consultation visit, the consultation its
    practitioner recorded for the patient that day. One query."""
    recorded = Consultation.objects.filter(
        patient=OuterRef("patient"),
        practitioner=OuterRef("practitioner"),
        consulted_on=OuterRef("local_day"),
    )
    told_elsewhere = Q(status=Appointment.Status.COMPLETED) & (
        Q(plan_session__status__in=TreatmentSession.STARTED)
        | (Q(appointment_type__kind=AppointmentType.Kind.CONSULTATION) & Exists(recorded))
    )
    visits = (
        Appointment.objects.filter(patient=patient)
        .alias(local_day=TruncDate("start", tzinfo=clock.clinic_tz()))
        .exclude(told_elsewhere)
    )
    return _entries(visits, limit=limit, before=before)


def _entries(
    rows: QuerySet[Appointment], *, limit: int, before: datetime.datetime | None
) -> list[TimelineEntry]:
    rows = (
        rows.filter(older_than("start", before))
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
