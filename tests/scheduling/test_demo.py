"""seed_demo's scheduling part: realistic, rule-abiding, and idempotent."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command

from clinic import demo as clinic_demo
from scheduling import demo as scheduling_demo
from scheduling.models import Appointment, AppointmentSeries, Room, WaitlistEntry, WorkingHours
from tests.scheduling.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_without_patients_the_demo_books_nothing():
    # The staff and the schedule alone, without the patients app's demo patients.
    clinic_demo.seed(lambda line: None)
    scheduling_demo.seed(lambda line: None)
    assert Room.objects.count() == 3
    assert WorkingHours.objects.exists()
    assert not Appointment.objects.exists()


def test_with_patients_the_demo_fills_weeks_without_double_booking(time_machine):
    time_machine.move_to("2026-03-16 08:00+01:00", tick=False)
    for _ in range(12):
        PatientFactory()
    call_command("seed_demo", stdout=StringIO())
    appointments = list(Appointment.objects.active().order_by("start"))
    assert len(appointments) > 100
    assert AppointmentSeries.objects.filter(plan__isnull=True).count() == 2
    # The running demo plans' remaining sessions, each appointment holding a plan session.
    for series in AppointmentSeries.objects.filter(plan__isnull=False):
        held = Appointment.objects.filter(series=series).values_list("plan_session", flat=True)
        assert len(set(held)) == series.count and None not in held
    assert WaitlistEntry.objects.count() == 2
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"completed", "booked", "cancelled", "no_show"} <= statuses
    for first, second in itertools.combinations(appointments, 2):
        if first.start < second.occupied_until and second.start < first.occupied_until:
            assert first.practitioner_id != second.practitioner_id
            assert first.room_id != second.room_id
            assert first.patient_id != second.patient_id

    counts = Appointment.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Appointment.objects.count() == counts
