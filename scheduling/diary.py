"""The diary as the treatments app reads it (treatments.diary): registered from apps.py.

Treatments may not import scheduling (scheduling builds on it), so it asks this provider for a
practitioner's day, for the appointments holding its plan sessions, and for where to book a
plan's sessions, and tells it when a session's log opens and is signed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse

from clinic.lib.urls import url_for_pk
from scheduling import clock, services
from scheduling.models import Appointment
from treatments.diary import Booking

if TYPE_CHECKING:
    from clinic.roles import User
    from treatments.models import TreatmentPlan


def _booking(appointment: Appointment, link: Callable[[int], str]) -> Booking:
    return Booking(
        appointment_id=appointment.pk,
        patient=appointment.patient,
        start=appointment.start,
        end=appointment.end,
        type_label=appointment.appointment_type.name,
        kind=appointment.appointment_type.kind,
        status=appointment.status,
        status_label=appointment.get_status_display(),
        room_label=appointment.room.name,
        plan_session_id=appointment.plan_session_id,
        url=link(appointment.pk),
    )


class SchedulingDiary:
    def practitioner_day(self, *, practitioner: User, day: datetime.date) -> list[Booking]:
        start, end = clock.day_bounds(day)
        rows = (
            Appointment.objects.filter(practitioner=practitioner)
            .during(start, end)
            .exclude(status=Appointment.Status.CANCELLED)
            .select_related("patient", "appointment_type", "room")
            .order_by("start", "pk")
        )
        link = url_for_pk("scheduling:appointment")
        return [_booking(row, link) for row in rows]

    def session_bookings(self, *, session_ids: Collection[int]) -> dict[int, Booking]:
        rows = (
            Appointment.objects.active()
            .filter(plan_session_id__in=list(session_ids))
            .select_related("patient", "appointment_type", "room")
        )
        link = url_for_pk("scheduling:appointment")
        return {row.plan_session_id: _booking(row, link) for row in rows}

    def session_logged(self, *, session_id: int, signed: bool, by: User) -> None:
        services.appointment_follow_session(plan_session_id=session_id, signed=signed, by=by)

    def plan_booking_url(self, *, plan: TreatmentPlan, maintenance: bool) -> str:
        query = {"plan": plan.pk}
        if maintenance:
            query["kind"] = "maintenance"
        return f"{reverse('scheduling:series')}?{urlencode(query)}"
