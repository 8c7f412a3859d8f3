"""Writes for single appointments: booking, moving, cancelling, and the day's statuses
(confirmed, arrived, in treatment, completed, no-show), by hand or following a treatment log."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from scheduling import clock
from scheduling.availability import Availability
from scheduling.models import Appointment, AppointmentType, Room, WaitlistEntry
from scheduling.services._common import (
    _check_type,
    _Overlap,
    _save_all,
    _taken_meanwhile,
    check_patient_bookable,
    check_practitioner,
)
from scheduling.services.waitlist import _waitlist_close

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

    User = AbstractBaseUser

Status = Appointment.Status

# Who may go where from each status. Cancelling (which needs a reason) is its own service.
# A no-show is undone when the patient walks in late after all (on the day only: see
# `transition_refusal`); the history keeps that they were marked absent first.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.CONFIRMED, Status.ARRIVED, Status.NO_SHOW}),
    Status.CONFIRMED: frozenset({Status.ARRIVED, Status.NO_SHOW}),
    Status.ARRIVED: frozenset({Status.IN_TREATMENT, Status.COMPLETED}),
    Status.IN_TREATMENT: frozenset({Status.COMPLETED}),
    Status.NO_SHOW: frozenset({Status.ARRIVED}),
}


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    start: datetime.datetime,
    end: datetime.datetime | None = None,
    room: Room | None = None,
    booked_by: User,
    note: str = "",
    waitlist_entry: WaitlistEntry | None = None,
) -> Appointment:
    """Book one appointment. `end` defaults to the type's duration; the type's gap is added
    after it. Raises SlotUnavailable (with alternatives) when the time is not free."""
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    check_practitioner(practitioner)
    _check_type(appointment_type)
    end = end or start + appointment_type.duration
    availability = Availability.around(
        practitioner=practitioner, first=start, last=start, patient=patient
    )
    slot = availability.claim(
        start=start,
        end=end,
        gap=appointment_type.gap_after,
        room=room,
        appointment_type=appointment_type,
    )
    appointment = slot.appointment(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        note=note,
        booked_by=booked_by,
    )
    appointment._history_user = booked_by
    try:
        _save_all([appointment])
    except _Overlap as error:
        raise _taken_meanwhile(
            practitioner=practitioner,
            patient=patient,
            start=start,
            appointment_type=appointment_type,
        ) from error
    if waitlist_entry is not None:
        _waitlist_close(
            entry=waitlist_entry, status=WaitlistEntry.Status.BOOKED, appointment=appointment
        )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient", "practitioner", "room", "appointment_type")
        .get(pk=appointment.pk)
    )


def appointment_unchanged(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    room: Room | None,
    practitioner: User | None = None,
) -> bool:
    """A move to the time the appointment already has, in its room (or any room), with its
    practitioner (or none named): nothing to do."""
    return (
        start == appointment.start
        and room in (None, appointment.room)
        and practitioner in (None, appointment.practitioner)
    )


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    room: Room | None = None,
    practitioner: User | None = None,
    by: User,
) -> Appointment:
    """Move an upcoming appointment to `start`, keeping its length and gap, and give it to
    `practitioner` when one is named (a practitioner off sick: the desk hands her patients to
    a colleague). Without a room it keeps its room when that is free, else takes any free one.
    The new practitioner must be an active practitioner, free at that time by the same rules
    as a booking (working hours, days off, their other appointments).

    A confirmed appointment moved to another time, or given to another practitioner, is
    booked again: the patient confirmed the old time with the old practitioner, and the
    confirmation planned for the new one (reminders.py) asks them again.
    Asked for the time, room and practitioner it already has, it changes nothing
    (`appointment_unchanged` says so).

    An appointment holding a plan session (`plan_session`) may go to a colleague too: the plan
    stays its practitioner's, and the session is given by whoever the appointment is with. The
    treatments app ties a session to the practitioner who starts it, not to the plan's: the
    session shows on the new practitioner's day list (it follows the appointment), and the one
    who starts it is the one who logs and signs it. The history link, the series and the plan
    session all stay as they are."""
    appointment = _locked(appointment)
    if not appointment.is_upcoming:
        raise ValidationError(
            {"start": f"A {appointment.get_status_display().lower()} appointment cannot be moved."}
        )
    if appointment_unchanged(
        appointment=appointment, start=start, room=room, practitioner=practitioner
    ):
        return appointment
    new_practitioner = practitioner not in (None, appointment.practitioner)
    if new_practitioner:
        check_practitioner(practitioner)
        appointment.practitioner = practitioner
    check_patient_bookable(
        patient=appointment.patient, appointment_type=appointment.appointment_type
    )
    availability = Availability.around(
        practitioner=appointment.practitioner,
        first=start,
        last=start,
        patient=appointment.patient,
        ignore=[appointment.pk],
    )
    slot = availability.claim(
        start=start,
        end=start + appointment.duration,
        gap=appointment.occupied_until - appointment.end,
        room=room,
        prefer_room=appointment.room,
        appointment_type=appointment.appointment_type,
    )
    if (slot.start != appointment.start or new_practitioner) and (
        appointment.status == Status.CONFIRMED
    ):
        appointment.status = Status.BOOKED
    appointment.start, appointment.end = slot.start, slot.end
    appointment.occupied_until, appointment.room = slot.occupied_until, slot.room
    appointment._history_user = by
    try:
        _save_all([appointment])
    except _Overlap as error:
        raise _taken_meanwhile(
            practitioner=appointment.practitioner,
            patient=appointment.patient,
            start=start,
            appointment_type=appointment.appointment_type,
            ignore=[appointment.pk],
        ) from error
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, reason: str, by: User) -> Appointment:
    """Cancel an upcoming appointment, with the reason; its slot becomes free at once."""
    appointment = _locked(appointment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the appointment is cancelled."})
    if not appointment.is_upcoming:
        state = appointment.get_status_display().lower()
        raise ValidationError({"reason": f"A {state} appointment cannot be cancelled."})
    appointment.status = Status.CANCELLED
    appointment.cancel_reason = reason
    appointment.cancelled_at = clock.now()
    appointment._history_user = by
    appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
    return appointment


def transition_refusal(
    appointment: Appointment, status: str, *, now: datetime.datetime
) -> str | None:
    """Why `appointment` cannot be marked `status` at `now`, or None when it can: TRANSITIONS
    and the day's rules, for the service and for the buttons a page offers (no query)."""
    if status not in TRANSITIONS.get(appointment.status, frozenset()):
        return (
            f"A {appointment.get_status_display().lower()} appointment cannot be marked "
            f"{Status(status).label.lower()}."
        )
    if status == Status.CONFIRMED and appointment.given_early:
        return "This appointment's session was already given on an earlier day: cancel it."
    day, today = clock.local(appointment.start).date(), clock.local(now).date()
    if status in (Status.ARRIVED, Status.IN_TREATMENT, Status.COMPLETED) and day > today:
        return "The patient cannot arrive before the day of the appointment."
    if status == Status.NO_SHOW and appointment.start > now:
        return "A patient can only be marked absent once the appointment has begun."
    if appointment.status == Status.NO_SHOW and day != today:
        return "A no-show can only be undone on the day of the appointment."
    return None


