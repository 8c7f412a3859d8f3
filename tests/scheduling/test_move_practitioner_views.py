"""The move dialog's practitioner choice: who may use it, what it says when the input is wrong
(at the field, keeping what was typed), its free times, and its queries."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from clinic.roles import Role
from scheduling.models import Appointment
from tests.scheduling.conftest import HTMX, TUESDAY, at, field_errors, give_week
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(tuesday_appointment):
    return tuesday_appointment


def move_url(appointment: Appointment) -> str:
    return reverse("scheduling:appointment_move", args=[appointment.pk])


def post(client: Client, appointment: Appointment, who: object, **data: str):
    values = {"practitioner": str(who), "day": "2026-03-17", "time": "10:00", "room": "", **data}
    return client.post(move_url(appointment), values, headers=HTMX)


def test_the_dialog_offers_the_practitioners_with_the_current_one_chosen(
    receptionist_client, appointment, colleague, clinic
):
    html = receptionist_client.get(move_url(appointment), headers=HTMX).content.decode()
    assert f'<option value="{clinic.pk}" selected>Sophie Martin</option>' in html
    assert f'<option value="{colleague.pk}">Paul Nguyen</option>' in html
    # Its free times follow the practitioner chosen, as they follow the day.
    assert 'hx-include="#id_day, #id_practitioner"' in html
    assert "change from:#id_practitioner" in html


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.ADMIN, Role.PRACTITIONER])
def test_those_who_move_appointments_can_give_one_to_a_colleague(
    role_clients, role, appointment, colleague, receptionist, admin_user, practitioner
):
    response = post(role_clients[role], appointment, colleague.pk)
    assert "calendar-changed" in response["HX-Trigger"]
    assert (
        "Moved: Juliette Dubois with Paul Nguyen on Tuesday 17 March at 10:00"
        in response.content.decode()
    )
    appointment.refresh_from_db()
    assert appointment.practitioner == colleague
    by = {Role.RECEPTIONIST: receptionist, Role.ADMIN: admin_user, Role.PRACTITIONER: practitioner}
    assert appointment.history.first().history_user == by[role]


def test_someone_without_a_role_cannot_move_an_appointment(
    no_role_user, appointment, colleague, clinic
):
    client = Client()
    client.force_login(no_role_user)
    assert client.get(move_url(appointment)).status_code == 403
    assert post(client, appointment, colleague.pk).status_code == 403
    appointment.refresh_from_db()
    assert appointment.practitioner == clinic


def test_without_htmx_the_page_goes_to_the_new_practitioners_day(
    receptionist_client, appointment, colleague
):
    response = receptionist_client.post(
        move_url(appointment), {"practitioner": colleague.pk, "day": "2026-03-17", "time": "11:00"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('scheduling:day')}?date=2026-03-17&who={colleague.pk}"
    )


@pytest.mark.parametrize("who", ["inactive", "receptionist", "unknown", "text"])
def test_a_wrong_practitioner_is_refused_at_the_field_and_the_input_is_kept(
    receptionist_client, appointment, colleague, receptionist, clinic, who
):
    if who == "inactive":
        colleague.is_active = False
        colleague.save(update_fields=["is_active"])
    value = {
        "inactive": colleague.pk,
        "receptionist": receptionist.pk,
        "unknown": 999999,
        "text": "dr.nguyen",
    }[who]
    response = post(receptionist_client, appointment, value, day="2026-03-18", time="15:30")
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert field_errors(html, "practitioner") == ["Choose an active practitioner."]
    assert 'value="2026-03-18"' in html and 'value="15:30"' in html
    appointment.refresh_from_db()
    assert (appointment.practitioner, appointment.start) == (clinic, at(TUESDAY, "10:00"))


def test_a_time_the_colleague_is_busy_is_refused_at_the_time_with_her_free_times(
    receptionist_client, appointment, colleague, treatment, clinic
):
    AppointmentFactory(
        practitioner=colleague, appointment_type=treatment, start=at(TUESDAY, "10:00")
    )
    response = post(receptionist_client, appointment, colleague.pk, time="10:15")
    html = response.content.decode()
    assert "HX-Trigger" not in response
    assert field_errors(html, "time") == ["Paul Nguyen already has an appointment at that time."]
    # The choice is kept, and the times offered are hers.
    assert f'<option value="{colleague.pk}" selected>Paul Nguyen</option>' in html
    assert 'data-fill-day="2026-03-17" data-fill-time="11:00"' in html
    appointment.refresh_from_db()
    assert appointment.practitioner == clinic


def test_the_same_time_and_practitioner_says_nothing_changed(
    receptionist_client, appointment, clinic
):
    response = post(receptionist_client, appointment, clinic.pk)
    assert "Nothing changed: the appointment is already at that time" in response.content.decode()
    assert "HX-Trigger" not in response
    assert appointment.history.count() == 1


def test_the_free_times_follow_the_practitioner_chosen(
    receptionist_client, appointment, other_practitioner, treatment, patient
):
    give_week(other_practitioner, weekdays=[0])  # Dr Nguyen works Mondays only.
    query = {
        "appointment_type": treatment.pk,
        "patient": patient.pk,
        "ignore": appointment.pk,
        "day": "2026-03-17",
    }
    url = reverse("scheduling:free_slots")
    martin = receptionist_client.get(url, {**query, "practitioner": appointment.practitioner_id})
    nguyen = receptionist_client.get(url, {**query, "practitioner": other_practitioner.pk})
    assert 'data-fill-day="2026-03-17" data-fill-time="09:00"' in martin.content.decode()
    assert "Nothing free on Tuesday 17 March" in nguyen.content.decode()
    assert 'data-fill-day="2026-03-23" data-fill-time="09:00"' in nguyen.content.decode()


def test_a_practitioner_who_has_left_stays_shown_for_her_own_appointments(
    receptionist_client, appointment, colleague, clinic
):
    clinic.is_active = False
    clinic.save(update_fields=["is_active"])
    html = receptionist_client.get(move_url(appointment), headers=HTMX).content.decode()
    assert f'<option value="{clinic.pk}" selected>Sophie Martin</option>' in html
    # Handed to Dr Nguyen, whom the desk chooses, without asking about Dr Martin.
    post(receptionist_client, appointment, colleague.pk)
    appointment.refresh_from_db()
    assert appointment.practitioner == colleague


def test_the_move_dialog_queries_do_not_grow_with_the_staff_or_the_diary(
    receptionist_client,
    appointment,
    colleague,
    make_staff,
    treatment,
    rooms,
    django_assert_num_queries,
):
    receptionist_client.get(move_url(appointment), headers=HTMX)  # the login's session saved
    # The session, the user and roles, the appointment, the practitioners (once, though the
    # select, having no empty option, goes through its choices twice), the rooms.
    with django_assert_num_queries(6) as small:
        html = receptionist_client.get(move_url(appointment), headers=HTMX).content.decode()
    assert html.count("<option value=") == 2 + 3
    for n in range(6):
        person = make_staff(f"dr.extra{n}", Role.PRACTITIONER, last_name=f"Extra {n}")
        AppointmentFactory(
            practitioner=person,
            appointment_type=treatment,
            room=rooms[1],
            start=at(TUESDAY, "11:00") + datetime.timedelta(hours=n),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        html = receptionist_client.get(move_url(appointment), headers=HTMX).content.decode()
    assert html.count("<option value=") == 8 + 3
