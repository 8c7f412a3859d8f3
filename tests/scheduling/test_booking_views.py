"""The booking page: bad input gets a clear message at the field, nothing saved, never a 500."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment, WaitlistEntry
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import (
    AppointmentFactory,
    PatientFactory,
    TimeOffFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)
URL = reverse("scheduling:book")


def form(clinic, who, appointment_type, **changes):
    data = {
        "patient": who.pk,
        "practitioner": clinic.pk,
        "appointment_type": appointment_type.pk,
        "day": TUESDAY.isoformat(),
        "time": "10:00",
        "end": "",
        "room": "",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_booking_page_prefills_from_the_address(
    receptionist_client, clinic, patient, treatment
):
    response = receptionist_client.get(
        URL,
        {
            "patient": patient.pk,
            "practitioner": clinic.pk,
            "type": treatment.pk,
            "start": "2026-03-17T10:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Juliette Dubois" in html
    assert 'value="2026-03-17"' in html and 'value="10:00"' in html


def test_a_receptionist_books_and_lands_on_the_day(
    receptionist_client, receptionist, clinic, patient, treatment
):
    response = receptionist_client.post(
        URL, form(clinic, patient, treatment, note="Prefers mornings")
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:day')}?date=2026-03-17&who={clinic.pk}"
    assert (appointment.booked_by, appointment.note) == (receptionist, "Prefers mornings")
    page = receptionist_client.get(response["Location"]).content.decode()
    assert "Booked Juliette Dubois with Sophie Martin on Tuesday 17 March at 10:00" in page


def test_a_custom_end_is_kept(receptionist_client, clinic, patient, treatment):
    receptionist_client.post(URL, form(clinic, patient, treatment, end="11:15"))
    appointment = Appointment.objects.get()
    assert appointment.end == at(TUESDAY, "11:15")
    assert appointment.occupied_until == at(TUESDAY, "11:30")


def _refused(client, data, field_error: str) -> str:
    response = client.post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert field_error in html
    assert "Nothing was booked" in html
    assert not Appointment.objects.exists()
    return html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "09:30"}, "The end must be after the start."),
        (
            {"time": "07:00"},
            "Outside Sophie Martin&#x27;s hours on Tuesdays (09:00-12:30, 14:00-18:30).",
        ),
        ({"day": "2026-03-21"}, "does not work on Saturdays"),
        ({"day": "2026-03-13"}, "That time has already passed."),
        ({"day": "2026-03-29", "time": "02:30"}, "That time does not exist on that day"),
        ({"patient": ""}, "Choose a patient."),
        ({"time": ""}, "This field is required."),
        ({"practitioner": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_at_the_field(
    receptionist_client, clinic, patient, treatment, changes, message
):
    _refused(receptionist_client, form(clinic, patient, treatment, **changes), message)


def test_a_day_off_is_refused_with_alternatives(receptionist_client, clinic, patient, treatment):
    TimeOffFactory(practitioner=clinic, first_day=TUESDAY, last_day=TUESDAY, reason="Congress")
    html = _refused(
        receptionist_client, form(clinic, patient, treatment), "Sophie Martin is off (Congress)"
    )
    assert 'data-testid="alternatives"' in html
    assert 'data-fill-day="2026-03-18" data-fill-time="09:00"' in html


def test_an_archived_patient_is_refused_at_the_patient(receptionist_client, clinic, treatment):
    archived = PatientFactory(archived_at=timezone.now(), first_name="Gone")
    html = _refused(receptionist_client, form(clinic, archived, treatment), "is archived")
    assert 'data-testid="patient-error"' in html


def test_a_stale_form_gets_the_next_free_times(receptionist_client, clinic, patient, treatment):
    """The receptionist opened the form at 10:00; someone else booked 10:00 meanwhile."""
    receptionist_client.get(URL, {"start": "2026-03-17T10:00"})
    AppointmentFactory(practitioner=clinic, appointment_type=treatment, start=at(TUESDAY, "10:00"))
    response = receptionist_client.post(URL, form(clinic, patient, treatment))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sophie Martin already has an appointment at that time." in html
    assert 'data-fill-time="11:00"' in html
    assert Appointment.objects.count() == 1


def test_booking_from_the_waitlist_closes_the_entry(
    receptionist_client, clinic, patient, treatment
):
    entry = WaitlistEntryFactory(
        patient=patient, appointment_type=treatment, earliest_day=MONDAY, latest_day=TUESDAY
    )
    receptionist_client.post(URL, form(clinic, patient, treatment, waitlist_entry=entry.pk))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED
    assert entry.appointment == Appointment.objects.get()


def test_free_times_list_the_day_and_fall_back_to_the_next_days(
    receptionist_client, clinic, treatment
):
    AppointmentFactory(practitioner=clinic, appointment_type=treatment, start=at(TUESDAY, "09:00"))
    url = reverse("scheduling:free_slots")
    query = {"practitioner": clinic.pk, "appointment_type": treatment.pk, "day": "2026-03-17"}
    html = receptionist_client.get(url, query).content.decode()
    assert 'data-fill-time="09:00"' not in html
    assert 'data-fill-time="10:00"' in html
    saturday = receptionist_client.get(url, {**query, "day": "2026-03-21"}).content.decode()
    assert "Nothing free on Saturday 21 March" in saturday
    assert 'data-fill-day="2026-03-23" data-fill-time="09:00"' in saturday
    assert "Choose a practitioner" in receptionist_client.get(url).content.decode()


def test_free_times_ignore_the_appointment_being_moved(receptionist_client, clinic, treatment):
    moving = AppointmentFactory(
        practitioner=clinic, appointment_type=treatment, start=at(TUESDAY, "09:00")
    )
    query = {
        "practitioner": clinic.pk,
        "appointment_type": treatment.pk,
        "day": "2026-03-17",
        "ignore": moving.pk,
    }
    html = receptionist_client.get(reverse("scheduling:free_slots"), query).content.decode()
    # Moving by a few minutes overlaps only itself, which does not count; the time it already
    # has is not offered as a new one.
    assert 'data-fill-time="09:15"' in html
    assert 'data-fill-time="09:00"' not in html


def test_the_patient_picker_searches_and_picks(receptionist_client, db):
    juliette = PatientFactory(first_name="Juliette", last_name="Dubois", phone="+33 6 11 22 33 44")
    PatientFactory(first_name="Julien", last_name="Archived", archived_at=timezone.now())
    url = reverse("patients:picker")
    results = receptionist_client.get(url, {"q": "jul"}).content.decode()
    assert "Juliette Dubois" in results and "Archived" not in results
    assert "Juliette Dubois" in receptionist_client.get(url, {"q": "11 22"}).content.decode()
    assert "No patient matches" in receptionist_client.get(url, {"q": "zzz"}).content.decode()
    picked = receptionist_client.get(url, {"pick": juliette.pk}).content.decode()
    assert f'name="patient" value="{juliette.pk}"' in picked


def test_picking_or_clearing_a_patient_refreshes_the_free_times(receptionist_client, patient):
    # The patient's own appointments block times: the panel listens for the picker's event.
    url = reverse("patients:picker")
    for query in ({"pick": patient.pk}, {}):
        response = receptionist_client.get(url, query)
        assert response["HX-Trigger-After-Swap"] == "patient-changed"
    assert "HX-Trigger-After-Swap" not in receptionist_client.get(url, {"q": "jul"})
    page = receptionist_client.get(URL).content.decode()
    assert "patient-changed from:body" in page


# Extreme or mistyped days: a field error, never a 500.


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        ("9999-12-20", "Choose a day between 1900 and 2200."),
        ("0001-01-01", "Choose a day between 1900 and 2200."),
        ("2029-01-08", "more than two years ahead"),
        ("2026-03-17", "Tuesday 17 March"),
    ],
)
def test_free_times_for_an_extreme_day_say_why_not_a_500(
    receptionist_client, clinic, treatment, day, shown
):
    query = {"practitioner": clinic.pk, "appointment_type": treatment.pk, "day": day}
    response = receptionist_client.get(reverse("scheduling:free_slots"), query)
    assert response.status_code == 200
    assert shown in response.content.decode()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("9999-12-20", "Choose a day between 1900 and 2200."),
        ("0001-01-01", "Choose a day between 1900 and 2200."),
        ("2028-03-17", "more than two years ahead"),
    ],
)
def test_a_booking_on_an_extreme_or_far_day_is_refused_at_the_day(
    receptionist_client, clinic, patient, treatment, day, message
):
    html = _refused(receptionist_client, form(clinic, patient, treatment, day=day), message)
    assert message in html


def test_a_booking_two_years_ahead_is_accepted(receptionist_client, clinic, patient, treatment):
    # Monday 16 March 2026 + two years: Thursday 16 March 2028, a working day.
    response = receptionist_client.post(URL, form(clinic, patient, treatment, day="2028-03-16"))
    assert response.status_code == 302
    assert Appointment.objects.get().start == at(datetime.date(2028, 3, 16), "10:00")


def test_a_booking_address_with_an_extreme_start_is_not_a_500(receptionist_client, clinic):
    for start in ("9999-12-31T23:59:00+00:00", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59"):
        response = receptionist_client.get(URL, {"start": start})
        assert response.status_code == 200
        assert response.context["form"].initial["day"] == MONDAY
