"""Batch exports of treatment summaries, built in-process here (the task runs eagerly once
the request's transaction commits); tests/integration/test_pdf_batch.py builds one through a
real Celery worker. The zip's PDFs are read back with pypdf."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from clinic.models import AuditEvent
from tests.patients.factories import PatientFactory
from tests.treatments.courses import make_clinic, make_course
from treatments.exports import services
from treatments.exports.models import ExportJob
from treatments.tasks import export_build, exports_expire

pytestmark = pytest.mark.django_db
LIST = reverse("treatments:exports:list")


@pytest.fixture
def clinic(admin_user, practitioner):
    return make_clinic(admin=admin_user, practitioner=practitioner)


@pytest.fixture
def courses(clinic, practitioner):
    """Ana's course had a session 67 days ago; Bruno's only a week ago."""
    return {
        "ana": make_course(
            clinic,
            practitioner=practitioner,
            patient=PatientFactory(first_name="Ana", last_name="Sørensen"),
            sessions=2,
            days_apart=60,
            reviews=False,
        ),
        "bruno": make_course(
            clinic,
            practitioner=practitioner,
            patient=PatientFactory(first_name="Bruno", last_name="Keller"),
            sessions=1,
            adverse_event=False,
            reviews=False,
        ),
    }


def _days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def _start(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(LIST, {f"batch-{key}": value for key, value in data.items()})
    return response, callbacks


def _zip_of(job: ExportJob) -> zipfile.ZipFile:
    return zipfile.ZipFile(Path(settings.MEDIA_ROOT) / job.file.name)


def test_a_batch_for_a_date_range_zips_the_matching_summaries(
    admin_client, admin_user, courses, django_capture_on_commit_callbacks
):
    response, callbacks = _start(
        admin_client,
        django_capture_on_commit_callbacks,
        date_from=_days_ago(70),
        date_to=_days_ago(60),
    )
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:exports:detail", args=[job.pk])
    # The task was only enqueued once the job was committed.
    assert len(callbacks) == 1
    assert job.status == ExportJob.Status.READY
    assert (job.done, job.total) == (1, 1)
    assert job.expires_at == job.finished_at + datetime.timedelta(
        days=settings.EXPORT_RETENTION_DAYS
    )

    ana = courses["ana"]
    with _zip_of(job) as archive:
        names = archive.namelist()
        assert names == [
            f"treatment-summary-sorensen-ana-{ana.patient_id}-plan-{ana.pk}.pdf",
            "index.csv",
        ]
        text = "\n".join(
            page.extract_text() for page in PdfReader(io.BytesIO(archive.read(names[0]))).pages
        )
        index = archive.read("index.csv").decode()
    assert "Ana Sørensen" in text
    assert "Session 2 of 2" in text
    assert "Bruno" not in text
    assert "Ana Sørensen" in index and "Keller" not in index
    assert not list((Path(settings.MEDIA_ROOT) / "exports").glob("*.part"))

    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (exported.user, exported.patient_id) == (admin_user, ana.patient_id)
    assert f"batch export #{job.pk}" in exported.what


def test_a_batch_for_an_indication_holds_each_plan_of_it(
    admin_client, courses, django_capture_on_commit_callbacks
):
    _start(admin_client, django_capture_on_commit_callbacks, indication="facial_rejuvenation")
    job = ExportJob.objects.get()
    assert (job.status, job.total, job.done) == (ExportJob.Status.READY, 2, 2)
    with _zip_of(job) as archive:
        pdfs = [name for name in archive.namelist() if name.endswith(".pdf")]
        assert len(pdfs) == 2
        for name in pdfs:
            assert len(PdfReader(io.BytesIO(archive.read(name))).pages) >= 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, None, "Choose an indication, a date range or both."),
        (
            {"date_from": _days_ago(1), "date_to": _days_ago(30)},
            "date_to",
            "The end date is before the start date.",
        ),
        ({"indication": "cellulite"}, None, "No treatment plan matches"),
        ({"date_from": "0001-01-01"}, "date_from", "Enter a date between 1990 and"),
        ({"indication": "not-an-indication"}, "indication", "Select a valid choice"),
    ],
)
def test_a_batch_that_cannot_be_built_is_refused_with_a_clear_message(
    admin_client, courses, django_capture_on_commit_callbacks, data, field, message
):
    response, callbacks = _start(admin_client, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    form = response.context["batch_form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(message in error for error in errors), form.errors
    assert not ExportJob.objects.exists()
    assert not callbacks


def test_progress_is_polled_while_building_and_offers_the_download_once_ready(
    admin_client, admin_user
):
    job = ExportJob.objects.create(
        created_by=admin_user, indication="scars", status=ExportJob.Status.RUNNING, total=8, done=3
    )
    url = reverse("treatments:exports:progress", args=[job.pk])
    building = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in building
    assert "3 of 8 summaries" in building
    assert 'value="38"' in building
    assert "Download" not in building

    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.READY,
        done=8,
        file="exports/x.zip",
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    ready = admin_client.get(url).content.decode()
    assert "hx-trigger" not in ready
    assert reverse("treatments:exports:download", args=[job.pk]) in ready


def test_the_zip_is_streamed_to_an_admin_and_each_download_is_audited(
    admin_client, courses, django_capture_on_commit_callbacks
):
    _start(admin_client, django_capture_on_commit_callbacks, indication="facial_rejuvenation")
    job = ExportJob.objects.get()
    response = admin_client.get(reverse("treatments:exports:download", args=[job.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    assert (
        b"".join(response.streaming_content)
        == (Path(settings.MEDIA_ROOT) / job.file.name).read_bytes()
    )
    downloaded = AuditEvent.objects.filter(what__startswith=f"Downloaded batch export #{job.pk}")
    assert downloaded.count() == 1


def test_expired_exports_lose_their_file_but_stay_in_the_log(
    admin_client, courses, django_capture_on_commit_callbacks
):
    _start(admin_client, django_capture_on_commit_callbacks, indication="facial_rejuvenation")
    job = ExportJob.objects.get()
    path = Path(settings.MEDIA_ROOT) / job.file.name
    assert exports_expire.delay().get() == 0
    assert path.exists()

    with time_machine.travel(job.expires_at + datetime.timedelta(minutes=1)):
        assert exports_expire.delay().get() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert job.file.name == ""
    assert not path.exists()
    assert (
        admin_client.get(reverse("treatments:exports:download", args=[job.pk])).status_code == 404
    )
    page = admin_client.get(reverse("treatments:exports:detail", args=[job.pk])).content.decode()
    assert "its file was deleted" in page
    assert f"#{job.pk}" in admin_client.get(LIST).content.decode()


def test_a_build_that_never_finished_is_marked_failed_by_the_sweep(admin_user, settings):
    started = timezone.now() - datetime.timedelta(seconds=settings.EXPORT_BATCH_TIME_LIMIT + 700)
    stale = ExportJob.objects.create(
        created_by=admin_user,
        indication="scars",
        status=ExportJob.Status.RUNNING,
        started_at=started,
        file="exports/stale.zip",
    )
    partial = Path(settings.MEDIA_ROOT) / "exports" / "stale.zip.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half a zip")
    recent = ExportJob.objects.create(
        created_by=admin_user, indication="scars", status=ExportJob.Status.RUNNING
    )
    assert services.export_jobs_expire() == 1
    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.status == ExportJob.Status.FAILED
    assert "interrupted" in stale.error
    assert not partial.exists()
    assert recent.status == ExportJob.Status.RUNNING


def test_a_build_that_breaks_is_marked_failed_and_leaves_no_file(admin_user, courses, settings):
    job = ExportJob.objects.create(created_by=admin_user, indication="facial_rejuvenation")
    # The exports folder cannot be created: a file is in its way.
    Path(settings.MEDIA_ROOT, "exports").write_bytes(b"")
    with pytest.raises(OSError):
        export_build.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "Start the export again" in job.error
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_second_delivery_of_the_same_job_builds_nothing(admin_user, courses):
    job = ExportJob.objects.create(created_by=admin_user, indication="facial_rejuvenation")
    assert export_build.delay(job.pk).get() > 0
    built = ExportJob.objects.get(pk=job.pk)
    assert export_build.delay(job.pk).get() is None
    assert ExportJob.objects.get(pk=job.pk).file == built.file
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_receptionists_and_practitioners_reach_no_batch_export(
    receptionist_client, practitioner_client, admin_user
):
    job = ExportJob.objects.create(created_by=admin_user, indication="scars")
    for client in (receptionist_client, practitioner_client):
        assert client.post(LIST, {"batch-indication": "scars"}).status_code == 403
        for name in ("detail", "progress", "download"):
            url = reverse(f"treatments:exports:{name}", args=[job.pk])
            assert client.get(url).status_code == 403
    assert ExportJob.objects.count() == 1


def _jobs(user, count: int) -> None:
    now = timezone.now()
    for index in range(count):
        ExportJob.objects.create(
            created_by=user,
            indication="scars",
            date_from=now.date() - datetime.timedelta(days=30 + index),
            status=ExportJob.Status.READY,
            total=3,
            done=3,
            file=f"exports/{index}.zip",
            finished_at=now,
            expires_at=now + datetime.timedelta(days=7),
        )


@pytest.mark.parametrize("jobs", [1, 6])
def test_export_page_runs_the_same_queries_however_many_exports(
    admin_client, admin_user, django_assert_num_queries, jobs
):
    _jobs(admin_user, jobs)
    with django_assert_num_queries(7):
        response = admin_client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count('class="badge export-status') == jobs


def test_export_page_without_exports_says_so(admin_client):
    page = admin_client.get(LIST).content.decode()
    assert "No batch export yet." in page
    assert "Treatment summaries as a zip" in page