def _taken_since_no_show(appointment: Appointment) -> bool:
    """A no-show gave its time (and its plan session) back: has another appointment taken
    them since? The same rule as the exclusion constraints, on every database."""
    holders = Q(practitioner_id=appointment.practitioner_id) | Q(room_id=appointment.room_id)
    if appointment.plan_session_id is not None:
        holders |= Q(plan_session_id=appointment.plan_session_id)
    return (
        Appointment.objects.active()
        .exclude(pk=appointment.pk)
        .overlapping(appointment.start, appointment.occupied_until)
        .filter(holders)
        .exists()
    )


TAKEN_SINCE_NO_SHOW = (
    "Its time was booked for another appointment after the no-show: book the patient again."
)


@transaction.atomic
def appointment_transition(*, appointment: Appointment, status: str, by: User) -> Appointment:
    """Confirm, mark arrived, start treatment, complete, or mark a no-show; or undo a no-show
    on the day (the patient came late after all), if its time is still free."""
    appointment = _locked(appointment)
    now = clock.now()
    refusal = transition_refusal(appointment, status, now=now)
    if refusal:
        raise ValidationError(refusal)
    undoing_no_show = appointment.status == Status.NO_SHOW
    if undoing_no_show and _taken_since_no_show(appointment):
        raise ValidationError(TAKEN_SINCE_NO_SHOW)
    appointment.status = status
    if status == Status.ARRIVED:
        appointment.arrived_at = now
    appointment._history_user = by
    try:
        # The slot may have been taken a moment ago (the constraints say so).
        _save_all([appointment], update_fields=["status", "arrived_at", "updated_at"])
    except _Overlap as error:
        if not undoing_no_show:
            raise
        raise ValidationError(TAKEN_SINCE_NO_SHOW) from error
    return appointment


# The order an appointment goes through on the day, as far as a treatment log moves it.
_VISIT = (Status.BOOKED, Status.CONFIRMED, Status.ARRIVED, Status.IN_TREATMENT, Status.COMPLETED)


@transaction.atomic
def appointment_follow_session(
    *, plan_session_id: int, signed: bool, by: User
) -> Appointment | None:
    """The appointment holding a plan session follows the session's log: in treatment when
    the practitioner opens the log, completed when they sign it, so the desk's diary says what
    happened without anyone clicking through its statuses. A patient being treated has come:
    a booked or confirmed appointment is marked arrived (now) on the way.

    An upcoming appointment on a later day keeps its status: the session was given early. It
    is marked so (`session_given_at`): it sends no reminder, and the desk's today page and the
    appointment itself ask for it to be cancelled.

    Left as it is: no appointment, a cancelled one or a no-show, one already as far along."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .active()
        .filter(plan_session_id=plan_session_id)
        .first()
    )
    if appointment is None:
        return None
    now = clock.now()
    target = Status.COMPLETED if signed else Status.IN_TREATMENT
    if clock.local(appointment.start).date() > clock.local(now).date():
        if appointment.is_upcoming and appointment.session_given_at is None:
            appointment.session_given_at = now
            appointment._history_user = by
            # Not updated_at: the booking itself did not change (reminders read it).
            appointment.save(update_fields=["session_given_at"])
        return appointment
    if _VISIT.index(appointment.status) >= _VISIT.index(target):
        return appointment
    appointment.status = target
    appointment.arrived_at = appointment.arrived_at or now
    appointment._history_user = by
    appointment.save(update_fields=["status", "arrived_at", "updated_at"])
    return appointment
