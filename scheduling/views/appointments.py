"""Booking one appointment, and what can be done to it from the calendar."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from clinic.lib.params import id_param
from clinic.roles import Capability, requires
from patients.forms import picked_patient
from scheduling import clock, selectors, services
from scheduling.forms import (
    BookingForm,
    CancelForm,
    MoveForm,
    StatusForm,
    in_bounds,
    show_service_error,
)
from scheduling.models import Appointment
from scheduling.views._htmx import announce_change, page_or_fragment, wants_fragment

DETAIL = "scheduling/appointment_detail.html"
# What the today board's quick actions post as `from`: they answer by reloading the board.
FROM_TODAY = "today"


def day_url(appointment: Appointment) -> str:
    query = urlencode(
        {
            "date": clock.local(appointment.start).date().isoformat(),
            "who": appointment.practitioner_id,
        }
    )
    return f"{reverse('scheduling:day')}?{query}"


def _describe(appointment: Appointment) -> str:
    start = clock.local(appointment.start)
    practitioner = selectors.practitioner_name(appointment.practitioner)
    return (
        f"{appointment.patient.full_name} with {practitioner}"
        f" on {clock.long_day(start.date())} at {start:%H:%M}, {appointment.room}"
    )


def _given_early_reason(appointment: Appointment) -> str:
    """The cancel form's suggested reason for an appointment whose session was given early."""
    if not appointment.given_early:
        return ""
    day = clock.local(appointment.session_given_at).date()
    return f"Session already given on {clock.long_day(day)} {day.year}."


def _actions(appointment: Appointment) -> list[tuple[str, str, str]]:
    """The status buttons this appointment offers now: (status, label, button style)."""
    now = clock.now()
    offered = [
        (Appointment.Status.CONFIRMED, "Confirm", "btn-outline-primary"),
        (Appointment.Status.ARRIVED, "Arrived", "btn-primary"),
        (Appointment.Status.IN_TREATMENT, "Start treatment", "btn-primary"),
        (Appointment.Status.COMPLETED, "Completed", "btn-success"),
        (Appointment.Status.NO_SHOW, "No-show", "btn-outline-danger"),
    ]
    return [
        (status.value, label, style)
        for status, label, style in offered
        if services.transition_refusal(appointment, status, now=now) is None
    ]


def _detail(request: HttpRequest, appointment: Appointment, **extra: Any) -> HttpResponse:
    context = {
        "appointment": appointment,
        "actions": _actions(appointment),
        "day_url": day_url(appointment),
        # Says only that treatment is on hold, not why: the front desk opens this dialog too.
        "on_hold": appointment.pk in selectors.appointments_on_hold([appointment]),
        **extra,
    }
    return page_or_fragment(request, DETAIL, "card", context)


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.appointment_for(request.user, pk))


def _answer_on_today(
    request: HttpRequest, appointment: Appointment, error: str | None
) -> HttpResponse:
    """A quick action on the today board. The board reloads either way (a refusal usually
    means it is stale: the appointment changed in another tab), and a refusal is said as a
    message on it, since the button has nowhere to show it."""
    if error:
        messages.error(request, f"{appointment.patient.full_name}: {error}")
    if not wants_fragment(request):
        if not error:
            messages.success(request, f"Marked {appointment.get_status_display().lower()}.")
        return redirect("scheduling:today")
    return announce_change(HttpResponse())


