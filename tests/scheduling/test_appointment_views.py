"""Moving, cancelling and marking appointments from the calendar's dialog (htmx) or a page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scheduling.models import Appointment
from tests.scheduling.conftest import HTMX, MONDAY, TUESDAY, at, field_errors, treatment_at_ten
from tests.scheduling.factories import AppointmentFactory, PatientFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(tuesday_appointment):
    return tuesday_appointment


def test_the_dialog_shows_the_appointment_without_the_page(receptionist_client, appointment):
    response = receptionist_client.get(
        reverse("scheduling:appointment", args=[appointment.pk]), headers=HTMX
    )
    html = response.content.decode()
    assert "<html" not in html
    assert (
        "Juliette Dubois" in html
        and "Tuesday 17 March 2026" in html
        and "10:00\N{EN DASH}10:45" in html
    )
    assert "Move" in html and "Cancel" in html
    # Not on the day yet: no arrival, no no-show.
    assert 'value="arrived"' not in html and 'value="no_show"' not in html
    assert 'value="confirmed"' in html


def test_moving_from_the_dialog_moves_and_refreshes_the_calendar(receptionist_client, appointment):
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    assert 'value="2026-03-17"' in receptionist_client.get(url, headers=HTMX).content.decode()
    response = receptionist_client.post(
        url, {"day": "2026-03-18", "time": "15:30", "room": ""}, headers=HTMX
    )
    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY + datetime.timedelta(days=2), "15:30")
    assert "calendar-changed" in response["HX-Trigger"]
    assert "Moved: Juliette Dubois" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2031-01-01"])
def test_moving_to_an_extreme_day_is_refused_at_the_day(receptionist_client, appointment, day):
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    response = receptionist_client.post(url, {"day": day, "time": "10:00"}, headers=HTMX)
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY, "10:00")


def test_moving_to_the_same_time_says_nothing_changed(receptionist_client, appointment):
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    response = receptionist_client.post(
        url, {"day": "2026-03-17", "time": "10:00", "room": ""}, headers=HTMX
    )
    html = response.content.decode()
    assert "Nothing changed: the appointment is already at that time" in html
    assert "Moved:" not in html
    assert "HX-Trigger" not in response
    assert appointment.history.count() == 1


def test_moving_a_confirmed_appointment_from_the_dialog_books_it_again(
    receptionist_client, appointment
):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CONFIRMED)
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    html = receptionist_client.post(
        url, {"day": "2026-03-18", "time": "15:30", "room": ""}, headers=HTMX
    ).content.decode()
    assert "Moved: Juliette Dubois" in html
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_moving_onto_a_taken_time_explains_and_offers_other_times(
    receptionist_client, clinic, appointment, treatment
):
    AppointmentFactory(practitioner=clinic, appointment_type=treatment, start=at(TUESDAY, "15:00"))
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    response = receptionist_client.post(url, {"day": "2026-03-17", "time": "15:30"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Trigger" not in response
    assert field_errors(html, "time") == ["Sophie Martin already has an appointment at that time."]
    assert 'data-testid="alternatives"' in html
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY, "10:00")


def test_the_move_dialog_does_not_offer_the_time_the_appointment_already_has(
    receptionist_client, clinic, appointment, treatment
):
    AppointmentFactory(practitioner=clinic, appointment_type=treatment, start=at(TUESDAY, "09:00"))
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    response = receptionist_client.post(url, {"day": "2026-03-17", "time": "09:30"}, headers=HTMX)
    html = response.content.decode()
    assert "Sophie Martin already has an appointment at that time." in html
    assert 'data-fill-day="2026-03-17" data-fill-time="10:15"' in html
    assert 'data-fill-time="10:00"' not in html


def test_moving_without_htmx_redirects_to_the_day(receptionist_client, appointment, clinic):
    url = reverse("scheduling:appointment_move", args=[appointment.pk])
    response = receptionist_client.post(url, {"day": "2026-03-19", "time": "09:00"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:day')}?date=2026-03-19&who={clinic.pk}"


def test_cancelling_needs_a_reason(receptionist_client, appointment):
    url = reverse("scheduling:appointment_cancel", args=[appointment.pk])
    html = receptionist_client.post(url, {"reason": ""}, headers=HTMX).content.decode()
    assert "This field is required." in html
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_cancelling_frees_the_slot_and_shows_who_is_waiting(
    receptionist_client, appointment, clinic, treatment
):
    waiting = WaitlistEntryFactory(
        patient=PatientFactory(first_name="Waiting"),
        practitioner=clinic,
        appointment_type=treatment,
        earliest_day=MONDAY,
        latest_day=TUESDAY,
    )
    WaitlistEntryFactory(  # wants another week: not a candidate
        patient=PatientFactory(first_name="Later"),
        appointment_type=treatment,
        earliest_day=MONDAY + datetime.timedelta(days=7),
        latest_day=MONDAY + datetime.timedelta(days=14),
    )
    url = reverse("scheduling:appointment_cancel", args=[appointment.pk])
    response = receptionist_client.post(url, {"reason": "Patient unwell"}, headers=HTMX)
    html = response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert "calendar-changed" in response["HX-Trigger"]
    assert "Waiting" in html and "Later" not in html
    assert f"waitlist={waiting.pk}" in html


def test_marking_arrival_and_a_no_show(
    receptionist_client, receptionist, appointment, time_machine
):
    url = reverse("scheduling:appointment_status", args=[appointment.pk])
    time_machine.move_to(at(TUESDAY, "09:50"), tick=False)
    response = receptionist_client.post(url, {"status": "arrived"}, headers=HTMX)
    assert "calendar-changed" in response["HX-Trigger"]
    appointment.refresh_from_db()
    assert (appointment.status, appointment.arrived_at) == ("arrived", at(TUESDAY, "09:50"))

    late = AppointmentFactory(practitioner=appointment.practitioner, start=at(TUESDAY, "11:00"))
    time_machine.move_to(at(TUESDAY, "11:20"), tick=False)
    # Ninety idle minutes end a session: sign in again, as the receptionist would.
    receptionist_client.force_login(receptionist)
    receptionist_client.post(
        reverse("scheduling:appointment_status", args=[late.pk]), {"status": "no_show"}
    )
    late.refresh_from_db()
    assert late.status == Appointment.Status.NO_SHOW


def test_a_transition_that_makes_no_sense_is_explained_not_a_500(receptionist_client, appointment):
    url = reverse("scheduling:appointment_status", args=[appointment.pk])
    response = receptionist_client.post(url, {"status": "completed"}, headers=HTMX)
    assert response.status_code == 200
    assert "cannot be marked completed" in response.content.decode()
    assert "HX-Trigger" not in response
    response = receptionist_client.post(url, {"status": "nonsense"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_an_unknown_appointment_is_a_404(receptionist_client, db):
    assert (
        receptionist_client.get(reverse("scheduling:appointment", args=[999999])).status_code == 404
    )


# The today board's quick actions (hx-swap="none"): the board reloads and says any refusal.


@pytest.fixture
def this_morning(clinic, patient, treatment, rooms):
    return treatment_at_ten(clinic, patient, treatment, rooms[0], MONDAY)


def test_the_today_board_quick_actions_say_they_come_from_the_board(
    receptionist_client, this_morning
):
    html = receptionist_client.get(reverse("scheduling:today")).content.decode()
    assert f'data-testid="arrived-{this_morning.pk}"' in html
    assert 'name="from" value="today"' in html


def test_a_refused_quick_action_reloads_the_board_which_says_why(
    receptionist_client, receptionist, this_morning
):
    # Cancelled in another tab; the board still offers "Arrived".
    Appointment.objects.filter(pk=this_morning.pk).update(
        status=Appointment.Status.CANCELLED, cancel_reason="Rang to cancel"
    )
    url = reverse("scheduling:appointment_status", args=[this_morning.pk])
    response = receptionist_client.post(url, {"status": "arrived", "from": "today"}, headers=HTMX)
    assert response.status_code == 200
    assert "calendar-changed" in response["HX-Trigger"]
    board = receptionist_client.get(reverse("scheduling:today"), headers=HTMX).content.decode()
    assert board.lstrip().startswith('<section id="today-board"')
    assert "Juliette Dubois: A cancelled appointment cannot be marked arrived." in board
    assert "alert-danger" in board
    # Said once: the next reload is quiet.
    again = receptionist_client.get(reverse("scheduling:today"), headers=HTMX).content.decode()
    assert "cannot be marked arrived" not in again
    this_morning.refresh_from_db()
    assert this_morning.status == Appointment.Status.CANCELLED


def test_a_quick_action_that_works_reloads_the_board_quietly(receptionist_client, this_morning):
    url = reverse("scheduling:appointment_status", args=[this_morning.pk])
    response = receptionist_client.post(url, {"status": "arrived", "from": "today"}, headers=HTMX)
    assert "calendar-changed" in response["HX-Trigger"]
    this_morning.refresh_from_db()
    assert this_morning.status == Appointment.Status.ARRIVED
    board = receptionist_client.get(reverse("scheduling:today"), headers=HTMX).content.decode()
    assert "alert-" not in board


def test_a_quick_action_without_htmx_goes_back_to_the_board(receptionist_client, this_morning):
    url = reverse("scheduling:appointment_status", args=[this_morning.pk])
    response = receptionist_client.post(url, {"status": "completed", "from": "today"})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:today")
    page = receptionist_client.get(reverse("scheduling:today")).content.decode()
    assert page.count("cannot be marked completed") == 1


def test_a_no_show_can_be_marked_arrived_on_its_day_from_the_board_and_the_dialog(
    receptionist_client, receptionist, this_morning, time_machine
):
    time_machine.move_to(at(MONDAY, "10:20"), tick=False)
    receptionist_client.force_login(receptionist)
    board = receptionist_client.get(reverse("scheduling:today")).content.decode()
    # Marking a no-show asks first (hx-confirm: the CSP forbids inline scripts).
    assert 'hx-confirm="Mark Juliette Dubois as a no-show?"' in board
    url = reverse("scheduling:appointment_status", args=[this_morning.pk])
    receptionist_client.post(url, {"status": "no_show", "from": "today"}, headers=HTMX)
    board = receptionist_client.get(reverse("scheduling:today")).content.decode()
    assert "Arrived after all" in board
    dialog = receptionist_client.get(
        reverse("scheduling:appointment", args=[this_morning.pk]), headers=HTMX
    ).content.decode()
    assert 'value="arrived"' in dialog
    response = receptionist_client.post(url, {"status": "arrived", "from": "today"}, headers=HTMX)
    assert "calendar-changed" in response["HX-Trigger"]
    this_morning.refresh_from_db()
    assert this_morning.status == Appointment.Status.ARRIVED


def test_the_next_day_a_no_show_offers_no_arrival(
    receptionist_client, receptionist, this_morning, time_machine
):
    Appointment.objects.filter(pk=this_morning.pk).update(status=Appointment.Status.NO_SHOW)
    time_machine.move_to(at(TUESDAY, "09:00"), tick=False)
    receptionist_client.force_login(receptionist)
    dialog = receptionist_client.get(
        reverse("scheduling:appointment", args=[this_morning.pk]), headers=HTMX
    ).content.decode()
    assert "Juliette Dubois" in dialog
    assert 'value="arrived"' not in dialog
