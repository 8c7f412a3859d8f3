"""Giving an appointment to another practitioner (a practitioner off sick: the desk hands her
patients to a colleague), through the service: who may take it, when, what happens to its
status, to the patient's emails, and to a plan session it holds."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from clinic.roles import Role
from scheduling import services
from scheduling.availability import Availability, SeriesSlot, SlotUnavailable
from scheduling.models import Appointment, OutboxMessage, Room
from scheduling.outbox.links import Action, appointment_link
from scheduling.services import appointment_move, appointment_transition, appointment_unchanged
from tests.scheduling.conftest import MONDAY, at, give_week
from tests.scheduling.factories import AppointmentFactory
from tests.scheduling.reminder_scenes import LONG_AGO, WEDNESDAY, book, consenting_patient, sweep
from tests.treatments.scenarios import clinic as treatment_clinic
from tests.treatments.scenarios import lots, record, start
from treatments import services as treatment_services
from treatments.selectors import practitioner_day

pytestmark = pytest.mark.django_db
TUESDAY = MONDAY + datetime.timedelta(days=1)
Kind, Status = OutboxMessage.Kind, OutboxMessage.Status
H = datetime.timedelta(hours=1)


def hand_over(appointment, practitioner, *, by, start):
    return appointment_move(appointment=appointment, start=start, practitioner=practitioner, by=by)


@pytest.fixture
def appointment(clinic, patient, treatment, rooms):
    return book(clinic, patient, treatment, at(TUESDAY, "10:00"))


def test_an_appointment_given_to_a_free_colleague_is_hers_at_the_same_time(
    appointment, colleague, receptionist, rooms
):
    moved = hand_over(appointment, colleague, by=receptionist, start=at(TUESDAY, "10:00"))
    assert (moved.practitioner, moved.start, moved.end, moved.room) == (
        colleague,
        at(TUESDAY, "10:00"),
        at(TUESDAY, "10:45"),
        rooms[0],
    )
    assert Appointment.objects.get().practitioner == colleague
    # The history says who handed it over, and from whom.
    latest, before = appointment.history.all()[:2]
    assert (latest.practitioner_id, latest.history_user) == (colleague.pk, receptionist)
    assert before.practitioner_id == appointment.practitioner_id


def test_a_colleague_who_is_busy_then_is_refused_with_her_own_free_times(
    appointment, colleague, treatment, receptionist
):
    AppointmentFactory(
        practitioner=colleague, appointment_type=treatment, start=at(TUESDAY, "10:00")
    )
    with pytest.raises(SlotUnavailable) as refused:
        hand_over(appointment, colleague, by=receptionist, start=at(TUESDAY, "10:15"))
    assert refused.value.message_dict == {
        "start": ["Paul Nguyen already has an appointment at that time."]
    }
    # Dr Nguyen is busy until 11:00; Dr Martin's own 10:00 would have been free.
    assert [slot.start for slot in refused.value.alternatives] == [
        at(TUESDAY, "11:00"),
        at(TUESDAY, "11:15"),
        at(TUESDAY, "11:30"),
    ]
    appointment.refresh_from_db()
    assert (appointment.practitioner_id, appointment.start) == (
        appointment.practitioner_id,
        at(TUESDAY, "10:00"),
    )


def test_a_colleague_who_does_not_work_that_day_is_refused(
    appointment, other_practitioner, receptionist, clinic
):
    give_week(other_practitioner, weekdays=[0])  # Mondays only
    with pytest.raises(SlotUnavailable) as refused:
        hand_over(appointment, other_practitioner, by=receptionist, start=at(TUESDAY, "10:00"))
    assert "does not work on Tuesdays" in refused.value.message_dict["start"][0]
    assert Appointment.objects.get().practitioner == clinic


def test_a_time_taken_meanwhile_for_the_colleague_is_refused_by_the_database(
    appointment, colleague, consultation, receptionist, rooms, monkeypatch
):
    """Another desk gave Dr Nguyen 10:00 after our check read her diary: the exclusion
    constraint refuses ours, and the refusal offers her free times, read again."""
    blocker = AppointmentFactory(
        practitioner=colleague,
        appointment_type=consultation,
        room=rooms[1],
        start=at(TUESDAY, "10:00"),
    )
    real_around = Availability.around.__func__
    calls = []

    def stale_first_read(cls, *, ignore=(), **kwargs):
        calls.append(kwargs["practitioner"])
        # The first read (the move's check) does not see the other desk's booking yet.
        ignore = [*ignore, blocker.pk] if len(calls) == 1 else ignore
        return real_around(cls, ignore=ignore, **kwargs)

    monkeypatch.setattr(Availability, "around", classmethod(stale_first_read))
    with pytest.raises(SlotUnavailable) as refused:
        hand_over(appointment, colleague, by=receptionist, start=at(TUESDAY, "10:00"))
    assert calls == [colleague, colleague]
    assert refused.value.message_dict == {
        "start": ["Someone else has just booked this time. Choose another one."]
    }
    # Dr Nguyen's consultation holds her until 10:40 (its 10 minutes' gap included); the
    # appointment being moved holds nothing any more (Dr Martin's time would say 11:00).
    assert refused.value.alternatives[0].start == at(TUESDAY, "10:40")
    appointment.refresh_from_db()
    assert appointment.practitioner_id != colleague.pk


@pytest.mark.parametrize("who", ["inactive", "receptionist", "admin"])
def test_only_an_active_practitioner_can_take_an_appointment(
    appointment, colleague, receptionist, make_staff, clinic, who
):
    if who == "inactive":
        colleague.is_active = False
        colleague.save(update_fields=["is_active"])
        target = colleague
    else:
        target = receptionist if who == "receptionist" else make_staff("boss", Role.ADMIN)
    with pytest.raises(ValidationError) as refused:
        hand_over(appointment, target, by=clinic, start=at(TUESDAY, "10:00"))
    assert refused.value.message_dict == {"practitioner": ["Choose an active practitioner."]}
    assert Appointment.objects.get().practitioner == clinic


def test_a_confirmed_appointment_given_to_a_colleague_is_booked_again(
    appointment, colleague, receptionist
):
    appointment_transition(appointment=appointment, status="confirmed", by=receptionist)
    moved = hand_over(appointment, colleague, by=receptionist, start=at(TUESDAY, "10:00"))
    assert (moved.practitioner, moved.status) == (colleague, Appointment.Status.BOOKED)


def test_the_same_time_room_and_practitioner_changes_nothing(appointment, colleague, clinic, rooms):
    appointment_transition(appointment=appointment, status="confirmed", by=clinic)
    appointment.refresh_from_db()
    before = (appointment.updated_at, appointment.history.count())
    for practitioner in (None, clinic):
        assert appointment_unchanged(
            appointment=appointment,
            start=at(TUESDAY, "10:00"),
            room=rooms[0],
            practitioner=practitioner,
        )
        same = appointment_move(
            appointment=appointment,
            start=at(TUESDAY, "10:00"),
            room=rooms[0],
            practitioner=practitioner,
            by=clinic,
        )
        assert (same.practitioner, same.status) == (clinic, Appointment.Status.CONFIRMED)
    appointment.refresh_from_db()
    assert (appointment.updated_at, appointment.history.count()) == before
    assert not appointment_unchanged(
        appointment=appointment, start=at(TUESDAY, "10:00"), room=None, practitioner=colleague
    )


# The patient's emails.


def test_the_patient_is_told_of_the_new_practitioner_as_of_a_new_time(
    clinic, colleague, treatment, receptionist, time_machine, client, settings
):
    juliette = consenting_patient()
    appointment = book(clinic, juliette, treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO)
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    assert "with Sophie Martin" in mail.outbox[-1].body
    old_confirm_link = appointment_link(Action.CONFIRM, appointment)
    time_machine.move_to(at(MONDAY, "11:00"))
    hand_over(appointment, colleague, by=receptionist, start=at(WEDNESDAY, "10:00"))
    sweep()
    old = OutboxMessage.objects.get(kind=Kind.APPOINTMENT_REMINDER, status=Status.CANCELLED)
    assert (old.lead, old.practitioner, old.reason) == (
        2 * H,
        clinic,
        "The appointment was given to another practitioner.",
    )
    # The confirmation of the new arrangement goes after its delay, naming Dr Nguyen…
    time_machine.move_to(at(MONDAY, "11:10"))
    sweep()
    confirmation = mail.outbox[-1]
    assert confirmation.subject == "Your appointment on Wednesday 18 March at 10:00 is booked"
    assert "with Paul Nguyen" in confirmation.body
    assert "Sophie Martin" not in confirmation.body
    # …and the 2-hour reminder too; the 48-hour one had already gone.
    time_machine.move_to(at(WEDNESDAY, "08:00"))
    sweep()
    assert mail.outbox[-1].subject == "Reminder: your appointment on Wednesday 18 March at 10:00"
    assert "with Paul Nguyen" in mail.outbox[-1].body
    assert len(mail.outbox) == 3
    sent = OutboxMessage.objects.filter(status=Status.SENT, practitioner=colleague)
    assert sorted((m.kind, m.lead) for m in sent) == [
        (Kind.APPOINTMENT_REMINDER, 2 * H),
        (Kind.CONFIRMATION, None),
    ]
    assert all(m.key.endswith(f"/with:{colleague.pk}") for m in sent if m.lead is None)

    # The first email's confirm link no longer confirms: the patient agreed to Dr Martin.
    page = client.post(old_confirm_link.removeprefix(settings.CLINIC_SITE_URL), follow=True)
    assert "It is now with Paul Nguyen, at the same time." in page.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_an_appointment_given_back_gets_its_cancelled_reminder_back(
    clinic, colleague, treatment, receptionist, time_machine
):
    appointment = book(
        clinic, consenting_patient(), treatment, at(WEDNESDAY, "10:00"), booked_at=LONG_AGO
    )
    time_machine.move_to(at(MONDAY, "10:00"))
    sweep()
    reminder = OutboxMessage.objects.get(lead=2 * H)
    for practitioner in (colleague, clinic):
        hand_over(appointment, practitioner, by=receptionist, start=at(WEDNESDAY, "10:00"))
        sweep()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.practitioner) == (Status.PENDING, clinic)
    assert OutboxMessage.objects.filter(status=Status.PENDING, lead=2 * H).count() == 1


def _told(smtp_server) -> list[str]:
    """Who each email the SMTP server received says the appointment is with."""
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.messages]
    return [
        next(name for name in ("Sophie Martin", "Paul Nguyen") if f"with {name}" in body)
        for body in bodies
    ]


def test_an_appointment_given_to_a_colleague_and_back_is_confirmed_again_with_the_first(
    clinic, colleague, treatment, receptionist, time_machine, smtp_server
):
    # Each change is confirmed before the next: the patient was last told "with Dr Nguyen", so
    # the return to Dr Martin must be confirmed too, though she had a confirmation of that
    # very arrangement at first.
    appointment = book(clinic, consenting_patient(), treatment, at(WEDNESDAY, "10:00"))
    for minute, practitioner in (("08:00", None), ("08:30", colleague), ("09:00", clinic)):
        time_machine.move_to(at(MONDAY, minute))
        if practitioner is not None:
            hand_over(appointment, practitioner, by=receptionist, start=at(WEDNESDAY, "10:00"))
        sweep()
        time_machine.move_to(at(MONDAY, minute) + datetime.timedelta(minutes=10))
        sweep()
    assert _told(smtp_server) == ["Sophie Martin", "Paul Nguyen", "Sophie Martin"]
    first, handed_over, back = OutboxMessage.objects.filter(kind=Kind.CONFIRMATION).order_by("pk")
    assert [m.status for m in (first, handed_over, back)] == [Status.SENT] * 3
    assert [m.practitioner for m in (first, handed_over, back)] == [clinic, colleague, clinic]
    # Its own key: the first confirmation of this arrangement was sent already.
    assert back.key == f"{first.key}/after:{handed_over.pk}"

    # Nothing more: the sweep runs on, and a move to the room next door is nothing she reads.
    time_machine.move_to(at(MONDAY, "09:45"))
    services.appointment_move(
        appointment=appointment, start=at(WEDNESDAY, "10:00"), room=appointment.room, by=clinic
    )
    other_room = services.appointment_move(
        appointment=appointment,
        start=at(WEDNESDAY, "10:00"),
        room=Room.objects.exclude(pk=appointment.room_id).first(),
        by=clinic,
    )
    assert other_room.room != appointment.room
    for moment in ("09:45", "09:59"):
        time_machine.move_to(at(MONDAY, moment))
        sweep()
    assert len(smtp_server.messages) == 3
    assert OutboxMessage.objects.count() == 3


@pytest.fixture
def handed_over(clinic, colleague, treatment, receptionist, time_machine):
    """Booked with Dr Martin, confirmed so by email at 08:10, given to Dr Nguyen at 08:30: her
    confirmation is waiting its delay."""
    appointment = book(clinic, consenting_patient(), treatment, at(WEDNESDAY, "10:00"))
    sweep()
    time_machine.move_to(at(MONDAY, "08:10"))
    sweep()
    assert "with Sophie Martin" in mail.outbox[-1].body
    time_machine.move_to(at(MONDAY, "08:30"))
    hand_over(appointment, colleague, by=receptionist, start=at(WEDNESDAY, "10:00"))
    sweep()
    return appointment


def test_an_appointment_given_to_a_colleague_is_confirmed_with_her(
    handed_over, colleague, time_machine
):
    time_machine.move_to(at(MONDAY, "08:40"))
    sweep()
    assert len(mail.outbox) == 2
    assert "with Paul Nguyen" in mail.outbox[-1].body
    confirmation = OutboxMessage.objects.get(kind=Kind.CONFIRMATION, practitioner=colleague)
    assert confirmation.status == Status.SENT


def test_an_appointment_given_back_before_the_colleagues_confirmation_went_sends_nothing_new(
    handed_over, clinic, colleague, receptionist, time_machine
):
    # Back before Dr Nguyen's confirmation went: the patient was only ever told Dr Martin.
    time_machine.move_to(at(MONDAY, "08:35"))
    hand_over(handed_over, clinic, by=receptionist, start=at(WEDNESDAY, "10:00"))
    for moment in ("08:35", "08:50", "09:30"):
        time_machine.move_to(at(MONDAY, moment))
        sweep()
    assert len(mail.outbox) == 1
    assert [(m.practitioner, m.status) for m in OutboxMessage.objects.order_by("pk")] == [
        (clinic, Status.SENT),
        (colleague, Status.CANCELLED),
    ]


# A plan session given by a colleague.


def test_a_plan_session_given_to_a_colleague_is_hers_to_give_and_sign(
    clinic, colleague, treatment, receptionist, admin_user, time_machine
):
    scene = treatment_clinic(clinic, admin_user)
    (held,) = services.appointment_series_book(
        patient=scene.patient,
        practitioner=clinic,
        appointment_type=treatment,
        slots=[SeriesSlot(at(MONDAY, "10:00"))],
        interval_days=14,
        booked_by=receptionist,
        plan=scene.plan,
    )
    moved = hand_over(held, colleague, by=receptionist, start=at(MONDAY, "10:00"))
    # The plan, the session and the series stay as they were.
    assert (moved.plan_session, moved.series) == (held.plan_session, held.series)
    scene.plan.refresh_from_db()
    assert scene.plan.practitioner == clinic
    # The session is on Dr Nguyen's day, with its Start button; no longer on Dr Martin's.
    (item,) = practitioner_day(practitioner=colleague, day=MONDAY).items
    assert item.session == held.plan_session
    assert practitioner_day(practitioner=clinic, day=MONDAY).items == []

    time_machine.move_to(at(MONDAY, "10:00"), tick=False)
    session = start(scene.plan, colleague, session=held.plan_session)
    assert session.practitioner == colleague
    with pytest.raises(ValidationError, match="Only Paul Nguyen, who gave this session"):
        record(session, clinic, lots=lots(scene.catalogue))
    signed = treatment_services.session_sign(
        session=record(session, colleague, lots=lots(scene.catalogue)), by=colleague
    )
    assert signed.signed_by == colleague
    moved.refresh_from_db()
    assert moved.status == Appointment.Status.COMPLETED


def test_a_patient_who_may_not_be_treated_is_not_given_to_a_colleague(
    appointment, colleague, receptionist
):
    appointment.patient.archived_at = at(MONDAY, "08:00")
    appointment.patient.save(update_fields=["archived_at"])
    with pytest.raises(ValidationError) as refused:
        hand_over(appointment, colleague, by=receptionist, start=at(TUESDAY, "10:00"))
    assert "archived" in refused.value.message_dict["patient"][0]
