"""The booking rules, through the services: what may be booked, and what is refused and why."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.roles import Role
from scheduling.availability import SlotUnavailable
from scheduling.models import Appointment
from scheduling.services import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    appointment_transition,
    booking,
)
from tests.scheduling.conftest import MONDAY, at, give_week
from tests.scheduling.factories import AppointmentFactory, PatientFactory, TimeOffFactory

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)


def book(clinic, patient, appointment_type, start, **extra):
    return appointment_book(
        patient=patient,
        practitioner=clinic,
        appointment_type=appointment_type,
        start=start,
        booked_by=clinic,
        **extra,
    )


def test_booking_takes_the_type_duration_and_blocks_the_gap_after(clinic, patient, treatment):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    assert appointment.end == at(TUESDAY, "10:45")
    assert appointment.occupied_until == at(TUESDAY, "11:00")
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.room.name == "Cabinet 1"
    assert appointment.history.first().history_user == clinic


def test_second_booking_of_slot_is_refused_with_the_next_free_slots(clinic, patient, treatment):
    book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as refused:
        book(clinic, PatientFactory(), treatment, at(TUESDAY, "10:30"))
    assert refused.value.message_dict == {
        "start": ["Sophie Martin already has an appointment at that time."]
    }
    starts = [
        timezone.localtime(slot.start).strftime("%H:%M") for slot in refused.value.alternatives
    ]
    # The first appointment blocks 10:00-11:00 (45 minutes and a 15-minute gap).
    assert starts == ["11:00", "11:15", "11:30"]
    assert Appointment.objects.count() == 1


def test_booking_in_the_gap_is_refused_and_right_after_it_is_accepted(clinic, patient, treatment):
    book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    other = PatientFactory()
    with pytest.raises(SlotUnavailable):
        book(clinic, other, treatment, at(TUESDAY, "10:50"))
    assert book(clinic, other, treatment, at(TUESDAY, "11:00")).start == at(TUESDAY, "11:00")


def test_a_busy_room_is_refused_and_any_room_means_the_next_free_one(
    clinic, other_practitioner, patient, treatment, rooms
):
    give_week(other_practitioner)
    book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as refused:
        appointment_book(
            patient=PatientFactory(),
            practitioner=other_practitioner,
            appointment_type=treatment,
            start=at(TUESDAY, "10:00"),
            room=rooms[0],
            booked_by=clinic,
        )
    assert refused.value.message_dict == {"room": ["Cabinet 1 is taken at that time."]}
    second = appointment_book(
        patient=PatientFactory(),
        practitioner=other_practitioner,
        appointment_type=treatment,
        start=at(TUESDAY, "10:00"),
        booked_by=clinic,
    )
    assert second.room == rooms[1]


def test_when_every_room_is_taken_the_booking_is_refused(
    clinic, other_practitioner, make_staff, patient, treatment
):
    third = make_staff("dr.roux", Role.PRACTITIONER)
    for person in (other_practitioner, third):
        give_week(person)
    book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    appointment_book(
        patient=PatientFactory(),
        practitioner=other_practitioner,
        appointment_type=treatment,
        start=at(TUESDAY, "10:00"),
        booked_by=clinic,
    )
    with pytest.raises(SlotUnavailable) as refused:
        appointment_book(
            patient=PatientFactory(),
            practitioner=third,
            appointment_type=treatment,
            start=at(TUESDAY, "10:15"),
            booked_by=clinic,
        )
    assert refused.value.message_dict == {"room": ["Every room is taken at that time."]}


def test_a_patient_cannot_be_in_two_appointments_at_once(
    clinic, other_practitioner, patient, treatment
):
    give_week(other_practitioner)
    book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as refused:
        appointment_book(
            patient=patient,
            practitioner=other_practitioner,
            appointment_type=treatment,
            start=at(TUESDAY, "10:30"),
            booked_by=clinic,
        )
    assert "another appointment" in refused.value.message_dict["start"][0]


@pytest.mark.parametrize(
    ("start", "end", "field", "words"),
    [
        (at(TUESDAY, "10:00"), at(TUESDAY, "09:30"), "end", "after the start"),
        (at(TUESDAY, "07:00"), None, "start", "Outside Sophie Martin's hours"),
        (at(TUESDAY, "12:15"), None, "start", "Outside Sophie Martin's hours"),
        (at(TUESDAY, "13:00"), None, "start", "Outside Sophie Martin's hours"),
        (
            at(MONDAY + datetime.timedelta(days=5), "10:00"),
            None,
            "start",
            "does not work on Saturdays",
        ),
        (at(MONDAY - datetime.timedelta(days=3), "10:00"), None, "start", "already passed"),
    ],
)
def test_bad_times_are_refused_at_the_right_field(
    clinic, patient, treatment, start, end, field, words
):
    with pytest.raises(SlotUnavailable) as refused:
        book(clinic, patient, treatment, start, end=end)
    assert list(refused.value.message_dict) == [field]
    assert words in refused.value.message_dict[field][0]
    assert not Appointment.objects.exists()


def test_a_day_off_is_refused_with_its_reason(clinic, patient, treatment):
    TimeOffFactory(practitioner=clinic, first_day=TUESDAY, last_day=TUESDAY, reason="congress")
    with pytest.raises(SlotUnavailable) as refused:
        book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    assert refused.value.message_dict["start"] == [
        "Not possible on Tuesday 17 March: Sophie Martin is off (congress)."
    ]
    # The alternatives start the next working day.
    assert refused.value.alternatives[0].start == at(TUESDAY + datetime.timedelta(days=1), "09:00")


def test_a_clinic_holiday_blocks_every_practitioner(clinic, patient, treatment):
    TimeOffFactory(practitioner=None, first_day=TUESDAY, last_day=TUESDAY, reason="Easter Monday")
    with pytest.raises(SlotUnavailable) as refused:
        book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    assert "clinic is closed (Easter Monday)" in refused.value.message_dict["start"][0]


def test_an_archived_patient_cannot_be_booked(clinic, treatment):
    archived = PatientFactory(archived_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        book(clinic, archived, treatment, at(TUESDAY, "10:00"))
    assert "archived" in refused.value.message_dict["patient"][0]
    assert not Appointment.objects.exists()


def test_only_practitioners_can_be_booked(clinic, receptionist, patient, treatment):
    with pytest.raises(ValidationError) as refused:
        appointment_book(
            patient=patient,
            practitioner=receptionist,
            appointment_type=treatment,
            start=at(TUESDAY, "10:00"),
            booked_by=receptionist,
        )
    assert "practitioner" in refused.value.message_dict


def test_a_cancelled_or_missed_slot_can_be_booked_again(clinic, patient, treatment, time_machine):
    first = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    appointment_cancel(appointment=first, reason="Patient unwell", by=clinic)
    again = book(clinic, PatientFactory(), treatment, at(TUESDAY, "10:00"))
    time_machine.move_to(at(TUESDAY, "10:20"), tick=False)
    appointment_transition(appointment=again, status=Appointment.Status.NO_SHOW, by=clinic)
    walk_in = book(clinic, PatientFactory(), treatment, at(TUESDAY, "10:30"))
    assert walk_in.start == at(TUESDAY, "10:30")


def test_moving_keeps_length_and_gap_and_prefers_the_same_room(clinic, patient, treatment, rooms):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"), room=rooms[1])
    moved = appointment_move(appointment=appointment, start=at(TUESDAY, "15:00"), by=clinic)
    assert (moved.start, moved.end, moved.occupied_until) == (
        at(TUESDAY, "15:00"),
        at(TUESDAY, "15:45"),
        at(TUESDAY, "16:00"),
    )
    assert moved.room == rooms[1]
    # Moving by a few minutes overlaps only itself, which does not count.
    assert appointment_move(appointment=moved, start=at(TUESDAY, "15:15"), by=clinic).start == at(
        TUESDAY, "15:15"
    )


def test_moving_onto_a_taken_slot_is_refused_and_changes_nothing(clinic, patient, treatment):
    book(clinic, PatientFactory(), treatment, at(TUESDAY, "15:00"))
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as refused:
        appointment_move(appointment=appointment, start=at(TUESDAY, "15:30"), by=clinic)
    assert refused.value.alternatives
    appointment.refresh_from_db()
    assert appointment.start == at(TUESDAY, "10:00")


def test_a_refused_move_does_not_offer_the_time_the_appointment_already_has(
    clinic, patient, treatment
):
    book(clinic, PatientFactory(), treatment, at(TUESDAY, "09:00"))
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(SlotUnavailable) as refused:
        appointment_move(appointment=appointment, start=at(TUESDAY, "09:15"), by=clinic)
    starts = [slot.start for slot in refused.value.alternatives]
    assert starts == [at(TUESDAY, "10:15"), at(TUESDAY, "10:30"), at(TUESDAY, "10:45")]


def test_a_confirmed_appointment_moved_to_another_time_is_booked_again(
    clinic, patient, treatment, rooms
):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"), room=rooms[0])
    appointment_transition(appointment=appointment, status="confirmed", by=clinic)
    # Another room at the same time: the patient's confirmation still holds.
    same_time = appointment_move(
        appointment=appointment, start=at(TUESDAY, "10:00"), room=rooms[1], by=clinic
    )
    assert (same_time.room, same_time.status) == (rooms[1], Appointment.Status.CONFIRMED)
    moved = appointment_move(appointment=appointment, start=at(TUESDAY, "15:00"), by=clinic)
    assert (moved.start, moved.status) == (at(TUESDAY, "15:00"), Appointment.Status.BOOKED)


def test_moving_to_the_time_it_already_has_changes_nothing(clinic, patient, treatment, rooms):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"), room=rooms[0])
    appointment_transition(appointment=appointment, status="confirmed", by=clinic)
    appointment.refresh_from_db()
    before = (appointment.updated_at, appointment.history.count())
    for room in (None, rooms[0]):
        same = appointment_move(
            appointment=appointment, start=at(TUESDAY, "10:00"), room=room, by=clinic
        )
        assert same.status == Appointment.Status.CONFIRMED
    appointment.refresh_from_db()
    assert (appointment.updated_at, appointment.history.count()) == before


def test_cancelling_needs_a_reason_and_only_upcoming_appointments(clinic, patient, treatment):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(ValidationError) as refused:
        appointment_cancel(appointment=appointment, reason="  ", by=clinic)
    assert "reason" in refused.value.message_dict
    cancelled = appointment_cancel(appointment=appointment, reason="Patient travelling", by=clinic)
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancel_reason == "Patient travelling"
    with pytest.raises(ValidationError):
        appointment_cancel(appointment=cancelled, reason="again", by=clinic)
    with pytest.raises(ValidationError):
        appointment_move(appointment=cancelled, start=at(TUESDAY, "15:00"), by=clinic)


def test_arrival_and_treatment_follow_the_day(clinic, patient, treatment, time_machine):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    with pytest.raises(ValidationError, match="before the day"):
        appointment_transition(appointment=appointment, status="arrived", by=clinic)
    with pytest.raises(ValidationError, match="once the appointment has begun"):
        appointment_transition(appointment=appointment, status="no_show", by=clinic)
    time_machine.move_to(at(TUESDAY, "09:55"), tick=False)
    arrived = appointment_transition(appointment=appointment, status="arrived", by=clinic)
    assert arrived.arrived_at == at(TUESDAY, "09:55")
    with pytest.raises(ValidationError, match="cannot be marked no-show"):
        appointment_transition(appointment=arrived, status="no_show", by=clinic)
    appointment_transition(appointment=arrived, status="in_treatment", by=clinic)
    done = appointment_transition(appointment=arrived, status="completed", by=clinic)
    assert done.status == Appointment.Status.COMPLETED


def test_a_patient_marked_no_show_who_comes_late_is_marked_arrived_and_history_keeps_both(
    clinic, patient, treatment, receptionist, time_machine
):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    time_machine.move_to(at(TUESDAY, "10:20"), tick=False)
    appointment_transition(appointment=appointment, status="no_show", by=receptionist)
    time_machine.move_to(at(TUESDAY, "10:35"), tick=False)
    arrived = appointment_transition(appointment=appointment, status="arrived", by=receptionist)
    assert (arrived.status, arrived.arrived_at) == ("arrived", at(TUESDAY, "10:35"))
    history = appointment.history.order_by("history_date")
    assert [(h.status, h.history_user) for h in history] == [
        ("booked", clinic),
        ("no_show", receptionist),
        ("arrived", receptionist),
    ]


def test_a_no_show_is_undone_on_its_day_only(clinic, patient, treatment, time_machine):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    time_machine.move_to(at(TUESDAY, "10:20"), tick=False)
    appointment_transition(appointment=appointment, status="no_show", by=clinic)
    time_machine.move_to(at(TUESDAY + datetime.timedelta(days=1), "09:00"), tick=False)
    with pytest.raises(ValidationError, match="only be undone on the day"):
        appointment_transition(appointment=appointment, status="arrived", by=clinic)
    with pytest.raises(ValidationError, match="cannot be marked completed"):
        appointment_transition(appointment=appointment, status="completed", by=clinic)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


@pytest.mark.parametrize("found", ["by the check", "by the constraint"])
def test_a_no_show_whose_time_was_booked_since_stays_a_no_show(
    clinic, patient, treatment, time_machine, monkeypatch, found
):
    appointment = book(clinic, patient, treatment, at(TUESDAY, "10:00"))
    time_machine.move_to(at(TUESDAY, "10:20"), tick=False)
    appointment_transition(appointment=appointment, status="no_show", by=clinic)
    book(clinic, PatientFactory(first_name="Walk-in"), treatment, at(TUESDAY, "10:30"))
    if found == "by the constraint":
        # Someone booked the time between the check and the save (the check is patched in
        # booking.py, where appointment_transition looks it up).
        monkeypatch.setattr(booking, "_taken_since_no_show", lambda appointment: False)
    with pytest.raises(ValidationError, match="booked for another appointment"):
        appointment_transition(appointment=appointment, status="arrived", by=clinic)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW


def test_scene_appointments_from_the_factory_respect_the_gap(clinic, patient, treatment):
    """The factory writes rows directly; the service still sees them as taken."""
    AppointmentFactory(
        practitioner=clinic, patient=patient, appointment_type=treatment, start=at(TUESDAY, "09:00")
    )
    with pytest.raises(SlotUnavailable):
        book(clinic, PatientFactory(), treatment, at(TUESDAY, "09:45"))