@require_POST
@requires(Capability.BOOK_APPOINTMENTS)
def appointment_status(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for(request.user, pk)
    form = StatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = "Choose what happened."
    else:
        try:
            appointment = services.appointment_transition(
                appointment=appointment, status=form.cleaned_data["status"], by=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.POST.get("from") == FROM_TODAY:
        return _answer_on_today(request, appointment, error)
    if not wants_fragment(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"Marked {appointment.get_status_display().lower()}.")
        return redirect("scheduling:appointment", pk=appointment.pk)
    response = _detail(request, appointment, error=error)
    return response if error else announce_change(response)


@requires(Capability.BOOK_APPOINTMENTS)
def appointment_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an appointment to another time, room or practitioner (the dialog's free times
    follow the practitioner chosen)."""
    appointment = selectors.appointment_for(request.user, pk)
    alternatives: list = []
    if request.method == "POST":
        form = MoveForm(request.POST, appointment=appointment)
        if form.is_valid():
            change = {
                "start": form.cleaned_data["start"],
                "room": form.cleaned_data["room"],
                "practitioner": form.cleaned_data["practitioner"],
            }
            unchanged = services.appointment_unchanged(appointment=appointment, **change)
            try:
                services.appointment_move(appointment=appointment, by=request.user, **change)
            except ValidationError as error:
                show_service_error(form, error)
                alternatives = getattr(error, "alternatives", [])
            else:
                appointment = selectors.appointment_for(request.user, pk)
                message = (
                    f"Nothing changed: the appointment is already at that time, with that "
                    f"practitioner ({_describe(appointment)})."
                    if unchanged
                    else f"Moved: {_describe(appointment)}."
                )
                if not wants_fragment(request):
                    messages.add_message(
                        request, messages.INFO if unchanged else messages.SUCCESS, message
                    )
                    return redirect(day_url(appointment))
                response = _detail(request, appointment, notice=message)
                return response if unchanged else announce_change(response)
    else:
        start = clock.local(appointment.start)
        form = MoveForm(
            initial={
                "practitioner": appointment.practitioner_id,
                "day": start.date(),
                "time": start.time(),
            },
            appointment=appointment,
        )
    context = {
        "appointment": appointment,
        "form": form,
        "alternatives": alternatives,
        "day_url": day_url(appointment),
        "panel": "move",
    }
    return page_or_fragment(request, DETAIL, "move", context)


@requires(Capability.BOOK_APPOINTMENTS)
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for(request.user, pk)
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                appointment = services.appointment_cancel(
                    appointment=appointment, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                show_service_error(form, error)
            else:
                entries = selectors.waitlist_open(today=clock.local_today())
                candidates = selectors.waitlist_candidates(appointment, entries)
                message = f"Cancelled: {_describe(appointment)}."
                if not wants_fragment(request):
                    messages.success(request, message)
                    return redirect("scheduling:appointment", pk=appointment.pk)
                response = _detail(request, appointment, notice=message, candidates=candidates)
                return announce_change(response)
    else:
        form = CancelForm(initial={"reason": _given_early_reason(appointment)})
    context = {
        "appointment": appointment,
        "form": form,
        "day_url": day_url(appointment),
        "panel": "cancel",
    }
    return page_or_fragment(request, DETAIL, "cancel", context)


def _initial_booking(request: HttpRequest) -> dict[str, Any]:
    """Prefill from the address: ?patient=&practitioner=&type=&start=2026-03-17T10:00"""
    initial: dict[str, Any] = {}
    for key, field in (
        ("patient", "patient"),
        ("practitioner", "practitioner"),
        ("type", "appointment_type"),
        ("waitlist", "waitlist_entry"),
    ):
        if (pk := id_param(request.GET.get(key))) is not None:
            initial[field] = pk
    try:
        start = datetime.datetime.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = None
    # A year such as 9999 would overflow in the clinic's time zone: today instead.
    if start is not None and not in_bounds(start.date()):
        start = None
    if start is not None:
        start = clock.local(start) if start.tzinfo else start
        initial["day"], initial["time"] = (
            start.date(),
            start.time().replace(second=0, microsecond=0),
        )
    else:
        initial["day"] = clock.local_today()
    if "practitioner" not in initial and selectors.is_practitioner(request.user):
        initial["practitioner"] = request.user.pk
    return initial


@requires(Capability.BOOK_APPOINTMENTS)
def book(request: HttpRequest) -> HttpResponse:
    alternatives: list = []
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_book(
                    patient=data["patient"],
                    practitioner=data["practitioner"],
                    appointment_type=data["appointment_type"],
                    start=data["start"],
                    end=data["end"],
                    room=data["room"],
                    note=data["note"],
                    booked_by=request.user,
                    waitlist_entry=data["waitlist_entry"],
                )
            except ValidationError as error:
                show_service_error(form, error)
                alternatives = getattr(error, "alternatives", [])
            else:
                messages.success(request, f"Booked {_describe(appointment)}.")
                if wants_fragment(request):
                    return HttpResponseClientRedirect(day_url(appointment))
                return redirect(day_url(appointment))
    else:
        form = BookingForm(initial=_initial_booking(request))
    return render(
        request,
        "scheduling/appointment_book.html",
        {"form": form, "alternatives": alternatives, "picked": picked_patient(form)},
    )


@require_GET
@requires(Capability.BOOK_APPOINTMENTS)
def free_slots(request: HttpRequest) -> HttpResponse:
    """Free times for the practitioner, type and day the booking form has so far."""
    form = BookingForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    slots, same_day = [], True
    if data.get("practitioner") and data.get("appointment_type") and data.get("day"):
        ignore = request.GET.get("ignore", "")
        slots, same_day = selectors.free_slots_for_day(
            practitioner=data["practitioner"],
            appointment_type=data["appointment_type"],
            day=data["day"],
            patient=data.get("patient"),
            ignore_appointment_ids=[pk] if (pk := id_param(ignore)) is not None else [],
        )
    return render(
        request,
        "scheduling/appointment_book.html#free-slots",
        {
            "slots": slots,
            "same_day": same_day,
            "day": data.get("day"),
            "asked": all(data.get(key) for key in ("practitioner", "appointment_type", "day")),
            # A day out of bounds or years ahead: say why there are no times to show.
            "day_error": " ".join(form.errors.get("day", [])) if request.GET.get("day") else "",
        },
    )
