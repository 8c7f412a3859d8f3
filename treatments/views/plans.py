"""Treatment plans: the list, proposing one, its page, changing, accepting, stopping it."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic.lib.params import id_param, text_param
from clinic.roles import Capability, Role, requires, user_roles
from cocktails.choices import INDICATION_DEFAULTS, Indication
from cocktails.models import Cocktail
from patients.models import Patient
from patients.selectors import (
    patient_clinical_alerts,
    patient_consultations,
    patient_get_for_user,
    patient_search,
)
from treatments import diary, services
from treatments.forms import PlanForm, ReasonForm
from treatments.models import TreatmentPlan
from treatments.selectors import (
    PlanFilter,
    course_track,
    plan_counts,
    plan_estimate,
    plan_get_for_user,
    plan_list,
    plan_summary,
    sessions_to_book,
)
from treatments.views.common import Action, audit, save_audited


def _plan_name(plan: TreatmentPlan) -> str:
    return f"Treatment plan #{plan.pk}"


@requires(Capability.VIEW_CLINICAL)
def plan_list_view(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", PlanFilter.ACTIVE)
    if show not in PlanFilter.STATUSES:
        show = PlanFilter.ACTIVE
    is_practitioner = Role.PRACTITIONER in user_roles(request.user)
    mine = is_practitioner and request.GET.get("who") != "all"
    counts = plan_counts(user=request.user, mine=mine)
    return render(
        request,
        "treatments/plan_list.html",
        {
            "plans": plan_list(user=request.user, show=show, mine=mine),
            "show": show,
            "filters": [(key, label, counts[key]) for key, label in PlanFilter.CHOICES],
            "mine": mine,
            "can_filter_mine": is_practitioner,
        },
    )


def _initial_course(patient: Patient) -> dict[str, Any]:
    """What a new plan starts from: the indication and areas of the patient's latest
    consultation, the indication's usual course, a first session next week."""
    initial: dict[str, Any] = {"start_date": timezone.localdate() + datetime.timedelta(days=7)}
    latest = patient_consultations(patient=patient, limit=1)
    concerns = list(latest[0].concerns.all()) if latest else []
    indication = concerns[0].indication if concerns else Indication.FACIAL_REJUVENATION
    course = INDICATION_DEFAULTS[indication]
    # The patient's own cocktail for the indication, else the clinic's template for it.
    cocktail = (
        Cocktail.objects.filter(indication=indication, archived_at__isnull=True)
        .filter(Q(patient=patient) | Q(patient__isnull=True))
        .order_by(F("patient_id").asc(nulls_last=True), "name")
        .first()
    )
    initial.update(
        cocktail=cocktail.pk if cocktail else None,
        indication=indication,
        body_areas=[c.area for c in concerns if c.indication == indication],
        initial_sessions=course.initial_sessions,
        interval_days=course.interval_days,
        maintenance_every_days=course.maintenance_every_days,
    )
    return initial


@requires(Capability.EDIT_CLINICAL)
def plan_create(request: HttpRequest) -> HttpResponse:
    """Without a patient: find one. With `?patient=`: the plan form for them."""
    patient_pk = id_param(request.GET.get("patient"))
    if patient_pk is None:
        query = text_param(request.GET.get("q"))
        results = list(patient_search(user=request.user, query=query)[:20]) if query else []
        return render(request, "treatments/plan_patient.html", {"query": query, "results": results})
    patient = patient_get_for_user(user=request.user, pk=patient_pk)
    if patient.is_archived:
        messages.error(request, "The record is archived: restore it before proposing a plan.")
        return redirect("patients:detail", pk=patient.pk)
    initial = _initial_course(patient)
    if Role.PRACTITIONER in user_roles(request.user):
        initial["practitioner"] = request.user.pk
    form = PlanForm(request.POST or None, patient=patient, initial=initial)

    done = save_audited(
        request,
        form,
        lambda data: services.plan_create(
            patient=patient, by=request.user, **form.service_kwargs()
        ),
        action=Action.CREATE,
        patient=patient,
        what=_plan_name,
        success="The plan was proposed. Go through the estimate with the patient.",
        next_url=lambda plan: reverse("treatments:plan_detail", kwargs={"pk": plan.pk}),
    )
    if done:
        return done
    return render(
        request,
        "treatments/plan_form.html",
        {"form": form, "patient": patient, "alerts": patient_clinical_alerts(patient=patient)},
    )


