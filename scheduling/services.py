"""Writes for scheduling: booking, moving, cancelling, arrivals, series, waitlist, days off,
working hours, feeds.

Every booking goes through `Availability` (the same rule on every database) and then through
the PostgreSQL exclusion constraints, which hold it against concurrent bookings. A constraint
violation is turned into the same `SlotUnavailable` error, with the next free slots, so a
page never shows a 500 because someone else was a moment faster, even when the two inserts
deadlock in the constraints' check (see `_save_all`).
"""

from __future__ import annotations

import datetime
import itertools
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q

from clinic.lib.dates import years_after
from clinic.roles import Capability, Role, can, user_roles
from patients.selectors import patient_treatment_blockers
from scheduling import clock, selectors
from scheduling.availability import (
    Availability,
    Proposal,
    SeriesSlot,
    SlotUnavailable,
)
from scheduling.constraints import PostgresExclusionConstraint
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    AppointmentType,
    CalendarFeed,
    Room,
    TimeOff,
    WaitlistEntry,
    Weekday,
    WorkingHours,
)
from treatments.models import TreatmentSession
from treatments.services import plan_sessions_reserve

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient
    from treatments.models import TreatmentPlan

    User = AbstractBaseUser

# The names of the constraints that say "this slot is taken" (scheduling/models.py).
OVERLAP_CONSTRAINTS = tuple(
    constraint.name
    for constraint in Appointment._meta.constraints
    if isinstance(constraint, PostgresExclusionConstraint)
)
# PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK_DETECTED = "40P01"
MAX_SERIES = 24

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


class SeriesUnavailable(ValidationError):
    """Some sessions of a series cannot be booked: nothing was. `rows` maps the position of
    each refused session (1-based) to its SlotUnavailable."""

    def __init__(self, rows: dict[int, SlotUnavailable]) -> None:
        positions = ", ".join(str(position) for position in sorted(rows))
        super().__init__(
            f"Nothing was booked: session {positions} cannot take the time chosen."
            if len(rows) == 1
            else f"Nothing was booked: sessions {positions} cannot take the times chosen."
        )
        self.rows = rows


# Checks shared by every booking.


def check_patient_bookable(*, patient: Patient, appointment_type: AppointmentType) -> None:
    """The one place that decides whether this patient may be booked for this kind of visit,
    so every booking path (single, series, waitlist, move) gets the same rules.

    An archived record is never booked. A visit where something is injected (treatment or
    maintenance) is refused while the patient has an open absolute contraindication; a
    consultation or review stays bookable, since that is where the practitioner resolves it.
    A missing consent does not stop a booking: it is signed at the visit, and the session
    itself refuses to start without it.
    """
    if patient.is_archived:
        raise ValidationError(
            {"patient": f"{patient.full_name} is archived: restore the record before booking."}
        )
    if not appointment_type.is_treatment:
        return
    blocking = [
        blocker.message
        for blocker in patient_treatment_blockers(patient=patient)
        if blocker.code == "contraindication"
    ]
    if blocking:
        raise ValidationError(
            {
                "patient": f"{patient.full_name} cannot be booked for {appointment_type}: "
                + " ".join(blocking)
                + " Book a consultation instead, or resolve it first."
            }
        )


def check_practitioner(practitioner: User) -> None:
    if not practitioner.is_active or Role.PRACTITIONER not in user_roles(practitioner):
        raise ValidationError({"practitioner": "Choose an active practitioner."})


def _check_type(appointment_type: AppointmentType) -> None:
    if not appointment_type.is_active:
        raise ValidationError({"appointment_type": f"{appointment_type} is no longer offered."})


class _Overlap(Exception):
    """Another transaction holds an overlapping appointment: the constraints refused ours."""


def _is_overlap(error: IntegrityError) -> bool:
    return any(name in str(error) for name in OVERLAP_CONSTRAINTS)


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "pgcode", None) == DEADLOCK_DETECTED


