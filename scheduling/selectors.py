"""Reads for scheduling pages. Each runs a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
import functools
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from clinic.lib.history import Change, record_changes, tracked_fields
from clinic.lib.orm import deferred_except
from clinic.roles import Capability, Role, can, practitioners, user_roles

# Pages and messages name staff through the selectors; the rule itself sits with the roles, so
# the availability (which the selectors import) names a busy practitioner the same way.
from clinic.roles import practitioner_name as practitioner_name
from patients.models import Patient
from patients.selectors import patients_with_treatment_on_hold
from scheduling import clock
from scheduling.availability import (
    ALTERNATIVES_HORIZON_DAYS,
    Availability,
    SeriesSlot,
    Slot,
    SlotUnavailable,
    day_blocks,
    inside_hours,
)
from scheduling.models import (
    Appointment,
    AppointmentType,
    Room,
    TimeOff,
    WaitlistEntry,
    Weekday,
    WorkingHours,
)
from treatments.models import TreatmentPlan, TreatmentSession
from treatments.selectors import plans_for_booking

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser


# People.


def is_practitioner(user: User) -> bool:
    return Role.PRACTITIONER in user_roles(user)


# Appointments.


def appointment_list() -> QuerySet:
    return Appointment.objects.select_related(
        "patient", "practitioner", "room", "appointment_type", "series"
    )


def appointment_for(user: User, pk: int) -> Appointment:
    """The appointment if this user's role may see it, else 404 (403 comes from the view's
    capability). Everyone who books sees every appointment: the front desk runs the whole
    clinic's diary, and an appointment carries no clinical detail."""
    if not can(user, Capability.BOOK_APPOINTMENTS):
        raise PermissionDenied
    return get_object_or_404(appointment_list(), pk=pk)


def waitlist_entry_for(user: User, pk: int) -> WaitlistEntry:
    if not can(user, Capability.BOOK_APPOINTMENTS):
        raise PermissionDenied
    return get_object_or_404(WaitlistEntry.objects.select_related("patient"), pk=pk)


_NAME_FIELDS = {"patient": {"id", "first_name", "last_name"}}


def appointments_between(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    practitioner: User | None = None,
    practitioners: list[User] | None = None,
    names_only: bool = False,
) -> list[Appointment]:
    """Appointments shown on a calendar between two instants (cancelled ones are not), of one
    practitioner, of some, or of everyone. With `names_only` each patient carries just the
    name: a calendar shows nothing else, and a week of a whole clinic would otherwise load a
    few hundred records with their clinical notes and parse every phone number."""
    rows = appointment_list().during(start, end).exclude(status=Appointment.Status.CANCELLED)
    if names_only:
        rows = rows.defer(*deferred_except(Appointment, _NAME_FIELDS))
    if practitioner is not None:
        rows = rows.filter(practitioner=practitioner)
    elif practitioners is not None:
        rows = rows.filter(practitioner__in=[p.pk for p in practitioners])
    return list(rows.order_by("start", "pk"))


def appointments_given_early(*, limit: int = 20) -> list[Appointment]:
    """Appointments still booked for a session that was already given on an earlier day,
    soonest first: the front desk's to-do (cancel each). Read from a partial index, so
    the cost does not grow with the diary."""
    rows = appointment_list().filter(
        status__in=Appointment.UPCOMING, session_given_at__isnull=False
    )
    rows = rows.defer(*deferred_except(Appointment, _NAME_FIELDS))
    return list(rows.order_by("start", "pk")[:limit])


def appointments_on_hold(appointments: Iterable[Appointment]) -> set[int]:
    """The ids of those of `appointments` that cannot go ahead as booked: a treatment or
    maintenance visit not yet over whose patient has an open absolute contraindication
    (recorded after it was booked, since booking one then is refused). The desk sees it in
    the diary rather than when the session's checks refuse to start, the patient in the
    chair. One query whatever the number of appointments, none when none is a treatment."""
    waiting = [
        a
        for a in appointments
        if a.appointment_type.is_treatment
        and a.holds_slot
        and a.status != Appointment.Status.COMPLETED
    ]
    held = patients_with_treatment_on_hold(patient_ids=(a.patient_id for a in waiting))
    return {a.pk for a in waiting if a.patient_id in held}


