"""Booking a series of sessions in one action: propose, adjust, confirm all or nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from clinic.lib.params import id_param
from clinic.roles import Capability, requires
from cocktails.choices import INDICATION_DEFAULTS, Indication
from patients.forms import picked_patient
from scheduling import clock, selectors, services
from scheduling.availability import SeriesSlot, SlotUnavailable
from scheduling.forms import (
    SeriesForm,
    SeriesRowForm,
    SeriesRowFormSet,
    show_service_error,
)
from scheduling.models import AppointmentType
from scheduling.views._htmx import wants_fragment
from treatments.models import TreatmentPlan
from treatments.selectors import plan_booking_defaults, plan_booking_refusal, plan_for_booking

TEMPLATE = "scheduling/series_book.html"
ROWS = "rows"


def _presets() -> list[dict[str, Any]]:
    """The usual courses from the shared vocabulary, as one-click fillers for the form."""
    return [
        {
            "label": Indication(key).label,
            "count": course.initial_sessions,
            "interval": course.interval_days,
        }
        for key, course in INDICATION_DEFAULTS.items()
    ]


def _rows_from_proposals(proposals: list) -> SeriesRowFormSet:
    initial = []
    for proposal in proposals:
        moment = clock.local(proposal.slot.start if proposal.slot else proposal.ideal_start)
        initial.append(
            {
                "day": moment.date(),
                "time": moment.time(),
                "room": proposal.slot.room.pk if proposal.slot else None,
                "note": proposal.note,
            }
        )
    return SeriesRowFormSet(initial=initial, prefix=ROWS)


def _row_status(
    rows: SeriesRowFormSet, refused: dict[int, tuple[list[str], list]]
) -> list[dict[str, Any]]:
    """What each row of the table shows: its inputs, and whether its time can be booked."""
    statuses = []
    for position, row in enumerate(rows.forms, start=1):
        if row.is_bound:
            row.is_valid()
            day, note = row.cleaned_data.get("day"), row.cleaned_data.get("note", "")
            problems = [message for errors in row.errors.values() for message in errors]
        else:
            day, note, problems = row.initial.get("day"), row.initial.get("note", ""), []
        messages_, alternatives = refused.get(position, ([], []))
        problems += messages_
        statuses.append(
            {
                "position": position,
                "form": row,
                "day": day,
                "note": note,
                "problems": problems,
                "alternatives": alternatives,
                "free": not problems,
            }
        )
    return statuses


def _explained(refused: dict[int, SlotUnavailable]) -> dict[int, tuple[list[str], list]]:
    return {position: (error.messages, error.alternatives) for position, error in refused.items()}


def _slot(row: SeriesRowForm) -> SeriesSlot:
    return SeriesSlot(start=row.cleaned_data["start"], room=row.cleaned_data["room"])


def _check(rows: SeriesRowFormSet, data: dict[str, Any]) -> dict[int, tuple[list[str], list]]:
    """Check the rows that parse (the others show their own errors), nothing written."""
    usable = [
        (position, _slot(row))
        for position, row in enumerate(rows.forms, start=1)
        if row.is_valid() and row.cleaned_data.get("start") is not None
    ]
    if not usable:
        return {}
    problems = selectors.series_problems(
        patient=data["patient"],
        practitioner=data["practitioner"],
        appointment_type=data["appointment_type"],
        slots=[slot for _, slot in usable],
    )
    return {usable[index - 1][0]: explained for index, explained in _explained(problems).items()}


@requires(Capability.BOOK_APPOINTMENTS)
def series(request: HttpRequest) -> HttpResponse:
    """GET: the series form. POST with action=propose: a slot for each session; action=check:
    the table as adjusted, each row checked again; action=confirm: book them all, or none."""
    context: dict[str, Any] = {"presets": _presets()}
    if request.method != "POST":
        initial: dict[str, Any] = {"day": clock.local_today()}
        for key in ("patient", "practitioner"):
            if (pk := id_param(request.GET.get(key))) is not None:
                initial[key] = pk
        if (plan_pk := id_param(request.GET.get("plan"))) is not None:
            context.update(_plan_initial(request, initial, plan_pk))
        else:
            context["plans_to_book"] = selectors.plans_to_book()
        if "practitioner" not in initial and selectors.is_practitioner(request.user):
            initial["practitioner"] = request.user.pk
        form = SeriesForm(initial=initial)
        return render(request, TEMPLATE, {**context, "form": form, "picked": picked_patient(form)})

    form = SeriesForm(request.POST)
    action = request.POST.get("action", "propose")
    context.update(form=form, picked=picked_patient(form), booking_plan=_posted_plan(form))
    rows = None
    refused: dict[int, tuple[list[str], list]] = {}
    if form.is_valid():
        data = form.cleaned_data
        if action == "propose":
            try:
                proposals = services.series_propose(
                    patient=data["patient"],
                    practitioner=data["practitioner"],
                    appointment_type=data["appointment_type"],
                    first_start=data["first_start"],
                    count=data["count"],
                    interval_days=data["interval_days"],
                    room=data["room"],
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                rows = _rows_from_proposals(proposals)
                refused = {p.position: ([p.note], []) for p in proposals if p.slot is None}
        else:
            rows = SeriesRowFormSet(request.POST, prefix=ROWS)
            valid = rows.is_valid()
            if rows.non_form_errors():
                context["series_error"] = " ".join(rows.non_form_errors())
            if valid and action == "confirm":
                try:
                    appointments = services.appointment_series_book(
                        patient=data["patient"],
                        practitioner=data["practitioner"],
                        appointment_type=data["appointment_type"],
                        slots=[_slot(row) for row in rows.forms],
                        interval_days=data["interval_days"],
                        booked_by=request.user,
                        plan=data["plan"],
                    )
                except services.SeriesUnavailable as error:
                    refused = _explained(error.rows)
                    context["series_error"] = error.messages[0]
                except ValidationError as error:
                    show_service_error(form, error)
                else:
                    return _booked(request, appointments)
            else:
                refused = _check(rows, data)
    if rows is not None:
        context["rows"] = _row_status(rows, refused)
        context["management_form"] = rows.management_form
        context["all_free"] = all(row["free"] for row in context["rows"])
    name = f"{TEMPLATE}#workspace" if wants_fragment(request) else TEMPLATE
    return render(request, name, context)


def _plan_initial(request: HttpRequest, initial: dict[str, Any], plan_pk: int) -> dict[str, Any]:
    """Book a plan's sessions: its patient and practitioner, the sessions left to book (or
    maintenance) at its interval from the next due date. Fills `initial`; returns context. A plan
    that cannot be booked (not accepted yet, stopped, finished) only says why."""
    plan = plan_for_booking(user=request.user, pk=plan_pk)
    refusal = plan_booking_refusal(plan)
    if refusal:
        # Said up front, with nothing to fill in: the booking would only be refused.
        return {"booking_plan": plan, "plan_refusal": refusal}
    maintenance = request.GET.get("kind") == "maintenance"
    defaults = plan_booking_defaults(
        plan=plan,
        booked_session_ids=selectors.plan_booked_session_ids(plan=plan),
        maintenance=maintenance,
    )
    kind = AppointmentType.Kind.MAINTENANCE if maintenance else AppointmentType.Kind.TREATMENT
    initial.update(
        patient=plan.patient_id,
        practitioner=plan.practitioner_id,
        plan=plan.pk,
        appointment_type=selectors.active_appointment_types().filter(kind=kind).first(),
        count=defaults.count,
        interval_days=defaults.interval_days,
        day=defaults.first_day,
    )
    return {"booking_plan": plan, "plan_defaults": defaults}


def _posted_plan(form: SeriesForm) -> Any:
    pk = id_param(form["plan"].value())
    if pk is None:
        return None
    return TreatmentPlan.objects.select_related("patient", "practitioner").filter(pk=pk).first()


def _booked(request: HttpRequest, appointments: list) -> HttpResponse:
    first = appointments[0]
    messages.success(
        request,
        f"Booked {len(appointments)} sessions for {first.patient.full_name} with "
        f"{selectors.practitioner_name(first.practitioner)}, from "
        f"{clock.long_day(clock.local(first.start).date())}.",
    )
    query = urlencode(
        {"date": clock.local(first.start).date().isoformat(), "who": first.practitioner_id}
    )
    url = f"{reverse('scheduling:week')}?{query}"
    return HttpResponseClientRedirect(url) if wants_fragment(request) else redirect(url)
