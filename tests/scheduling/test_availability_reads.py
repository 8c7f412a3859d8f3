"""What free time reads: only the days looked at, each from a bounded range of the start index,
so a series booking costs the same however long the diary's history or future is."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from scheduling.availability import Availability, SeriesSlot
from scheduling.models import Appointment
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _appointment_reads(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if 'FROM "scheduling_appointment"' in q["sql"] and q["sql"].startswith("SELECT")
    ]


def _series(weeks: int, hhmm: str = "10:00") -> list[SeriesSlot]:
    return [SeriesSlot(at(MONDAY + datetime.timedelta(weeks=w), hhmm)) for w in range(weeks)]


def test_a_series_reads_its_own_days_in_one_query(clinic, patient, treatment, rooms):
    # Far from the series: years of other appointments it has no reason to read.
    for years in (-2, -1, 1):
        day = MONDAY + datetime.timedelta(days=365 * years + 1)
        AppointmentFactory(practitioner=clinic, start=at(day, "10:00"), room=rooms[0])
    availability = Availability.load(
        practitioner=clinic,
        first_day=MONDAY,
        last_day=MONDAY + datetime.timedelta(weeks=12),
        patient_id=patient.pk,
    )
    with CaptureQueriesContext(connection) as queries:
        claimed, refused = availability.claim_all(_series(10), treatment)
    assert len(claimed) == 10 and not refused
    reads = _appointment_reads(queries)
    assert len(reads) == 1
    # One range per day asked for, none spanning the weeks in between.
    assert reads[0].count('"scheduling_appointment"."start" <') == 10


def test_what_started_before_a_day_still_blocks_it(clinic, patient, treatment, rooms):
    # Dr Martin's 09:00 appointment holds her until 10:00 (45 minutes and a 15-minute gap).
    AppointmentFactory(
        practitioner=clinic, start=at(MONDAY, "09:00"), appointment_type=treatment, room=rooms[0]
    )
    availability = Availability.load(
        practitioner=clinic, first_day=MONDAY, last_day=MONDAY, patient_id=patient.pk
    )
    errors, _ = availability.problems(at(MONDAY, "09:50"), at(MONDAY, "10:35"), at(MONDAY, "10:50"))
    assert errors == {"start": "Sophie Martin already has an appointment at that time."}


def test_an_appointment_cannot_hold_its_slot_for_a_day(clinic, treatment, rooms):
    start = at(MONDAY, "10:00")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=PatientFactory(),
            practitioner=clinic,
            room=rooms[0],
            appointment_type=treatment,
            start=start,
            end=start + datetime.timedelta(hours=1),
            occupied_until=start + datetime.timedelta(days=1),
        )
