"""The same migrations run on SQLite (no exclusion constraints there), and the booking service
still refuses a double booking: the newcomer's `make run` database keeps the rule."""

from __future__ import annotations

from tests.sqlite import run_on_sqlite

SCRIPT = """
import datetime
import django
django.setup()
from django.db import connection
from clinic.roles import Role
from clinic.services import roles_sync, staff_create
from patients.models import Patient
from scheduling import clock
from scheduling.availability import SlotUnavailable
from scheduling.models import AppointmentType, Room, WorkingHours
from scheduling.services import appointment_book

assert connection.vendor == "sqlite"
with connection.cursor() as cursor:
    cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'scheduling_appointment'")
    assert "EXCLUDE" not in cursor.fetchone()[0].upper()
roles_sync()
doctor = staff_create(username="doc", password="x", role=Role.PRACTITIONER)
day = clock.local_today() + datetime.timedelta(days=7)
WorkingHours.objects.create(
    practitioner=doctor,
    weekday=day.weekday(),
    starts_at=datetime.time(9),
    ends_at=datetime.time(17),
)
Room.objects.create(name="A")
Room.objects.create(name="B")
kind = AppointmentType.objects.create(
    name="Session", kind="treatment", duration_minutes=45, gap_after_minutes=15
)
patients = [
    Patient.objects.create(first_name=n, last_name="X", date_of_birth=datetime.date(1990, 1, 1))
    for n in ("A", "B")
]
start = clock.at(day, datetime.time(10))
appointment_book(
    patient=patients[0], practitioner=doctor, appointment_type=kind, start=start, booked_by=doctor
)
try:
    appointment_book(
        patient=patients[1],
        practitioner=doctor,
        appointment_type=kind,
        start=start + datetime.timedelta(minutes=50),
        booked_by=doctor,
    )
except SlotUnavailable as refused:
    print("refused:", refused.message_dict["start"][0], len(refused.alternatives))
"""


def test_migrations_and_the_booking_rule_on_sqlite(sqlite_database):
    printed = run_on_sqlite(sqlite_database, SCRIPT)
    assert "refused: doc already has an appointment at that time. 3" in printed


CLOSURES = """
import datetime
import django
django.setup()
from django.core.exceptions import ValidationError
from clinic.roles import Role
from clinic.services import roles_sync, staff_create
from scheduling import clock
from scheduling.services import time_off_add

roles_sync()
manager = staff_create(username="boss", password="x", role=Role.ADMIN)
day = clock.local_today() + datetime.timedelta(days=7)
time_off_add(practitioner=None, first_day=day, last_day=day, reason="strike", by=manager)
try:
    time_off_add(practitioner=None, first_day=day, last_day=day, reason="works", by=manager)
except ValidationError as refused:
    print("refused:", refused.message_dict["first_day"][0])
"""


def test_closures_are_recorded_and_kept_apart_on_sqlite(sqlite_database):
    # No advisory lock there: SQLite lets one transaction write at a time by itself.
    printed = run_on_sqlite(sqlite_database, CLOSURES)
    assert "refused: These days overlap a day off already recorded: The clinic is closed" in printed
