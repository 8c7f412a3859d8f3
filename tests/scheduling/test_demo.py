"""seed_demo's scheduling part: a year and a half of diary and the weeks ahead, realistic,
rule-abiding, and idempotent."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from clinic import demo as clinic_demo
from patients.models import Contraindication
from scheduling import clock
from scheduling import demo as scheduling_demo
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    Room,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from tests.scheduling.factories import PatientFactory
from treatments.models import TreatmentPlan, TreatmentSession

pytestmark = pytest.mark.django_db


def test_without_patients_the_demo_books_nothing():
    # The staff and the schedule alone, without the patients app's demo patients.
    clinic_demo.seed(lambda line: None)
    scheduling_demo.seed(lambda line: None)
    assert Room.objects.count() == 3
    assert WorkingHours.objects.exists()
    assert not Appointment.objects.exists()


def test_the_demo_adds_days_off_only_where_none_of_their_kind_is(time_machine):
    """Days off recorded in the app before a seed (a closure over Christmas, a congress on the
    training day's date, another over the first summer fortnight tried): the demo's own go
    around them, since PostgreSQL refuses overlapping ones (scheduling/models.py)."""
    time_machine.move_to("2026-03-16 08:00+01:00", tick=False)
    clinic_demo.seed(lambda line: None)
    staff = get_user_model().objects.filter(username__in=("dr.martin", "dr.nguyen"))
    martin, nguyen = sorted(staff, key=lambda user: user.username)
    recorded = [
        (None, datetime.date(2025, 12, 24), datetime.date(2025, 12, 26)),
        (nguyen, datetime.date(2026, 3, 28), datetime.date(2026, 3, 29)),  # the training day's
        (martin, datetime.date(2025, 8, 6), datetime.date(2025, 8, 6)),  # in the first fortnight
    ]
    for who, first_day, last_day in recorded:
        TimeOff.objects.create(
            practitioner=who, first_day=first_day, last_day=last_day, reason="Congress"
        )
    scheduling_demo.seed(lambda line: None)
    days_off = defaultdict(list)
    for off in TimeOff.objects.order_by("first_day"):
        days_off[off.practitioner_id].append(off)
    for offs in days_off.values():
        for before, after in itertools.pairwise(offs):
            assert before.last_day < after.first_day, (before, after)
    seeded = {(off.practitioner, off.reason): off for offs in days_off.values() for off in offs}
    assert seeded[nguyen, "Training"].first_day == datetime.date(2026, 3, 30)
    assert seeded[martin, "Summer holiday"].first_day != datetime.date(2025, 8, 4)
    assert seeded[None, "Christmas Day"].first_day == datetime.date(2024, 12, 25)


def test_with_patients_the_demo_fills_weeks_without_double_booking(time_machine):
    time_machine.move_to("2026-03-16 08:00+01:00", tick=False)
    for _ in range(12):
        PatientFactory()
    call_command("seed_demo", stdout=StringIO())
    appointments = list(Appointment.objects.active().order_by("start"))
    assert len(appointments) > 100
    # Courses are booked from the running plans (the remaining sessions, with the plan's
    # practitioner), each appointment holding a plan session: none stands apart from a plan.
    assert AppointmentSeries.objects.exists()
    assert not AppointmentSeries.objects.filter(plan__isnull=True).exists()
    for series in AppointmentSeries.objects.select_related("plan"):
        assert series.practitioner_id == series.plan.practitioner_id
        assert series.patient_id == series.plan.patient_id
        held = Appointment.objects.filter(series=series).values_list("plan_session", flat=True)
        assert len(set(held)) == series.count and None not in held
    assert WaitlistEntry.objects.count() == 2
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {"completed", "booked", "cancelled", "no_show"} <= statuses
    # No practitioner, room or patient is booked twice at a time (each appointment against
    # the one of the same practitioner, room or patient that ends last before it).
    for key in ("practitioner_id", "room_id", "patient_id"):
        last_until: dict[int, Appointment] = {}
        for appointment in appointments:
            before = last_until.get(getattr(appointment, key))
            assert before is None or before.occupied_until <= appointment.start, (
                key,
                before,
                appointment,
            )
            if before is None or appointment.occupied_until > before.occupied_until:
                last_until[getattr(appointment, key)] = appointment
    # Each holds its time as a booking would: in the practitioner's hours, on a working day.
    hours: dict[tuple[int, int], list] = defaultdict(list)
    for block in WorkingHours.objects.all():
        hours[block.practitioner_id, block.weekday].append((block.starts_at, block.ends_at))
    days_off = list(TimeOff.objects.all())
    for appointment in appointments:
        start, end = clock.local(appointment.start), clock.local(appointment.end)
        assert any(
            first <= start.time() and end.time() <= last
            for first, last in hours[appointment.practitioner_id, start.weekday()]
        ), appointment
        assert not [
            off
            for off in days_off
            if off.practitioner_id in (None, appointment.practitioner_id)
            and off.covers(start.date())
        ], appointment
    # The past: each session given has the appointment it was given at, and each treatment
    # the patient came to before today holds the session given then.
    today = clock.local_today()
    signed = TreatmentSession.objects.filter(status="signed")
    attended = Appointment.objects.filter(status="completed", plan_session__status="signed")
    assert set(attended.values_list("plan_session", flat=True)) == set(
        signed.values_list("pk", flat=True)
    )
    for appointment in attended.select_related("plan_session"):
        session = appointment.plan_session
        assert appointment.start <= session.performed_at < appointment.end, appointment
    assert not Appointment.objects.filter(
        status="completed",
        appointment_type__kind__in=("treatment", "maintenance"),
        plan_session__isnull=True,
        start__lt=clock.at(today, datetime.time()),
    ).exists()
    # Ahead, a visit other than a consultation is for a patient whose plan that practitioner
    # is treating, and never for one with a contraindication that stops treatment.
    treating = set(
        TreatmentPlan.objects.filter(status__in=TreatmentPlan.TREATING).values_list(
            "patient_id", "practitioner_id"
        )
    )
    blocked = set(
        Contraindication.objects.filter(
            resolved_at__isnull=True, severity=Contraindication.Severity.ABSOLUTE
        ).values_list("patient_id", flat=True)
    )
    assert blocked
    visits = list(
        Appointment.objects.active()
        .filter(start__gte=clock.at(today, datetime.time()))
        .exclude(appointment_type__kind="consultation")
    )
    assert len(visits) > 50
    for appointment in visits:
        assert (appointment.patient_id, appointment.practitioner_id) in treating, appointment
        assert appointment.patient_id not in blocked, appointment
    # A year and a half behind, weeks ahead; some every month, and work on the day.
    months = {
        (start.year, start.month) for start in Appointment.objects.values_list("start", flat=True)
    }
    assert len(months) >= 18
    assert Appointment.objects.filter(start__date=today, status__in=("booked", "confirmed"))

    counts = Appointment.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Appointment.objects.count() == counts