@dataclass
class DaySchedule:
    """What one practitioner's working day looks like: blocks of hours, or a day-off reason."""

    blocks: list[tuple[datetime.datetime, datetime.datetime]] = field(default_factory=list)
    # The practitioner's day off or the clinic's closure that day, if any.
    time_off: TimeOff | None = None

    @property
    def off_reason(self) -> str:
        """Why the practitioner does not work that day ("" when they do): the day off's
        reason, else "Clinic closed" or "Day off"."""
        off = self.time_off
        if off is None:
            return ""
        return off.reason or ("Clinic closed" if off.practitioner_id is None else "Day off")


def schedules(
    practitioner_ids: Iterable[int], first_day: datetime.date, last_day: datetime.date
) -> dict[tuple[int, datetime.date], DaySchedule]:
    """Each practitioner's hours for each day from `first_day` to `last_day`, in two queries."""
    ids = list(practitioner_ids)
    hours = defaultdict(list)
    for block in WorkingHours.objects.filter(practitioner_id__in=ids).order_by("starts_at"):
        hours[block.practitioner_id, block.weekday].append(block)
    days_off = list(
        TimeOff.objects.filter(first_day__lte=last_day, last_day__gte=first_day).filter(
            Q(practitioner_id__in=ids) | Q(practitioner__isnull=True)
        )
    )
    result: dict[tuple[int, datetime.date], DaySchedule] = {}
    for day in clock.days(first_day, (last_day - first_day).days + 1):
        for pid in ids:
            off = next(
                (o for o in days_off if o.covers(day) and o.practitioner_id in (None, pid)), None
            )
            if off is not None:
                result[pid, day] = DaySchedule(time_off=off)
                continue
            times = ((block.starts_at, block.ends_at) for block in hours[pid, day.weekday()])
            result[pid, day] = DaySchedule(blocks=day_blocks(times, day))
    return result


def clinic_closures(first_day: datetime.date, last_day: datetime.date) -> dict[datetime.date, str]:
    """Days the whole clinic is shut, with the reason."""
    closures = {}
    for off in TimeOff.objects.filter(
        practitioner__isnull=True, first_day__lte=last_day, last_day__gte=first_day
    ):
        for day in clock.days(off.first_day, (off.last_day - off.first_day).days + 1):
            closures[day] = off.reason or "Clinic closed"
    return closures


# Days off and clinic closures.


def time_off_for(user: User, pk: int) -> TimeOff:
    """A day off or closure, for anyone who books (they all run the diary), else 403; 404 if
    there is no such day off (any more)."""
    if not can(user, Capability.BOOK_APPOINTMENTS):
        raise PermissionDenied
    return get_object_or_404(TimeOff.objects.select_related("practitioner"), pk=pk)


def days_off(*, today: datetime.date, past: bool = False) -> QuerySet:
    """Days off and closures not over yet (current ones first, then by first day), or with
    `past` those that are over, latest first. Read on the (last_day, first_day) index."""
    rows = TimeOff.objects.select_related("practitioner")
    if past:
        return rows.filter(last_day__lt=today).order_by("-first_day", "-pk")
    return rows.filter(last_day__gte=today).order_by("first_day", "pk")


def days_off_removed() -> QuerySet:
    """Days off and closures taken back, most recently removed first, with who removed them."""
    return (
        TimeOff.history.filter(history_type="-")
        .select_related("practitioner", "history_user")
        .order_by("-history_date", "-history_id")
    )


def _clashing(off: TimeOff) -> Q:
    """Appointments starting on one of the days of `off` (an appointment ends the day it
    starts), with its practitioner, or with anyone for a closure: a range of the start index."""
    start, _ = clock.day_bounds(off.first_day)
    _, end = clock.day_bounds(off.last_day)
    condition = Q(start__gte=start, start__lt=end)
    if off.practitioner_id is not None:
        condition &= Q(practitioner_id=off.practitioner_id)
    return condition


def time_off_clash_counts(offs: Iterable[TimeOff]) -> dict[int, int]:
    """How many live appointments (booked or confirmed: still to be moved or cancelled) fall
    in each day off of `offs`, by its pk: one query for the lot."""
    conditions = {off.pk: _clashing(off) for off in offs}
    if not conditions:
        return {}
    counts = (
        Appointment.objects.filter(status__in=Appointment.UPCOMING)
        .filter(functools.reduce(operator.or_, conditions.values()))
        .aggregate(**{f"off_{pk}": Count("pk", filter=q) for pk, q in conditions.items()})
    )
    return {pk: counts[f"off_{pk}"] for pk in conditions}


# The clinic's patients' names and phones: the desk calls them to find another time.
_CLASH_FIELDS = {"patient": {"id", "first_name", "last_name", "phone"}}


