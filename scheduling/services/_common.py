"""Checks and saving shared by every booking path (single, series, waitlist, move).

Every booking goes through `Availability` (the same rule on every database) and then through
the PostgreSQL exclusion constraints, which hold it against concurrent bookings. A constraint
violation is turned into the same `SlotUnavailable` error, with the next free slots, so a
page never shows a 500 because someone else was a moment faster, even when the two inserts
deadlock in the constraints' check (see `_save_all`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction

from clinic.roles import Role, user_roles
from patients.selectors import patient_treatment_blockers
from scheduling.availability import Availability, SlotUnavailable
from scheduling.constraints import exclusion_constraint_names, refused_by
from scheduling.models import Appointment, AppointmentType

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

    User = AbstractBaseUser


# The names of the constraints that say "this slot is taken" (scheduling/models.py).
OVERLAP_CONSTRAINTS = exclusion_constraint_names(Appointment)
# PostgreSQL's SQLSTATE for "deadlock detected".
DEADLOCK_DETECTED = "40P01"


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


def lock_practitioner(practitioner: User) -> None:
    """Lock the practitioner's row for the transaction: two people changing the same
    practitioner's days off or hours at once are taken one after the other, the second
    seeing what the first committed.

    FOR NO KEY UPDATE, which two services still take one after the other, but not FOR
    UPDATE: that one also holds off the foreign key check of a row inserted elsewhere for this
    practitioner (a day off saved in the back office), which PostgreSQL makes at commit. If
    our insert meanwhile waited on that row in the days off' exclusion constraint, each
    transaction would wait on the other, and PostgreSQL would abort ours as a deadlock instead
    of letting the constraint refuse it."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=practitioner.pk).exists()


# The transaction-scoped advisory lock closures take (`lock_closures`): any fixed number
# nothing else in the app locks, the same in every process ("MC" and 1).
CLOSURES_LOCK = 0x4D43_0001


def lock_closures() -> None:
    """Serialise the clinic's closures for the transaction, as `lock_practitioner` does a
    practitioner's days off: two managers closing the clinic at once are taken one after the
    other, the second seeing what the first committed. No row stands for the whole clinic, so
    on PostgreSQL it is an advisory lock, released when the transaction ends. SQLite (`make
    run`) lets one transaction write at a time by itself: nothing to take there."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLOSURES_LOCK])


def _check_type(appointment_type: AppointmentType) -> None:
    if not appointment_type.is_active:
        raise ValidationError({"appointment_type": f"{appointment_type} is no longer offered."})


class _Overlap(Exception):
    """Another transaction holds an overlapping appointment: the constraints refused ours."""


def _is_overlap(error: IntegrityError) -> bool:
    return refused_by(error, OVERLAP_CONSTRAINTS)


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
