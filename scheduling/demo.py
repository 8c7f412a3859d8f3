"""Demo scheduling data for `manage.py seed_demo`: rooms, appointment types, the demo
practitioners' hours and days off (bank holidays and a summer break over the demo's past, a
training day ahead), the practice's past appointments (scheduling/demo_history.py,
which also has the treatments demo tell that past's courses), and the weeks ahead: the
remaining sessions of the running treatment plans and maintenance visits booked, each linked
to its plan session, and the rest of a busy diary.

Idempotent: each kind of record is only created when none exists yet. Appointments are only
made for patients that already exist (the patients app seeds before this one); with no
patients there are none. Times go through `Availability`, so the demo respects the same rules
as a real booking (hours, days off, gaps, one patient per room and practitioner at a time).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from clinic.demo import HOLIDAYS, past_start
from patients.models import Contraindication, Patient
from scheduling import clock, selectors
from scheduling import demo_history as history
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
from treatments.models import TreatmentPlan, TreatmentSession
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
WEEKS_AHEAD = 5
CANCEL_REASONS = ("Patient unwell", "Work commitment", "Asked to rebook later", "Travelling")
# Running plans whose remaining course sessions the front desk has not booked yet: its to-do.
LEFT_TO_BOOK = 2
# How much of the free time the appointments of no plan take, week by week ahead.
FILL_AHEAD = (0.3, 0.26, 0.24, 0.2, 0.16, 0.12)


def seed(out: Callable[[str], None]) -> None:
    rooms = _rooms(out)
    types = _types(out)
    practitioners = _practitioners()
    _hours(practitioners, out)
    today = clock.local_today()
    first_day = past_start(today)
    last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
    _days_off(practitioners, first_day, last_day, out)
    patients = list(Patient.objects.filter(archived_at__isnull=True).order_by("pk"))
    if not patients or not practitioners or Appointment.objects.exists():
        return
    history.seed(
        out,
        practitioners=list(practitioners.values()),
        rooms=rooms,
        types=list(types),
        first_day=first_day,
    )
    made = _appointments(practitioners, patients, rooms, types, today, last_day)
    out(f"created {made} appointments ahead for {len(patients)} patients")
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
        bulk_create_with_history(
            [
                WorkingHours(practitioner=person, weekday=day, starts_at=start, ends_at=end)
                for day, blocks in week.items()
                for start, end in blocks
            ],
            WorkingHours,
        )
        out(f"created working hours for {username}")


def _days_off(
    practitioners: dict[str, object],
    first_day: datetime.date,
    last_day: datetime.date,
    out: Callable[[str], None],
) -> None:
    # Days off of one practitioner (or two closures) never overlap, as `time_off_add` and the
    # exclusion constraints have it: each is only written on days still free of its kind, so a
    # closure someone recorded between two seeds, or a summer holiday, is never doubled.
    for day in clock.days(first_day, (last_day - first_day).days + 1):
        name = HOLIDAYS.get((day.month, day.day))
        if name and not _off_between(None, day, day):
            TimeOff.objects.create(practitioner=None, first_day=day, last_day=day, reason=name)
            out(f"created clinic holiday {name}")
    nguyen = practitioners.get("dr.nguyen")
    if (
        nguyen is not None
        and not TimeOff.objects.filter(practitioner=nguyen, reason="Training").exists()
    ):
        # A training day twelve days from the first seed (or the next day he is not already
        # off), so the calendars show one.
        day = clock.local_today() + datetime.timedelta(days=12)
        while _off_between(nguyen, day, day):
            day += datetime.timedelta(days=1)
        TimeOff.objects.create(practitioner=nguyen, first_day=day, last_day=day, reason="Training")
        out("created a training day for dr.nguyen")
    # Two weeks of summer holiday each, one after the other, in the last summer: from the
    # first Monday of August, or the nearest fortnight in which the practitioner gave no
    # session (the treatments demo's own courses are written before this).
    today = clock.local_today()
    august = datetime.date(today.year if today.month >= 8 else today.year - 1, 8, 1)
    nominal = august + datetime.timedelta(days=-august.weekday() % 7)
    taken: list[datetime.date] = []
    for username in ("dr.martin", "dr.nguyen"):
        person = practitioners.get(username)
        if person is None:
            continue
        booked = TimeOff.objects.filter(practitioner=person, reason="Summer holiday").first()
        if booked is not None:
            taken.append(booked.first_day)
            continue
        for weeks in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5):
            start = nominal + datetime.timedelta(weeks=weeks)
            if any(abs((start - other).days) < 14 for other in taken):
                continue  # the other practitioner is away then
            if _off_between(person, start, start + datetime.timedelta(days=13)):
                continue  # already off some of those days (dr.nguyen's training day)
            if not TreatmentSession.objects.filter(
                practitioner=person,
                performed_at__gte=clock.at(start, T()),
                performed_at__lt=clock.at(start + datetime.timedelta(days=14), T()),
            ).exists():
                break
        else:
            continue
        TimeOff.objects.create(
            practitioner=person,
            first_day=start,
            last_day=start + datetime.timedelta(days=13),
            reason="Summer holiday",
        )
        taken.append(start)
        out(f"created a summer holiday for {username}")


def _off_between(practitioner: object, first_day: datetime.date, last_day: datetime.date) -> bool:
    """Whether the practitioner (None: the clinic) is already off some day from first to last."""
    return TimeOff.objects.filter(
        practitioner=practitioner, first_day__lte=last_day, last_day__gte=first_day
    ).exists()


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
    # A patient comes once a day at most, the past's visits of today included.
    busy_patients: set[tuple[int, datetime.date]] = {
        (patient_id, clock.local(start).date())
        for patient_id, start in Appointment.objects.filter(start__gte=start_of_window).values_list(
            "patient_id", "start"
        )
    }
    rows: list[Appointment] = []
    treatment = next(t for t in types if t.kind == AppointmentType.Kind.TREATMENT)
    maintenance = next(t for t in types if t.kind == AppointmentType.Kind.MAINTENANCE)

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
        # Seeding earlier today is allowed here: the front desk's day has begun.
        availability.now = start_of_window
        # Each practitioner has a usual room, so the demo does not fill Cabinet 1 first (the
        # past's diary gives them the same).
        shift = len(availabilities) % len(rooms)
        availability.rooms = rooms[shift:] + rooms[:shift]
        availabilities[username] = (person, availability)

    # The running treatment plans' remaining course sessions, booked from each plan (but
    # for the last few accepted: the front desk still has them to book).
    for row in selectors.plans_to_book(limit=None)[:-LEFT_TO_BOOK]:
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

    # The next maintenance visit, for most plans in maintenance whose patients still come
    # (those long overdue have stopped: the reminders and the reports show them).
    for plan in (
        TreatmentPlan.objects.filter(
            status=TreatmentPlan.Status.MAINTENANCE,
            next_maintenance_on__gte=first_day - datetime.timedelta(days=25),
            next_maintenance_on__lte=last_day,
        )
        .select_related("patient", "practitioner")
        .order_by("next_maintenance_on", "pk")
    ):
        # Most patients have booked it; fewer of those already late.
        late = plan.next_maintenance_on < first_day
        if plan.practitioner.username not in availabilities or rng.random() < (
            0.45 if late else 0.2
        ):
            continue
        person, availability = availabilities[plan.practitioner.username]
        day = max(plan.next_maintenance_on, first_day + datetime.timedelta(days=1))
        day += datetime.timedelta(days=rng.randint(0, 6))
        hour = T(rng.choice((10, 15, 17)))
        slot = None
        for wanted in clock.days(day, 7):
            if wanted <= last_day and (plan.patient_id, wanted) not in busy_patients:
                slot = availability.nearest_on(wanted, hour, maintenance)
                if slot is not None:
                    break
        if slot is None:
            continue
        availability.hold(slot)
        (session,) = plan_sessions_reserve(
            plan=plan, kind=TreatmentSession.Kind.MAINTENANCE, count=1, booked_session_ids=[]
        )
        add(person, plan.patient, maintenance, slot, plan_session=session)

    # Then a realistic spread of everything else, leaving some free time each day: the next
    # days about as full as the past weeks were, the weeks after less (the diary fills up as
    # they come). Anyone may come for a consultation; the other visits are for the patients
    # whose plans the practitioner is treating, none of them with a contraindication that
    # stops treatment (a pregnancy is not booked for injections).
    blocked = set(
        Contraindication.objects.filter(
            resolved_at__isnull=True, severity=Contraindication.Severity.ABSOLUTE
        ).values_list("patient_id", flat=True)
    )
    treating: defaultdict[int, set[int]] = defaultdict(set)
    for practitioner_id, patient_id in TreatmentPlan.objects.filter(
        status__in=TreatmentPlan.TREATING
    ).values_list("practitioner_id", "patient_id"):
        if patient_id not in blocked:
            treating[practitioner_id].add(patient_id)
    kinds, weights = list(types), list(types.values())
    for person, availability in availabilities.values():
        theirs = [patient for patient in patients if patient.pk in treating[person.pk]]
        for day in clock.days(first_day, (last_day - first_day).days + 1):
            fill = FILL_AHEAD[min((day - first_day).days // 7, len(FILL_AHEAD) - 1)]
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
                cursor = slot.occupied_until + datetime.timedelta(
                    minutes=rng.choice((0, 0, 15, 30, 45, 60, 90))
                )
                if rng.random() > fill:
                    continue  # nobody booked this time (yet)
                who = patients if kind.kind == AppointmentType.Kind.CONSULTATION else theirs
                patient = next(
                    (p for p in rng.sample(who, len(who)) if (p.pk, day) not in busy_patients),
                    None,
                )
                if patient is not None:
                    availability.hold(slot)
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
