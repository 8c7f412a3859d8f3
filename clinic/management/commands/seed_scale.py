"""Fill an empty PostgreSQL database with a clinic chain's worth of synthetic data, fast.

For the benchmark (bench/README in the project README): by default 50,000 patients, 200
practitioners with a room each (10 clinics of 20 rooms), 500,000 appointments over three years
(30 months back, 6 ahead) and 300,000 treatment sessions with their injection points, lots,
ledger rows and outcomes. Everything scales with --patients.

Rows go in with PostgreSQL's COPY and ids chosen here (the sequences are moved past them at
the end), in one transaction: a failed run leaves nothing. It bypasses the services on
purpose, so it writes no audit events; the data still satisfies every constraint (the
exclusion constraints included), which the database checks as it loads. Each patient and
consultation gets the creation entry in its change history that the services would have
written, so the patient page's history panel reads as much as it would in a clinic.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from clinic import demo as clinic_demo
from clinic.roles import Role
from cocktails import demo as cocktails_demo
from cocktails.choices import AREA_REGION, INDICATION_DEFAULTS
from cocktails.models import Cocktail, FormulationComponent, Lot, LotUsage
from patients.models import Consultation, Patient
from patients.search import build_search_key
from scheduling.models import Appointment, AppointmentType, OutboxMessage, Room, WorkingHours
from scheduling.reminders import appointment_key
from treatments.models import (
    InjectionPoint,
    Outcome,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)
from treatments.zones import zones_of

# Per patient, at any scale: the 50k / 200 / 500k / 300k proportions.
PATIENTS_PER_PRACTITIONER = 250
APPOINTMENTS_PER_PATIENT = 10
ROOMS_PER_CLINIC = 20
DAYS_BACK = 913  # about 30 months
DAYS_AHEAD = 182
# One patient in this many (the first one included) has a history this long: a weekly course
# of 10 sessions, then fortnightly maintenance.
LONG_COURSE = 50
LONG_COURSE_EVERY = 5_000
# Each past appointment of a patient who accepts reminders had one, sent this long before.
REMINDER_LEAD = datetime.timedelta(hours=48)
# Appointments start on the hour, in the clinic's time: a treatment (45 min + 15 min gap)
# fills an hour exactly, so no two appointments of one practitioner (or room) overlap.
SLOT_HOURS = (9, 10, 11, 12, 14, 15, 16, 17)
WORKING_HOURS = (
    (datetime.time(9), datetime.time(13)),
    (datetime.time(14), datetime.time(18)),
)
PRACTITIONER_PREFIX = "bench.p"
BATCH_ROWS = 50_000

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Emma",
    "Louise",
    "Jade",
    "Alice",
    "Lucie",
    "Clara",
    "Julie",
    "Marie",
    "Anaïs",
    "Pauline",
    "Hugo",
    "Lucas",
    "Louis",
    "Nathan",
    "Thomas",
    "Jules",
    "Paul",
    "Arthur",
    "Léo",
    "Antoine",
    "Maxime",
    "Nicolas",
    "Élise",
    "Margaux",
    "Océane",
    "Zoé",
    "Juliette",
    "Agathe",
    "Mathilde",
    "Romane",
    "Charlotte",
    "Eva",
    "Lina",
    "Nina",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
]


def _cell(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"{value.total_seconds():.0f} seconds"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


class Table:
    """Rows for one model, buffered and sent with COPY in batches. Columns the caller leaves
    out get the field's default (now for auto_now fields), as a model instance would."""

    def __init__(self, cursor: Any, model: type[models.Model], now: datetime.datetime) -> None:
        self.cursor = cursor
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = frozenset(f.attname for f in self.fields)
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                self.defaults[f.attname] = ""
        self.columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0
        self.next_id = self._max_id() + 1

    def _max_id(self) -> int:
        table = connection.ops.quote_name(self.model._meta.db_table)
        key = connection.ops.quote_name(self.model._meta.pk.column)
        self.cursor.execute(f"SELECT COALESCE(MAX({key}), 0) FROM {table}")  # noqa: S608
        return self.cursor.fetchone()[0]

    def add(self, **values: Any) -> int:
        """Queue one row; returns its primary key (``id``; ``history_id`` for a history row)."""
        row_id = values.setdefault(self.model._meta.pk.attname, self.next_id)
        self.next_id = max(self.next_id, row_id + 1)
        try:
            cells = [
                _cell(values[f.attname] if f.attname in values else self.defaults[f.attname])
                for f in self.fields
            ]
        except KeyError as missing:
            raise CommandError(f"{self.model.__name__}: no value for {missing}") from None
        self.buffer.write("\t".join(cells))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= BATCH_ROWS:
            self.flush()
        return row_id

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        table = connection.ops.quote_name(self.model._meta.db_table)
        self.cursor.copy_expert(f"COPY {table} ({self.columns}) FROM STDIN", self.buffer)
        self.written += self.pending
        self.buffer = io.StringIO()
        self.pending = 0


