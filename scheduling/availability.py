"""When a practitioner can see a patient: the rules of a free slot, in one place.

`Availability.load()` reads a practitioner's working hours, days off (theirs and the
clinic's) and the rooms in three queries; the appointments that hold a slot are read a day at
a time as a check first needs that day (all the days a series or a search will look at in one
query: `prefetch`). Everything after that is arithmetic in memory, so checking a booking,
listing free times for a day, suggesting alternatives and proposing the twelve sessions of a
course cost a few queries, however full the diary is: only the days looked at are read.

The booking services check with this before they write, on every database; on PostgreSQL the
exclusion constraints then hold the same rule against concurrent bookings.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q

from clinic.lib.runs import consecutive_runs
from clinic.roles import practitioner_name
from scheduling import clock
from scheduling.models import (
    Appointment,
    AppointmentType,
    Room,
    TimeOff,
    Weekday,
    WorkingHours,
    holding_between,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

# Free times are offered on a quarter-hour grid, plus right after each appointment ends.
GRID = datetime.timedelta(minutes=15)
# How far ahead alternatives are looked for when the asked-for time is not free.
ALTERNATIVES_HORIZON_DAYS = 14


@dataclass(frozen=True)
class Slot:
    """A time an appointment could take, with the room it would use."""

    start: datetime.datetime
    end: datetime.datetime
    occupied_until: datetime.datetime
    room: Room

    @property
    def local_start(self) -> datetime.datetime:
        return clock.local(self.start)

    def appointment(self, **fields: Any) -> Appointment:
        """An unsaved appointment in this slot; `fields` give the patient, practitioner…"""
        return Appointment(
            start=self.start,
            end=self.end,
            occupied_until=self.occupied_until,
            room=self.room,
            **fields,
        )


class Held(NamedTuple):
    """Time an existing appointment holds: its own length plus the gap after it. A named
    tuple: a series in a busy clinic reads thousands of them, and a tuple is built in a
    fraction of a frozen dataclass's time."""

    start: datetime.datetime
    until: datetime.datetime
    practitioner_id: int
    room_id: int
    patient_id: int
    # The appointment holding the time; 0 for time held by a booking being made.
    appointment_id: int = 0

    def meets(self, start: datetime.datetime, until: datetime.datetime) -> bool:
        return self.start < until and start < self.until


class SlotUnavailable(ValidationError):
    """A booking that cannot take the time asked for: messages keyed by form field, and the
    next free slots to offer instead."""

    def __init__(self, errors: dict[str, str], *, alternatives: list[Slot]) -> None:
        super().__init__(errors)
        self.alternatives = alternatives


@dataclass(frozen=True)
class SeriesSlot:
    """One session as the receptionist confirmed it: a start, and a room or "any free room"."""

    start: datetime.datetime
    room: Room | None = None


@dataclass
class Proposal:
    """One session of a series: where it ideally goes, where it can go, and why they differ."""

    position: int
    ideal_start: datetime.datetime
    slot: Slot | None
    note: str = ""


