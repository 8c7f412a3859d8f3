"""The demo practice's diary over its past (clinic/demo.py's `past_start` to yesterday),
for `manage.py seed_demo`: an appointment for every consultation, every session given and
every review, with the no-shows and cancellations a diary has along the way.

Called by scheduling/demo.py before it books the weeks ahead. The treatments demo tells the
courses (treatments/demo_history.py) and asks `Diary.book` when each visit took place: the
free time of the practitioner nearest the patient's usual hour, on the day the course wanted
or within the days after, never two visits of one patient on a day. Times go through
`Availability`, as a booking does (hours, days off, rooms, no double booking); past times
are allowed here only. A visit is sometimes missed first (a no-show, or cancelled a day or
two before and booked again): the course then runs a few days late, as it would.

Written in bulk at the end, with their change history, each appointment holding the session
it was for, dated as booked a week or more before.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F

from clinic.demo import Backdating, history_in_bulk
from patients.models import Allergy, Consent, Consultation
from scheduling import clock
from scheduling.availability import Availability, Slot
from scheduling.models import Appointment, AppointmentType, Room
from treatments import demo_history as treatments_history
from treatments.demo_history import Visit
from treatments.models import TreatmentSession

Out = Callable[[str], None]
AppointmentStatus = Appointment.Status
DAY = datetime.timedelta(days=1)
T = datetime.time
# The hours patients ask for; each keeps one (the nearest free time is taken otherwise).
USUAL_HOURS = (T(9, 30), T(10), T(11), T(11, 30), T(14), T(15), T(16, 30), T(17, 30))
# A visit is missed first this often: the patient does not come, or cancels and rebooks.
NO_SHOW_RATE, CANCEL_RATE = 0.045, 0.07
CANCEL_REASONS = ("Patient unwell", "Work commitment", "Asked to rebook later", "Travelling")
# How many days after the wanted day a visit may take place, at most (past a fortnight off).
SEARCH_DAYS = 21


class Diary:
    """The past diary of the demo practitioners, filled visit by visit."""

    def __init__(
        self,
        *,
        practitioners: list[Any],
        rooms: list[Room],
        types: list[AppointmentType],
        first_day: datetime.date,
        today: datetime.date,
    ) -> None:
        self.today = today
        self.rng = random.Random(1905)  # noqa: S311 (demo data, not security)
        self.types = {kind.kind: kind for kind in types}
        desk = get_user_model().objects.filter(username="reception").first()
        self.desk = desk
        self.availabilities: dict[int, Availability] = {}
        for shift, person in enumerate(practitioners):
            availability = Availability.load(
                practitioner=person, first_day=first_day, last_day=today
            )
            # Seeding the past is allowed here: the diary starts months ago.
            availability.now = clock.at(first_day, T())
            # Each practitioner has a usual room (the other demo fills the weeks ahead the
            # same way), so the two diaries never want one room at once.
            availability.rooms = rooms[shift:] + rooms[:shift]
            availability.prefetch(clock.days(first_day, (today - first_day).days + 1))
            self.availabilities[person.pk] = availability
        # (appointment, the visit it was for, days booked ahead)
        self.rows: list[tuple[Appointment, Visit | None, int]] = []
        self.busy: set[tuple[int, datetime.date]] = set()
        self.hours: dict[int, T] = {}

    def _usual_hour(self, patient_id: int) -> T:
        if patient_id not in self.hours:
            self.hours[patient_id] = self.rng.choice(USUAL_HOURS)
        return self.hours[patient_id]

    def _find(
        self, practitioner_id: int, patient_id: int, day: datetime.date, kind: str, at: T
    ) -> Slot | None:
        """The free slot nearest `at` on `day` or the first day after it that has one."""
        availability = self.availabilities[practitioner_id]
        appointment_type = self.types[kind]
        for offset in range(SEARCH_DAYS):
            wanted = day + datetime.timedelta(days=offset)
            if wanted >= self.today:
                return None
            if (patient_id, wanted) in self.busy:
                continue
            slot = availability.slot_at(
                clock.at(wanted, at), appointment_type
            ) or availability.nearest_on(wanted, at, appointment_type)
            if slot is not None:
                availability.hold(slot)
                self.busy.add((patient_id, wanted))
                return slot
        return None

    def _add(
        self,
        slot: Slot,
        *,
        patient_id: int,
        practitioner: Any,
        kind: str,
        status: str,
        visit: Visit | None = None,
        ahead: int = 7,
        **fields: Any,
    ) -> Appointment:
        appointment = slot.appointment(
            patient_id=patient_id,
            practitioner=practitioner,
            appointment_type=self.types[kind],
            status=status,
            booked_by=self.desk or practitioner,
            **fields,
        )
        if status == AppointmentStatus.COMPLETED:
            appointment.arrived_at = slot.start - datetime.timedelta(
                minutes=self.rng.randint(2, 12)
            )
        self.rows.append((appointment, visit, ahead))
        return appointment

    def book(self, visit: Visit) -> datetime.datetime | None:
        """When the patient came for `visit`: see `treatments.demo_history.Book`."""
        rng = self.rng
        practitioner_id = visit.practitioner.pk
        at = self._usual_hour(visit.patient_id)
        day = visit.wanted
        roll = rng.random()
        if roll < NO_SHOW_RATE + CANCEL_RATE:
            missed = self._find(practitioner_id, visit.patient_id, day, visit.kind, at)
            if missed is None:
                return None
            if roll < NO_SHOW_RATE:
                self._add(
                    missed,
                    patient_id=visit.patient_id,
                    practitioner=visit.practitioner,
                    kind=visit.kind,
                    status=AppointmentStatus.NO_SHOW,
                )
                day = missed.local_start.date() + datetime.timedelta(days=rng.randint(5, 9))
            else:
                notice = datetime.timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 6))
                self._add(
                    missed,
                    patient_id=visit.patient_id,
                    practitioner=visit.practitioner,
                    kind=visit.kind,
                    status=AppointmentStatus.CANCELLED,
                    ahead=14,
                    cancel_reason=rng.choice(CANCEL_REASONS),
                    cancelled_at=missed.start - notice,
                )
                day = missed.local_start.date() + datetime.timedelta(days=rng.randint(2, 7))
        slot = self._find(practitioner_id, visit.patient_id, day, visit.kind, at)
        if slot is None:
            return None
        self._add(
            slot,
            patient_id=visit.patient_id,
            practitioner=visit.practitioner,
            kind=visit.kind,
            status=AppointmentStatus.COMPLETED,
            visit=visit,
            ahead=rng.choice((7, 7, 10, 14, 21)),
        )
        visit.start = slot.start
        return slot.start

    def sessions_logged(self, first_day: datetime.date) -> int:
        """An appointment for each session signed before the past began to be told here (the
        treatments demo's own stories), at the time it was given, where that time is free."""
        made = 0
        sessions = (
            TreatmentSession.objects.filter(
                status=TreatmentSession.Status.SIGNED,
                performed_at__gte=clock.at(first_day, T()),
                appointments__isnull=True,
            )
            .select_related("plan", "practitioner")
            .order_by("performed_at")
        )
        for session in sessions:
            availability = self.availabilities.get(session.practitioner_id)
            if availability is None:
                continue
            kind = (
                AppointmentType.Kind.MAINTENANCE
                if session.kind == TreatmentSession.Kind.MAINTENANCE
                else AppointmentType.Kind.TREATMENT
            )
            start = session.performed_at - datetime.timedelta(minutes=5)
            day = clock.local(start).date()
            slot = availability.slot_at(start, self.types[kind])
            if slot is None or (session.plan.patient_id, day) in self.busy:
                continue
            availability.hold(slot)
            self.busy.add((session.plan.patient_id, day))
            self._add(
                slot,
                patient_id=session.plan.patient_id,
                practitioner=session.practitioner,
                kind=kind,
                status=AppointmentStatus.COMPLETED,
                plan_session=session,
            )
            made += 1
        return made

    def consultations(self, first_day: datetime.date) -> int:
        """An appointment for each consultation of the past, on its day, at the time the
        patient signed their consents there (the patients demo's time) or the nearest free
        one; the consents are then dated inside it."""
        signed: dict[tuple[int, datetime.date], datetime.datetime] = {}
        for patient_id, at in Consent.objects.values_list("patient_id", "signed_at"):
            signed.setdefault((patient_id, clock.local(at).date()), at)
        made = 0
        dates = Backdating()
        consultations = Consultation.objects.filter(
            consulted_on__gte=first_day, consulted_on__lt=self.today
        ).select_related("practitioner")
        for consultation in consultations.order_by("consulted_on", "pk"):
            if consultation.practitioner_id not in self.availabilities:
                continue
            day, patient_id = consultation.consulted_on, consultation.patient_id
            signature = signed.get((patient_id, day))
            at = (
                clock.local(signature - datetime.timedelta(minutes=25)).time()
                if signature
                else T(10)
            )
            kind = AppointmentType.Kind.CONSULTATION
            slot = self._find(consultation.practitioner_id, patient_id, day, kind, at)
            if slot is None:
                continue
            signed_at = slot.end - datetime.timedelta(minutes=5)
            if slot.local_start.date() != day:
                # Not workable that day (a bank holiday, the practitioner away): the
                # consultation, and what was recorded at it, was on the next one that is.
                self._move(consultation, signed_at, dates)
            if signature is not None and not slot.start <= signature <= slot.end:
                for consent in Consent.objects.filter(
                    patient_id=patient_id, signed_at=signature
                ).select_related("witnessed_by"):
                    dates.add(
                        consent, created=signed_at, by=consent.witnessed_by, signed_at=signed_at
                    )
            self._add(
                slot,
                patient_id=patient_id,
                practitioner=consultation.practitioner,
                kind=kind,
                status=AppointmentStatus.COMPLETED,
                ahead=self.rng.randint(2, 14),
            )
            made += 1
        dates.save()
        return made

    @staticmethod
    def _move(consultation: Consultation, at: datetime.datetime, dates: Backdating) -> None:
        dates.add(
            consultation,
            created=at,
            by=consultation.practitioner,
            consulted_on=clock.local(at).date(),
            created_at=at,
        )
        was = consultation.created_at
        for item in consultation.contraindications.all():
            dates.add(item, created=at, recorded_at=at)
            if item.resolved_at is not None and item.resolved_at <= at:
                resolved = min(at + datetime.timedelta(days=7), clock.now())
                dates.add(item, changed=resolved, resolved_at=resolved)
        for allergy in Allergy.objects.filter(patient_id=consultation.patient_id, recorded_at=was):
            dates.add(allergy, created=at, recorded_at=at)

    def write(self) -> int:
        """Save every appointment, each holding the session given at it, dated as booked."""
        appointments = []
        for appointment, visit, _ in self.rows:
            if visit is not None and visit.session_id is not None:
                appointment.plan_session_id = visit.session_id
            appointments.append(appointment)
        appointments.sort(key=lambda appointment: appointment.start)
        Appointment.objects.bulk_create(appointments, batch_size=500)
        by_lead: dict[int, list[int]] = defaultdict(list)
        for appointment, _, ahead in self.rows:
            by_lead[ahead].append(appointment.pk)
        for ahead, ids in by_lead.items():
            booked = F("start") - datetime.timedelta(days=ahead)
            Appointment.objects.filter(pk__in=ids).update(created_at=booked, updated_at=booked)
        # The change history's entry: as booked, by the front desk.
        history_in_bulk(
            Appointment,
            [appointment.pk for appointment in appointments],
            date="created_at",
            user="booked_by",
        )
        return len(appointments)


def seed(
    out: Out,
    *,
    practitioners: list[Any],
    rooms: list[Room],
    types: list[AppointmentType],
    first_day: datetime.date,
) -> None:
    """The past: appointments for what the other demos dated in it, and the courses of
    the treatments demo's history, booked visit by visit."""
    today = clock.local_today()
    diary = Diary(
        practitioners=practitioners, rooms=rooms, types=types, first_day=first_day, today=today
    )
    logged = diary.sessions_logged(first_day)
    consultations = diary.consultations(first_day)
    treatments_history.seed(out, book=diary.book)
    made = diary.write()
    out(
        f"created {made} past appointments ({consultations} consultations, "
        f"{logged} sessions of the hand-written courses)"
    )
