"""The series page: propose, adjust, confirm all or nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment, AppointmentSeries
from tests.scheduling.conftest import at
from tests.scheduling.factories import AppointmentFactory, PatientFactory, TimeOffFactory

pytestmark = pytest.mark.django_db
URL = reverse("scheduling:series")
HTMX = {"HX-Request": "true"}


def series_form(clinic, who, appointment_type, **changes):
    data = {
        "patient": who.pk,
        "practitioner": clinic.pk,
        "appointment_type": appointment_type.pk,
        "count": "6",
        "interval_days": "7",
        "day": "2026-03-17",
        "time": "10:00",
        "room": "",
    }
    data.update(changes)
    return data


def rows(days_and_times: list[tuple[str, str]]) -> dict[str, str]:
    data = {
        "rows-TOTAL_FORMS": str(len(days_and_times)),
        "rows-INITIAL_FORMS": str(len(days_and_times)),
        "rows-MIN_NUM_FORMS": "1",
        "rows-MAX_NUM_FORMS": "24",
    }
    for index, (day, time) in enumerate(days_and_times):
        data |= {f"rows-{index}-day": day, f"rows-{index}-time": time, f"rows-{index}-room": ""}
    return data


WEEKLY = [
    ((datetime.date(2026, 3, 17) + datetime.timedelta(weeks=w)).isoformat(), "10:00")
    for w in range(6)
]


def test_the_series_page_offers_the_usual_courses(receptionist_client, clinic, patient):
    html = receptionist_client.get(URL, {"patient": patient.pk}).content.decode()
    assert "Juliette Dubois" in html
    assert 'data-fill-count="8" data-fill-interval="10"' in html  # hair restoration


def test_proposing_fills_a_table_and_books_nothing(receptionist_client, clinic, patient, treatment):
    easter_monday = datetime.date(2026, 4, 6)
    TimeOffFactory(
        practitioner=None, first_day=easter_monday, last_day=easter_monday, reason="Easter Monday"
    )
    data = series_form(clinic, patient, treatment, day="2026-03-16", time="14:00", action="propose")
    response = receptionist_client.post(URL, data, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    for position in range(1, 7):
        assert f'data-testid="session-row-{position}"' in html
    assert 'name="rows-3-day" value="2026-04-07"' in html
    assert "Moved from Mon 6 Apr: the clinic is closed (Easter Monday)." in html
    assert not Appointment.objects.exists()


def test_confirming_books_every_session_and_goes_to_the_week(
    receptionist_client, clinic, patient, treatment
):
    data = series_form(clinic, patient, treatment, action="confirm") | rows(WEEKLY)
    response = receptionist_client.post(URL, data, headers=HTMX)
    assert response.status_code == 200
    assert (
        response["HX-Redirect"] == f"{reverse('scheduling:week')}?date=2026-03-17&who={clinic.pk}"
    )
    assert Appointment.objects.filter(series=AppointmentSeries.objects.get()).count() == 6
    week = receptionist_client.get(response["HX-Redirect"]).content.decode()
    assert "Booked 6 sessions for Juliette Dubois with Sophie Martin" in week


def test_a_session_taken_meanwhile_books_nothing_and_flags_the_row(
    receptionist_client, clinic, patient, treatment
):
    AppointmentFactory(
        practitioner=clinic,
        appointment_type=treatment,
        start=at(datetime.date(2026, 3, 31), "10:15"),
    )
    data = series_form(clinic, patient, treatment, action="confirm") | rows(WEEKLY)
    html = receptionist_client.post(URL, data, headers=HTMX).content.decode()
    assert "Nothing was booked: session 3 cannot take the time chosen." in html
    assert 'data-testid="session-problem-3"' in html
    assert 'data-testid="session-problem-2"' not in html
    assert 'data-fill-prefix="rows-2"' in html
    assert Appointment.objects.count() == 1
    assert not AppointmentSeries.objects.exists()


def test_checking_an_adjusted_row_says_whether_it_is_free(
    receptionist_client, clinic, patient, treatment
):
    adjusted = [*WEEKLY]
    adjusted[1] = ("2026-03-28", "10:00")  # a Saturday
    adjusted[2] = ("2026-03-29", "02:30")  # does not exist: clocks go forward
    data = series_form(clinic, patient, treatment, action="check") | rows(adjusted)
    html = receptionist_client.post(URL, data, headers=HTMX).content.decode()
    assert "does not work on Saturdays" in html
    assert "That time does not exist on that day" in html
    assert "Some need a change" in html
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"patient": ""}, "Choose a patient."),
        ({"count": "30"}, "Ensure this value is less than or equal to 24."),
        ({"interval_days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"day": "2026-03-09"}, "That time has already passed."),
    ],
)
def test_bad_series_input_is_refused_at_the_field(
    receptionist_client, clinic, patient, treatment, changes, message
):
    data = series_form(clinic, patient, treatment, action="propose", **changes)
    response = receptionist_client.post(URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()


def test_an_archived_patient_gets_no_proposals(receptionist_client, clinic, treatment):
    archived = PatientFactory(archived_at=timezone.now())
    html = receptionist_client.post(
        URL, series_form(clinic, archived, treatment, action="propose")
    ).content.decode()
    assert "is archived" in html
    assert 'data-testid="proposals"' not in html


def test_a_tampered_row_count_is_refused_not_a_500(receptionist_client, clinic, patient, treatment):
    data = series_form(clinic, patient, treatment, action="confirm") | rows(WEEKLY)
    data["rows-TOTAL_FORMS"] = "nonsense"
    response = receptionist_client.post(URL, data)
    assert response.status_code == 200
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("9999-12-31", "Choose a day between 1900 and 2200."),
        ("0001-01-01", "Choose a day between 1900 and 2200."),
        ("2030-03-18", "more than two years ahead"),
    ],
)
def test_an_extreme_first_day_is_refused_at_the_field_not_a_500(
    receptionist_client, clinic, patient, treatment, day, message
):
    data = series_form(clinic, patient, treatment, day=day, action="propose")
    response = receptionist_client.post(URL, data, headers=HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appointment.objects.exists()
