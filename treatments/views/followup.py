"""After a session: adverse events (however long after) and outcome reviews."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Capability, requires
from cocktails.models import Lot
from patients.selectors import patient_clinical_alerts
from patients.views.common import save_form
from treatments import services
from treatments.forms import AdverseEventForm, OutcomeForm
from treatments.measures import measure_for
from treatments.models import AdverseEvent, Outcome, TreatmentSession
from treatments.selectors import (
    adverse_event_get_for_user,
    plan_get_for_user,
    session_get_for_user,
)
from treatments.views.common import Action, audit


@requires(Capability.EDIT_CLINICAL)
def adverse_event_create(request: HttpRequest, session_pk: int) -> HttpResponse:
    session = session_get_for_user(user=request.user, pk=session_pk)
    if not session.is_started:
        messages.info(request, "This session has not taken place yet.")
        return redirect("treatments:plan_detail", pk=session.plan_id)
    lots = Lot.objects.filter(
        pk__in=session.lots.filter(usage__cancelled_at__isnull=True).values("lot_id")
    ).select_related("product")
    form = AdverseEventForm(
        request.POST or None,
        lots=lots,
        initial={"onset_on": timezone.localdate(), "lots": list(lots)},
    )
    patient = session.plan.patient

    def save(data: dict[str, Any]) -> AdverseEvent:
        event = services.adverse_event_record(session=session, by=request.user, **data)
        audit(request, Action.CREATE, patient, f"Adverse event #{event.pk}")
        return event

    done = save_form(
        request,
        form,
        save,
        success="The adverse event was recorded against the session and its lots.",
        next_url=reverse("treatments:session_detail", kwargs={"pk": session.pk}),
    )
    if done:
        return done
    return render(
        request,
        "treatments/adverse_event_form.html",
        {
            "form": form,
            "session": session,
            "plan": session.plan,
            "patient": patient,
            "alerts": patient_clinical_alerts(patient=patient),
        },
    )


@requires(Capability.EDIT_CLINICAL)
def adverse_event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = adverse_event_get_for_user(user=request.user, pk=pk)
    session: TreatmentSession = event.session
    patient = session.plan.patient
    form = AdverseEventForm(
        request.POST or None,
        editing=True,
        initial={
            "severity": event.severity,
            "description": event.description,
            "treatment": event.treatment,
            "outcome": event.outcome,
            "resolved_on": event.resolved_on,
        },
    )

    def save(data: dict[str, Any]) -> AdverseEvent:
        updated = services.adverse_event_update(event=event, by=request.user, **data)
        audit(request, Action.UPDATE, patient, f"Adverse event #{event.pk}")
        return updated

    done = save_form(
        request,
        form,
        save,
        success="The adverse event was updated.",
        next_url=reverse("treatments:session_detail", kwargs={"pk": session.pk}),
    )
    if done:
        return done
    return render(
        request,
        "treatments/adverse_event_form.html",
        {
            "form": form,
            "event": event,
            "session": session,
            "plan": session.plan,
            "patient": patient,
            "alerts": patient_clinical_alerts(patient=patient),
        },
    )


@requires(Capability.EDIT_CLINICAL)
def outcome_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=plan_pk)
    sessions = plan.sessions.filter(status__in=TreatmentSession.STARTED).order_by("-performed_at")
    latest = sessions.filter(status=TreatmentSession.Status.SIGNED).first()
    form = OutcomeForm(
        request.POST or None,
        plan=plan,
        sessions=sessions,
        initial={"assessed_on": timezone.localdate(), "session": latest},
    )

    def save(data: dict[str, Any]) -> Outcome:
        outcome = services.outcome_record(plan=plan, by=request.user, **data)
        audit(request, Action.CREATE, plan.patient, f"Outcome #{outcome.pk}")
        return outcome

    done = save_form(
        request,
        form,
        save,
        success="The review was recorded.",
        next_url=reverse("treatments:plan_detail", kwargs={"pk": plan.pk}) + "#outcomes",
    )
    if done:
        return done
    return render(
        request,
        "treatments/outcome_form.html",
        {
            "form": form,
            "plan": plan,
            "patient": plan.patient,
            "measure": measure_for(plan.indication),
            "alerts": patient_clinical_alerts(patient=plan.patient),
        },
    )