def _save_all(
    appointments: Sequence[Appointment], *, update_fields: Sequence[str] | None = None
) -> None:
    """Insert or update in a savepoint, so a constraint violation leaves the outer transaction
    usable for telling the user what is free instead. Raises _Overlap when the time is taken.

    Two overlapping inserts can each wait, in a constraint's check, on the other's uncommitted
    row; PostgreSQL then aborts one of them as a deadlock. If that is ours, it is tried once
    more: the other row is then alone, so ours waits for its transaction to end and gets the
    real answer (taken, or free after all), and the free times offered with a refusal are
    read after the other booking is committed."""
    new = [appointment._state.adding for appointment in appointments]
    for last_try in (False, True):
        try:
            with transaction.atomic():
                for appointment in appointments:
                    appointment.save(update_fields=update_fields)
            return
        except IntegrityError as error:
            if not _is_overlap(error):
                raise
            raise _Overlap from error
        except OperationalError as error:
            if not _is_deadlock(error):
                raise
            if last_try:
                raise _Overlap from error
        # The savepoint took back the rows inserted before the deadlock: insert them again.
        for appointment, was_new in zip(appointments, new, strict=True):
            if was_new:
                appointment.pk, appointment._state.adding = None, True


def _taken_meanwhile(
    *,
    practitioner: User,
    patient: Patient,
    start: datetime.datetime,
    appointment_type: AppointmentType,
    ignore: Sequence[int] = (),
) -> SlotUnavailable:
    """The refusal of a time the constraints found taken, with the free times read again;
    `ignore` is what a move ignores (the appointment being moved no longer holds its time)."""
    availability = Availability.around(
        practitioner=practitioner, first=start, last=start, patient=patient, ignore=ignore
    )
    return SlotUnavailable(
        {"start": "Someone else has just booked this time. Choose another one."},
        alternatives=availability.next_free(after=start, appointment_type=appointment_type),
    )


# Single appointments.


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


# Series: several sessions in one action.


def series_propose(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    first_start: datetime.datetime,
    count: int,
    interval_days: int,
    room: Room | None = None,
) -> list[Proposal]:
    """Propose a slot for each of `count` sessions (see Availability.propose_series).

    Issue 5 calls this from a plan with the plan's remaining sessions and interval; see
    `appointment_series_book` for the hook.
    """
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    check_practitioner(practitioner)
    _check_series_size(count=count, interval_days=interval_days)
    if first_start < clock.now():
        raise ValidationError({"first_start": "That time has already passed."})
    last = first_start + datetime.timedelta(days=(count - 1) * interval_days + 28)
    availability = Availability.around(
        practitioner=practitioner, first=first_start, last=last, patient=patient
    )
    return availability.propose_series(
        first_start=first_start,
        count=count,
        interval_days=interval_days,
        appointment_type=appointment_type,
        room=room,
    )


def _check_series_size(*, count: int, interval_days: int) -> None:
    if not 1 <= count <= MAX_SERIES:
        raise ValidationError({"count": f"Book between 1 and {MAX_SERIES} sessions at once."})
    if not 1 <= interval_days <= 365:
        raise ValidationError({"interval_days": "The interval is between 1 and 365 days."})


