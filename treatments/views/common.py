from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse

from clinic.audit import audit_record
from clinic.lib.forms import save_form
from clinic.models import AuditEvent
from patients.models import Patient

Action = AuditEvent.Action


def audit(request: HttpRequest, action: str, patient: Patient, what: str) -> None:
    """Record that the signed-in user saw or changed this patient's treatment records."""
    audit_record(request=request, action=action, patient=patient, what=what)


def save_audited(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    action: str,
    patient: Patient,
    what: Callable[[Any], str],
    success: str,
    next_url: str | Callable[[Any], str],
) -> HttpResponse | None:
    """The POST half of a form page (patients' save_form), with the change written to the
    audit log once the service has saved it: `what(saved)` names the record."""

    def saved(data: dict[str, Any]) -> Any:
        result = save(data)
        audit(request, action, patient, what(result))
        return result

    return save_form(request, form, saved, success=success, next_url=next_url)
