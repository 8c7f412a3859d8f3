"""Consultations, contraindications and allergies: practitioners and admins only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic.audit import audited
from clinic.lib.forms import save_form
from clinic.models import AuditEvent
from clinic.roles import Capability, requires
from patients import services
from patients.forms import AllergyForm, ConsultationEditForm, ConsultationForm
from patients.models import Consultation, Contraindication
from patients.screening import QUESTIONS_BY_KEY
from patients.selectors import (
    allergy_get_for_user,
    consultation_get_for_user,
    consultation_with_details,
    contraindication_get_for_user,
    patient_clinical_alerts,
    patient_get_for_user,
)
from patients.views.common import patient_url, reason_page


@requires(Capability.EDIT_CLINICAL)
def consultation_create(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    if patient.is_archived:
        messages.error(request, "The record is archived: restore it before logging a visit.")
        return redirect("patients:detail", pk=patient.pk)
    form = ConsultationForm(request.POST or None, patient=patient)

    def saved(consultation: Consultation) -> str:
        flagged = consultation.contraindications.count()
        plural = "s" if flagged > 1 else ""
        return "The consultation was saved." + (
            f" {flagged} contraindication{plural} recorded." if flagged else ""
        )

    done = save_form(
        request,
        form,
        lambda data: services.consultation_create(
            patient=patient, practitioner=request.user, **form.service_kwargs()
        ),
        success=saved,
        next_url=patient_url(patient.pk),
    )
    if done:
        return done
    return render(
        request,
        "patients/consultation_form.html",
        {"form": form, "patient": patient, "alerts": patient_clinical_alerts(patient=patient)},
    )


@requires(Capability.VIEW_CLINICAL)
@audited(AuditEvent.Action.VIEW, patient_kwarg="patient_pk", what="consultation")
def consultation_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consultation = consultation_with_details(
        consultation=consultation_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    )
    answers = [
        (QUESTIONS_BY_KEY[key], yes)
        for key, yes in consultation.screening.items()
        if key in QUESTIONS_BY_KEY
    ]
    return render(
        request,
        "patients/consultation_detail.html",
        {
            "consultation": consultation,
            "patient": consultation.patient,
            "answers": answers,
            "alerts": patient_clinical_alerts(patient=consultation.patient),
        },
    )


@requires(Capability.EDIT_CLINICAL)
def consultation_edit(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    """Correct what was said at a consultation; the change history keeps the old values, who
    corrected them and why."""
    consultation = consultation_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    detail = reverse(
        "patients:consultation_detail", kwargs={"patient_pk": patient_pk, "pk": consultation.pk}
    )
    if consultation.patient.is_archived:
        messages.error(request, "The record is archived: restore it before correcting it.")
        return redirect(detail)
    form = ConsultationEditForm(
        request.POST or None,
        initial={name: getattr(consultation, name) for name in Consultation.CORRECTABLE},
    )
    done = save_form(
        request,
        form,
        lambda data: services.consultation_correct(
            consultation=consultation,
            changes={name: data[name] for name in Consultation.CORRECTABLE},
            reason=data["reason"],
        ),
        success="The consultation was corrected; the change history keeps what it said before.",
        next_url=detail,
    )
    if done:
        return done
    return render(
        request,
        "patients/consultation_edit.html",
        {
            "form": form,
            "consultation": consultation,
            "patient": consultation.patient,
            "cancel_url": detail,
        },
    )


@requires(Capability.EDIT_CLINICAL)
def contraindication_resolve(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    item: Contraindication = contraindication_get_for_user(
        user=request.user, pk=pk, patient_pk=patient_pk
    )
    return reason_page(
        request,
        act=lambda reason: services.contraindication_resolve(
            contraindication=item, by=request.user, reason=reason
        ),
        success=f"“{item.get_kind_display()}” was resolved.",
        next_url=patient_url(patient_pk),
        template="patients/contraindication_resolve.html",
        context={"item": item, "patient": item.patient},
        already="" if item.is_open else "This contraindication was already resolved.",
    )


@requires(Capability.EDIT_CLINICAL)
def allergy_add(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    form = AllergyForm(request.POST or None, patient=patient)
    done = save_form(
        request,
        form,
        lambda data: services.allergy_record(patient=patient, by=request.user, **data),
        success="The allergy was recorded.",
        next_url=patient_url(patient.pk),
    )
    if done:
        return done
    return render(
        request,
        "patients/allergy_form.html",
        {"form": form, "patient": patient, "alerts": patient_clinical_alerts(patient=patient)},
    )


@requires(Capability.EDIT_CLINICAL)
def allergy_remove(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    allergy = allergy_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    return reason_page(
        request,
        act=lambda reason: services.allergy_remove(allergy=allergy, reason=reason),
        success=f"The allergy to {allergy} was removed from the alerts.",
        next_url=patient_url(patient_pk),
        template="patients/allergy_remove.html",
        context={"allergy": allergy, "patient": allergy.patient},
        placeholder="For example: entered in error",
        already="This allergy was already removed." if allergy.removed_at else "",
    )
