"""Demo patient emails for `manage.py seed_demo`, as if the outbox had been running for weeks:
confirmations and reminders sent, reminders waiting for their time, one email the mail server
refused (so the front desk has something to resend) and one not sent because the appointment
was cancelled. Called at the end of scheduling/demo.py; idempotent (nothing when any email
exists already). The keys are the ones the sweep would make, so it plans nothing twice."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Callable

from scheduling import clock
from scheduling.models import Appointment, OutboxMessage
from scheduling.outbox.kinds import reachable
from scheduling.outbox.services import describe_error
from scheduling.reminders import appointment_key, reminder_leads

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
DAY = datetime.timedelta(days=1)
# What a real server answers for a mistyped address.
REFUSED = describe_error(
    smtplib.SMTPRecipientsRefused({"x": (550, b"5.1.1 Recipient address rejected: User unknown")})
)[1]


def seed(out: Callable[[str], None]) -> None:
    if OutboxMessage.objects.exists():
        return
    now = clock.now()
    appointments = list(
        Appointment.objects.filter(
            reachable("patient__"), start__gte=now - 14 * DAY, start__lte=now + 60 * DAY
        ).select_related("patient")
    )
    rows: list[OutboxMessage] = []
    for appointment in appointments:
        booked = appointment.start - 7 * DAY
        rows.append(_row(appointment, Kind.CONFIRMATION, min(booked, now - DAY), now))
        if appointment.start > now + 2 * DAY:
            continue
        for lead in reminder_leads():
            rows.append(
                _row(appointment, Kind.APPOINTMENT_REMINDER, appointment.start - lead, now, lead)
            )
    _trouble(rows, now)
    OutboxMessage.objects.bulk_create(rows)
    out(f"created {len(rows)} patient emails")


def _row(
    appointment: Appointment,
    kind: str,
    due_at: datetime.datetime,
    now: datetime.datetime,
    lead: datetime.timedelta | None = None,
) -> OutboxMessage:
    cancelled = appointment.status == Appointment.Status.CANCELLED and due_at > (
        appointment.cancelled_at or now
    )
    sent = due_at <= now and not cancelled
    return OutboxMessage(
        patient=appointment.patient,
        kind=kind,
        key=appointment_key(appointment.pk, appointment.start, appointment.practitioner_id, lead),
        appointment=appointment,
        event_at=appointment.start,
        practitioner_id=appointment.practitioner_id,
        lead=lead,
        due_at=due_at,
        status=Status.SENT if sent else Status.CANCELLED if cancelled else Status.PENDING,
        reason="The appointment was cancelled." if cancelled else "",
        attempts=1 if sent else 0,
        sent_at=due_at + datetime.timedelta(seconds=40) if sent else None,
        sent_to=appointment.patient.email if sent else "",
    )


def _trouble(rows: list[OutboxMessage], now: datetime.datetime) -> None:
    """One reminder of the last day failed for good: its address was refused."""
    recent = [
        row for row in rows if row.lead and row.status == Status.SENT and row.due_at > now - DAY
    ]
    if recent:
        failed = max(recent, key=lambda row: row.due_at)
        failed.status, failed.reason, failed.attempts = Status.FAILED, REFUSED, 1
        failed.sent_at, failed.sent_to = None, ""
