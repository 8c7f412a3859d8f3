"""Patient emails with the real stack: Redis, a Celery worker process, a mail server on
loopback. A due reminder arrives once; an outage of the mail server delays messages and loses
none; the last failed attempt marks the message failed; a worker killed in the middle of a
batch, then replaced, sends nothing twice and loses nothing."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from scheduling import clock
from scheduling.models import Appointment, OutboxMessage
from scheduling.tasks import sweep_outbox
from tests.integration.celery_worker import wait_for
from tests.integration.smtp import SMTPServer
from tests.scheduling.factories import AppointmentFactory, PatientFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = OutboxMessage.Status
# Retries within seconds, not minutes.
FAST_RETRIES = {
    "OUTBOX_RETRY_BACKOFF_SECONDS": "1",
    "OUTBOX_RETRY_BACKOFF_MAX_SECONDS": "1",
    "OUTBOX_REQUEUE_AFTER_SECONDS": "2",
    "EMAIL_TIMEOUT": "3",
}


@pytest.fixture
def mail_server():
    server = SMTPServer()
    yield server
    server.stop()


def smtp_env(server: SMTPServer, **extra: str) -> dict[str, str]:
    return {"EMAIL_URL": f"smtp://127.0.0.1:{server.port}", **FAST_RETRIES, **extra}


def due_reminders(practitioner, count: int) -> list[Appointment]:
    """Patients booked a month ago for tomorrow: their 48-hour reminders are due now."""
    now = clock.now()
    made = []
    for index in range(count):
        patient = PatientFactory(
            first_name=f"Patient{index}",
            email=f"patient{index}@example.test",
            reminder_consent_at=now - datetime.timedelta(days=60),
        )
        made.append(
            AppointmentFactory(
                patient=patient,
                practitioner=practitioner,
                start=now + datetime.timedelta(hours=30 + index),
            )
        )
    Appointment.objects.update(
        created_at=now - datetime.timedelta(days=30), updated_at=now - datetime.timedelta(days=30)
    )
    return made


def reminders(status: str | None = None):
    rows = OutboxMessage.objects.filter(lead=datetime.timedelta(hours=48))
    return rows.filter(status=status) if status else rows


def received(server: SMTPServer) -> Counter:
    return Counter(message["To"] for message in server.messages)


def test_a_due_reminder_arrives_once_through_the_real_stack(
    practitioner, celery_worker, mail_server
):
    mail_server.start()
    due_reminders(practitioner, 1)
    worker = celery_worker(**smtp_env(mail_server))
    # Beat ticks twice in a row: the second tick finds nothing new to send.
    sweep_outbox.delay()
    sweep_outbox.delay()
    wait_for(lambda: reminders(Status.SENT).count() == 1)
    worker.wait_idle()
    assert received(mail_server) == {"patient0@example.test": 1}
    [message] = mail_server.messages
    assert message["Subject"].startswith("Reminder: your appointment on ")
    assert message["Message-ID"] == f"<outbox-{reminders().get().pk}@127.0.0.1>"


def test_a_mail_server_outage_delays_every_message_and_loses_none(
    practitioner, celery_worker, mail_server
):
    due_reminders(practitioner, 3)
    worker = celery_worker(**smtp_env(mail_server, OUTBOX_MAX_ATTEMPTS="20"))
    sweep_outbox.delay()
    # The server is down: each message fails, is counted, and waits for its retry.
    wait_for(lambda: reminders().filter(attempts__gte=2).count() == 3, timeout=15)
    assert set(reminders().values_list("status", flat=True)) == {Status.PENDING}
    assert "could not be reached" in reminders().first().reason

    mail_server.start()
    wait_for(lambda: reminders(Status.SENT).count() == 3, timeout=15)
    worker.wait_idle()
    assert received(mail_server) == {f"patient{index}@example.test": 1 for index in range(3)}


def test_after_the_last_attempt_the_message_is_failed_with_the_reason(
    practitioner, celery_worker, mail_server
):
    due_reminders(practitioner, 1)
    worker = celery_worker(**smtp_env(mail_server, OUTBOX_MAX_ATTEMPTS="3"))
    sweep_outbox.delay()
    wait_for(lambda: reminders(Status.FAILED).exists(), timeout=15)
    worker.wait_idle()
    message = reminders().get()
    assert message.attempts == 3
    assert message.reason == "The mail server could not be reached (Connection refused)."
    # Nothing retries a failed message by itself: it waits for staff.
    sweep_outbox.delay()
    worker.wait_idle()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)


def test_a_worker_killed_mid_batch_then_replaced_sends_nothing_twice_and_loses_nothing(
    practitioner, celery_worker, mail_server
):
    due_reminders(practitioner, 8)
    mail_server.start()
    # Three messages go through; the fourth send is held at MAIL FROM, its row locked.
    holding = mail_server.hold_after(3)
    first = celery_worker(**smtp_env(mail_server))
    sweep_outbox.delay()
    assert holding.wait(timeout=15), first.log[-3000:]
    first.kill()
    mail_server.release()
    assert len(mail_server.messages) == 3

    second = celery_worker(**smtp_env(mail_server))

    def all_sent() -> bool:
        # Beat keeps ticking: it queues again what the dead worker had taken.
        sweep_outbox.delay()
        return reminders(Status.SENT).count() == 8

    wait_for(all_sent, timeout=20, every=1)
    second.wait_idle()
    assert received(mail_server) == {f"patient{index}@example.test": 1 for index in range(8)}
