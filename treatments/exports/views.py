"""Export pages: a plan's or a patient's summary PDF (admins and practitioners), and for
admins the batch exports (ask, watch, download) and the sessions CSV. Every export writes an
EXPORT entry in the audit log for each patient it covers."""

from __future__ import annotations

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.audit import audit_record, audit_record_many
from clinic.lib.csvstream import csv_lines
from clinic.lib.forms import save_form
from clinic.models import AuditEvent
from clinic.roles import Capability, requires
from patients.selectors import patient_get_for_user
from treatments.exports import services
from treatments.exports.documents import (
    session_csv_header,
    session_csv_row,
    summary_filename,
    summary_pdf,
)
from treatments.exports.forms import BatchExportForm, SessionCsvForm
from treatments.exports.models import ExportJob
from treatments.exports.selectors import (
    export_jobs,
    patient_ids_of,
    sessions_for_csv,
    summary_document,
)
from treatments.selectors import plan_get_for_user

EXPORT = AuditEvent.Action.EXPORT
JOBS_SHOWN = 25


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    # Shown in the browser's viewer, from where it is printed or saved; never cached.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Capability.EXPORT_RECORDS)
def plan_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan's treatment summary."""
    plan = plan_get_for_user(user=request.user, pk=pk)
    document = summary_document(patient=plan.patient, by=request.user, plans=[plan])
    data = summary_pdf(document=document)
    audit_record(
        request=request, action=EXPORT, patient=plan.patient, what=f"Summary PDF of plan #{pk}"
    )
    return _pdf_response(data, summary_filename(patient=plan.patient, plan=plan))


@requires(Capability.VIEW_CLINICAL)
@requires(Capability.EXPORT_RECORDS)
def patient_summary_pdf(request: HttpRequest, patient_pk: int) -> HttpResponse:
    """The summary of every treatment plan of the patient (a short page if there is none)."""
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    data = summary_pdf(document=summary_document(patient=patient, by=request.user))
    audit_record(request=request, action=EXPORT, patient=patient, what="Summary PDF of all plans")
    return _pdf_response(data, summary_filename(patient=patient))


def _export_page(
    request: HttpRequest, *, batch_form: BatchExportForm, csv_form: SessionCsvForm
) -> HttpResponse:
    return render(
        request,
        "treatments/export_list.html",
        {
            "batch_form": batch_form,
            "csv_form": csv_form,
            "jobs": export_jobs(limit=JOBS_SHOWN),
            "jobs_limit": JOBS_SHOWN,
            "retention_days": settings.EXPORT_RETENTION_DAYS,
        },
    )


@requires(Capability.BULK_EXPORT)
def export_list(request: HttpRequest) -> HttpResponse:
    """Ask for a batch of summaries, download the sessions CSV, and the export log."""
    # Every field is optional: an empty POST is still a submission to validate.
    form = BatchExportForm(request.POST if request.method == "POST" else None)
    done = save_form(
        request,
        form,
        lambda data: services.export_job_create(by=request.user, **form.filters()),
        success=lambda job: (
            f"Export of {job.total} summar{'y' if job.total == 1 else 'ies'} "
            "started: it is built in the background."
        ),
        next_url=lambda job: reverse("treatments:exports:detail", kwargs={"pk": job.pk}),
    )
    if done:
        return done
    return _export_page(request, batch_form=form, csv_form=SessionCsvForm())


@requires(Capability.BULK_EXPORT)
def sessions_csv(request: HttpRequest) -> HttpResponse:
    """Every session given within the filters, one row each, streamed whatever their number.
    Free-text notes only when the form asked for them."""
    form = SessionCsvForm(request.GET)
    if not form.is_valid():
        return _export_page(request, batch_form=BatchExportForm(), csv_form=form)
    notes = form.cleaned_data["notes"]
    sessions = sessions_for_csv(**form.filters())
    what = "Sessions CSV" + (" with notes" if notes else "")
    audit_record_many(
        request=request, action=EXPORT, patient_ids=patient_ids_of(sessions), what=what
    )
    rows = (session_csv_row(s, notes=notes) for s in sessions.iterator(chunk_size=200))
    response = StreamingHttpResponse(
        csv_lines(session_csv_header(notes=notes), rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"sessions-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Capability.BULK_EXPORT)
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch: its progress while it is built (polled), then its download."""
    job = get_object_or_404(ExportJob.objects.select_related("created_by"), pk=pk)
    return render(request, "treatments/export_detail.html", {"job": job})


@never_cache
@requires(Capability.BULK_EXPORT)
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every second until the batch is no longer built."""
    job = get_object_or_404(ExportJob, pk=pk)
    return render(request, "treatments/export_detail.html#progress", {"job": job})


@never_cache
@requires(Capability.BULK_EXPORT)
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The zip, streamed from disk to a clinic manager: never from a public media URL."""
    job = get_object_or_404(ExportJob, pk=pk)
    if not job.is_ready:
        raise Http404("This export is not available: it is still being built, or expired.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("The export's file is missing.") from None
    audit_record(
        request=request,
        action=EXPORT,
        what=f"Downloaded batch export #{job.pk} ({job.total} summaries)",
    )
    return FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type="application/zip"
    )
