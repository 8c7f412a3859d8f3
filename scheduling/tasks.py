"""Celery tasks for scheduling: the patient-email sweep and the send of one message.

Tasks take primary keys and call the outbox services (scheduling/outbox/services.py), where
"exactly once" is kept. Here is only the Celery side: late acknowledgement (a task lost with
its worker is delivered again), retries with exponential backoff while the mail server is
unreachable, time limits, and `on_failure` marking the message failed for any error no retry
covers.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import Task, shared_task
from celery.contrib.django.task import DjangoTask
from django.conf import settings

from scheduling.outbox import services

logger = logging.getLogger(__name__)

# Worth another attempt: the mail server is down, slow, or answered "try again later".
# outbox_record_failure turns the permanent ones (5xx answers) into a failure at once.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_outbox() -> None:
    """Beat runs this every minute (CELERY_BEAT_SCHEDULE)."""
    report = services.outbox_sweep()
    if report.cancelled or report.planned or report.queued:
        logger.info(
            "outbox: %d planned, %d cancelled, %d queued",
            report.planned,
            report.cancelled,
            report.queued,
        )


class OutboxSendTask(DjangoTask):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # An error that is not the mail server's (a template bug, the time limit): the
        # message must not stay pending for ever, nor vanish.
        message_id = kwargs.get("message_id", args[0] if args else None)
        if message_id is not None:
            services.outbox_mark_failed(
                message_id=message_id, reason=f"Unexpected error while sending: {exc!r}"
            )


@shared_task(
    bind=True,
    base=OutboxSendTask,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The attempts are counted on the row (OUTBOX_MAX_ATTEMPTS), which outlives any task.
    max_retries=None,
    soft_time_limit=max(30, settings.EMAIL_TIMEOUT * 3),
    time_limit=max(45, settings.EMAIL_TIMEOUT * 3 + 15),
)
def send_outbox_message(self: Task, message_id: int) -> str:
    try:
        return services.outbox_send(message_id=message_id)
    except MAIL_ERRORS as error:
        # In-process (no broker: development and unit tests) nobody would run a retry later,
        # so the first failure is shown to staff at once.
        failure = services.outbox_record_failure(
            message_id=message_id, error=error, give_up=bool(self.request.is_eager)
        )
        if failure.final:
            return "failed"
        raise self.retry(exc=error, countdown=failure.retry_in) from error