@transaction.atomic
def appointment_series_book(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    slots: Sequence[SeriesSlot],
    interval_days: int,
    booked_by: User,
    note: str = "",
    plan: TreatmentPlan | None = None,
) -> list[Appointment]:
    """Book every session of a series, or none (SeriesUnavailable says which sessions failed).

    With a `plan`, the series books that plan's sessions: course sessions for a treatment
    type, maintenance sessions for a maintenance type. Each appointment is linked to a plan
    session (`plan_session`): first the plan's booked sessions whose appointment was
    cancelled, then new ones; never more course sessions than the course has left. It all
    happens in this transaction: a refused series leaves no plan session behind.
    """
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    check_practitioner(practitioner)
    _check_type(appointment_type)
    _check_series_size(count=len(slots), interval_days=interval_days)
    if plan is not None:
        _check_plan(plan=plan, patient=patient, appointment_type=appointment_type)
    out_of_order = {
        position: SlotUnavailable(
            {"start": f"Session {position} must come after session {position - 1}."},
            alternatives=[],
        )
        for position, (before, after) in enumerate(itertools.pairwise(slots), start=2)
        if after.start <= before.start
    }
    if out_of_order:
        raise SeriesUnavailable(out_of_order)
    availability = Availability.around(
        practitioner=practitioner, first=slots[0].start, last=slots[-1].start, patient=patient
    )
    claimed, refused = availability.claim_all(slots, appointment_type)
    if refused:
        raise SeriesUnavailable(refused)
    sessions = (
        _reserve_plan_sessions(plan=plan, appointment_type=appointment_type, count=len(slots))
        if plan is not None
        else [None] * len(slots)
    )
    series = AppointmentSeries.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        count=len(slots),
        interval_days=interval_days,
        booked_by=booked_by,
        plan=plan,
    )
    appointments = []
    for position, (slot, session) in enumerate(zip(claimed, sessions, strict=True), start=1):
        appointment = slot.appointment(
            patient=patient,
            practitioner=practitioner,
            appointment_type=appointment_type,
            note=note,
            booked_by=booked_by,
            series=series,
            series_position=position,
            plan_session=session,
        )
        appointment._history_user = booked_by
        appointments.append(appointment)
    try:
        _save_all(appointments)
    except _Overlap as error:
        # Someone booked one of these times between our check and our insert: check again
        # against what is committed now, so the page can say which session to change.
        fresh = Availability.around(
            practitioner=practitioner, first=slots[0].start, last=slots[-1].start, patient=patient
        )
        _, refused = fresh.claim_all(slots, appointment_type)
        raise SeriesUnavailable(
            refused
            or {
                1: SlotUnavailable(
                    {"start": "Someone else has just booked one of these times."}, alternatives=[]
                )
            }
        ) from error
    return appointments


def _check_plan(
    *, plan: TreatmentPlan, patient: Patient, appointment_type: AppointmentType
) -> None:
    if plan.patient_id != patient.pk:
        raise ValidationError({"patient": "This plan is for another patient."})
    if not appointment_type.is_treatment:
        raise ValidationError(
            {"appointment_type": "A plan books treatment or maintenance sessions."}
        )


def _reserve_plan_sessions(
    *, plan: TreatmentPlan, appointment_type: AppointmentType, count: int
) -> list[TreatmentSession]:
    kind = (
        TreatmentSession.Kind.MAINTENANCE
        if appointment_type.kind == AppointmentType.Kind.MAINTENANCE
        else TreatmentSession.Kind.INITIAL
    )
    return plan_sessions_reserve(
        plan=plan,
        kind=kind,
        count=count,
        booked_session_ids=selectors.plan_booked_session_ids(plan=plan),
    )


# Waitlist.


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    practitioner: User | None,
    appointment_type: AppointmentType,
    earliest_day: datetime.date,
    latest_day: datetime.date,
    note: str = "",
    added_by: User,
) -> WaitlistEntry:
    check_patient_bookable(patient=patient, appointment_type=appointment_type)
    if practitioner is not None:
        check_practitioner(practitioner)
    if latest_day < earliest_day:
        raise ValidationError({"latest_day": "The last day must be on or after the first day."})
    if latest_day < clock.local_today():
        raise ValidationError({"latest_day": "That period is already over."})
    return WaitlistEntry.objects.create(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        earliest_day=earliest_day,
        latest_day=latest_day,
        note=note,
        added_by=added_by,
    )


def _waitlist_close(
    *, entry: WaitlistEntry, status: str, appointment: Appointment | None = None
) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if appointment is not None and appointment.patient_id != entry.patient_id:
        raise ValidationError("This waitlist entry is for another patient.")
    if entry.status != WaitlistEntry.Status.WAITING:
        raise ValidationError("This waitlist entry is already closed.")
    entry.status = status
    entry.appointment = appointment
    entry.closed_at = clock.now()
    entry.save(update_fields=["status", "appointment", "closed_at"])
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: WaitlistEntry) -> WaitlistEntry:
    return _waitlist_close(entry=entry, status=WaitlistEntry.Status.WITHDRAWN)


# Days off and clinic closures.

