"""The pages patients reach from the links in their emails: no login, the signed link is the
key (scheduling/outbox/links.py). A link that was altered, has expired, or is about an
appointment that has moved or passed gets a clear page, never an error.

Each page asks first (GET) and acts on the button (POST), so a mail scanner that opens every
link in an email confirms or cancels nothing; after acting it redirects to itself, and the
page then says what was done. Pages are in the patient's language.

The views are exempt from CSRF checks: CSRF protects what a browser's cookies authorise, and
here nothing does; only the secret token in the address, which a forging site cannot know.
Requiring the cookie would only fail patients whose mail app's browser drops it, and mail
providers' one-click unsubscribe (RFC 8058), which posts without any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from patients.models import Patient
from patients.services import patient_update_contact
from scheduling import clock, services
from scheduling.models import Appointment
from scheduling.outbox.links import Action, LinkExpired, LinkInvalid, LinkTarget, read_token
from scheduling.outbox.services import outbox_cancel_for_patient
from scheduling.reminders import VISITS
from scheduling.selectors import practitioner_name

Status = Appointment.Status
CANCELLED_BY_PATIENT = "Cancelled by the patient from the link in an email."
STOPPED_BY_PATIENT = "The patient stopped emails with the link in an email."


def _page(
    request: HttpRequest, language: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    clinic = {
        "clinic_address": settings.CLINIC_ADDRESS,
        "clinic_phone": settings.CLINIC_PHONE,
        "clinic_phone_link": "".join(settings.CLINIC_PHONE.split()),
        "LANGUAGE_CODE": language,
    }
    with translation.override(language):
        return render(request, "scheduling/patient_link.html", {**context, **clinic}, status=status)


def _bad_link(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    language = translation.get_language_from_request(request)
    state = "expired" if isinstance(error, LinkExpired) else "invalid"
    return _page(request, language, {"state": state}, status=400)


def _appointment_state(appointment: Appointment, target: LinkTarget) -> str:
    """What the page can say or do about this appointment."""
    if appointment.status == Status.CANCELLED:
        return "cancelled"
    if not target.describes(appointment):
        return "moved"
    if appointment.start <= clock.now() or not appointment.is_upcoming:
        return "past"
    return appointment.status  # booked or confirmed


def _appointment_page(request: HttpRequest, token: str, action: Action) -> HttpResponse:
    try:
        target = read_token(action, token)
    except LinkInvalid as error:
        return _bad_link(request, error)
    appointment = (
        Appointment.objects.select_related("patient", "practitioner", "appointment_type")
        .filter(pk=target.appointment_id, patient_id=target.patient_id)
        .first()
    )
    if appointment is None:
        return _bad_link(request, LinkInvalid())
    state = _appointment_state(appointment, target)
    problem = False
    if request.method == "POST" and state in Appointment.UPCOMING:
        if _done(lambda: _act(action, appointment)):
            return redirect(request.path)
        problem = True
    return _page(
        request,
        appointment.patient.preferred_language,
        {
            "action": action.value,
            "state": state,
            # A moved appointment's page says what moved: the time, the practitioner, or both.
            "changed": target.changes(appointment),
            "problem": problem,
            "appointment": appointment,
            "start": clock.local(appointment.start),
            "end": clock.local(appointment.end),
            "what": VISITS.get(appointment.appointment_type.kind, ""),
            "practitioner": practitioner_name(appointment.practitioner),
            "by_patient": appointment.cancel_reason == CANCELLED_BY_PATIENT,
        },
    )


def _done(act: Callable[[], object]) -> bool:
    """Do what the patient asked; after it the page redirects to itself and says what was
    done. False when a service refused (the desk changed something a moment ago): the page
    then asks the patient to call."""
    try:
        act()
    except ValidationError:
        return False
    return True


def _stop(patient: Patient) -> None:
    # What is pending stops first, whatever happens to the record's update.
    outbox_cancel_for_patient(patient=patient, reason=STOPPED_BY_PATIENT)
    if patient.accepts_reminders:
        patient_update_contact(patient=patient, data={}, reminder_consent=False)


def _act(action: Action, appointment: Appointment) -> None:
    # The patient has no account: the appointment's history records the change without a user.
    if action is Action.CONFIRM:
        if appointment.status == Status.BOOKED:
            services.appointment_transition(
                appointment=appointment, status=Status.CONFIRMED, by=None
            )
    else:
        services.appointment_cancel(appointment=appointment, reason=CANCELLED_BY_PATIENT, by=None)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _appointment_page(request, token, Action.CONFIRM)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def link_cancel(request: HttpRequest, token: str) -> HttpResponse:
    return _appointment_page(request, token, Action.CANCEL)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def link_stop(request: HttpRequest, token: str) -> HttpResponse:
    try:
        target = read_token(Action.STOP, token)
    except LinkInvalid as error:
        return _bad_link(request, error)
    patient = Patient.objects.filter(pk=target.patient_id).first()
    if patient is None:
        return _bad_link(request, LinkInvalid())
    problem = False
    if request.method == "POST":
        if _done(lambda: _stop(patient)):
            return redirect(request.path)
        problem = True
    return _page(
        request,
        patient.preferred_language,
        {
            "action": Action.STOP.value,
            "state": "subscribed" if patient.accepts_reminders else "stopped",
            "problem": problem,
            "patient": patient,
        },
    )
