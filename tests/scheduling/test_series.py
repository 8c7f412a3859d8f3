"""Booking a series in one action: every session or none."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from scheduling.availability import SeriesSlot
from scheduling.models import Appointment, AppointmentSeries
from scheduling.services import SeriesUnavailable, appointment_series_book
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db


def weekly(count: int, first: datetime.date = MONDAY, hhmm: str = "10:00") -> list[SeriesSlot]:
    return [SeriesSlot(at(first + datetime.timedelta(weeks=week), hhmm)) for week in range(count)]


def book_series(clinic, patient, appointment_type, slots, booked_by=None):
    return appointment_series_book(
        patient=patient,
        practitioner=clinic,
        appointment_type=appointment_type,
        slots=slots,
        interval_days=7,
        booked_by=booked_by or clinic,
    )


def test_six_sessions_are_booked_together_and_numbered(clinic, patient, treatment, receptionist):
    appointments = book_series(clinic, patient, treatment, weekly(6), booked_by=receptionist)
    assert [a.series_position for a in appointments] == [1, 2, 3, 4, 5, 6]
    series = AppointmentSeries.objects.get()
    assert (series.count, series.interval_days, series.booked_by) == (6, 7, receptionist)
    assert Appointment.objects.filter(series=series).count() == 6
    # The series crosses the change to summer time: every session is at 10:00 in Paris.
    assert {timezone.localtime(a.start).strftime("%H:%M") for a in appointments} == {"10:00"}


def test_one_taken_session_books_nothing_and_says_which(clinic, patient, treatment, rooms):
    AppointmentFactory(
        practitioner=clinic,
        room=rooms[0],
        appointment_type=treatment,
        start=at(datetime.date(2026, 4, 6), "10:30"),
    )
    with pytest.raises(SeriesUnavailable) as refused:
        book_series(clinic, patient, treatment, weekly(6))
    assert list(refused.value.rows) == [4]
    assert refused.value.rows[4].alternatives
    assert "session 4" in refused.value.messages[0]
    assert Appointment.objects.count() == 1
    assert not AppointmentSeries.objects.exists()


def test_sessions_of_the_same_series_may_not_collide(clinic, patient, treatment):
    slots = weekly(2)
    slots.append(SeriesSlot(at(MONDAY + datetime.timedelta(weeks=1), "10:30")))
    with pytest.raises(SeriesUnavailable) as refused:
        book_series(clinic, patient, treatment, slots)
    assert list(refused.value.rows) == [3]


def test_sessions_must_be_in_date_order(clinic, patient, treatment):
    slots = weekly(3)
    slots[1], slots[2] = slots[2], slots[1]
    with pytest.raises(SeriesUnavailable) as refused:
        book_series(clinic, patient, treatment, slots)
    assert list(refused.value.rows) == [3]
    assert not Appointment.objects.exists()


def test_an_archived_patient_gets_no_series(clinic, treatment):
    with pytest.raises(ValidationError, match="archived"):
        book_series(clinic, PatientFactory(archived_at=timezone.now()), treatment, weekly(3))
    assert not Appointment.objects.exists()


def test_too_many_sessions_are_refused(clinic, patient, treatment):
    with pytest.raises(ValidationError) as refused:
        book_series(clinic, patient, treatment, weekly(25))
    assert "count" in refused.value.message_dict
