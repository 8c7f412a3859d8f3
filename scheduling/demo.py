"""Demo scheduling data for `manage.py seed_demo`: rooms, appointment types, the demo
practitioners' hours and days off, and several weeks of appointments for the demo patients,
among them the remaining sessions of the demo treatment plans, each linked to its plan session.

Idempotent: each kind of record is only created when none exists yet. Appointments are only
made for patients that already exist (the patients app seeds before this one); with no
patients there are none. Times go through `Availability`, so the demo respects the same rules
as a real booking (hours, days off, gaps, one patient per room and practitioner at a time).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from patients.models import Patient
from scheduling import clock, selectors
from scheduling.availability import Availability, Slot
from scheduling.models import (
    Appointment,
    AppointmentSeries,
    AppointmentType,
    Room,
    TimeOff,
    WaitlistEntry,
    WorkingHours,
)
from scheduling.outbox import demo as outbox_demo
from treatments.models import TreatmentSession
from treatments.selectors import plan_booking_defaults
from treatments.services import plan_sessions_reserve

ROOMS = ("Cabinet 1", "Cabinet 2", "Treatment room")
TYPES = (
    # name, kind, minutes, gap after, how often it is booked
    ("Consultation", AppointmentType.Kind.CONSULTATION, 30, 10, 25),
    ("Treatment session", AppointmentType.Kind.TREATMENT, 45, 15, 45),
    ("Maintenance session", AppointmentType.Kind.MAINTENANCE, 30, 10, 15),
    ("Review", AppointmentType.Kind.REVIEW, 20, 5, 15),
)
T = datetime.time
HOURS = {
    # Dr Martin: Monday to Friday, with a lunch break.
    "dr.martin": {day: [(T(9), T(12, 30)), (T(14), T(18, 30))] for day in range(5)},
    # Dr Nguyen: Tuesday to Saturday, late evenings, Saturday mornings.
    "dr.nguyen": {
        **{day: [(T(9, 30), T(13)), (T(14), T(19))] for day in range(1, 5)},
        5: [(T(9), T(13))],
    },
}
# French public holidays on fixed dates: the clinic is closed.
HOLIDAYS = {
    (1, 1): "New Year's Day",
    (5, 1): "Labour Day",
    (5, 8): "Victory in Europe Day",
    (7, 14): "Bastille Day",
    (8, 15): "Assumption",
    (11, 1): "All Saints' Day",
    (11, 11): "Armistice Day",
    (12, 25): "Christmas Day",
}
WEEKS_BACK, WEEKS_AHEAD = 3, 5
CANCEL_REASONS = ("Patient unwell", "Work commitment", "Asked to rebook later", "Travelling")


def seed(out: Callable[[str], None]) -> None:
    rooms = _rooms(out)
    types = _types(out)
    practitioners = _practitioners()
    _hours(practitioners, out)
    today = clock.local_today()
    first_day = today - datetime.timedelta(weeks=WEEKS_BACK)
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    _days_off(practitioners, first_day, last_day, out)
    patients = list(Patient.objects.filter(archived_at__isnull=True).order_by("pk"))
    if not patients or not practitioners or Appointment.objects.exists():
        return
    made = _appointments(practitioners, patients, rooms, types, first_day, last_day)
    out(f"created {made} appointments for {len(patients)} patients")
    _waitlist(practitioners, patients, types, today, out)
    outbox_demo.seed(out)


def _rooms(out: Callable[[str], None]) -> list[Room]:
    rooms = []
    for position, name in enumerate(ROOMS, start=1):
        room, created = Room.objects.get_or_create(name=name, defaults={"position": position})
        if created:
            out(f"created room {name}")
        rooms.append(room)
    return rooms


def _types(out: Callable[[str], None]) -> dict[AppointmentType, int]:
    types = {}
    for name, kind, minutes, gap, weight in TYPES:
        kind_type, created = AppointmentType.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "duration_minutes": minutes, "gap_after_minutes": gap},
        )
        if created:
            out(f"created appointment type {name}")
        types[kind_type] = weight
    return types


def _practitioners() -> dict[str, object]:
    users = get_user_model().objects.filter(username__in=HOURS, is_active=True)
    return {user.username: user for user in users}


def _hours(practitioners: dict[str, object], out: Callable[[str], None]) -> None:
    for username, week in HOURS.items():
        person = practitioners.get(username)
        if person is None or WorkingHours.objects.filter(practitioner=person).exists():
            continue
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=person, weekday=day, starts_at=start, ends_at=end)
            for day, blocks in week.items()
            for start, end in blocks
        )
        out(f"created working hours for {username}")


def _days_off(
    practitioners: dict[str, object],
    first_day: datetime.date,
    last_day: datetime.date,
    out: Callable[[str], None],
) -> None:
    for day in clock.days(first_day, (last_day - first_day).days + 1):
        name = HOLIDAYS.get((day.month, day.day))
        if name:
            _, created = TimeOff.objects.get_or_create(
                practitioner=None, first_day=day, last_day=day, defaults={"reason": name}
            )
            if created:
                out(f"created clinic holiday {name}")
    nguyen = practitioners.get("dr.nguyen")
    if nguyen is not None and not TimeOff.objects.filter(practitioner=nguyen).exists():
        # A training day twelve days from the first seed, so the calendars show one.
        day = clock.local_today() + datetime.timedelta(days=12)
        TimeOff.objects.create(practitioner=nguyen, first_day=day, last_day=day, reason="Training")
        out("created a training day for dr.nguyen")


def _status(slot: Slot, now: datetime.datetime, rng: random.Random) -> dict[str, object]:
    """A believable state for an appointment at this time, seen from now."""
    status = Appointment.Status
    if slot.end <= now:
        roll = rng.random()
        if roll < 0.06:
            return {"status": status.NO_SHOW}
        if roll < 0.12:
            return {
                "status": status.CANCELLED,
                "cancel_reason": rng.choice(CANCEL_REASONS),
                "cancelled_at": slot.start - datetime.timedelta(days=1),
            }
        return {
            "status": status.COMPLETED,
            "arrived_at": slot.start - datetime.timedelta(minutes=5),
        }
    if slot.start <= now:
        if now - slot.start < datetime.timedelta(minutes=20) and rng.random() < 0.5:
            return {"status": status.BOOKED}  # running late: the front desk should call
        return {
            "status": status.IN_TREATMENT,
            "arrived_at": slot.start - datetime.timedelta(minutes=4),
        }
    if slot.start - now < datetime.timedelta(days=2):
        return {"status": status.CONFIRMED if rng.random() < 0.6 else status.BOOKED}
    if rng.random() < 0.04:
        return {
            "status": status.CANCELLED,
            "cancel_reason": rng.choice(CANCEL_REASONS),
            "cancelled_at": now,
        }
    return {"status": status.BOOKED}


def _appointments(
    practitioners: dict[str, object],
    patients: list[Patient],
    rooms: list[Room],
    types: dict[AppointmentType, int],
    first_day: datetime.date,
    last_day: datetime.date,
) -> int:
    rng = random.Random(20260316)  # noqa: S311 - demo data, not security
    now = clock.now()
    start_of_window, _ = clock.day_bounds(first_day)
    busy_patients: set[tuple[int, datetime.date]] = set()
    rows: list[Appointment] = []
    treatment = next(t for t in types if t.kind == AppointmentType.Kind.TREATMENT)

    def add(person, patient, kind, slot, series=None, position=None, plan_session=None) -> None:
        busy_patients.add((patient.pk, clock.local(slot.start).date()))
        rows.append(
            slot.appointment(
                patient=patient,
                practitioner=person,
                appointment_type=kind,
                series=series,
                series_position=position,
                plan_session=plan_session,
                booked_by=person,
                **_status(slot, now, rng),
            )
        )

    availabilities = {}
    for username, person in practitioners.items():
        availability = Availability.load(
            practitioner=person, first_day=first_day, last_day=last_day
        )
        # Seeding the past is allowed here: the demo starts weeks ago.
        availability.now = start_of_window
        # Each practitioner has a usual room, so the demo does not fill Cabinet 1 first.
        shift = len(availabilities) % len(rooms)
        availability.rooms = rooms[shift:] + rooms[:shift]
        availabilities[username] = (person, availability)

    # A weekly course booked in one go for the first patients, as a receptionist would.
    courses = [("dr.martin", 0, T(10), 6, 7), ("dr.nguyen", 1, T(15), 6, 7)]
    for index, (username, patient_index, at, count, interval) in enumerate(courses):
        if username not in availabilities or patient_index >= len(patients):
            continue
        person, availability = availabilities[username]
        patient = patients[patient_index]
        first = clock.at(first_day + datetime.timedelta(days=1 + index * 2), at)
        proposals = availability.propose_series(
            first_start=first, count=count, interval_days=interval, appointment_type=treatment
        )
        series = AppointmentSeries.objects.create(
            patient=patient,
            practitioner=person,
            appointment_type=treatment,
            count=count,
            interval_days=interval,
            booked_by=person,
        )
        for proposal in proposals:
            if proposal.slot is not None:
                add(person, patient, treatment, proposal.slot, series, proposal.position)

    # The running treatment plans' remaining course sessions, booked from each plan.
    for row in selectors.plans_to_book():
        plan = row.plan
        if plan.practitioner.username not in availabilities:
            continue
        person, availability = availabilities[plan.practitioner.username]
        day = plan_booking_defaults(plan=plan, booked_session_ids=[], maintenance=False).first_day
        first = clock.at(day, T(11))
        if first < now:
            first = clock.at(day + datetime.timedelta(days=1), T(11))
        proposals = availability.propose_series(
            first_start=first,
            count=row.to_book,
            interval_days=plan.interval_days,
            appointment_type=treatment,
        )
        slots = [proposal.slot for proposal in proposals if proposal.slot is not None]
        if not slots:
            continue
        sessions = plan_sessions_reserve(
            plan=plan, kind=TreatmentSession.Kind.INITIAL, count=len(slots), booked_session_ids=[]
        )
        series = AppointmentSeries.objects.create(
            patient=plan.patient,
            practitioner=person,
            appointment_type=treatment,
            count=len(slots),
            interval_days=plan.interval_days,
            booked_by=person,
            plan=plan,
        )
        for position, (slot, session) in enumerate(zip(slots, sessions, strict=True), start=1):
            add(person, plan.patient, treatment, slot, series, position, plan_session=session)

    # Then a realistic spread of everything else, leaving some free time each day.
    kinds, weights = list(types), list(types.values())
    for person, availability in availabilities.values():
        for day in clock.days(first_day, (last_day - first_day).days + 1):
            cursor = None
            while True:
                kind = rng.choices(kinds, weights)[0]
                free = [
                    slot
                    for slot in availability.free_slots_on(day, kind)
                    if cursor is None or slot.start >= cursor
                ]
                if not free:
                    break
                slot = (
                    free[0] if rng.random() < 0.65 else free[min(len(free) - 1, rng.randint(1, 5))]
                )
                availability.hold(slot)
                cursor = slot.occupied_until + datetime.timedelta(
                    minutes=rng.choice((0, 0, 15, 30, 45, 60, 90))
                )
                patient = next(
                    (
                        p
                        for p in rng.sample(patients, len(patients))
                        if (p.pk, day) not in busy_patients
                    ),
                    None,
                )
                if patient is not None:
                    add(person, patient, kind, slot)
    bulk_create_with_history(rows, Appointment)
    return len(rows)


def _waitlist(
    practitioners: dict[str, object],
    patients: list[Patient],
    types: dict[AppointmentType, int],
    today: datetime.date,
    out: Callable[[str], None],
) -> None:
    if WaitlistEntry.objects.exists() or len(patients) < 3:
        return
    consultation = next(t for t in types if t.kind == AppointmentType.Kind.CONSULTATION)
    treatment = next(t for t in types if t.kind == AppointmentType.Kind.TREATMENT)
    WaitlistEntry.objects.bulk_create(
        [
            WaitlistEntry(
                patient=patients[-1],
                practitioner=practitioners.get("dr.martin"),
                appointment_type=consultation,
                earliest_day=today,
                latest_day=today + datetime.timedelta(days=21),
                note="Can come at short notice",
            ),
            WaitlistEntry(
                patient=patients[-2],
                practitioner=None,
                appointment_type=treatment,
                earliest_day=today + datetime.timedelta(days=2),
                latest_day=today + datetime.timedelta(days=30),
                note="Prefers late afternoons",
            ),
        ]
    )
    out("created 2 waitlist entries")