# Days off are recorded this far ahead at most, and last at most this long: beyond, the year
# was most likely mistyped (and a closure would refuse every booking until then).
TIME_OFF_YEARS_AHEAD = 2
LONGEST_TIME_OFF = datetime.timedelta(days=366)


def _time_off_errors(
    *, practitioner: User | None, first_day: datetime.date, last_day: datetime.date, by: User
) -> dict[str, str]:
    """What is wrong with these days off, by field, before the database is asked anything."""
    errors = {}
    if practitioner is None:
        if not can(by, Capability.MANAGE_STAFF):
            errors["practitioner"] = "Only the clinic manager can close the whole clinic."
    else:
        try:
            check_practitioner(practitioner)
        except ValidationError as error:
            errors.update(error.message_dict)
    today = clock.local_today()
    furthest = years_after(today, TIME_OFF_YEARS_AHEAD)
    if first_day < today:
        errors["first_day"] = "That day has passed: days off are recorded from today on."
    elif first_day > furthest:
        errors["first_day"] = (
            f"That is more than two years ahead (after {clock.long_day(furthest)} "
            f"{furthest.year}): check the year."
        )
    if last_day < first_day:
        errors["last_day"] = "The last day must be on or after the first day."
    elif last_day - first_day >= LONGEST_TIME_OFF:
        errors["last_day"] = "Days off last a year at most: check the last day's year."
    return errors


