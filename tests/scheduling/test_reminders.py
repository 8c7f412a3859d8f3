"""The rules of patient emails: who is reminded, when, once, and when not at all.

Every test books through the real services and runs the sweep as beat would, with the clock
moved by time-machine; the send tasks run in-process and emails land in Django's test outbox.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from patients.services import patient_update_contact
from scheduling import services
from scheduling.models import Appointment, MessageKindSwitch, OutboxMessage
from scheduling.outbox.kinds import reachable
from scheduling.outbox.services import message_kind_switch, outbox_send
from scheduling.reminders import KINDS
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import PatientFactory
from tests.scheduling.reminder_scenes import (
    LONG_AGO,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    Kind,
    Status,
    book,
    consenting_patient,
    rows,
    sent_subjects,
    sweep,
)

pytestmark = pytest.mark.django_db
H = datetime.timedelta(hours=1)


@pytest.fixture
def juliette(db):
    return consenting_patient()


def statuses(kind: str) -> list[str]:
    return [status for row_kind, status, _ in rows() if row_kind == kind]


def test_a_week_ahead_booking_gets_a_confirmation_then_reminders_48_and_2_hours_before(
    clinic, juliette, treatment, time_machine
):
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"))
    sweep()
    # The confirmation waits its delay; reminders are planned once the appointment is 48 hours
    # away (Monday 10:00).
    assert rows() == [(Kind.CONFIRMATION, Status.PENDING, rows()[0][2])]
    assert not mail.outbox

    time_machine.move_to(at(MONDAY, "08:10"))
    sweep()
    assert [m.subject for m in mail.outbox] == [
        "Your appointment on Wednesday 18 March at 10:00 is booked"
    ]

    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "Reminder: your appointment on Wednesday 18 March at 10:00"
    reminders = OutboxMessage.objects.filter(kind=Kind.APPOINTMENT_REMINDER).order_by("due_at")
    assert [(r.lead, r.due_at, r.status) for r in reminders] == [
        (48 * H, at(MONDAY, "10:00"), Status.SENT),
        (2 * H, at(WEDNESDAY, "08:00"), Status.PENDING),
    ]

    time_machine.move_to(at(WEDNESDAY, "07:59"))
    sweep()
    assert len(mail.outbox) == 2
    time_machine.move_to(at(WEDNESDAY, "08:00"))
    sweep()
    assert len(mail.outbox) == 3
    assert all(row.status == Status.SENT for row in OutboxMessage.objects.all())
    assert {row.appointment_id for row in OutboxMessage.objects.all()} == {appointment.pk}


def test_running_the_sweep_again_plans_and_sends_nothing_twice(
    clinic, juliette, treatment, time_machine
):
    book(clinic, juliette, treatment, at(WEDNESDAY, "09:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "09:00"))
    for _ in range(3):
        sweep()
    assert sorted(statuses(Kind.APPOINTMENT_REMINDER)) == [Status.PENDING, Status.SENT]
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.count() == 2


def test_a_booking_inside_the_48_hour_window_gets_its_confirmation_and_the_2_hour_reminder(
    clinic, juliette, treatment
):
    book(clinic, juliette, treatment, at(MONDAY, "16:00"))
    sweep()
    reminders = OutboxMessage.objects.filter(kind=Kind.APPOINTMENT_REMINDER)
    assert [r.lead for r in reminders] == [2 * H]
    assert statuses(Kind.CONFIRMATION) == [Status.PENDING]


def test_after_an_outage_only_the_latest_reminder_goes(clinic, juliette, treatment):
    # Booked long ago for 09:00 today; beat was down until 08:00, so the 48-hour reminder is
    # long overdue: the 2-hour one is the one that matters now, and it alone goes.
    book(clinic, juliette, treatment, at(MONDAY, "09:30"), booked_at=LONG_AGO)
    sweep()
    assert [(r.lead, r.status) for r in OutboxMessage.objects.all()] == [(2 * H, Status.SENT)]


def test_a_booking_undone_within_the_delay_sends_nothing(clinic, juliette, treatment, time_machine):
    appointment = book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    sweep()
    time_machine.move_to(at(MONDAY, "08:04"))
    services.appointment_cancel(appointment=appointment, reason="Booked by mistake", by=clinic)
    time_machine.move_to(at(MONDAY, "08:30"))
    sweep()
    assert not mail.outbox
    message = OutboxMessage.objects.get()
    assert (message.status, message.reason) == (Status.CANCELLED, "The appointment was cancelled.")


def test_a_booking_cancelled_before_the_sweep_saw_it_leaves_no_trace(clinic, juliette, treatment):
    appointment = book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    services.appointment_cancel(appointment=appointment, reason="Booked by mistake", by=clinic)
    sweep()
    assert not OutboxMessage.objects.exists()


def test_a_moved_appointment_is_reminded_of_its_new_time_and_the_old_reminder_is_cancelled(
    clinic, juliette, treatment, time_machine
):
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.PENDING]

    time_machine.move_to(at(MONDAY, "11:00"))
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "15:00"), by=clinic)
    sweep()
    old = OutboxMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER, status=Status.CANCELLED)
    assert (old.event_at, old.lead) == (at(WEDNESDAY, "10:00"), 2 * H)
    assert old.reason == "The appointment was moved."
    # The confirmation of the new time goes after its delay…
    time_machine.move_to(at(MONDAY, "11:10"))
    sweep()
    assert mail.outbox[-1].subject == "Your appointment on Wednesday 18 March at 15:00 is booked"
    # …and the reminders of the new time when they are due.
    for moment in (at(MONDAY, "15:00"), at(WEDNESDAY, "13:00")):
        time_machine.move_to(moment)
        sweep()
        assert mail.outbox[-1].subject == (
            "Reminder: your appointment on Wednesday 18 March at 15:00"
        )
    assert len(mail.outbox) == 4
    assert all("10:00" not in message.body for message in mail.outbox[1:])
    new = OutboxMessage.objects.filter(
        kind=Kind.APPOINTMENT_REMINDER, event_at=at(WEDNESDAY, "15:00")
    )
    assert sorted((m.lead, m.status) for m in new) == [(2 * H, Status.SENT), (48 * H, Status.SENT)]


def test_an_appointment_moved_back_gets_its_cancelled_reminder_back(
    clinic, juliette, treatment, time_machine
):
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    reminder = OutboxMessage.objects.get(lead=2 * H)
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "15:00"), by=clinic)
    sweep()
    reminder.refresh_from_db()
    assert reminder.status == Status.CANCELLED
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "10:00"), by=clinic)
    sweep()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (Status.PENDING, "")
    assert OutboxMessage.objects.filter(status=Status.PENDING, lead=2 * H).count() == 1


def test_an_appointment_moved_and_moved_back_is_confirmed_at_each_time_she_was_told(
    clinic, juliette, treatment, time_machine
):
    # The move to 15:00 was confirmed, so the move back to 10:00 is confirmed again, though
    # the first confirmation named 10:00 already: she was last told 15:00.
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"))
    for minute, start in (("08:00", None), ("08:30", "15:00"), ("09:00", "10:00")):
        time_machine.move_to(at(MONDAY, minute))
        if start is not None:
            services.appointment_move(
                appointment=appointment, start=at(WEDNESDAY, start), by=clinic
            )
        sweep()
        time_machine.move_to(at(MONDAY, minute) + datetime.timedelta(minutes=10))
        sweep()
    assert sent_subjects() == [
        "Your appointment on Wednesday 18 March at 10:00 is booked",
        "Your appointment on Wednesday 18 March at 15:00 is booked",
        "Your appointment on Wednesday 18 March at 10:00 is booked",
    ]
    assert statuses(Kind.CONFIRMATION) == [Status.SENT] * 3
    time_machine.move_to(at(MONDAY, "09:50"))
    sweep()
    assert len(mail.outbox) == 3


def test_an_appointment_moved_back_before_the_new_time_was_confirmed_sends_nothing_new(
    clinic, juliette, treatment, time_machine
):
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"))
    time_machine.move_to(at(MONDAY, "08:10"))
    sweep()
    time_machine.move_to(at(MONDAY, "08:30"))
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "15:00"), by=clinic)
    sweep()
    time_machine.move_to(at(MONDAY, "08:35"))
    services.appointment_move(appointment=appointment, start=at(WEDNESDAY, "10:00"), by=clinic)
    for moment in ("08:35", "08:50", "09:30"):
        time_machine.move_to(at(MONDAY, moment))
        sweep()
    assert sent_subjects() == ["Your appointment on Wednesday 18 March at 10:00 is booked"]
    assert statuses(Kind.CONFIRMATION) == [Status.SENT, Status.CANCELLED]


def test_a_move_after_the_48_hour_reminder_is_confirmed_and_moving_back_is_confirmed_again(
    clinic, juliette, treatment, time_machine
):
    # What she was told last may be a reminder: it names the time and practitioner too.
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert sent_subjects() == ["Reminder: your appointment on Wednesday 18 March at 10:00"]
    for minute, start in (("11:00", "15:00"), ("12:00", "10:00")):
        time_machine.move_to(at(MONDAY, minute))
        services.appointment_move(appointment=appointment, start=at(WEDNESDAY, start), by=clinic)
        sweep()
        time_machine.move_to(at(MONDAY, minute) + datetime.timedelta(minutes=10))
        sweep()
    assert sent_subjects()[1:] == [
        "Your appointment on Wednesday 18 March at 15:00 is booked",
        "Your appointment on Wednesday 18 March at 10:00 is booked",
    ]


def test_patients_who_never_agreed_or_have_no_address_get_nothing(clinic, patient, treatment):
    no_address = PatientFactory(email="", reminder_consent_at=LONG_AGO)
    book(clinic, patient, treatment, at(MONDAY, "16:00"))
    book(clinic, no_address, treatment, at(MONDAY, "17:00"))
    sweep()
    assert not OutboxMessage.objects.exists()


def test_withdrawing_consent_at_the_desk_stops_pending_emails_at_once(
    clinic, juliette, treatment, time_machine
):
    # Booked long ago for 16:00: the 48-hour reminder goes at once, the 2-hour one waits.
    book(clinic, juliette, treatment, at(MONDAY, "16:00"), booked_at=LONG_AGO)
    sweep()
    assert len(mail.outbox) == 1
    reminder = OutboxMessage.objects.get(status=Status.PENDING)
    patient_update_contact(patient=juliette, data={}, reminder_consent=False)
    # Even a send task already queued for it sends nothing: consent is read under the lock.
    time_machine.move_to(at(MONDAY, "14:00"))
    assert outbox_send(message_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.status == Status.CANCELLED
    assert reminder.reason == "The patient has not agreed to emails, or withdrew."
    sweep()
    assert len(mail.outbox) == 1


def test_consent_given_again_brings_the_pending_reminder_back(
    clinic, juliette, treatment, time_machine
):
    book(clinic, juliette, treatment, at(MONDAY, "16:00"), booked_at=LONG_AGO)
    sweep()
    patient_update_contact(patient=juliette, data={}, reminder_consent=False)
    sweep()
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.CANCELLED]
    time_machine.move_to(at(MONDAY, "09:00"))
    patient_update_contact(patient=juliette, data={}, reminder_consent=True)
    time_machine.move_to(at(MONDAY, "14:00"))
    sweep()
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.SENT]
    assert len(mail.outbox) == 2


def test_an_archived_patient_gets_nothing_more(clinic, juliette, treatment):
    book(clinic, juliette, treatment, at(MONDAY, "16:00"), booked_at=LONG_AGO)
    sweep()
    type(juliette).objects.filter(pk=juliette.pk).update(archived_at=at(MONDAY, "08:00"))
    sweep()
    pending_before = OutboxMessage.objects.get(lead=2 * H)
    assert (pending_before.status, pending_before.reason) == (
        Status.CANCELLED,
        "The patient's record is archived.",
    )


@pytest.mark.parametrize("kind", [Kind.CONFIRMATION, Kind.APPOINTMENT_REMINDER])
def test_a_kind_switched_off_is_not_planned_and_its_pending_emails_are_not_sent(
    clinic, juliette, treatment, time_machine, kind
):
    book(clinic, juliette, treatment, at(MONDAY, "16:00"))
    sweep()
    assert set(statuses(kind)) == {Status.PENDING}
    MessageKindSwitch.objects.filter(kind=kind).update(is_enabled=False)
    time_machine.move_to(at(MONDAY, "15:00"))
    sweep()
    assert set(statuses(kind)) == {Status.CANCELLED}
    assert OutboxMessage.objects.filter(kind=kind).first().reason == (
        "This kind of email is switched off."
    )
    # The other kind went as usual.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(
        "Reminder" if kind == Kind.CONFIRMATION else "Your appointment"
    )


def test_a_kind_switched_back_on_sends_only_what_is_due_from_then_on(
    clinic, juliette, treatment, time_machine, admin_user
):
    message_kind_switch(kind=Kind.APPOINTMENT_REMINDER, enabled=False, by=admin_user)
    book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    # The 48-hour reminder's time (Monday 10:00) comes while reminders are off.
    time_machine.move_to(at(MONDAY, "12:00"))
    sweep()
    assert not OutboxMessage.objects.exists()
    message_kind_switch(kind=Kind.APPOINTMENT_REMINDER, enabled=True, by=admin_user)
    sweep()
    sweep()
    assert not mail.outbox
    assert [(row.lead, row.status) for row in OutboxMessage.objects.all()] == [
        (2 * H, Status.PENDING)
    ]
    time_machine.move_to(at(WEDNESDAY, "08:00"))
    sweep()
    [email] = mail.outbox
    assert email.subject.startswith("Reminder")


def test_a_confirmation_due_while_switched_off_is_not_sent_once_switched_back_on(
    clinic, juliette, treatment, time_machine, admin_user
):
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=False, by=admin_user)
    book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    time_machine.move_to(at(MONDAY, "08:30"))
    sweep()
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=True, by=admin_user)
    sweep()
    assert not mail.outbox
    assert not OutboxMessage.objects.exists()


def test_a_waiting_email_switched_off_goes_if_switched_back_on_before_its_time(
    clinic, juliette, treatment, time_machine, admin_user
):
    book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "11:00"))
    sweep()
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.PENDING]
    off = message_kind_switch(kind=Kind.APPOINTMENT_REMINDER, enabled=False, by=admin_user)
    assert off.cancelled == 1
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.CANCELLED]
    time_machine.move_to(at(MONDAY, "11:30"))
    message_kind_switch(kind=Kind.APPOINTMENT_REMINDER, enabled=True, by=admin_user)
    sweep()
    # The 2-hour reminder, due Wednesday 08:00, is due after the switch: it waits again.
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.PENDING]
    time_machine.move_to(at(WEDNESDAY, "08:00"))
    sweep()
    assert statuses(Kind.APPOINTMENT_REMINDER) == [Status.SENT, Status.SENT]
    assert len(mail.outbox) == 2


def test_switching_on_cancels_what_a_sweep_planned_as_the_kind_was_switched_off(
    clinic, juliette, treatment, time_machine, admin_user
):
    """A sweep that read the switches just before the kind was switched off plans it all
    the same; switched back on, what was due in between is not sent."""
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=False, by=admin_user)
    book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    # As that sweep would have: the confirmation, due at 08:10.
    planned = list(KINDS[Kind.CONFIRMATION].plan(at(MONDAY, "08:00")))
    OutboxMessage.objects.bulk_create(planned)
    time_machine.move_to(at(MONDAY, "08:30"))
    message_kind_switch(kind=Kind.CONFIRMATION, enabled=True, by=admin_user)
    sweep()
    assert not mail.outbox
    message = OutboxMessage.objects.get()
    assert (message.status, message.reason) == (
        Status.CANCELLED,
        "It was due while this kind of email was switched off.",
    )


def test_the_reminder_hours_come_from_settings(clinic, juliette, treatment, settings, time_machine):
    settings.REMINDER_LEAD_HOURS = [24.0]
    book(clinic, juliette, treatment, at(TUESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert [(r.lead, r.due_at) for r in OutboxMessage.objects.all()] == [
        (24 * H, at(MONDAY, "10:00"))
    ]


def test_the_confirmation_delay_comes_from_settings(
    clinic, juliette, treatment, settings, time_machine
):
    settings.REMINDER_CONFIRMATION_DELAY_MINUTES = 30
    book(clinic, juliette, treatment, at(THURSDAY, "10:00"))
    sweep()
    assert OutboxMessage.objects.get().due_at == at(MONDAY, "08:30")


def test_appointments_booked_together_are_confirmed_in_one_email(
    clinic, juliette, treatment, time_machine
):
    for day in (WEDNESDAY, THURSDAY, THURSDAY + datetime.timedelta(days=1)):
        book(clinic, juliette, treatment, at(day, "11:00"))
    sweep()
    time_machine.move_to(at(MONDAY, "08:15"))
    sweep()
    assert [m.subject for m in mail.outbox] == ["Your 3 appointments are booked"]
    assert statuses(Kind.CONFIRMATION) == [Status.SENT] * 3
    body = mail.outbox[0].body
    assert body.index("Wednesday 18 March") < body.index("Thursday 19 March")
    assert "Friday 20 March" in body


@pytest.mark.parametrize(
    ("consent_at", "withdrawn_at", "email", "archived", "accepts"),
    [
        (None, None, "a@example.test", False, False),
        (LONG_AGO, None, "a@example.test", False, True),
        (LONG_AGO, None, "", False, False),
        (LONG_AGO, LONG_AGO + H, "a@example.test", False, False),
        (LONG_AGO + H, LONG_AGO, "a@example.test", False, True),
        (LONG_AGO, None, "a@example.test", True, False),
    ],
)
def test_the_audience_query_agrees_with_the_patient_record(
    consent_at, withdrawn_at, email, archived, accepts
):
    patient = PatientFactory(
        reminder_consent_at=consent_at,
        reminder_consent_withdrawn_at=withdrawn_at,
        email=email,
        archived_at=LONG_AGO if archived else None,
    )
    assert (patient.accepts_reminders and not patient.is_archived) is accepts
    assert type(patient).objects.filter(reachable(), pk=patient.pk).exists() is accepts


@pytest.mark.parametrize("count", [3, 12])
def test_the_sweep_runs_a_constant_number_of_queries(
    clinic, treatment, django_assert_num_queries, count
):
    # Booked just now: everything is planned, nothing is due yet (the confirmation delay).
    for index in range(count):
        someone = consenting_patient(first_name=f"P{index}", email=f"p{index}@example.test")
        day = MONDAY + datetime.timedelta(days=1 + index // 3)
        book(clinic, someone, treatment, at(day, f"{9 + index % 3}:00"))
    # Cancel what is stale (3 with its savepoint), the switches (1); per kind its plan query
    # (one per reminder lead) and one insert batch (4: savepoint, insert, revive lookup,
    # release); one plan query per treatment kind, which plans nothing here (3); the due
    # scan (3).
    with django_assert_num_queries(21):
        report = sweep()
    assert report.queued == 0
    assert OutboxMessage.objects.filter(kind=Kind.CONFIRMATION).count() == count
    assert Appointment.objects.count() == count
