from __future__ import annotations

import datetime

import factory

from scheduling import clock
from scheduling.models import (
    Appointment,
    AppointmentType,
    Room,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from tests.patients import factories as patient_factories


class PatientFactory(patient_factories.PatientFactory):
    """The patients app's factory with predictable names, which scheduling tests look for."""

    first_name = factory.Sequence(lambda n: f"Camille{n}")
    last_name = factory.Sequence(lambda n: f"Moreau{n}")
    date_of_birth = datetime.date(1985, 4, 12)
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.test")
    phone = "+33 6 12 34 56 78"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Room {n + 1}")
    position = factory.Sequence(lambda n: n)


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("name",)

    name = "Treatment session"
    kind = AppointmentType.Kind.TREATMENT
    duration_minutes = 45
    gap_after_minutes = 15


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    weekday = 0
    starts_at = datetime.time(9, 0)
    ends_at = datetime.time(18, 0)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    reason = "Holiday"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Written straight to the table (no service rules): for setting scenes in tests."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    room = factory.SubFactory(RoomFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: clock.now() + datetime.timedelta(days=1))
    end = factory.LazyAttribute(lambda a: a.start + a.appointment_type.duration)
    occupied_until = factory.LazyAttribute(lambda a: a.end + a.appointment_type.gap_after)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    patient = factory.SubFactory(PatientFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
