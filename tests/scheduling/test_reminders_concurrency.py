"""Exactly once under concurrency, on PostgreSQL: sweeps and send tasks in threads, each with
its own database connection, as two workers would run them."""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection

from scheduling import clock
from scheduling.models import OutboxMessage
from scheduling.outbox.services import outbox_send, outbox_sweep
from scheduling.reminders import APPOINTMENT_REMINDER
from tests.scheduling.conftest import MONDAY, at
from tests.scheduling.reminder_scenes import LONG_AGO, Status, book, consenting_patient

pytestmark = pytest.mark.django_db(transaction=True)
HOUR = datetime.timedelta(hours=1)


def in_threads(*work: Callable[[], object]) -> list[object]:
    """Run each callable in its own thread (and connection), all starting together."""
    start = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[], object]) -> None:
        try:
            start.wait(timeout=10)
            results[index] = job()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


@pytest.fixture
def due_reminders(clinic, treatment):
    """Six patients booked long ago for this afternoon: their 48-hour reminders are due."""
    starts = [at(MONDAY, hhmm) for hhmm in ("11:00", "14:00", "15:00", "16:00", "17:00")]
    starts.append(at(MONDAY + datetime.timedelta(days=1), "09:00"))
    for index, start in enumerate(starts):
        patient = consenting_patient(first_name=f"P{index}", email=f"p{index}@example.test")
        book(clinic, patient, treatment, start, booked_at=LONG_AGO)


def test_two_sweeps_at_once_plan_and_send_each_reminder_once(due_reminders):
    in_threads(outbox_sweep, outbox_sweep)
    assert OutboxMessage.objects.count() == 12  # 48 and 2 hours before, six patients
    assert OutboxMessage.objects.filter(status=Status.SENT).count() == 6
    assert Counter(tuple(message.to) for message in mail.outbox) == {
        (f"p{index}@example.test",): 1 for index in range(6)
    }


def test_a_second_task_for_a_message_being_sent_skips_it(due_reminders, smtp_server):
    # One due reminder, planned but not sent yet.
    [message] = [m for m in APPOINTMENT_REMINDER.plan(clock.now()) if m.lead == 48 * HOUR][:1]
    message.save()
    # The mail server keeps the first task waiting at MAIL FROM: it holds the row's lock.
    holding = smtp_server.hold_after(0)
    first = threading.Thread(
        target=lambda: (outbox_send(message_id=message.pk), connection.close())
    )
    first.start()
    assert holding.wait(timeout=10)
    assert in_threads(lambda: outbox_send(message_id=message.pk)) == ["skipped"]
    smtp_server.release()
    first.join(timeout=10)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(smtp_server.messages) == 1
