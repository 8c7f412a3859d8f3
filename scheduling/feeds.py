"""A practitioner's appointments as an iCalendar (.ics) feed for their phone or laptop calendar.

Whoever holds the URL can read the feed, so it carries no clinical detail: the kind of visit,
the patient's initials and the room. Cancelled appointments and no-shows are left out.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from icalendar import Calendar, Event

from scheduling import clock, selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from scheduling.models import Appointment

PAST_DAYS = 30
FUTURE_DAYS = 180


def initials(first_name: str, last_name: str) -> str:
    return "".join(f"{name[:1].upper()}." for name in (first_name, last_name) if name)


def summary(appointment: Appointment) -> str:
    patient = appointment.patient
    who = initials(patient.first_name, patient.last_name)
    return f"{appointment.appointment_type.name} \N{MIDDLE DOT} {who}"


def feed_for(practitioner: AbstractBaseUser, *, now: datetime.datetime | None = None) -> bytes:
    now = now or clock.now()
    appointments = [
        appointment
        for appointment in selectors.appointments_between(
            now - datetime.timedelta(days=PAST_DAYS),
            now + datetime.timedelta(days=FUTURE_DAYS),
            practitioner=practitioner,
            names_only=True,
        )
        if appointment.holds_slot
    ]
    calendar = Calendar()
    calendar.add("prodid", "-//Mesoclinic//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname", f"{settings.CLINIC_NAME}: {selectors.practitioner_name(practitioner)}"
    )
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for appointment in appointments:
        event = Event()
        event.add("uid", f"appointment-{appointment.pk}@mesoclinic")
        event.add("dtstamp", appointment.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", appointment.start.astimezone(datetime.UTC))
        event.add("dtend", appointment.end.astimezone(datetime.UTC))
        event.add("summary", summary(appointment))
        event.add("location", f"{appointment.room.name}, {settings.CLINIC_NAME}")
        event.add("status", "CONFIRMED" if appointment.status != "booked" else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()