@requires(Capability.EDIT_CLINICAL)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=pk)
    if not plan.is_open:
        messages.info(request, f"A {plan.get_status_display().lower()} plan cannot be changed.")
        return redirect("treatments:plan_detail", pk=plan.pk)
    initial = {
        name: getattr(plan, name)
        for name in ("indication", "body_areas", "initial_sessions", "interval_days")
    }
    initial.update(
        cocktail=plan.cocktail_id,
        practitioner=plan.practitioner_id,
        maintenance_every_days=plan.maintenance_every_days,
        start_date=plan.start_date,
        notes=plan.notes,
    )
    form = PlanForm(request.POST or None, patient=plan.patient, plan=plan, initial=initial)

    done = save_audited(
        request,
        form,
        lambda data: services.plan_update(plan=plan, by=request.user, **form.service_kwargs()),
        action=Action.UPDATE,
        patient=plan.patient,
        what=_plan_name,
        success="The plan was updated.",
        next_url=reverse("treatments:plan_detail", kwargs={"pk": plan.pk}),
    )
    if done:
        return done
    return render(
        request,
        "treatments/plan_form.html",
        {
            "form": form,
            "patient": plan.patient,
            "plan": plan,
            "alerts": patient_clinical_alerts(patient=plan.patient),
        },
    )


@requires(Capability.VIEW_CLINICAL)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=pk)
    summary = plan_summary(plan=plan)
    planned_ids = [s.pk for s in summary.planned_sessions]
    bookings = diary.session_bookings(session_ids=planned_ids)
    for session in summary.planned_sessions:
        session.booking = bookings.get(session.pk)
    to_book = sessions_to_book(summary, bookings) if plan.is_treating else 0
    audit(request, Action.VIEW, plan.patient, _plan_name(plan))
    return render(
        request,
        "treatments/plan_detail.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "summary": summary,
            "progress": summary.progress,
            "estimate": plan_estimate(plan=plan),
            "alerts": patient_clinical_alerts(patient=plan.patient),
            "booked": [s for s in summary.planned_sessions if s.booking],
            "to_book": to_book,
            "book_url": diary.plan_booking_url(plan=plan) if to_book else "",
            "maintenance_url": (
                diary.plan_booking_url(plan=plan, maintenance=True)
                if plan.is_treating and plan.maintenance_every_days
                else ""
            ),
            "in_progress": [s for s in summary.sessions if s.status == "in_progress"],
            "track": course_track(summary, bookings),
        },
    )


def _one_click(
    request: HttpRequest, plan: TreatmentPlan, action: Any, success: str
) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit(request, Action.UPDATE, plan.patient, _plan_name(plan))
        messages.success(request, success)
    return redirect("treatments:plan_detail", pk=plan.pk)


@require_POST
@requires(Capability.EDIT_CLINICAL)
def plan_accept(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=pk)
    return _one_click(
        request,
        plan,
        lambda: services.plan_accept(plan=plan, by=request.user),
        "The patient accepted the plan: its sessions can now be booked.",
    )


@require_POST
@requires(Capability.EDIT_CLINICAL)
def plan_complete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=pk)
    return _one_click(
        request,
        plan,
        lambda: services.plan_complete(plan=plan, by=request.user),
        "The plan is completed: no more maintenance is due.",
    )


@requires(Capability.EDIT_CLINICAL)
def plan_stop(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, pk=pk)
    if not plan.is_open:
        messages.info(request, f"This plan is already {plan.get_status_display().lower()}.")
        return redirect("treatments:plan_detail", pk=plan.pk)
    form = ReasonForm(request.POST or None)

    done = save_audited(
        request,
        form,
        lambda data: services.plan_stop(plan=plan, reason=data["reason"], by=request.user),
        action=Action.UPDATE,
        patient=plan.patient,
        what=_plan_name,
        success="The plan was stopped.",
        next_url=reverse("treatments:plan_detail", kwargs={"pk": plan.pk}),
    )
    if done:
        return done
    planned = plan.sessions.filter(status="planned").values_list("pk", flat=True)
    bookings = diary.session_bookings(session_ids=list(planned))
    return render(
        request,
        "treatments/plan_stop.html",
        {
            "form": form,
            "plan": plan,
            "patient": plan.patient,
            "bookings": sorted(bookings.values(), key=lambda b: b.start),
        },
    )
