"""A small clinic for scheduling tests: two rooms, two appointment types, and Dr Martin's week.

Tests run on a fixed clock, Monday 16 March 2026 at 08:00 in Paris, two weeks before clocks go
forward (Sunday 29 March) so daylight-saving weeks are close at hand.
"""

from __future__ import annotations

import datetime
import re

import pytest

from scheduling import clock
from scheduling.models import AppointmentType
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    PatientFactory,
    RoomFactory,
    WorkingHoursFactory,
)

MONDAY = datetime.date(2026, 3, 16)
TUESDAY = MONDAY + datetime.timedelta(days=1)
# What htmx sends with its requests: views then answer with a fragment.
HTMX = {"HX-Request": "true"}


def at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return clock.at(day, datetime.time(hours, minutes))


def en(text: str) -> str:
    """`text` as pages write it, its hyphens en dashes: "09:00-12:30" is shown with one."""
    return text.replace("-", "\N{EN DASH}")


def field_errors(html: str, field: str) -> list[str]:
    """The messages crispy shows under a field (its feedback block)."""
    return re.findall(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(at(MONDAY, "08:00"), tick=False)
    return at(MONDAY, "08:00")


@pytest.fixture
def rooms(db):
    return [RoomFactory(name="Cabinet 1", position=1), RoomFactory(name="Cabinet 2", position=2)]


@pytest.fixture
def treatment(db) -> AppointmentType:
    return AppointmentTypeFactory(
        name="Treatment session",
        kind=AppointmentType.Kind.TREATMENT,
        duration_minutes=45,
        gap_after_minutes=15,
    )


@pytest.fixture
def consultation(db) -> AppointmentType:
    return AppointmentTypeFactory(
        name="Consultation",
        kind=AppointmentType.Kind.CONSULTATION,
        duration_minutes=30,
        gap_after_minutes=10,
    )


def give_week(practitioner, weekdays=range(5)) -> None:
    """Mornings 09:00-12:30 and afternoons 14:00-18:30 on the given weekdays."""
    for weekday in weekdays:
        WorkingHoursFactory(
            practitioner=practitioner,
            weekday=weekday,
            starts_at=datetime.time(9),
            ends_at=datetime.time(12, 30),
        )
        WorkingHoursFactory(
            practitioner=practitioner,
            weekday=weekday,
            starts_at=datetime.time(14),
            ends_at=datetime.time(18, 30),
        )


@pytest.fixture
def clinic(frozen_now, practitioner, rooms, treatment, consultation):
    """Dr Martin works Monday to Friday; everything a booking needs exists."""
    give_week(practitioner)
    return practitioner


@pytest.fixture
def patient(db):
    return PatientFactory(first_name="Juliette", last_name="Dubois")


@pytest.fixture
def colleague(clinic, other_practitioner):
    """Dr Nguyen works the same week as Dr Martin: the colleague an appointment is given to."""
    give_week(other_practitioner)
    return other_practitioner


def treatment_at_ten(practitioner, patient, treatment, room, day: datetime.date):
    """The patient's treatment with the practitioner at 10:00 that day, in that room."""
    return AppointmentFactory(
        practitioner=practitioner,
        patient=patient,
        appointment_type=treatment,
        room=room,
        start=at(day, "10:00"),
    )


@pytest.fixture
def tuesday_appointment(clinic, patient, treatment, rooms):
    """Juliette's treatment with Dr Martin on Tuesday at 10:00, in Cabinet 1."""
    return treatment_at_ten(clinic, patient, treatment, rooms[0], TUESDAY)
