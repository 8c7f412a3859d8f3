"""Day and week calendars, laid out for the page.

A calendar is a set of columns (days, or practitioners on a clinic day) over a span of the
clinic's wall-clock hours. Every appointment is placed by the local time it starts and ends,
in the column of the local day it falls on, so a week that crosses a daylight-saving change
still shows 10:00 appointments at 10:00 under the right weekday. Positions are percentages of
the span; static/js/scheduling.js applies them (no inline styles, for the CSP).

All reads happen in `load_calendar()`: five queries whatever the number of appointments.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from clinic import roles
from clinic.lib.urls import url_for_pk
from scheduling import clock, selectors
from scheduling.availability import inside_hours
from scheduling.models import Appointment, TimeOff

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

DAY_START_MINUTES = 8 * 60
DAY_END_MINUTES = 19 * 60
# Free time shorter than this is not offered as a gap to book.
SHORTEST_GAP = datetime.timedelta(minutes=15)


def _percent(minutes: float, first: int, last: int) -> float:
    return round(max(0.0, min(100.0, (minutes - first) * 100 / (last - first))), 3)


@dataclass
class Placed:
    """Something drawn on the grid: an appointment, a free gap or a working-hours band."""

    start: datetime.datetime
    end: datetime.datetime
    appointment: Appointment | None = None
    lane: int = 0
    lanes: int = 1
    top: float = 0
    height: float = 0
    shown: Shown | None = None

    @property
    def left(self) -> float:
        return round(self.lane * 100 / self.lanes, 3)

    @property
    def width(self) -> float:
        return round(100 / self.lanes, 3)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Shown:
    """What an appointment's box on the grid says, worked out once in Python: a whole
    clinic's week holds a few hundred boxes, and each lookup, filter and tag in the template
    loop cost more than the rest of the page together."""

    url: str
    css: str
    time: str
    patient: str
    status: str
    meta: str
    # The box itself, built by _box() rather than in the template's loop.
    html: SafeString = field(default_factory=SafeString)


@dataclass
class Column:
    day: datetime.date
    practitioner: User | None = None
    events: list[Placed] = field(default_factory=list)
    bands: list[Placed] = field(default_factory=list)
    gaps: list[Placed] = field(default_factory=list)
    closed: str = ""
    is_today: bool = False

    @property
    def heading(self) -> str:
        if self.practitioner is not None:
            return selectors.practitioner_name(self.practitioner)
        return clock.short_day(self.day)


@dataclass
class Calendar:
    mode: str  # "day" or "week"
    first_day: datetime.date
    last_day: datetime.date
    practitioner: User | None
    practitioners: list
    columns: list[Column]
    first_minute: int
    last_minute: int

    @property
    def hours(self) -> list[tuple[str, float]]:
        return [
            (f"{minute // 60:02d}:00", _percent(minute, self.first_minute, self.last_minute))
            for minute in range(self.first_minute, self.last_minute, 60)
        ]

    @property
    def title(self) -> str:
        if self.mode == "day":
            return clock.long_day(self.first_day) + f" {self.first_day.year}"
        first, last = self.first_day, self.last_day
        if first.month == last.month:
            return f"{first.day}\N{EN DASH}{last.day} {last:%B %Y}"
        return f"{clock.short_day(first)} \N{EN DASH} {clock.short_day(last)} {last.year}"

    @property
    def previous_day(self) -> datetime.date:
        return self.first_day - datetime.timedelta(days=1 if self.mode == "day" else 7)

    @property
    def next_day(self) -> datetime.date:
        return self.first_day + datetime.timedelta(days=1 if self.mode == "day" else 7)

    @property
    def appointment_count(self) -> int:
        return sum(len(column.events) for column in self.columns)

    @property
    def span_minutes(self) -> int:
        return self.last_minute - self.first_minute


def _assign_lanes(events: list[Placed]) -> None:
    """Side by side where appointments overlap (several practitioners at once on a clinic
    calendar): each cluster of overlapping events shares its column's width."""
    events.sort(key=lambda e: (e.start, e.end))
    cluster: list[Placed] = []
    lane_ends: list[datetime.datetime] = []
    cluster_end: datetime.datetime | None = None

    def close() -> None:
        for member in cluster:
            member.lanes = len(lane_ends)

    for event in events:
        if cluster_end is not None and event.start >= cluster_end:
            close()
            cluster, lane_ends, cluster_end = [], [], None
        lane = next((i for i, end in enumerate(lane_ends) if end <= event.start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(event.end)
        else:
            lane_ends[lane] = event.end
        event.lane = lane
        cluster.append(event)
        cluster_end = event.end if cluster_end is None else max(cluster_end, event.end)
    close()


def _gaps(
    blocks: list[tuple[datetime.datetime, datetime.datetime]],
    appointments: list[Appointment],
    now: datetime.datetime,
) -> list[Placed]:
    """Free working time not yet past, between appointments (their gap after included)."""
    gaps = []
    for block_start, block_end in blocks:
        cursor = max(block_start, now)
        for appointment in sorted(appointments, key=lambda a: a.start):
            if appointment.occupied_until <= cursor or appointment.start >= block_end:
                continue
            if appointment.start - cursor >= SHORTEST_GAP:
                gaps.append(Placed(cursor, appointment.start))
            cursor = max(cursor, appointment.occupied_until)
        if block_end - cursor >= SHORTEST_GAP:
            gaps.append(Placed(cursor, block_end))
    return gaps


def load_calendar(
    *,
    mode: str,
    day: datetime.date,
    practitioner: User | None,
    practitioners: list | None = None,
    only_these: bool = False,
    now: datetime.datetime | None = None,
) -> Calendar:
    """A day or week calendar for one practitioner, or for the whole clinic (practitioner None):
    everyone's appointments, or with `only_these` just those of `practitioners` (a page of a
    large clinic's staff)."""
    now = now or clock.now()
    today = clock.local(now).date()
    if mode == "week":
        first_day = clock.monday_of(day)
        days = clock.days(first_day, 7)
    else:
        first_day = day
        days = [day]
    last_day = days[-1]
    window_start, _ = clock.day_bounds(first_day)
    _, window_end = clock.day_bounds(last_day)

    if practitioners is None:
        practitioners = list(roles.practitioners())
    appointments = selectors.appointments_between(
        window_start,
        window_end,
        practitioner=practitioner,
        practitioners=practitioners if only_these else None,
        names_only=True,
    )
    on_hold = selectors.appointments_on_hold(appointments)
    shown = [practitioner] if practitioner is not None else practitioners
    schedules = selectors.schedules([p.pk for p in shown], first_day, last_day)

    by_key: dict[tuple[int | None, datetime.date], list[Appointment]] = {}
    for appointment in appointments:
        local_day = clock.local(appointment.start).date()
        column_owner = (
            appointment.practitioner_id if (mode == "day" and practitioner is None) else None
        )
        by_key.setdefault((column_owner, local_day), []).append(appointment)

    columns: list[Column] = []
    if mode == "day" and practitioner is None:
        # A clinic day: one column per practitioner who works that day or has appointments.
        for person in practitioners:
            schedule = schedules.get((person.pk, day))
            booked = by_key.get((person.pk, day), [])
            if not booked and not (schedule and schedule.blocks):
                continue
            columns.append(_column(day, person, booked, schedule, now, today))
    else:
        for column_day in days:
            booked = by_key.get((None, column_day), [])
            schedule = schedules.get((practitioner.pk, column_day)) if practitioner else None
            column = _column(column_day, None, booked, schedule, now, today)
            if practitioner is None:
                closed = {schedules[p.pk, column_day].off_reason for p in shown} if shown else set()
                if len(closed) == 1 and "" not in closed:
                    column.closed = closed.pop()
            columns.append(column)
        # Sunday only when someone works or is booked then.
        if mode == "week" and not columns[-1].events and not columns[-1].bands:
            columns.pop()

    first_minute, last_minute = _span(columns)
    with_practitioner = practitioner is None and mode == "week"
    link = url_for_pk("scheduling:appointment")
    for column in columns:
        for item in (*column.events, *column.bands, *column.gaps):
            start_minutes = clock.minutes_since_midnight(item.start)
            end_minutes = start_minutes + item.minutes
            item.top = _percent(start_minutes, first_minute, last_minute)
            item.height = round(_percent(end_minutes, first_minute, last_minute) - item.top, 3)
        for event in column.events:
            schedule = schedules.get((event.appointment.practitioner_id, column.day))
            event.shown = _shown(
                event,
                with_practitioner=with_practitioner,
                link=link,
                on_day_off=schedule is not None and schedule.time_off is not None,
                outside_hours=_outside_hours(event.appointment, schedule),
                on_hold=event.appointment.pk in on_hold,
            )
    return Calendar(
        mode=mode,
        first_day=first_day,
        last_day=last_day,
        practitioner=practitioner,
        practitioners=practitioners,
        columns=columns,
        first_minute=first_minute,
        last_minute=last_minute,
    )


def _column(
    day: datetime.date,
    person: User | None,
    booked: list[Appointment],
    schedule: selectors.DaySchedule | None,
    now: datetime.datetime,
    today: datetime.date,
) -> Column:
    column = Column(day=day, practitioner=person, is_today=day == today)
    column.events = [Placed(a.start, a.end, appointment=a) for a in booked]
    _assign_lanes(column.events)
    if schedule is not None:
        column.closed = schedule.off_reason
        column.bands = [Placed(start, end) for start, end in schedule.blocks]
        held = [a for a in booked if a.holds_slot]
        column.gaps = _gaps(schedule.blocks, held, now)
    return column


def _outside_hours(a: Appointment, schedule: selectors.DaySchedule | None) -> bool:
    """Still booked, on a day its practitioner works, but not inside their hours (they were
    changed since): the desk should move it. Read from the day's schedule, no query."""
    return (
        a.is_upcoming
        and schedule is not None
        and schedule.time_off is None
        and not inside_hours(schedule.blocks, a.start, a.end)
    )


def _shown(
    event: Placed,
    *,
    with_practitioner: bool,
    link: Callable[[int], str],
    on_day_off: bool,
    outside_hours: bool,
    on_hold: bool = False,
) -> Shown:
    """The text and classes of an appointment's box: its time, patient, the status when the
    front desk acts on it (or that it is still booked on its practitioner's day off, or
    outside their hours, or that its patient's treatment is on hold), then type (and place in
    its series), practitioner on a clinic's week, and room."""
    a = event.appointment
    on_day_off = on_day_off and a.is_upcoming
    css = [f"status-{a.status}", f"kind-{a.appointment_type.kind}"]
    if a.given_early:
        css.append("is-given-early")
    elif on_hold:
        css.append("is-on-hold")
    elif on_day_off:
        css.append("is-on-day-off")
    elif outside_hours:
        css.append("is-outside-hours")
    if event.minutes < 35:
        css.append("is-short")
    if event.lanes > 1:
        css.append("is-narrow")
    meta = a.appointment_type.name
    if a.series_position:
        meta += f" {a.series_position}/{a.series.count}"
    if with_practitioner:
        meta += f" \N{MIDDLE DOT} {a.practitioner.last_name}"
    meta += f" \N{MIDDLE DOT} {a.room.name}"
    shown = Shown(
        url=link(a.pk),
        css=" ".join(css),
        time=clock.local(a.start).strftime("%H:%M"),
        patient=a.patient.full_name,
        status=_status_text(a, on_day_off=on_day_off, outside_hours=outside_hours, on_hold=on_hold),
        meta=meta,
    )
    shown.html = _box(event, a.pk, shown)
    return shown


def _status_text(
    a: Appointment, *, on_day_off: bool, outside_hours: bool, on_hold: bool = False
) -> str:
    if a.given_early:
        return "Session already given"
    # Before the day off: moving it would not help, the visit cannot be a treatment as booked.
    if on_hold:
        return "Treatment on hold"
    if on_day_off:
        return "On a day off: move it"
    if outside_hours:
        return "Outside hours: move it"
    return a.get_status_display() if a.status_worth_showing else ""


def _box(event: Placed, pk: int, shown: Shown) -> SafeString:
    """An appointment's box, as HTML. Built here rather than in the template's loop: a busy
    clinic week draws a few hundred boxes, and the template engine spent about 60 µs on each
    one's dozen lookups and filters (format_html, at 25 µs, was not much better). Every string
    goes through html.escape; the rest are numbers."""
    e = html.escape
    status = (
        f'<span class="cal-event-status">{e(shown.status)}</span> \N{MIDDLE DOT} '
        if shown.status
        else ""
    )
    return mark_safe(  # noqa: S308 - every string above is escaped
        f'<a class="cal-event {e(shown.css)}" data-top="{event.top}"'
        f' data-height="{event.height}" data-left="{event.left}" data-width="{event.width}"'
        f' data-testid="appointment-{pk}" href="{e(shown.url)}" hx-get="{e(shown.url)}"'
        ' hx-target="#appointment-modal-body" hx-swap="innerHTML"><span class="cal-event-line">'
        f'<span class="cal-event-time">{e(shown.time)}</span>'
        f' <span class="cal-event-patient">{e(shown.patient)}</span></span>'
        f'<span class="cal-event-meta">{status}{e(shown.meta)}</span></a>'
    )


def _span(columns: list[Column]) -> tuple[int, int]:
    """Whole hours covering 08:00-19:00 and anything booked or worked outside them."""
    first, last = DAY_START_MINUTES, DAY_END_MINUTES
    for column in columns:
        for item in (*column.events, *column.bands):
            start = clock.minutes_since_midnight(item.start)
            first = min(first, start)
            last = max(last, start + item.minutes)
    return first // 60 * 60, min(24 * 60, -(-last // 60) * 60)


@dataclass
class PractitionerDay:
    practitioner: User
    schedule: selectors.DaySchedule
    appointments: list[Appointment]
    gaps: list[Placed]


@dataclass
class TodayBoard:
    """The front desk's day: who is late, who comes next, and the free time left."""

    day: datetime.date
    now: datetime.datetime
    appointments: list[Appointment]
    people: list[PractitionerDay]
    # Booked for sessions already given on an earlier day: to cancel.
    given_early: list[Appointment]
    # Still booked on a day its practitioner is off (or the clinic closed), by appointment:
    # what the desk reads next to it ("On Sophie Martin's day off (congress)").
    day_off_notes: dict[int, str] = field(default_factory=dict)
    # Still booked outside its practitioner's hours (changed since): "Outside Sophie Martin's
    # hours".
    outside_hours_notes: dict[int, str] = field(default_factory=dict)
    # Treatment visits whose patient may not be treated now (an open absolute
    # contraindication), by id. Only that: the front desk reads the board, not the reason.
    # Read once for the day's appointments: the running-late list, drawn from them, marks
    # its own from the same set.
    on_hold: set[int] = field(default_factory=set)

    @property
    def rows(self) -> list[tuple[Appointment, str, str, bool]]:
        return [
            (
                a,
                self.day_off_notes.get(a.pk, ""),
                self.outside_hours_notes.get(a.pk, ""),
                a.pk in self.on_hold,
            )
            for a in self.appointments
        ]

    @property
    def late(self) -> list[Appointment]:
        return [a for a in self.appointments if a.is_upcoming and a.start <= self.now]

    @property
    def expected(self) -> list[Appointment]:
        return [a for a in self.appointments if a.is_upcoming and a.start > self.now]

    @property
    def here(self) -> list[Appointment]:
        return [
            a
            for a in self.appointments
            if a.status in (Appointment.Status.ARRIVED, Appointment.Status.IN_TREATMENT)
        ]

    def count(self, *statuses: str) -> int:
        return sum(1 for a in self.appointments if a.status in statuses)

    @property
    def stats(self) -> list[tuple[str, int]]:
        status = Appointment.Status
        return [
            ("Booked today", len(self.appointments)),
            ("Still expected", len(self.expected) + len(self.late)),
            ("In the clinic", len(self.here)),
            ("Completed", self.count(status.COMPLETED)),
            ("No-shows", self.count(status.NO_SHOW)),
        ]


def load_today(*, now: datetime.datetime | None = None) -> TodayBoard:
    """Today's appointments for the whole clinic, each practitioner's free time left, and
    the appointments whose session was already given, and the treatment visits on hold: six
    queries."""
    now = now or clock.now()
    day = clock.local(now).date()
    start, end = clock.day_bounds(day)
    practitioners = list(roles.practitioners())
    appointments = selectors.appointments_between(start, end)
    schedules = selectors.schedules([p.pk for p in practitioners], day, day)
    people = []
    notes = {}
    outside = {}
    for person in practitioners:
        theirs = [a for a in appointments if a.practitioner_id == person.pk]
        schedule = schedules[person.pk, day]
        if schedule.time_off is not None:
            note = _day_off_note(person, schedule.time_off)
            notes.update((a.pk, note) for a in theirs if a.is_upcoming)
        note = f"Outside {selectors.practitioner_name(person)}'s hours"
        outside.update((a.pk, note) for a in theirs if _outside_hours(a, schedule))
        if not theirs and not schedule.blocks:
            continue
        held = [a for a in theirs if a.holds_slot]
        people.append(PractitionerDay(person, schedule, theirs, _gaps(schedule.blocks, held, now)))
    return TodayBoard(
        day=day,
        now=now,
        appointments=appointments,
        people=people,
        given_early=selectors.appointments_given_early(),
        day_off_notes=notes,
        outside_hours_notes=outside,
        on_hold=selectors.appointments_on_hold(appointments),
    )


def _day_off_note(person: User, off: TimeOff) -> str:
    """ "On Sophie Martin's day off (congress)", or "Clinic closed (Easter Monday)"."""
    if off.practitioner_id is None:
        note = "Clinic closed"
    else:
        note = f"On {selectors.practitioner_name(person)}'s day off"
    return f"{note} ({off.reason})" if off.reason else note
