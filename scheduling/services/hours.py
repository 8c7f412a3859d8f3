"""Writes for working hours: a practitioner's usual week."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.roles import Capability, can
from scheduling import selectors
from scheduling.models import Weekday, WorkingHours
from scheduling.services._common import check_practitioner, lock_practitioner

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

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
    lock_practitioner(practitioner)
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
