"""Writes for exports: asking for a batch of summaries, building it, expiring old files.

A batch is built by ``treatments.tasks.export_build`` (a Celery worker, never the request):
the job is claimed with a conditional UPDATE so that it is built once however often its
message is delivered; each plan's summary is rendered to a temporary file on disk and copied
into the zip, so memory holds one document at a time whatever the size of the batch. The zip
is written as ``<name>.part`` and renamed once complete: a half-built file is never offered.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import secrets
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.audit import audit_record
from clinic.lib.csvstream import csv_lines
from clinic.models import AuditEvent
from treatments.exports.documents import summary_filename, summary_pdf
from treatments.exports.models import ExportJob
from treatments.exports.selectors import plans_for_batch, summary_document
from treatments.models import TreatmentPlan

if TYPE_CHECKING:
    from clinic.roles import User

logger = logging.getLogger(__name__)
Status = ExportJob.Status
EXPORT_DIR = "exports"
BROKE = (
    "Building the summaries failed. Start the export again; if it fails again, tell the "
    "clinic's IT contact."
)
TOO_LONG = "The export took longer than allowed: export fewer plans at once (shorter dates)."
# The zip's index.csv: one row per summary in it.
INDEX_HEADER = ("File", "Patient", "Date of birth", "Record", "Plan", "Indication", "Status")


@transaction.atomic
def export_job_create(
    *,
    by: User,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    indication: str = "",
) -> ExportJob:
    """Ask for the summaries of the plans of `indication` and/or with sessions within the
    dates; the batch is built by a worker once this transaction commits. Refused, keyed by
    field, without a filter, with the dates the wrong way round, or when no plan matches."""
    if not (date_from or date_to or indication):
        raise ValidationError("Choose an indication, a date range or both.")
    if date_from and date_to and date_from > date_to:
        raise ValidationError({"date_to": "The end date is before the start date."})
    total = plans_for_batch(date_from=date_from, date_to=date_to, indication=indication).count()
    if not total:
        raise ValidationError("No treatment plan matches: there is nothing to export.")
    job = ExportJob.objects.create(
        created_by=by, date_from=date_from, date_to=date_to, indication=indication, total=total
    )
    # Imported here: the task module imports this one.
    from treatments.tasks import export_build

    transaction.on_commit(lambda: export_build.delay(job.pk))
    return job


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def export_job_claim(*, job_id: int) -> ExportJob | None:
    """Move a queued job to running and name its file; None when it is not queued any more
    (another delivery of the same message claimed it, or it failed)."""
    name = f"{EXPORT_DIR}/{job_id}-{secrets.token_hex(12)}.zip"
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now(), done=0, file=name
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("created_by").get(pk=job_id)


def export_job_build(*, job: ExportJob) -> ExportJob:
    """Build a claimed job's batch: each matching plan's summary into one zip file, with an
    index.csv. Progress (`done`) is saved after each summary. Every patient exported gets an
    EXPORT entry in the audit log, in the name of who asked for the batch. If anything
    breaks, the job is marked failed and its partial file removed before the error goes on."""
    final = Path(default_storage.path(job.file.name))
    try:
        _write_zip(job, final)
    except BaseException as error:
        export_job_fail(
            job_id=job.pk, error=TOO_LONG if isinstance(error, SoftTimeLimitExceeded) else BROKE
        )
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=Status.READY,
        size=final.stat().st_size,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    job.refresh_from_db()
    return job


def _write_zip(job: ExportJob, final: Path) -> None:
    plan_ids = list(
        plans_for_batch(
            date_from=job.date_from, date_to=job.date_to, indication=job.indication
        ).values_list("pk", flat=True)
    )
    # The plans matching may have changed since the job was asked for.
    ExportJob.objects.filter(pk=job.pk).update(total=len(plan_ids))
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(final)
    index: list[tuple[object, ...]] = []
    # PDFs are compressed already: the zip stores them as they are.
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for plan_id in plan_ids:
            plan = TreatmentPlan.objects.select_related("patient", "practitioner", "cocktail").get(
                pk=plan_id
            )
            name = _add_summary(archive, plan, job, workdir=final.parent)
            patient = plan.patient
            index.append(
                (
                    name,
                    patient.full_name,
                    patient.date_of_birth.isoformat(),
                    patient.pk,
                    plan.pk,
                    plan.get_indication_display(),
                    plan.get_status_display(),
                )
            )
            ExportJob.objects.filter(pk=job.pk).update(done=F("done") + 1)
        archive.writestr("index.csv", "".join(csv_lines(INDEX_HEADER, index)))
    os.replace(partial, final)


def _add_summary(
    archive: zipfile.ZipFile, plan: TreatmentPlan, job: ExportJob, *, workdir: Path
) -> str:
    """Render the plan's summary to a temporary file in `workdir`, copy it into the zip and
    record the export; returns its name in the zip."""
    document = summary_document(patient=plan.patient, by=job.created_by, plans=[plan])
    name = summary_filename(patient=plan.patient, plan=plan)
    with tempfile.NamedTemporaryFile(dir=workdir, suffix=".pdf") as rendered:
        summary_pdf(document=document, target=rendered)
        rendered.flush()
        archive.write(rendered.name, arcname=name)
    audit_record(
        request=None,
        user=job.created_by,
        action=AuditEvent.Action.EXPORT,
        patient=plan.patient,
        what=f"Treatment summary (plan #{plan.pk}) in batch export #{job.pk}",
    )
    return name


def export_job_fail(*, job_id: int, error: str) -> None:
    """Mark a queued or running job failed and remove what it left on disk."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    updated = ExportJob.objects.filter(pk=job_id, status__in=ExportJob.ACTIVE).update(
        status=Status.FAILED, finished_at=timezone.now(), error=error[:300]
    )
    if updated and job.file:
        _delete_files(job.file.name)


def _delete_files(name: str) -> None:
    path = Path(default_storage.path(name))
    for file in (path, _partial(path)):
        # Already gone, or its folder never made: nothing to delete either way.
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            file.unlink()


def export_jobs_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete the zip files past their expiry (the rows stay, marked expired), and fail the
    builds that outlived the task's time limit (a worker that died mid-batch). Returns how
    many jobs changed."""
    now = now or timezone.now()
    changed = 0
    for job in ExportJob.objects.filter(status=Status.READY, expires_at__lte=now):
        _delete_files(job.file.name)
        changed += ExportJob.objects.filter(pk=job.pk, status=Status.READY).update(
            status=Status.EXPIRED, expired_at=now, file=""
        )
    stale = now - datetime.timedelta(seconds=settings.EXPORT_BATCH_TIME_LIMIT + 600)
    interrupted = ExportJob.objects.filter(
        Q(started_at__lt=stale) | Q(started_at__isnull=True, created_at__lt=stale),
        status__in=ExportJob.ACTIVE,
    )
    for job in interrupted:
        logger.warning("Batch export #%s never finished: marked failed", job.pk)
        export_job_fail(job_id=job.pk, error="The export was interrupted. Start it again.")
        changed += 1
    return changed