def day_blocks(
    times: Iterable[tuple[datetime.time, datetime.time]], day: datetime.date
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """A day's blocks of working hours, given in the clinic's local times, as aware instants
    on `day` (daylight-saving changes included)."""
    return [(clock.at(day, start), clock.at(day, end)) for start, end in times]


def inside_hours(
    blocks: Iterable[tuple[datetime.datetime, datetime.datetime]],
    start: datetime.datetime,
    end: datetime.datetime,
) -> bool:
    """Whether an appointment from `start` to `end` lies wholly inside one of `blocks` (a
    day's working hours, as instants): the rule for booking, and for what a change of hours
    leaves outside."""
    return any(block_start <= start and end <= block_end for block_start, block_end in blocks)


def _overlapping_any(days: list[datetime.date]) -> Q:
    """Appointments holding time on any of `days` (sorted local dates): one range of the start
    index per run of consecutive days."""
    condition = Q()
    for run in consecutive_runs(days, datetime.timedelta(days=1)):
        window_start, _ = clock.day_bounds(run[0])
        _, window_end = clock.day_bounds(run[-1])
        condition |= holding_between(window_start, window_end)
    return condition


class Availability:
    def __init__(
        self,
        *,
        practitioner_id: int,
        practitioner_name: str,
        hours: Iterable[WorkingHours],
        days_off: Iterable[TimeOff],
        rooms: Iterable[Room],
        busy: Iterable[Held] = (),
        patient_id: int | None = None,
        now: datetime.datetime | None = None,
        loader: Callable[[list[datetime.date]], Iterable[Held]] | None = None,
        moving: Iterable[int] = (),
    ) -> None:
        self.practitioner_id = practitioner_id
        # Who a refusal names: the desk books for, and moves appointments to, colleagues.
        self.practitioner_name = practitioner_name
        self.patient_id = patient_id
        # Appointments being moved: their time does not block, but the start each already has
        # is no new time to offer ("Free instead: Tue 17 Mar, 10:00" for a 10:00 appointment).
        self._moving = frozenset(moving)
        self._moving_starts: set[datetime.datetime] = set()
        self.now = now or clock.now()
        self._tz = clock.clinic_tz()
        self.hours: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for block in hours:
            self.hours.setdefault(block.weekday, []).append((block.starts_at, block.ends_at))
        for blocks in self.hours.values():
            blocks.sort()
        self.days_off = list(days_off)
        self.rooms = list(rooms)
        # Indexed by the local day they touch: checks look at one day's appointments only.
        self._busy_by_day: dict[datetime.date, list[Held]] = {}
        # With a loader, a day's appointments are read the first time that day is looked at.
        self._loader = loader
        self._loaded: set[datetime.date] = set()
        for entry in busy:
            self._add_busy(entry)

    def _add_busy(self, entry: Held, only: set[datetime.date] | None = None) -> None:
        # Called for every appointment of every day read (thousands for a series in a busy
        # clinic): the clinic's zone is read once, and most entries stay within one day.
        if entry.appointment_id and entry.appointment_id in self._moving:
            self._moving_starts.add(entry.start)
            return
        first = entry.start.astimezone(self._tz).date()
        last = entry.until.astimezone(self._tz).date()
        days = [first] if first == last else clock.days(first, (last - first).days + 1)
        for day in days:
            if only is None or day in only:
                self._busy_by_day.setdefault(day, []).append(entry)

    def prefetch(self, days: Iterable[datetime.date]) -> None:
        """Read the appointments of every day in `days` not read yet, in one query."""
        if self._loader is None:
            return
        wanted = {day for day in days if day not in self._loaded}
        if not wanted:
            return
        self._loaded |= wanted
        for entry in self._loader(sorted(wanted)):
            self._add_busy(entry, only=wanted)

    def _busy_on(self, day: datetime.date) -> list[Held]:
        if day not in self._loaded:
            self.prefetch([day])
        return self._busy_by_day.get(day, [])

    @classmethod
    def load(
        cls,
        *,
        practitioner: AbstractBaseUser,
        first_day: datetime.date,
        last_day: datetime.date,
        patient_id: int | None = None,
        ignore_appointment_ids: Iterable[int] = (),
    ) -> Availability:
        """What decides free time from `first_day` to `last_day` (local dates): hours, days
        off and rooms now, each day's appointments when that day is first looked at."""

        def held_on(days: list[datetime.date]) -> list[Held]:
            # Appointments to ignore (being moved) are read too: the availability keeps their
            # start out of the times it offers.
            rows = (
                Appointment.objects.active()
                .filter(_overlapping_any(days))
                .values_list(
                    "start", "occupied_until", "practitioner_id", "room_id", "patient_id", "pk"
                )
            )
            return [Held(*row) for row in rows]

        return cls(
            practitioner_id=practitioner.pk,
            practitioner_name=practitioner_name(practitioner),
            patient_id=patient_id,
            hours=WorkingHours.objects.filter(practitioner=practitioner),
            days_off=TimeOff.objects.filter(
                Q(practitioner=practitioner) | Q(practitioner__isnull=True),
                first_day__lte=last_day,
                last_day__gte=first_day,
            ),
            rooms=Room.objects.filter(is_active=True),
            loader=held_on,
            moving=ignore_appointment_ids,
        )

    @classmethod
    def around(
        cls,
        *,
        practitioner: AbstractBaseUser,
        first: datetime.datetime,
        last: datetime.datetime,
        patient: Patient,
        ignore: Iterable[int] = (),
    ) -> Availability:
        """Free time from the day of `first` (or today) to two weeks after `last`: enough
        to check a booking between them and to offer alternatives."""
        return cls.load(
            practitioner=practitioner,
            first_day=clock.local(min(first, clock.now())).date(),
            last_day=clock.local(max(last, first)).date()
            + datetime.timedelta(days=ALTERNATIVES_HORIZON_DAYS),
            patient_id=patient.pk,
            ignore_appointment_ids=ignore,
        )

    # The shape of a day.

    def day_off_reason(self, day: datetime.date) -> str | None:
        for off in self.days_off:
            if off.covers(day):
                if off.practitioner_id is None:
                    return (
                        f"the clinic is closed ({off.reason})"
                        if off.reason
                        else "the clinic is closed"
                    )
                who = self.practitioner_name
                return f"{who} is off ({off.reason})" if off.reason else f"{who} is off"
        return None

    def blocks_on(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The practitioner's working hours that day, as aware instants; none on a day off."""
        if self.day_off_reason(day) is not None:
            return []
        return day_blocks(self.hours.get(day.weekday(), []), day)

    def why_not_working(self, day: datetime.date) -> str:
        reason = self.day_off_reason(day)
        if reason:
            return reason
        return f"{self.practitioner_name} does not work on {Weekday(day.weekday()).label}s"

    # Checking one time.

    def _conflicts(self, start: datetime.datetime, until: datetime.datetime) -> Iterator[Held]:
        first = clock.local(start).date()
        last = clock.local(until).date()
        seen: set[int] = set()
        for day in clock.days(first, (last - first).days + 1):
            for busy in self._busy_on(day):
                if id(busy) not in seen and busy.meets(start, until):
                    seen.add(id(busy))
                    yield busy

    def _free_room(
        self, start: datetime.datetime, until: datetime.datetime, wanted: Room | None
    ) -> Room | None:
        taken = {busy.room_id for busy in self._conflicts(start, until)}
        candidates = [wanted] if wanted is not None else self.rooms
        return next((room for room in candidates if room.pk not in taken), None)

    def problems(
        self,
        start: datetime.datetime,
        end: datetime.datetime,
        occupied_until: datetime.datetime,
        room: Room | None = None,
    ) -> tuple[dict[str, str], Room | None]:
        """What stops an appointment from `start` to `end` (blocking until `occupied_until`),
        keyed by form field; and the room it would take when nothing does."""
        if end <= start:
            return {"end": "The end must be after the start."}, None
        if start < self.now:
            return {"start": "That time has already passed."}, None
        day = clock.local(start).date()
        if clock.local(end).date() != day and clock.local(end).time() != datetime.time():
            return {"end": "An appointment must end on the day it starts."}, None
        if not self.hours.get(day.weekday()) or self.day_off_reason(day):
            return {
                "start": f"Not possible on {clock.long_day(day)}: {self.why_not_working(day)}."
            }, None
        if not inside_hours(self.blocks_on(day), start, end):
            hours = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.hours[day.weekday()])
            who = self.practitioner_name
            return {"start": f"Outside {who}'s hours on {day:%A}s ({hours})."}, None
        conflicts = list(self._conflicts(start, occupied_until))
        if any(busy.practitioner_id == self.practitioner_id for busy in conflicts):
            return {
                "start": f"{self.practitioner_name} already has an appointment at that time."
            }, None
        if self.patient_id is not None and any(b.patient_id == self.patient_id for b in conflicts):
            return {"start": "The patient already has another appointment at that time."}, None
        if room is not None and not room.is_active:
            return {"room": f"{room} is no longer in use."}, None
        chosen = self._free_room(start, occupied_until, room)
        if chosen is None:
            if room is not None:
                return {"room": f"{room} is taken at that time."}, None
            return {"room": "Every room is taken at that time."}, None
        return {}, chosen

    def slot_at(
        self,
        start: datetime.datetime,
        appointment_type: AppointmentType,
        room: Room | None = None,
    ) -> Slot | None:
        end = start + appointment_type.duration
        errors, chosen = self.problems(start, end, end + appointment_type.gap_after, room)
        if errors or chosen is None:
            return None
        return Slot(start, end, end + appointment_type.gap_after, chosen)

    def claim(
        self,
        *,
        start: datetime.datetime,
        end: datetime.datetime,
        gap: datetime.timedelta,
        room: Room | None = None,
        prefer_room: Room | None = None,
        appointment_type: AppointmentType,
    ) -> Slot:
        """The slot for this booking, or SlotUnavailable with the next free ones instead."""
        occupied_until = end + gap
        errors: dict[str, str] = {}
        chosen = None
        if room is None and prefer_room is not None:
            errors, chosen = self.problems(start, end, occupied_until, prefer_room)
        if chosen is None:
            errors, chosen = self.problems(start, end, occupied_until, room)
        if errors or chosen is None:
            raise SlotUnavailable(
                errors,
                alternatives=self.next_free(
                    after=start, appointment_type=appointment_type, room=room
                ),
            )
        slot = Slot(start, end, occupied_until, chosen)
        self.hold(slot)
        return slot

    def claim_all(
        self, slots: Iterable[SeriesSlot], appointment_type: AppointmentType
    ) -> tuple[list[Slot], dict[int, SlotUnavailable]]:
        """Claim each session in turn (so sessions cannot collide with each other either);
        returns the slots claimed and, by position (1-based), the sessions refused."""
        slots = list(slots)
        self.prefetch(clock.local(wanted.start).date() for wanted in slots)
        claimed: list[Slot] = []
        refused: dict[int, SlotUnavailable] = {}
        for position, wanted in enumerate(slots, start=1):
            try:
                claimed.append(
                    self.claim(
                        start=wanted.start,
                        end=wanted.start + appointment_type.duration,
                        gap=appointment_type.gap_after,
                        room=wanted.room,
                        appointment_type=appointment_type,
                    )
                )
            except SlotUnavailable as error:
                refused[position] = error
        return claimed, refused

    def hold(self, slot: Slot) -> None:
        """Count `slot` as taken from now on (the next session of a series must not reuse it)."""
        self._add_busy(
            Held(
                slot.start,
                slot.occupied_until,
                self.practitioner_id,
                slot.room.pk,
                self.patient_id or 0,
            )
        )

    # Finding free times.

    def _candidate_starts(
        self, day: datetime.date, appointment_type: AppointmentType
    ) -> Iterator[datetime.datetime]:
        for block_start, block_end in self.blocks_on(day):
            starts = set()
            moment = block_start
            while moment + appointment_type.duration <= block_end:
                starts.add(moment)
                moment += GRID
            # Right after an appointment of this practitioner, so no minutes are wasted.
            for busy in self._busy_on(day):
                if (
                    busy.practitioner_id == self.practitioner_id
                    and block_start <= busy.until
                    and busy.until + appointment_type.duration <= block_end
                ):
                    starts.add(busy.until)
            yield from sorted(starts)

    def free_slots_on(
        self, day: datetime.date, appointment_type: AppointmentType, room: Room | None = None
    ) -> list[Slot]:
        slots = [
            self.slot_at(start, appointment_type, room)
            for start in self._candidate_starts(day, appointment_type)
        ]
        # Read after the day's appointments are: a moved appointment's own start is not offered.
        return [
            slot for slot in slots if slot is not None and slot.start not in self._moving_starts
        ]

    def next_free(
        self,
        *,
        after: datetime.datetime,
        appointment_type: AppointmentType,
        room: Room | None = None,
        limit: int = 3,
        horizon_days: int = ALTERNATIVES_HORIZON_DAYS,
    ) -> list[Slot]:
        """The first `limit` free slots from `after` (or from now, if that has passed)."""
        after = max(after, self.now)
        first_day = clock.local(after).date()
        found: list[Slot] = []
        self.prefetch(clock.days(first_day, horizon_days))
        for day in clock.days(first_day, horizon_days):
            for slot in self.free_slots_on(day, appointment_type, room):
                if slot.start >= after:
                    found.append(slot)
                    if len(found) == limit:
                        return found
        return found

    def nearest_on(
        self,
        day: datetime.date,
        preferred: datetime.time,
        appointment_type: AppointmentType,
        room: Room | None = None,
        not_before: datetime.datetime | None = None,
    ) -> Slot | None:
        """The free slot that day closest to the preferred wall-clock time (earlier on a tie)."""
        target = clock.at(day, preferred)
        slots = [
            slot
            for slot in self.free_slots_on(day, appointment_type, room)
            if not_before is None or slot.start >= not_before
        ]
        return min(slots, key=lambda slot: (abs(slot.start - target), slot.start), default=None)

    def propose_series(
        self,
        *,
        first_start: datetime.datetime,
        count: int,
        interval_days: int,
        appointment_type: AppointmentType,
        room: Room | None = None,
    ) -> list[Proposal]:
        """A slot for each of `count` sessions, `interval_days` apart from `first_start`.

        Each session aims at the same weekday and wall-clock time as the first (so 10:00 stays
        10:00 across a daylight-saving change). If that is not free it takes the nearest free
        time that day, else the next working day with free time, searching up to an interval
        ahead (at least a week); the next session still aims at its own ideal day, so one
        holiday does not shift the rest of the course. Proposed slots are held, so no two
        sessions of the series collide; a session with nothing free gets no slot and a note.
        """
        first_local = clock.local(first_start)
        preferred = first_local.time().replace(second=0, microsecond=0)
        search_days = min(max(interval_days, 7), 28)
        self.prefetch(
            first_local.date() + datetime.timedelta(days=index * interval_days)
            for index in range(count)
        )
        proposals: list[Proposal] = []
        previous: Slot | None = None
        for index in range(count):
            ideal_day = first_local.date() + datetime.timedelta(days=index * interval_days)
            ideal_start = clock.at(ideal_day, preferred)
            slot = None
            for offset in range(search_days):
                day = ideal_day + datetime.timedelta(days=offset)
                if previous is not None and day <= previous.local_start.date():
                    continue
                slot = self.nearest_on(day, preferred, appointment_type, room)
                if slot is not None:
                    break
            if slot is None:
                note = (
                    f"Nothing free within {search_days} days of {clock.short_day(ideal_day)}: "
                    "pick a time."
                )
            else:
                self.hold(slot)
                previous = slot
                note = self._explain(ideal_start, slot)
            proposals.append(Proposal(index + 1, ideal_start, slot, note))
        return proposals

    def _explain(self, ideal_start: datetime.datetime, slot: Slot) -> str:
        ideal_day = ideal_start.date()
        day = slot.local_start.date()
        if day != ideal_day:
            if ideal_start < self.now:
                why = "that day has passed"
            elif not self.blocks_on(ideal_day):
                why = self.why_not_working(ideal_day)
            else:
                why = "no free time then"
            return f"Moved from {clock.short_day(ideal_day)}: {why}."
        if slot.local_start.time() != ideal_start.time():
            return f"{ideal_start:%H:%M} is not free that day; nearest free time."
        return ""