@dataclass
class Diary:
    """Which hourly slots of each practitioner's working days are taken."""

    first_day: datetime.date
    days: int
    taken: dict[int, set[tuple[int, int]]] = field(default_factory=dict)

    def weekday_on_or_after(self, day: datetime.date) -> datetime.date:
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        return day

    def claim(
        self, rng: random.Random, practitioner: int, day: datetime.date, search_days: int = 10
    ) -> tuple[datetime.date, int] | None:
        """A free slot for the practitioner on `day` or the next working days."""
        taken = self.taken.setdefault(practitioner, set())
        for _ in range(search_days):
            day = self.weekday_on_or_after(day)
            offset = (day - self.first_day).days
            if not 0 <= offset < self.days:
                return None
            free = [h for h in SLOT_HOURS if (offset, h) not in taken]
            if free:
                hour = rng.choice(free)
                taken.add((offset, hour))
                return day, hour
            day += datetime.timedelta(days=1)
        return None


class Command(BaseCommand):
    help = (
        "Fill an empty PostgreSQL database with synthetic clinic-chain data for the benchmark "
        "(default: 50,000 patients, 200 practitioners, 500,000 appointments, 300,000 sessions)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--patients", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=10, help="Random seed (same data again).")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale loads with COPY: it needs PostgreSQL.")
        patients = options["patients"]
        if patients < 10:
            raise CommandError("Use at least 10 patients.")
        if Patient.objects.exists():
            raise CommandError("This database already has patients: seed an empty one.")
        started = timezone.now()
        with transaction.atomic():
            counts = Seeder(
                patients=patients,
                rng=random.Random(options["seed"]),  # noqa: S311 (synthetic data)
                out=self.stdout.write if options["verbosity"] > 1 else None,
            ).run()
        seconds = (timezone.now() - started).total_seconds()
        summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {seconds:.1f} s: {summary}."))


