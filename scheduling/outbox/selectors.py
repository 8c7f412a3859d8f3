"""Reads for the outbox pages: the staff list, its counts, and a patient's recent emails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from scheduling.models import OutboxMessage

if TYPE_CHECKING:
    from clinic.roles import User

Status = OutboxMessage.Status
# What the staff list shows each row with.
ROW_RELATED = ("patient", "appointment__practitioner", "resent_by")


def outbox_messages(
    *, status: str | None = None, patient_id: int | None = None
) -> QuerySet[OutboxMessage]:
    """Newest first (by when each is or was due)."""
    messages = OutboxMessage.objects.select_related(*ROW_RELATED).order_by("-due_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if patient_id is not None:
        messages = messages.filter(patient_id=patient_id)
    return messages


def outbox_attention_counts(*, patient_id: int | None = None) -> dict[str, int]:
    """How many failed and waiting messages there are: one grouped count, on the status index
    (sent ones are not counted: there are many, and nobody acts on them)."""
    rows = OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.PENDING])
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    counts = dict(rows.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in (Status.FAILED, Status.PENDING)}


def patient_outbox(*, patient_id: int, limit: int = 6) -> list[OutboxMessage]:
    """The patient's latest emails, for the panel on the patient page."""
    return list(
        OutboxMessage.objects.filter(patient_id=patient_id).order_by("-due_at", "-pk")[:limit]
    )


def outbox_message_for(user: User, pk: int) -> OutboxMessage:
    """A message staff who book appointments may act on: any (they are not clinical)."""
    return get_object_or_404(OutboxMessage.objects.select_related("patient"), pk=pk)
