"""Celery tasks of the treatments app: building batches of summaries, expiring old ones.

Tasks take primary keys and call the services (treatments/exports/services.py), which hold
the rules; the task only adds delivery concerns: time limits, a retry when the database is
briefly unreachable before the job is claimed, and marking the job failed when it breaks.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from treatments.exports import services

logger = logging.getLogger(__name__)


class ExportBuildTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id = kwargs.get("job_id", args[0] if args else None)
        logger.error("Batch export #%s failed: %r", job_id, exc)
        if job_id is not None:
            # The build marks its own failures; this catches what broke around it.
            services.export_job_fail(job_id=job_id, error=services.BROKE)


@shared_task(
    bind=True,
    base=ExportBuildTask,
    acks_late=True,
    max_retries=5,
    time_limit=settings.EXPORT_BATCH_TIME_LIMIT,
    soft_time_limit=settings.EXPORT_BATCH_TIME_LIMIT - 60,
)
def export_build(self: Task, job_id: int) -> int | None:
    """Build batch export `job_id` (see services.export_job_build); returns its zip size."""
    try:
        job = services.export_job_claim(job_id=job_id)
    except (OperationalError, InterfaceError) as error:
        # The database was unreachable before anything happened: safe to try again later.
        raise self.retry(exc=error, countdown=2**self.request.retries) from error
    if job is None:
        return None
    return services.export_job_build(job=job).size


@shared_task
def exports_expire() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): delete expired batch files, fail stale builds."""
    return services.export_jobs_expire()
