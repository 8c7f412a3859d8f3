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
from scheduling.models import TimeOff
from scheduling.services import time_off_add

roles_sync()
manager = staff_create(username="boss", password="x", role=Role.ADMIN)
day = clock.local_today() + datetime.timedelta(days=7)
time_off_add(practitioner=None, first_day=day, last_day=day, reason="strike", by=manager)
try:
    time_off_add(practitioner=None, first_day=day, last_day=day, reason="works", by=manager)
except ValidationError as refused:
    print("refused:", refused.message_dict["first_day"][0])
# Written past the service, an overlapping closure is saved: PostgreSQL's exclusion
# constraints do not exist here, and model validation skips them.
TimeOff(first_day=day, last_day=day, reason="script").full_clean()
TimeOff.objects.create(first_day=day, last_day=day, reason="script")
print("closures:", TimeOff.objects.count())
"""


def test_closures_are_recorded_and_kept_apart_on_sqlite(sqlite_database):
    # No advisory lock there: SQLite lets one transaction write at a time by itself.
    printed = run_on_sqlite(sqlite_database, CLOSURES)
    assert "refused: These days overlap a day off already recorded: The clinic is closed" in printed
    assert "closures: 2" in printed


# Two requests of `make run` (runserver serves each in its own thread) that read and then
# write in one transaction. SQLite's default deferred transactions would take the write lock
# only at the first write: the second to write then fails at once with "database is locked"
# (a 500), the wait for the lock (`timeout`) being no help to a reader already holding its
# snapshot. Transactions that begin IMMEDIATE queue for the lock instead.
CONCURRENT_WRITERS = """
import datetime, threading, time
import django
django.setup()
from django.db import connection, transaction
from scheduling.models import TimeOff

outcomes = []

def record(offset):
    try:
        with transaction.atomic():
            TimeOff.objects.filter(practitioner__isnull=True).count()  # the overlap check's read
            time.sleep(0.3)  # the other thread reads meanwhile
            day = datetime.date(2030, 1, 1) + datetime.timedelta(days=offset)
            TimeOff.objects.create(first_day=day, last_day=day, reason="works")
        outcomes.append("saved")
    except Exception as error:
        outcomes.append(f"{type(error).__name__}: {error}")
    finally:
        connection.close()

threads = [threading.Thread(target=record, args=(n,)) for n in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(sorted(outcomes), TimeOff.objects.count())
"""


def test_concurrent_transactions_wait_for_each_other_on_sqlite(sqlite_database):
    printed = run_on_sqlite(sqlite_database, CONCURRENT_WRITERS)
    assert printed.strip() == "['saved', 'saved'] 2"
