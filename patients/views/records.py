"""The patient list, the patient page, and editing a patient's details."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.audit import audited
from clinic.lib.forms import save_form
from clinic.lib.paging import before_param, newest_page
from clinic.models import AuditEvent
from clinic.roles import Capability, can, requires
from patients import services
from patients.actions import patient_actions
from patients.forms import PatientClinicalForm, PatientContactForm, PatientSearchForm
from patients.history import patient_change_history
from patients.models import Contraindication
from patients.panels import patient_panels
from patients.selectors import (
    patient_clinical_alerts,
    patient_consent_overview,
    patient_general_blockers,
    patient_get_for_user,
    patient_photos,
    patient_search,
)
from patients.timeline import timeline_page
from patients.views.common import patient_url

PAGE_SIZE = 25
TIMELINE_PAGE = 50
HISTORY_PAGE = 50


@requires(Capability.VIEW_PATIENTS)
def patient_list(request: HttpRequest) -> HttpResponse:
    """Search and browse patients; htmx requests get the results table only."""
    form = PatientSearchForm(request.GET)
    query, archived = form.cleaned()
    patients = patient_search(user=request.user, query=query, archived=archived)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "archived": archived,
        "today": timezone.localdate(),
    }
    template = "patients/patient_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@requires(Capability.EDIT_PATIENT_CONTACT)
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientContactForm(request.POST or None)
    done = save_form(
        request,
        form,
        lambda data: services.patient_create(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            contact=form.contact_data(),
            reminder_consent=data["reminder_consent"],
            allow_duplicate=data["allow_duplicate"],
        ),
        success=lambda patient: f"{patient.full_name} was added.",
        next_url=lambda patient: patient_url(patient.pk),
    )
    if done:
        return done
    return render(request, "patients/patient_form.html", {"form": form, "patient": None})


@requires(Capability.VIEW_PATIENTS)
@audited(AuditEvent.Action.VIEW, patient_kwarg="pk", what="patient record")
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=pk)
    timeline = timeline_page(patient=patient, user=request.user, limit=30)
    context: dict[str, object] = {
        "patient": patient,
        "age": patient.age_on(timezone.localdate()),
        "timeline": timeline.entries,
        "timeline_older": timeline.older,
        "actions": patient_actions(patient=patient, user=request.user),
    }
    if can(request.user, Capability.VIEW_CLINICAL):
        alerts = patient_clinical_alerts(patient=patient)
        consents = patient_consent_overview(patient=patient)
        context |= {
            "alerts": alerts,
            "blockers": patient_general_blockers(patient=patient, alerts=alerts, consents=consents),
            "resolved": Contraindication.objects.filter(
                patient=patient, resolved_at__isnull=False
            ).select_related("resolved_by")[:10],
            "consents": consents,
            "photos": list(patient_photos(patient=patient)[:6]),
            "changes": patient_change_history(patient=patient, limit=8),
            "panels": patient_panels(patient=patient, user=request.user),
        }
    return render(request, "patients/patient_detail.html", context)


@requires(Capability.VIEW_PATIENTS)
@audited(AuditEvent.Action.VIEW, patient_kwarg="pk", what="patient timeline")
def patient_timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything on the patient's timeline, 50 entries a page from the newest."""
    patient = patient_get_for_user(user=request.user, pk=pk)
    before = before_param(request.GET.get("before"))
    page = timeline_page(patient=patient, user=request.user, limit=TIMELINE_PAGE, before=before)
    context: dict[str, object] = {"patient": patient, "page": page, "before": before}
    if can(request.user, Capability.VIEW_CLINICAL):
        context["alerts"] = patient_clinical_alerts(patient=patient)
    return render(request, "patients/patient_timeline.html", context)


@requires(Capability.EDIT_PATIENT_CONTACT)
def patient_edit_contact(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=pk)
    form = PatientContactForm(request.POST or None, instance=patient)
    done = save_form(
        request,
        form,
        lambda data: services.patient_update_contact(
            patient=patient, data=data, reminder_consent=data["reminder_consent"]
        ),
        success="The details were saved.",
        next_url=patient_url(patient.pk),
    )
    if done:
        return done
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@requires(Capability.EDIT_CLINICAL)
def patient_edit_clinical(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=pk)
    form = PatientClinicalForm(request.POST or None, instance=patient)
    done = save_form(
        request,
        form,
        lambda data: services.patient_update_clinical(patient=patient, data=data),
        success="The clinical background was saved.",
        next_url=patient_url(patient.pk),
    )
    if done:
        return done
    return render(
        request,
        "patients/patient_clinical_form.html",
        {"form": form, "patient": patient, "alerts": patient_clinical_alerts(patient=patient)},
    )


@requires(Capability.EDIT_PATIENT_CONTACT)
@require_POST
def patient_archive(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.patient_archive(patient=patient_get_for_user(user=request.user, pk=pk))
    messages.success(request, f"{patient.full_name}'s record was archived. Nothing was deleted.")
    return redirect(patient_url(patient.pk))


@requires(Capability.EDIT_PATIENT_CONTACT)
@require_POST
def patient_unarchive(request: HttpRequest, pk: int) -> HttpResponse:
    patient = services.patient_unarchive(patient=patient_get_for_user(user=request.user, pk=pk))
    messages.success(request, f"{patient.full_name}'s record is active again.")
    return redirect(patient_url(patient.pk))


@requires(Capability.VIEW_CLINICAL)
@audited(AuditEvent.Action.VIEW, patient_kwarg="pk", what="change history")
def patient_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to the patient's file, 50 a page from the newest."""
    patient = patient_get_for_user(user=request.user, pk=pk)
    before = before_param(request.GET.get("before"))
    # One change more than a page holds says whether anything is older.
    changes, older = newest_page(
        patient_change_history(patient=patient, limit=HISTORY_PAGE + 1, before=before),
        limit=HISTORY_PAGE,
        when=lambda change: change.when,
    )
    return render(
        request,
        "patients/patient_history.html",
        {
            "patient": patient,
            "alerts": patient_clinical_alerts(patient=patient),
            "changes": changes,
            "before": before,
            "older": older,
        },
    )
