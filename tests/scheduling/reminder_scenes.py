"""Scenes for the patient-email tests (tests/scheduling/test_reminders*.py).

The clock is the scheduling tests' one: Monday 16 March 2026, 08:00 in Paris. Appointments are
booked and moved through the real services; the sweep runs as beat would run it, and the send
tasks it queues after commit run in-process (tests use Celery's eager mode).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core import mail
from django.test import TestCase

from scheduling import services
from scheduling.models import Appointment, OutboxMessage
from scheduling.outbox.services import SweepReport, outbox_sweep
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.factories import AppointmentFactory, PatientFactory

TUESDAY = MONDAY + datetime.timedelta(days=1)
WEDNESDAY = MONDAY + datetime.timedelta(days=2)
THURSDAY = MONDAY + datetime.timedelta(days=3)
LONG_AGO = at(MONDAY, "08:00") - datetime.timedelta(days=30)
Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
REFUSED = "The mail server could not be reached (Connection refused)."


def consenting_patient(**extra) -> object:
    fields = {
        "first_name": "Juliette",
        "last_name": "Dubois",
        "email": "juliette@example.test",
        "reminder_consent_at": LONG_AGO,
        **extra,
    }
    return PatientFactory(**fields)


def book(practitioner, patient, appointment_type, start, *, booked_at=None) -> Appointment:
    """Book through the service; `booked_at` pretends it happened then (a week ago…)."""
    appointment = services.appointment_book(
        patient=patient,
        practitioner=practitioner,
        appointment_type=appointment_type,
        start=start,
        booked_by=practitioner,
    )
    if booked_at is not None:
        Appointment.objects.filter(pk=appointment.pk).update(
            created_at=booked_at, updated_at=booked_at
        )
        appointment.refresh_from_db()
    return appointment


def committed():
    """Run what the block queues "after commit" at its end: a test's transaction never
    commits, and the send tasks are queued that way."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def sweep() -> SweepReport:
    """Run the sweep like beat, and the send tasks it queues after its commits (the test's
    transaction never commits, so its on-commit callbacks are run here)."""
    with committed():
        return outbox_sweep()


def rows(**filters) -> list[tuple[str, str, str]]:
    """(kind, status, key) of the outbox rows, oldest first."""
    return list(
        OutboxMessage.objects.filter(**filters).order_by("pk").values_list("kind", "status", "key")
    )


def sent_subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def reminder_rows(
    practitioner, hours: Iterator[int], count: int, *, status=Status.SENT, patient=None
) -> list[OutboxMessage]:
    """`count` 2-hour reminders in the outbox, each about its own appointment with the
    practitioner on Tuesday, an hour apart (the next of `hours` after 09:00), made directly:
    for the pages that list them, not for the rules that plan them."""
    made = []
    for _ in range(count):
        index = next(hours)
        who = patient or consenting_patient(first_name=f"P{index}", email=f"p{index}@example.test")
        appointment = AppointmentFactory(
            patient=who,
            practitioner=practitioner,
            start=at(MONDAY, "09:00") + datetime.timedelta(days=1, hours=index),
        )
        made.append(
            OutboxMessage.objects.create(
                patient=who,
                kind=Kind.APPOINTMENT_REMINDER,
                key=f"appointment:{appointment.pk}/120m",
                appointment=appointment,
                event_at=appointment.start,
                practitioner=practitioner,
                lead=datetime.timedelta(hours=2),
                due_at=appointment.start - datetime.timedelta(hours=2),
                status=status,
                attempts=6 if status == Status.FAILED else 1,
                reason=REFUSED if status == Status.FAILED else "",
                sent_at=appointment.start if status == Status.SENT else None,
            )
        )
    return made
