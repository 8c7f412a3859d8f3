"""A batch of treatment summaries built by a real Celery worker (through Redis), read back."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from clinic.models import AuditEvent
from tests.integration.celery_worker import wait_for
from tests.treatments.courses import make_clinic, make_courses
from treatments.exports.models import ExportJob

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PATIENTS = (("Ana", "Sørensen"), ("Bruno", "Keller"), ("山田", "花子"))


def test_a_worker_builds_a_zip_whose_pdfs_parse(
    celery_worker, admin_client, admin_user, practitioner
):
    # The worker writes the zip where this process serves it from.
    worker = celery_worker(MEDIA_ROOT=str(settings.MEDIA_ROOT))
    clinic = make_clinic(admin=admin_user, practitioner=practitioner)
    plans = make_courses(
        clinic, practitioner=practitioner, names=PATIENTS, sessions=1, reviews=False
    )
    response = admin_client.post(
        reverse("treatments:exports:list"), {"batch-indication": "facial_rejuvenation"}
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302

    def finished() -> bool:
        job.refresh_from_db()
        return not job.is_active

    wait_for(finished, timeout=60)
    assert job.status == ExportJob.Status.READY, job.error
    assert (job.done, job.total) == (3, 3)
    # Built by the worker process, not by this one.
    assert "Task treatments.tasks.export_build[" in worker.log

    path = Path(settings.MEDIA_ROOT) / job.file.name
    assert job.size == path.stat().st_size
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        pdfs = sorted(name for name in archive.namelist() if name.endswith(".pdf"))
        assert len(pdfs) == 3
        texts = [
            "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(name))).pages)
            for name in pdfs
        ]
        index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    for first, last in PATIENTS:
        assert sum(f"{first} {last}" in text for text in texts) == 1
    assert {row["Record"] for row in index} == {str(plan.patient_id) for plan in plans}
    assert {row["File"] for row in index} == set(pdfs)

    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=admin_user)
    assert {event.patient_id for event in exported} == {plan.patient_id for plan in plans}

    download = admin_client.get(reverse("treatments:exports:download", args=[job.pk]))
    assert b"".join(download.streaming_content) == path.read_bytes()
