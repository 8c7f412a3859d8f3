from __future__ import annotations

from django.http import HttpRequest

from clinic.audit import audit_record
from clinic.models import AuditEvent
from patients.models import Patient

Action = AuditEvent.Action


def audit(request: HttpRequest, action: str, patient: Patient, what: str) -> None:
    """Record that the signed-in user saw or changed this patient's treatment records."""
    audit_record(request=request, action=action, patient=patient, what=what)
