"""The patient page's "Emails" panel reads through this tag, so the patients app needs no
import of scheduling: its template includes scheduling/_patient_outbox.html."""

from __future__ import annotations

from django import template

from scheduling.models import OutboxMessage
from scheduling.outbox.selectors import patient_outbox

register = template.Library()


@register.simple_tag
def patient_emails(patient_id: int) -> list[OutboxMessage]:
    return patient_outbox(patient_id=patient_id)