def time_off_clashes(*, off: TimeOff, limit: int) -> list[Appointment]:
    """The first `limit` live appointments falling in `off`, soonest first: one query."""
    rows = (
        appointment_list()
        .filter(status__in=Appointment.UPCOMING)
        .filter(_clashing(off))
        .defer(*deferred_except(Appointment, _CLASH_FIELDS))
    )
    return list(rows.order_by("start", "pk")[:limit])


_TIME_OFF_HISTORY_FIELDS = tracked_fields(TimeOff)


def time_off_history(*, off: TimeOff, limit: int = 20) -> list[Change]:
    """Who added this day off, and who changed it since (in the back office): one query."""
    records = list(
        TimeOff.history.filter(id=off.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    return record_changes(
        records,
        fields=_TIME_OFF_HISTORY_FIELDS,
        describe=lambda record: "Day off" if record.practitioner_id else "Closure",
        limit=limit,
    )


def time_off_who(off: TimeOff) -> str:
    """Who a day off is about: "Sophie Martin", or "The whole clinic" for a closure."""
    if off.practitioner_id is None:
        return "The whole clinic"
    return practitioner_name(off.practitioner)


def time_off_days(off: TimeOff) -> str:
    """ "Tuesday 17 March 2026", or "Tuesday 17 March to Friday 20 March 2026"."""
    first, last = off.first_day, off.last_day
    if first == last:
        return f"{clock.long_day(first)} {first.year}"
    if first.year != last.year:
        return f"{clock.long_day(first)} {first.year} to {clock.long_day(last)} {last.year}"
    return f"{clock.long_day(first)} to {clock.long_day(last)} {last.year}"


def time_off_when(off: TimeOff) -> str:
    """ "on Tuesday 17 March 2026", or "from Tuesday 17 March to Friday 20 March 2026"."""
    return f"{'on' if off.first_day == off.last_day else 'from'} {time_off_days(off)}"


def time_off_title(off: TimeOff) -> str:
    """ "Sophie Martin's day off", or "The clinic's closure"."""
    if off.practitioner_id is None:
        return "The clinic's closure"
    return f"{practitioner_name(off.practitioner)}'s day off"


def time_off_described(off: TimeOff) -> str:
    """ "Sophie Martin is off on Tuesday 17 March 2026 (congress)", "The clinic is closed from
    … to …": as messages say it."""
    when = time_off_when(off)
    if off.practitioner_id is None:
        text = f"The clinic is closed {when}"
    else:
        text = f"{practitioner_name(off.practitioner)} is off {when}"
    return f"{text} ({off.reason})" if off.reason else text


# Working hours.

# A practitioner's usual week: each weekday worked, with its blocks (from, to) in order.
WeekHours = dict[int, list[tuple[datetime.time, datetime.time]]]


def practitioner_for_hours(user: User, pk: int) -> User:
    """An active practitioner whose week anyone who books may see, else 403; 404 if there is
    no such practitioner (any more)."""
    if not can(user, Capability.BOOK_APPOINTMENTS):
        raise PermissionDenied
    return get_object_or_404(practitioners(), pk=pk)


def working_weeks(practitioner_ids: Iterable[int]) -> dict[int, WeekHours]:
    """Each practitioner's usual week, by pk (an empty week for one without hours): one
    query."""
    weeks: dict[int, WeekHours] = {pk: {} for pk in practitioner_ids}
    rows = WorkingHours.objects.filter(practitioner_id__in=list(weeks)).order_by(
        "weekday", "starts_at"
    )
    for practitioner_id, weekday, start, end in rows.values_list(
        "practitioner_id", "weekday", "starts_at", "ends_at"
    ):
        weeks[practitioner_id].setdefault(weekday, []).append((start, end))
    return weeks


def hours_text(blocks: Iterable[tuple[datetime.time, datetime.time]]) -> str:
    """ "09:00-12:30, 14:00-18:30" (with en dashes)."""
    return ", ".join(f"{start:%H:%M}\N{EN DASH}{end:%H:%M}" for start, end in blocks)


def week_summary(week: WeekHours) -> str:
    """The week on one line: "Mon-Fri 09:00-12:30, 14:00-18:30; Sat-Sun off" (with en
    dashes)."""
    if not week:
        return "No hours set"
    parts: list[str] = []
    runs: list[list[int]] = []
    for weekday in Weekday.values:
        if runs and week.get(runs[-1][-1], []) == week.get(weekday, []):
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    for run in runs:
        first, last = Weekday(run[0]).label[:3], Weekday(run[-1]).label[:3]
        days = first if len(run) == 1 else f"{first}\N{EN DASH}{last}"
        blocks = week.get(run[0], [])
        parts.append(f"{days} {hours_text(blocks)}" if blocks else f"{days} off")
    return "; ".join(parts)


def week_days(week: WeekHours) -> list[tuple[str, list[str]]]:
    """The seven days of the week with their blocks ("09:00-12:30", with an en dash), none
    for a day not worked."""
    return [
        (Weekday(day).label, [hours_text([block]) for block in week.get(day, [])])
        for day in Weekday.values
    ]


@dataclass(frozen=True)
class HoursClashes:
    """The first live appointments a practitioner's hours leave outside, and how many there
    are in all."""

    appointments: list[Appointment]
    count: int


def hours_clashes(
    *, practitioner: User, week: WeekHours, now: datetime.datetime, limit: int
) -> HoursClashes:
    """The practitioner's live appointments (booked or confirmed) from `now` on, however far
    ahead (a series may be booked two years ahead), that lie wholly or partly outside every
    block of their weekday in `week`, soonest first: the ones the desk must move after the
    hours changed. Two queries: the times of the appointments, on the (practitioner, start)
    index, tested in Python (two years of a full diary is a few thousand short rows); then
    the first `limit` of those outside, with what the page shows."""
    times = (
        Appointment.objects.filter(
            practitioner=practitioner, status__in=Appointment.UPCOMING, start__gte=now
        )
        .order_by("start", "pk")
        .values_list("pk", "start", "end")
    )
    outside = []
    for pk, start, end in times:
        day = clock.local(start).date()
        if not inside_hours(day_blocks(week.get(day.weekday(), []), day), start, end):
            outside.append(pk)
    if not outside:
        return HoursClashes([], 0)
    rows = (
        appointment_list()
        .filter(pk__in=outside[:limit])
        .defer(*deferred_except(Appointment, _CLASH_FIELDS))
        .order_by("start", "pk")
    )
    return HoursClashes(list(rows), len(outside))


_HOURS_HISTORY_FIELDS = tracked_fields(WorkingHours)
_HOURS_ACTIONS = {"+": "added", "~": "changed", "-": "removed"}


def working_hours_history(*, practitioner: User, limit: int = 8) -> list[Change]:
    """The last blocks added, changed or removed in the practitioner's week, with who did it
    (in the app or the back office): one query, and one more when a block's end moved."""
    history = WorkingHours.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )
    records = list(history.filter(practitioner_id=practitioner.pk)[: limit + 1])
    # A changed block is compared with its version before: read those of the changed blocks
    # that fell outside the last few (a block has a handful of versions at most).
    changed = {record.id for record in records if record.history_type == "~"}
    if changed:
        shown = {record.history_id for record in records}
        records += [
            record
            for record in history.filter(id__in=changed, history_date__lte=records[-1].history_date)
            if record.history_id not in shown
        ]
    return record_changes(
        records,
        fields=_HOURS_HISTORY_FIELDS,
        describe=lambda record: (
            f"{record.get_weekday_display()} {hours_text([(record.starts_at, record.ends_at)])}"
        ),
        limit=limit,
        actions=_HOURS_ACTIONS,
    )


# Choices for forms.


def practitioners_for_move(appointment: Appointment) -> QuerySet:
    """Who an appointment may be given to: the active practitioners, and the one it is with
    (even if they have left since), so the move dialog never preselects someone else."""
    return (
        get_user_model()
        .objects.filter(Q(pk__in=practitioners()) | Q(pk=appointment.practitioner_id))
        .order_by("last_name", "first_name", "pk")
    )


def active_rooms() -> QuerySet:
    return Room.objects.filter(is_active=True)


def active_appointment_types() -> QuerySet:
    return AppointmentType.objects.filter(is_active=True)


# Waitlist.


def waitlist_open(*, today: datetime.date) -> list[WaitlistEntry]:
    return list(
        WaitlistEntry.objects.filter(status=WaitlistEntry.Status.WAITING, latest_day__gte=today)
        .select_related("patient", "practitioner", "appointment_type")
        .order_by("earliest_day", "created_at")
    )


@dataclass
class FreedSlot:
    """A future slot given back by a cancellation and not taken since, with who could have it."""

    appointment: Appointment
    candidates: list[WaitlistEntry]


def freed_slots(*, now: datetime.datetime, limit: int = 20) -> list[FreedSlot]:
    """Cancelled future appointments whose time is still free for their practitioner, and the
    waiting patients it suits (same practitioner or any, in their dates, long enough): three
    queries, whatever the number of slots or entries."""
    cancelled = list(
        appointment_list()
        .filter(status=Appointment.Status.CANCELLED, start__gte=now)
        .order_by("start")[: limit * 3]
    )
    if not cancelled:
        return []
    window_start = min(a.start for a in cancelled)
    window_end = max(a.occupied_until for a in cancelled)
    retaken = list(
        Appointment.objects.active()
        .overlapping(window_start, window_end)
        .filter(practitioner_id__in={a.practitioner_id for a in cancelled})
        .values_list("practitioner_id", "start", "occupied_until")
    )
    entries = waitlist_open(today=clock.local(now).date())
    found: list[FreedSlot] = []
    seen: set[tuple[int, datetime.datetime]] = set()
    for slot in cancelled:
        key = (slot.practitioner_id, slot.start)
        if key in seen or any(
            pid == slot.practitioner_id and start < slot.occupied_until and slot.start < until
            for pid, start, until in retaken
        ):
            continue
        seen.add(key)
        found.append(FreedSlot(slot, waitlist_candidates(slot, entries)))
        if len(found) == limit:
            break
    return found


def waitlist_candidates(slot: Appointment, entries: Iterable[WaitlistEntry]) -> list[WaitlistEntry]:
    day = clock.local(slot.start).date()
    length = slot.occupied_until - slot.start
    return [
        entry
        for entry in entries
        if entry.practitioner_id in (None, slot.practitioner_id)
        and entry.earliest_day <= day <= entry.latest_day
        and entry.appointment_type.duration + entry.appointment_type.gap_after <= length
        and entry.patient_id != slot.patient_id
    ]


# Treatment plans.


@dataclass(frozen=True)
class PlanToBook:
    plan: TreatmentPlan
    to_book: int


def plans_to_book(*, limit: int = 12) -> list[PlanToBook]:
    """Accepted plans with course sessions neither given nor booked, oldest first: what the
    front desk still has to book. Two queries."""
    plans = list(plans_for_booking())
    booked = dict(
        Appointment.objects.active()
        .filter(
            plan_session__plan__in=plans,
            plan_session__kind=TreatmentSession.Kind.INITIAL,
            plan_session__status=TreatmentSession.Status.PLANNED,
        )
        .values("plan_session__plan")
        .annotate(count=Count("pk"))
        .values_list("plan_session__plan", "count")
    )
    waiting = [
        PlanToBook(plan, plan.initial_sessions - plan.sessions_given - booked.get(plan.pk, 0))
        for plan in plans
    ]
    return [row for row in waiting if row.to_book > 0][:limit]


def plan_booked_session_ids(*, plan: TreatmentPlan) -> list[int]:
    """The plan's sessions an appointment holds (booked, confirmed, arrived…): one query."""
    return list(
        Appointment.objects.active()
        .filter(plan_session__plan=plan)
        .values_list("plan_session_id", flat=True)
    )


# Free time.


def free_slots_for_day(
    *,
    practitioner: User,
    appointment_type: AppointmentType,
    day: datetime.date,
    patient: Patient | None = None,
    ignore_appointment_ids: Iterable[int] = (),
) -> tuple[list[Slot], bool]:
    """The free times on `day`, or, when it has none, the first ones after it; and whether
    the times are on `day` itself. Four queries."""
    availability = Availability.load(
        practitioner=practitioner,
        first_day=day,
        last_day=day + datetime.timedelta(days=ALTERNATIVES_HORIZON_DAYS),
        patient_id=patient.pk if patient else None,
        ignore_appointment_ids=ignore_appointment_ids,
    )
    slots = availability.free_slots_on(day, appointment_type)
    if slots:
        return slots, True
    after = clock.at(day + datetime.timedelta(days=1), datetime.time())
    return availability.next_free(after=after, appointment_type=appointment_type, limit=6), False


def series_problems(
    *,
    patient: Patient,
    practitioner: User,
    appointment_type: AppointmentType,
    slots: list[SeriesSlot],
) -> dict[int, SlotUnavailable]:
    """Which sessions of a series could not be booked as they stand (nothing is written)."""
    availability = Availability.around(
        practitioner=practitioner, first=slots[0].start, last=slots[-1].start, patient=patient
    )
    return availability.claim_all(slots, appointment_type)[1]