class Seeder:
    def __init__(self, *, patients: int, rng: random.Random, out: Any) -> None:
        self.patient_count = patients
        self.practitioner_count = max(2, round(patients / PATIENTS_PER_PRACTITIONER))
        self.appointment_target = patients * APPOINTMENTS_PER_PATIENT
        self.rng = rng
        self.out = out or (lambda line: None)
        self.reminded: set[int] = set()  # patients who accept reminder emails
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        first_day = self.today - datetime.timedelta(days=DAYS_BACK)
        self.diary = Diary(first_day=first_day, days=DAYS_BACK + DAYS_AHEAD)

    def run(self) -> dict[str, int]:
        # The demo staff and catalogue (ingredients, products, template cocktails) first:
        # the plans use those cocktails; the demo seeds are idempotent.
        clinic_demo.seed(self.out)
        cocktails_demo.seed(self.out)
        with connection.cursor() as cursor:
            self.cursor = cursor
            self.tables = {
                model: Table(cursor, model, self.now)
                for model in (
                    Room,
                    WorkingHours,
                    Patient,
                    Patient.history.model,
                    Consultation,
                    Consultation.history.model,
                    TreatmentPlan,
                    TreatmentSession,
                    InjectionPoint,
                    Lot,
                    LotUsage,
                    SessionLot,
                    Outcome,
                    Appointment,
                    OutboxMessage,
                )
            }
            practitioners = self._staff()
            rooms = self._rooms(practitioners)
            patient_ids = self._patients(practitioners)
            types = self._types()
            self._treatments(patient_ids, practitioners, rooms, types)
            self._other_appointments(patient_ids, practitioners, rooms, types)
            for table in self.tables.values():
                table.flush()
            # Later inserts through the ORM must not reuse the ids chosen here.
            models_ = list(self.tables)
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        return {
            "practitioners": len(practitioners),
            **{
                str(model._meta.verbose_name_plural): table.written
                for model, table in self.tables.items()
            },
        }

    # --- People and places -----------------------------------------------------------------

    def _staff(self) -> list[int]:
        User = get_user_model()
        group = Group.objects.get(name=Role.PRACTITIONER.value)
        users = []
        for n in range(1, self.practitioner_count + 1):
            user = User(
                username=f"{PRACTITIONER_PREFIX}{n:03d}",
                first_name=self.rng.choice(FIRST_NAMES),
                last_name=self.rng.choice(LAST_NAMES),
                email=f"{PRACTITIONER_PREFIX}{n:03d}@mesoclinic.test",
            )
            # Sessions are created for them directly (bench/run.py); nobody types a password.
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
        )
        self.out(f"{len(users)} practitioners")
        return [u.pk for u in users]

    def _rooms(self, practitioners: list[int]) -> dict[int, int]:
        """A room each: practitioner n works in room n of clinic n // 20, Monday to Friday."""
        rooms = {}
        hours = self.tables[WorkingHours]
        for index, practitioner in enumerate(practitioners):
            clinic, room = divmod(index, ROOMS_PER_CLINIC)
            rooms[practitioner] = self.tables[Room].add(
                name=f"Clinic {clinic + 1:02d} room {room + 1:02d}", position=index
            )
            for weekday in range(5):
                for starts, ends in WORKING_HOURS:
                    hours.add(
                        practitioner_id=practitioner,
                        weekday=weekday,
                        starts_at=starts,
                        ends_at=ends,
                    )
        return rooms

    def _patients(self, practitioners: list[int]) -> list[tuple[int, int]]:
        """(patient id, their usual practitioner) for every patient."""
        out = []
        rng = self.rng
        for n in range(self.patient_count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{first}.{last}.{n}@example.test".lower()
            phone = f"+336{rng.randrange(10**8):08d}"
            consent = self.now - datetime.timedelta(days=rng.randrange(30, 1000))
            practitioner = rng.choice(practitioners)
            wants_reminders = rng.random() < 0.7
            pk = self._created(
                Patient,
                by=practitioner,
                first_name=first,
                last_name=last,
                date_of_birth=datetime.date(rng.randrange(1950, 2005), rng.randrange(1, 13), 15),
                sex=rng.choice("FFFFMX"),
                email=email,
                phone=phone,
                fitzpatrick_type=rng.randrange(1, 7),
                reminder_consent_at=consent if wants_reminders else None,
                search_key=build_search_key(
                    first_name=first, last_name=last, email=email, phone=phone
                ),
            )
            self._created(
                Consultation,
                by=practitioner,
                patient_id=pk,
                practitioner_id=practitioner,
                consulted_on=self.today - datetime.timedelta(days=rng.randrange(1, DAYS_BACK)),
                goals="Fresher skin, fewer fine lines.",
                expectations_realistic="yes",
                pain_tolerance=rng.randrange(0, 11),
                needle_aversion="none",
                screening={},
            )
            out.append((pk, practitioner))
            if wants_reminders:
                self.reminded.add(pk)
        self.out(f"{len(out)} patients")
        return out

    def _created(self, model: type[models.Model], *, by: int, **values: Any) -> int:
        """A row and the creation entry django-simple-history writes beside it ("+", by whom,
        when: now, as the row's created_at), with the fields the history keeps."""
        table = self.tables[model]
        pk = table.add(**values)
        history = self.tables[model.history.model]
        history.add(
            **{
                name: value
                for name, value in {**table.defaults, **values}.items()
                if name in history.attnames
            },
            id=pk,
            history_date=self.now,
            history_type="+",
            history_user_id=by,
        )
        return pk

    def _types(self) -> dict[str, AppointmentType]:
        types = {}
        for name, kind, minutes, gap in (
            ("Consultation", AppointmentType.Kind.CONSULTATION, 30, 10),
            ("Treatment session", AppointmentType.Kind.TREATMENT, 45, 15),
            ("Review", AppointmentType.Kind.REVIEW, 20, 5),
        ):
            types[kind], _ = AppointmentType.objects.get_or_create(
                name=name,
                defaults={"kind": kind, "duration_minutes": minutes, "gap_after_minutes": gap},
            )
        return types

    # --- Appointments ----------------------------------------------------------------------

    def _start(self, day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=self.zone)

    def _appointment(
        self,
        *,
        patient: int,
        practitioner: int,
        room: int,
        kind: AppointmentType,
        start: datetime.datetime,
        status: str,
        plan_session: int | None = None,
    ) -> int:
        end = start + kind.duration
        cancelled = status == Appointment.Status.CANCELLED
        # Booked 2 to 60 days ahead, and before now: about 1 upcoming appointment in 50 was
        # booked in the last day (its confirmation email is still to go).
        booked = min(
            start - datetime.timedelta(days=self.rng.randrange(2, 60)),
            self.now - datetime.timedelta(minutes=self.rng.randrange(30, 60 * 24 * 50)),
        )
        pk = self.tables[Appointment].add(
            created_at=booked,
            updated_at=start if status == Appointment.Status.COMPLETED else booked,
            patient_id=patient,
            practitioner_id=practitioner,
            room_id=room,
            appointment_type_id=kind.pk,
            start=start,
            end=end,
            occupied_until=end + kind.gap_after,
            status=status,
            cancel_reason="Patient asked to cancel" if cancelled else "",
            cancelled_at=start - datetime.timedelta(days=2) if cancelled else None,
            arrived_at=start if status == Appointment.Status.COMPLETED else None,
            plan_session_id=plan_session,
            booked_by_id=practitioner,
        )
        if status == Appointment.Status.COMPLETED and patient in self.reminded:
            # The reminder that went before it: the outbox's history.
            sent = start - REMINDER_LEAD
            self.tables[OutboxMessage].add(
                patient_id=patient,
                kind=OutboxMessage.Kind.APPOINTMENT_REMINDER,
                key=appointment_key(pk, start, practitioner, REMINDER_LEAD),
                appointment_id=pk,
                event_at=start,
                practitioner_id=practitioner,
                lead=REMINDER_LEAD,
                due_at=sent,
                status=OutboxMessage.Status.SENT,
                attempts=1,
                sent_at=sent,
                sent_to="patient@example.test",
                created_at=sent,
            )
        return pk

    def _other_appointments(
        self,
        patients: list[tuple[int, int]],
        practitioners: list[int],
        rooms: dict[int, int],
        types: dict[str, AppointmentType],
    ) -> None:
        """Consultations and reviews, spread over the three years, up to the target count."""
        rng = self.rng
        left = self.appointment_target - self.tables[Appointment].pending
        left -= self.tables[Appointment].written
        kinds = [types[AppointmentType.Kind.CONSULTATION], types[AppointmentType.Kind.REVIEW]]
        attempts = 0
        while left > 0 and attempts < self.appointment_target * 3:
            attempts += 1
            patient, practitioner = rng.choice(patients)
            day = self.diary.first_day + datetime.timedelta(days=rng.randrange(self.diary.days))
            slot = self.diary.claim(rng, practitioner, day, search_days=3)
            if slot is None:
                continue
            start = self._start(*slot)
            if start < self.now:
                roll = rng.random()
                status = (
                    Appointment.Status.COMPLETED
                    if roll < 0.88
                    else Appointment.Status.CANCELLED
                    if roll < 0.95
                    else Appointment.Status.NO_SHOW
                )
            else:
                status = rng.choice(Appointment.UPCOMING)
            self._appointment(
                patient=patient,
                practitioner=practitioner,
                room=rooms[practitioner],
                kind=rng.choice(kinds),
                start=start,
                status=status,
            )
            left -= 1

    # --- Treatment courses -----------------------------------------------------------------

    def _catalogue(self) -> list[tuple[Cocktail, list[int]]]:
        """The template cocktails with the products their current version uses."""
        cocktails = list(Cocktail.objects.filter(patient=None, current__isnull=False))
        products: dict[int, list[int]] = {}
        for component in FormulationComponent.objects.filter(
            formulation__in=[c.current_id for c in cocktails], product__isnull=False
        ):
            products.setdefault(component.formulation_id, []).append(component.product_id)
        return [(c, products[c.current_id]) for c in cocktails if c.current_id in products]

    def _treatments(
        self,
        patients: list[tuple[int, int]],
        practitioners: list[int],
        rooms: dict[int, int],
        types: dict[str, AppointmentType],
    ) -> None:
        rng = self.rng
        catalogue = self._catalogue()
        if not catalogue:
            raise CommandError("No template cocktail with products: is the demo catalogue there?")
        lots = LotPlanner(first_day=self.diary.first_day, days=self.diary.days)
        t = self.tables
        treatment = types[AppointmentType.Kind.TREATMENT]
        last_course_day = self.diary.first_day + datetime.timedelta(days=self.diary.days - 60)
        for index, (patient, practitioner) in enumerate(patients):
            # One course each on average: the mean course is six sessions (INDICATION_DEFAULTS).
            for _ in range(rng.choice((0, 1, 1, 1, 2))):
                cocktail, product_ids = rng.choice(catalogue)
                start_day = self.diary.first_day + datetime.timedelta(
                    days=rng.randrange((last_course_day - self.diary.first_day).days)
                )
                self._course(
                    patient=patient,
                    practitioner=practitioner,
                    cocktail=cocktail,
                    product_ids=product_ids,
                    course=INDICATION_DEFAULTS[cocktail.indication],
                    start_day=start_day,
                    room=rooms[practitioner],
                    kind=treatment,
                    lots=lots,
                )
            # A few patients with a long history from the start of the diary: a weekly course,
            # then fortnightly maintenance, LONG_COURSE sessions in all (the benchmark's long
            # summary PDF).
            if index % LONG_COURSE_EVERY == 0:
                cocktail, product_ids = catalogue[0]
                self._course(
                    patient=patient,
                    practitioner=practitioner,
                    cocktail=cocktail,
                    product_ids=product_ids,
                    course=dataclasses.replace(
                        INDICATION_DEFAULTS[cocktail.indication],
                        initial_sessions=10,
                        interval_days=7,
                        maintenance_every_days=14,
                    ),
                    maintenance_sessions=LONG_COURSE - 10,
                    start_day=self.diary.first_day,
                    room=rooms[practitioner],
                    kind=treatment,
                    lots=lots,
                )
        lots.write(t[Lot], t[LotUsage], t[SessionLot])

    def _course(
        self,
        *,
        patient: int,
        practitioner: int,
        cocktail: Cocktail,
        product_ids: list[int],
        course: Any,
        start_day: datetime.date,
        room: int,
        kind: AppointmentType,
        lots: LotPlanner,
        maintenance_sessions: int = 0,
    ) -> None:
        rng = self.rng
        t = self.tables
        Kind = TreatmentSession.Kind
        steps = [(Kind.INITIAL, course.interval_days)] * course.initial_sessions
        steps += [(Kind.MAINTENANCE, course.maintenance_every_days)] * maintenance_sessions
        areas = [a for a, r in AREA_REGION.items() if r in course.regions][:2]
        diagram = next(iter(sorted(course.regions)))
        zones = [value for value, _ in zones_of(diagram)]
        # The plan's row goes in after its sessions, once its status is known; its
        # id is reserved now (foreign keys are checked at commit).
        plan = t[TreatmentPlan].next_id
        signed: list[tuple[int, datetime.datetime]] = []
        day = start_day
        for session_kind, interval in steps:
            slot = self.diary.claim(rng, practitioner, day)
            if slot is None:
                break
            day = slot[0] + datetime.timedelta(days=interval)
            start = self._start(*slot)
            if start < self.now:
                session = self._signed_session(
                    kind=session_kind,
                    plan=plan,
                    practitioner=practitioner,
                    patient=patient,
                    start=start,
                    formulation=cocktail.current_id,
                    product_ids=product_ids,
                    diagram=diagram,
                    zones=zones,
                    lots=lots,
                )
                if session_kind == Kind.INITIAL:
                    signed.append((session, start))
                status = Appointment.Status.COMPLETED
            else:
                session = t[TreatmentSession].add(plan_id=plan, kind=session_kind, reactions=[])
                status = rng.choice(Appointment.UPCOMING)
            self._appointment(
                patient=patient,
                practitioner=practitioner,
                room=room,
                kind=kind,
                start=start,
                status=status,
                plan_session=session,
            )
        self._plan(
            plan=plan,
            patient=patient,
            practitioner=practitioner,
            cocktail=cocktail,
            areas=areas,
            start_day=start_day,
            course=course,
            signed=signed,
        )

    def _signed_session(
        self,
        *,
        kind: str,
        plan: int,
        practitioner: int,
        patient: int,
        start: datetime.datetime,
        formulation: int,
        product_ids: list[int],
        diagram: str,
        zones: list[str],
        lots: LotPlanner,
    ) -> int:
        rng = self.rng
        t = self.tables
        session = t[TreatmentSession].next_id
        total = Decimal(0)
        for position in range(rng.randrange(3, 8)):
            volume = Decimal(rng.randrange(10, 50)) / 100
            total += volume
            t[InjectionPoint].add(
                session_id=session,
                position=position,
                diagram=diagram,
                x=round(rng.random(), 3),
                y=round(rng.random(), 3),
                zone=rng.choice(zones),
                depth_mm=Decimal(rng.randrange(10, 40)) / 10,
                volume_ml=volume,
            )
        t[TreatmentSession].add(
            id=session,
            plan_id=plan,
            kind=kind,
            status=TreatmentSession.Status.SIGNED,
            practitioner_id=practitioner,
            performed_at=start,
            started_at=start,
            contraindications_reviewed=True,
            consent_verified=True,
            photos_taken=rng.random() < 0.8,
            antiseptic=TreatmentSession.Antiseptic.CHLORHEXIDINE,
            formulation_id=formulation,
            technique=rng.choice(TreatmentSession.Technique.values),
            needle_gauge=rng.choice((30, 32)),
            needle_length_mm=Decimal(4),
            total_volume_ml=total,
            pain_score=rng.randrange(0, 6),
            reactions=rng.sample(TreatmentSession.Reaction.values, rng.randrange(0, 3)),
            aftercare="No make-up for 12 hours, no sun for 48 hours.",
            signed_at=start + datetime.timedelta(minutes=50),
            signed_by_id=practitioner,
        )
        for product in product_ids[:2]:
            lots.use(
                product=product,
                day=start.date(),
                session=session,
                patient=patient,
                practitioner=practitioner,
                formulation=formulation,
                used_at=start,
            )
        return session

    def _plan(
        self,
        *,
        plan: int,
        patient: int,
        practitioner: int,
        cocktail: Cocktail,
        areas: list[str],
        start_day: datetime.date,
        course: Any,
        signed: list[tuple[int, datetime.datetime]],
    ) -> None:
        """The plan, with the status its sessions give it, and a review of the result after
        the last signed session."""
        Status = TreatmentPlan.Status
        status, completed_at, next_maintenance = Status.ACCEPTED, None, None
        if signed:
            last_session, last_at = signed[-1]
            status = Status.IN_PROGRESS
            if len(signed) == course.initial_sessions and course.maintenance_every_days:
                status = Status.MAINTENANCE
                next_maintenance = last_at.date() + datetime.timedelta(
                    days=course.maintenance_every_days
                )
            elif len(signed) == course.initial_sessions:
                status, completed_at = Status.COMPLETED, last_at + datetime.timedelta(days=14)
        accepted_at = self._start(start_day, 8) - datetime.timedelta(days=7)
        self.tables[TreatmentPlan].add(
            id=plan,
            # Proposed at the consultation a week before acceptance, last changed by its
            # latest signed course session (not "now", which the summary PDF would print).
            created_at=min(accepted_at - datetime.timedelta(days=7), self.now),
            updated_at=min(max(signed[-1][1], accepted_at) if signed else accepted_at, self.now),
            patient_id=patient,
            practitioner_id=practitioner,
            indication=cocktail.indication,
            body_areas=areas,
            cocktail_id=cocktail.pk,
            initial_sessions=course.initial_sessions,
            interval_days=course.interval_days,
            maintenance_every_days=course.maintenance_every_days,
            start_date=start_day,
            status=status,
            accepted_at=accepted_at,
            accepted_estimate=Decimal("480.00"),
            completed_at=completed_at,
            next_maintenance_on=next_maintenance,
            created_by_id=practitioner,
        )
        if len(signed) >= 2:
            self.tables[Outcome].add(
                plan_id=plan,
                session_id=last_session,
                assessed_on=min(last_at.date() + datetime.timedelta(days=14), self.today),
                gais_practitioner=self.rng.randrange(1, 5),
                gais_patient=self.rng.randrange(1, 5),
                satisfaction=self.rng.randrange(3, 6),
                recorded_by_id=practitioner,
            )


class LotPlanner:
    """Lots of each product received every 60 days; each session uses a vial of the lot that
    was current on its day. Lots are written at the end, once their use is counted, so the
    stock figures add up (received = used + what is left)."""

    EVERY_DAYS = 60
    SHELF_DAYS = 540

    def __init__(self, *, first_day: datetime.date, days: int) -> None:
        self.first_day = first_day
        self.days = days
        self.uses: list[dict[str, Any]] = []
        self.used: Counter[tuple[int, int]] = Counter()

    def use(self, *, product: int, day: datetime.date, **row: Any) -> None:
        batch = max(0, (day - self.first_day).days) // self.EVERY_DAYS
        self.used[(product, batch)] += 1
        self.uses.append({"key": (product, batch), **row})

    def write(self, lots: Table, usages: Table, session_lots: Table) -> None:
        ids: dict[tuple[int, int], int] = {}
        for product, batch in sorted(self.used):
            received = self.first_day + datetime.timedelta(days=batch * self.EVERY_DAYS)
            used = self.used[(product, batch)]
            ids[(product, batch)] = lots.add(
                product_id=product,
                lot_number=f"B{received:%y%m}-{product:03d}",
                expiry_date=received + datetime.timedelta(days=self.SHELF_DAYS),
                received_on=received,
                quantity_received=used + 10,
                quantity_left=10,
            )
        for use in self.uses:
            lot = ids[use["key"]]
            usage = usages.add(
                lot_id=lot,
                quantity=1,
                volume_ml=Decimal("2.00"),
                patient_id=use["patient"],
                practitioner_id=use["practitioner"],
                used_at=use["used_at"],
                formulation_id=use["formulation"],
                reference=f"Session {use['session']}",
            )
            session_lots.add(
                session_id=use["session"],
                lot_id=lot,
                vials=1,
                volume_ml=Decimal("2.00"),
                usage_id=usage,
            )
