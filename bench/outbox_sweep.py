"""How long the patient-email sweep takes with 100,000 appointments (issue 7: "seconds, not
minutes"). Not a test: run it by hand on a PostgreSQL database you can fill and throw away.

    DEBUG=1 DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/mc_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/outbox_sweep.py

It migrates, fills the database with N appointments (default 100,000) for 5,000 patients over
the coming months, 2% of them booked in the last day, then times a first sweep (which plans
every confirmation and reminder due) and the steady-state sweep beat runs every minute. Send
tasks go to the broker and are thrown away (Redis database 5 is emptied at the end).
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from patients.models import Patient  # noqa: E402
from scheduling import clock  # noqa: E402
from scheduling.models import Appointment, AppointmentType, OutboxMessage, Room  # noqa: E402
from scheduling.outbox.services import outbox_sweep  # noqa: E402

N = int(os.environ.get("BENCH_APPOINTMENTS", "100000"))
LANES = 50  # practitioners and rooms, so appointments never overlap


def fill() -> None:
    rng = random.Random(7)
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}", first_name="Dr", last_name=f"Bench{i}")
        for i in range(LANES)
    )
    rooms = Room.objects.bulk_create(Room(name=f"Bench room {i}") for i in range(LANES))
    kind, _ = AppointmentType.objects.get_or_create(
        name="Bench session", defaults={"kind": "treatment", "duration_minutes": 45}
    )
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"P{i}",
            last_name="Bench",
            date_of_birth=datetime.date(1980, 1, 1),
            email=f"p{i}@bench.test",
            reminder_consent_at=now - datetime.timedelta(days=400) if i % 5 else None,
        )
        for i in range(5000)
    )
    rows = []
    for i in range(N):
        start = now + datetime.timedelta(hours=1 + i // LANES)
        rows.append(
            Appointment(
                patient=rng.choice(patients),
                practitioner=users[i % LANES],
                room=rooms[i % LANES],
                appointment_type=kind,
                start=start,
                end=start + datetime.timedelta(minutes=45),
                occupied_until=start + datetime.timedelta(minutes=45),
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=5000)
    # Most were booked weeks ago; 2% in the last day (they get confirmations).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointment SET created_at = now() - interval '30 days', "
            "updated_at = now() - interval '30 days' WHERE id % 50 <> 0"
        )
        cursor.execute("ANALYZE")


def timed(label: str) -> None:
    started = time.perf_counter()
    report = outbox_sweep()
    print(f"{label}: {time.perf_counter() - started:.2f} s, {report}")


def main() -> None:
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("Run this on PostgreSQL.")
    call_command("migrate", verbosity=0)
    if not Appointment.objects.exists():
        started = time.perf_counter()
        fill()
        print(f"filled {N} appointments in {time.perf_counter() - started:.0f} s")
    OutboxMessage.objects.all().delete()
    timed("first sweep (plans everything due)")
    timed("next sweep (steady state, every minute)")
    timed("next sweep again")
    print(f"outbox rows: {OutboxMessage.objects.count()}")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


if __name__ == "__main__":
    main()