@transaction.atomic
def time_off_add(
    *,
    practitioner: User | None,
    first_day: datetime.date,
    last_day: datetime.date,
    reason: str = "",
    by: User,
) -> TimeOff:
    """Record days a practitioner does not work, or (without a practitioner) days the whole
    clinic is closed; from then on `Availability` refuses bookings on them. Appointments
    already booked then are left as they are: `selectors.time_off_clashes` lists them for the
    desk to move or cancel.

    Anyone who books records a practitioner's days off; closing the clinic is the clinic
    manager's. Days off of one practitioner (or two closures) never overlap: the refusal names
    the days off already recorded."""
    errors = _time_off_errors(
        practitioner=practitioner, first_day=first_day, last_day=last_day, by=by
    )
    if errors:
        raise ValidationError(errors)
    if practitioner is not None:
        # Two people recording days off for the same practitioner at once: the second waits
        # here for the first to commit, then finds its days off below.
        get_user_model().objects.select_for_update().filter(pk=practitioner.pk).exists()
    overlapping = (
        TimeOff.objects.filter(
            practitioner=practitioner, first_day__lte=last_day, last_day__gte=first_day
        )
        .select_related("practitioner")
        .order_by("first_day", "pk")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "first_day": "These days overlap a day off already recorded: "
                f"{selectors.time_off_described(overlapping)}."
            }
        )
    off = TimeOff(
        practitioner=practitioner, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    off._history_user = by
    off.save()
    return off


def time_off_removal_refusal(off: TimeOff, *, by: User, today: datetime.date) -> str | None:
    """Why `by` cannot remove `off` on `today`, or None when they can: for the service and
    for the button a page offers (no query)."""
    if off.practitioner_id is None and not can(by, Capability.MANAGE_STAFF):
        return "Only the clinic manager can open the clinic on the days of a closure."
    if off.first_day <= today:
        return "This day off has begun: it can no longer be removed."
    return None


@transaction.atomic
def time_off_remove(*, time_off: TimeOff, by: User) -> None:
    """Take back a day off (or closure) that has not begun: the practitioner (or the clinic)
    can be booked on those days again. The history keeps it, and who removed it."""
    off = TimeOff.objects.select_for_update().filter(pk=time_off.pk).first()
    if off is None:
        raise ValidationError("This day off was already removed.")
    refusal = time_off_removal_refusal(off, by=by, today=clock.local_today())
    if refusal:
        raise ValidationError(refusal)
    off._history_user = by
    off.delete()


# Working hours.

# A practitioner's week: for each weekday worked, its blocks of hours (from, to) in the
# clinic's local time; a weekday left out is not worked.
Week = Mapping[int, Sequence[tuple[datetime.time, datetime.time]]]
# The clinic's plausible day: hours outside it are most likely a slip (21:00 for 12:00).
EARLIEST_HOUR = datetime.time(6)
LATEST_HOUR = datetime.time(23)
BLOCKS_A_DAY = 3


def hours_field(weekday: int, position: int, part: str) -> str:
    """The key of an error about one end ("start" or "end") of a day's block (1-based
    position among that day's blocks): "tuesday_2_end". The week's form names its fields so."""
    return f"{Weekday(weekday).name.lower()}_{position}_{part}"


def _week_errors(week: Week) -> dict[str, str]:
    """What is wrong with these hours, by the field of the block concerned."""
    errors: dict[str, str] = {}
    for weekday, blocks in week.items():
        day = Weekday(weekday).label
        if len(blocks) > BLOCKS_A_DAY:
            errors[hours_field(weekday, 1, "start")] = (
                f"{BLOCKS_A_DAY} blocks a day at most: join some of {day}'s."
            )
            continue
        for position, (start, end) in enumerate(blocks, start=1):
            if start < EARLIEST_HOUR:
                errors[hours_field(weekday, position, "start")] = (
                    f"Hours start at {EARLIEST_HOUR:%H:%M} at the earliest."
                )
            if end <= start:
                errors[hours_field(weekday, position, "end")] = "The end must be after the start."
                continue
            if end > LATEST_HOUR:
                errors[hours_field(weekday, position, "end")] = (
                    f"Hours end at {LATEST_HOUR:%H:%M} at the latest."
                )
            # Two blocks of a day must not overlap, or the day would count hours twice.
            earlier = [(s, e) for s, e in blocks[: position - 1] if s < e and s < end and start < e]
            if earlier:
                errors.setdefault(
                    hours_field(weekday, position, "start"),
                    f"This overlaps {selectors.hours_text(earlier[:1])} on {day}.",
                )
    return errors


@transaction.atomic
def working_hours_set(*, practitioner: User, week: Week, by: User) -> int:
    """Replace the practitioner's usual week with `week`, all of it or (on any error) none of
    it; returns how many blocks were added, changed or removed. From then on `Availability`
    offers and accepts times inside the new hours only. Appointments already booked are left
    as they are: `selectors.hours_clashes` lists those the new hours leave outside.

    A block kept as it was is not touched, one whose start stays but end moves is changed,
    the others are removed or added: each with `by` in its history. Setting hours is the
    clinic manager's."""
    if not can(by, Capability.MANAGE_STAFF):
        raise ValidationError("Only the clinic manager sets working hours.")
    check_practitioner(practitioner)
    errors = _week_errors(week)
    if errors:
        raise ValidationError(errors)
    # Two managers saving the same week at once: the second waits here for the first to
    # commit, then replaces what the first saved (never a mix of the two).
    get_user_model().objects.select_for_update().filter(pk=practitioner.pk).exists()
    wanted = {(weekday, start): end for weekday, blocks in week.items() for start, end in blocks}
    changes = 0
    for block in WorkingHours.objects.filter(practitioner=practitioner):
        end = wanted.pop((block.weekday, block.starts_at), None)
        if end == block.ends_at:
            continue
        block._history_user = by
        if end is None:
            block.delete()
        else:
            block.ends_at = end
            block.save(update_fields=["ends_at"])
        changes += 1
    for (weekday, start), end in sorted(wanted.items()):
        block = WorkingHours(
            practitioner=practitioner, weekday=weekday, starts_at=start, ends_at=end
        )
        block._history_user = by
        block.save()
        changes += 1
    return changes


# Calendar feeds.


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_rotate(*, practitioner: User) -> CalendarFeed:
    """Give the practitioner a new private feed address; any previous one stops working."""
    check_practitioner(practitioner)
    feed, created = CalendarFeed.objects.get_or_create(
        practitioner=practitioner, defaults={"token": _new_token()}
    )
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, practitioner: User) -> None:
    """The practitioner's feed address stops working, and there is none until a new one."""
    CalendarFeed.objects.filter(practitioner=practitioner).delete()
