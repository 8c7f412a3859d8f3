"""Writes for days off: a practitioner's, or the whole clinic's (closures)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clinic.lib.dates import years_after
from clinic.roles import Capability, can
from scheduling import clock, selectors
from scheduling.constraints import exclusion_constraint_names, refused_by
from scheduling.models import TimeOff
from scheduling.services._common import check_practitioner, lock_closures, lock_practitioner

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

# Days off are recorded this far ahead at most, and last at most this long: beyond, the year
# was most likely mistyped (and a closure would refuse every booking until then).
TIME_OFF_YEARS_AHEAD = 2
LONGEST_TIME_OFF = datetime.timedelta(days=366)
# The names of the constraints that say "these days overlap" (scheduling/models.py).
OVERLAP_CONSTRAINTS = exclusion_constraint_names(TimeOff)


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
    # Two people recording days off for the same practitioner (or two closures) at once: the
    # second waits here for the first to commit, then finds its days off below.
    if practitioner is None:
        lock_closures()
    else:
        lock_practitioner(practitioner)
    _refuse_overlap(practitioner=practitioner, first_day=first_day, last_day=last_day)
    off = TimeOff(
        practitioner=practitioner, first_day=first_day, last_day=last_day, reason=reason.strip()
    )
    off._history_user = by
    try:
        # A savepoint, so the refusal below can still read.
        with transaction.atomic():
            off.save()
    except IntegrityError as error:
        # The lock above keeps out the other services, not a write made elsewhere (the back
        # office, a script): one that was not yet committed when we looked, and that
        # PostgreSQL's exclusion constraints then found overlapping ours. It is committed
        # now, so the check finds it and refuses as usual.
        if not refused_by(error, OVERLAP_CONSTRAINTS):
            raise
        _refuse_overlap(practitioner=practitioner, first_day=first_day, last_day=last_day)
        raise
    return off


def _refuse_overlap(
    *, practitioner: User | None, first_day: datetime.date, last_day: datetime.date
) -> None:
    """Refuse days off that overlap others of the same practitioner, or (without one) a
    closure that overlaps another; a practitioner's days off may fall within a closure."""
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


def _closure_refusal(off: TimeOff, *, by: User) -> str | None:
    """Opening the clinic on the days of a closure is the clinic manager's."""
    if off.practitioner_id is None and not can(by, Capability.MANAGE_STAFF):
        return "Only the clinic manager can open the clinic on the days of a closure."
    return None


def _locked(time_off: TimeOff) -> TimeOff:
    """The day off, its row locked against another change at the same moment."""
    off = TimeOff.objects.select_for_update().filter(pk=time_off.pk).first()
    if off is None:
        raise ValidationError("This day off was already removed.")
    return off


def time_off_removal_refusal(off: TimeOff, *, by: User, today: datetime.date) -> str | None:
    """Why `by` cannot remove `off` on `today`, or None when they can: for the service and
    for the button a page offers (no query)."""
    begun = "This day off has begun: it can no longer be removed."
    return _closure_refusal(off, by=by) or (begun if off.first_day <= today else None)


@transaction.atomic
def time_off_remove(*, time_off: TimeOff, by: User) -> None:
    """Take back a day off (or closure) that has not begun: the practitioner (or the clinic)
    can be booked on those days again. The history keeps it, and who removed it."""
    off = _locked(time_off)
    refusal = time_off_removal_refusal(off, by=by, today=clock.local_today())
    if refusal:
        raise ValidationError(refusal)
    off._history_user = by
    off.delete()


def time_off_shortening_refusal(off: TimeOff, *, by: User, today: datetime.date) -> str | None:
    """Why `by` cannot end `off` early on `today`, or None when they can (no query): a day
    off that is over has nothing left to end."""
    over = "This day off is over."
    return _closure_refusal(off, by=by) or (over if off.last_day < today else None)


@transaction.atomic
def time_off_end_early(*, time_off: TimeOff, back_on: datetime.date, by: User) -> TimeOff | None:
    """The practitioner is back (or the clinic opens) on `back_on`, earlier than recorded:
    the day off ends the day before, and `back_on` onwards can be booked again. Back on the
    day off's very first day, nothing of it is left: it is removed. Today at the earliest,
    and within the day off. The history keeps the change and who made it.

    Returns the day off as it now is, or None when it was removed."""
    off = _locked(time_off)
    today = clock.local_today()
    refusal = time_off_shortening_refusal(off, by=by, today=today)
    if refusal:
        raise ValidationError(refusal)
    if back_on < max(today, off.first_day):
        earliest = "today" if today >= off.first_day else "its first day"
        raise ValidationError({"back_on": f"Back on {earliest} at the earliest."})
    if back_on > off.last_day:
        raise ValidationError(
            {"back_on": f"The day off already ends on {clock.long_day(off.last_day)}."}
        )
    off._history_user = by
    if back_on == off.first_day:
        off.delete()
        return None
    off.last_day = back_on - datetime.timedelta(days=1)
    off.save(update_fields=["last_day"])
    return off
