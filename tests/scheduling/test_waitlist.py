"""The waitlist: adding, withdrawing, and the freed slots that suit waiting patients."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import WaitlistEntry
from scheduling.selectors import freed_slots
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db
URL = reverse("scheduling:waitlist")
TUESDAY = MONDAY + datetime.timedelta(days=1)


def entry_form(who, appointment_type, **changes):
    data = {
        "patient": who.pk,
        "practitioner": "",
        "appointment_type": appointment_type.pk,
        "earliest_day": "2026-03-17",
        "latest_day": "2026-03-31",
        "note": "Any afternoon",
    }
    return data | changes


def test_a_receptionist_adds_a_patient_to_the_waitlist(
    receptionist_client, receptionist, clinic, patient, treatment
):
    response = receptionist_client.post(URL, entry_form(patient, treatment))
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert (entry.patient, entry.practitioner, entry.added_by) == (patient, None, receptionist)
    assert "Juliette Dubois" in receptionist_client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"latest_day": "2026-03-16", "earliest_day": "2026-03-20"}, "on or after the first day"),
        (
            {"earliest_day": "2026-03-01", "latest_day": "2026-03-10"},
            "That period is already over.",
        ),
        ({"patient": ""}, "Choose a patient."),
        ({"latest_day": "9999-12-31"}, "Choose a day between 1900 and 2200."),
    ],
)
def test_bad_waitlist_input_is_refused_at_the_field(
    receptionist_client, clinic, patient, treatment, changes, message
):
    response = receptionist_client.post(URL, entry_form(patient, treatment, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WaitlistEntry.objects.exists()


def test_an_archived_patient_cannot_wait(receptionist_client, clinic, treatment):
    archived = PatientFactory(archived_at=timezone.now())
    assert (
        "is archived"
        in receptionist_client.post(URL, entry_form(archived, treatment)).content.decode()
    )


def test_withdrawing_takes_the_patient_off(receptionist_client, patient, treatment, clinic):
    entry = WaitlistEntryFactory(
        patient=patient, appointment_type=treatment, earliest_day=MONDAY, latest_day=TUESDAY
    )
    receptionist_client.post(reverse("scheduling:waitlist_withdraw", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN
    response = receptionist_client.post(
        reverse("scheduling:waitlist_withdraw", args=[entry.pk]), follow=True
    )
    assert "already closed" in response.content.decode()


def test_a_freed_slot_lists_the_patients_it_suits(
    clinic, other_practitioner, treatment, consultation, frozen_now
):
    cancelled = AppointmentFactory(
        practitioner=clinic,
        appointment_type=consultation,
        start=at(TUESDAY, "10:00"),
        status="cancelled",
        cancel_reason="x",
    )
    retaken = AppointmentFactory(
        practitioner=clinic,
        appointment_type=consultation,
        start=at(TUESDAY, "15:00"),
        status="cancelled",
        cancel_reason="x",
    )
    AppointmentFactory(
        practitioner=clinic, appointment_type=consultation, start=at(TUESDAY, "15:00")
    )
    fits = WaitlistEntryFactory(
        patient=PatientFactory(first_name="Fits"),
        appointment_type=consultation,
        earliest_day=MONDAY,
        latest_day=TUESDAY,
    )
    WaitlistEntryFactory(  # a 45-minute treatment does not fit in a 40-minute slot
        patient=PatientFactory(first_name="TooLong"),
        appointment_type=treatment,
        earliest_day=MONDAY,
        latest_day=TUESDAY,
    )
    WaitlistEntryFactory(  # waits for another practitioner
        patient=PatientFactory(first_name="Other"),
        practitioner=other_practitioner,
        appointment_type=consultation,
        earliest_day=MONDAY,
        latest_day=TUESDAY,
    )
    found = freed_slots(now=frozen_now)
    assert [slot.appointment for slot in found] == [cancelled]
    assert found[0].candidates == [fits]
    assert retaken not in [slot.appointment for slot in found]


def test_the_waitlist_page_runs_a_constant_number_of_queries(
    receptionist_client, clinic, consultation, django_assert_num_queries
):
    def scene(hour: int) -> None:
        AppointmentFactory(
            practitioner=clinic,
            appointment_type=consultation,
            start=at(TUESDAY, f"{hour}:00"),
            status="cancelled",
            cancel_reason="x",
        )
        WaitlistEntryFactory(appointment_type=consultation, earliest_day=MONDAY, latest_day=TUESDAY)

    scene(9)
    receptionist_client.get(URL)
    with django_assert_num_queries(9) as small:
        receptionist_client.get(URL)
    for hour in range(10, 17):
        scene(hour)
    with django_assert_num_queries(len(small.captured_queries)):
        html = receptionist_client.get(URL).content.decode()
    assert html.count("Offer &amp; book") == 8 * 8
