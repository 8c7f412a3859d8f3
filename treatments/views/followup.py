"""After a session: adverse events (however long after) and outcome reviews."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Capability, requires
from cocktails.models import Lot
from patients.selectors import patient_clinical_alerts
from treatments import services
from treatments.forms import AdverseEventForm, OutcomeForm
from treatments.measures import measure_for
from treatments.models import AdverseEvent, TreatmentSession
from treatments.selectors import (
    adverse_event_get_for_user,
    plan_get_for_user,
    session_get_for_user,
)
from treatments.views.common import Action, save_audited


def _event_page(
    request: HttpRequest,
    form: AdverseEventForm,
    session: TreatmentSession,
    event: AdverseEvent | None = None,
) -> HttpResponse:
    patient = session.plan.patient
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


def _event_name(event: AdverseEvent) -> str:
    return f"Adverse event #{event.pk}"


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
    done = save_audited(
        request,
        form,
        lambda data: services.adverse_event_record(session=session, by=request.user, **data),
        action=Action.CREATE,
        patient=session.plan.patient,
        what=_event_name,
        success="The adverse event was recorded against the session and its lots.",
        next_url=reverse("treatments:session_detail", kwargs={"pk": session.pk}),
    )
    return done or _event_page(request, form, session)


@requires(Capability.EDIT_CLINICAL)
def adverse_event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = adverse_event_get_for_user(user=request.user, pk=pk)
    session: TreatmentSession = event.session
    fields = ("severity", "description", "treatment", "outcome", "resolved_on")
    form = AdverseEventForm(
        request.POST or None,
        editing=True,
        initial={name: getattr(event, name) for name in fields},
    )
    done = save_audited(
        request,
        form,
        lambda data: services.adverse_event_update(event=event, by=request.user, **data),
        action=Action.UPDATE,
        patient=session.plan.patient,
        what=_event_name,
        success="The adverse event was updated.",
        next_url=reverse("treatments:session_detail", kwargs={"pk": session.pk}),
    )
    return done or _event_page(request, form, session, event)


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
    done = save_audited(
        request,
        form,
        lambda data: services.outcome_record(plan=plan, by=request.user, **data),
        action=Action.CREATE,
        patient=plan.patient,
        what=lambda outcome: f"Outcome #{outcome.pk}",
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
