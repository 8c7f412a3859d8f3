"""Signing and withdrawing consent; the signed text and the drawn signature."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from clinic.audit import audited
from clinic.lib.forms import save_form
from clinic.models import AuditEvent
from clinic.roles import Capability, requires
from patients import services
from patients.forms import ConsentSignForm
from patients.models import Consent, ConsentText
from patients.selectors import (
    consent_get_for_user,
    patient_clinical_alerts,
    patient_get_for_user,
)
from patients.views.common import patient_url, reason_page


@requires(Capability.EDIT_CLINICAL)
def consent_sign(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    minor_age = patient.minor_age_on(timezone.localdate())
    initial = {} if minor_age is None else {"signer": Consent.Signer.GUARDIAN}
    if "text" in request.GET:
        initial["text"] = request.GET["text"]
    form = ConsentSignForm(request.POST or None, initial=initial)
    done = save_form(
        request,
        form,
        lambda data: services.consent_sign(
            patient=patient,
            text=data["text"],
            signed_name=data["signed_name"],
            signer=data["signer"],
            signature_png=data["signature"],
            witnessed_by=request.user,
        ),
        success=lambda consent: f"“{consent.text.title}” was signed.",
        next_url=patient_url(patient.pk),
    )
    if done:
        return done
    texts = list(ConsentText.objects.filter(superseded_at__isnull=True))
    return render(
        request,
        "patients/consent_form.html",
        {
            "form": form,
            "patient": patient,
            "texts": texts,
            "alerts": patient_clinical_alerts(patient=patient),
            "minor_age": minor_age,
        },
    )


@requires(Capability.VIEW_CLINICAL)
@audited(AuditEvent.Action.VIEW, patient_kwarg="patient_pk", what="consent")
def consent_detail(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consent = consent_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    return render(
        request,
        "patients/consent_detail.html",
        {"consent": consent, "patient": consent.patient, "text": consent.text},
    )


@never_cache
@requires(Capability.VIEW_CLINICAL)
def consent_signature(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consent = consent_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    if not consent.signature_png:
        raise Http404("No drawn signature.")
    response = HttpResponse(bytes(consent.signature_png), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@requires(Capability.EDIT_CLINICAL)
def consent_withdraw(request: HttpRequest, patient_pk: int, pk: int) -> HttpResponse:
    consent = consent_get_for_user(user=request.user, pk=pk, patient_pk=patient_pk)
    return reason_page(
        request,
        act=lambda reason: services.consent_withdraw(
            consent=consent, by=request.user, reason=reason
        ),
        success="The consent was withdrawn.",
        next_url=patient_url(patient_pk),
        template="patients/consent_withdraw.html",
        context={"consent": consent, "patient": consent.patient},
        placeholder="What the patient said, briefly",
        already="This consent was already withdrawn." if consent.is_withdrawn else "",
    )
