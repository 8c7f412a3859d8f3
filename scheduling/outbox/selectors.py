"""Reads for the outbox pages: the staff list, its counts, and a patient's recent emails."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from scheduling import clock
from scheduling.models import MessageKindSwitch, OutboxMessage
from scheduling.outbox.kinds import audience_conditions
from scheduling.reminders import KINDS

if TYPE_CHECKING:
    from clinic.roles import User

Status = OutboxMessage.Status
# What the staff list shows each row with.
ROW_RELATED = ("patient", "appointment__practitioner", "resent_by")
SWITCHED_OFF = "This kind of email is switched off."


def stale_reason(now: datetime.datetime) -> Case:
    """Why a message must not be sent any more, as SQL ("" while it still should be): the
    kind is switched off, a condition of its kind holds, or its patient may not be emailed."""
    off = Exists(MessageKindSwitch.objects.filter(kind=OuterRef("kind"), is_enabled=False))
    whens = [When(off, then=Value(SWITCHED_OFF))]
    for kind in KINDS.values():
        whens += [
            When(Q(kind=kind.kind) & condition, then=Value(reason))
            for condition, reason in kind.stale(now)
        ]
    whens += [When(condition, then=Value(reason)) for condition, reason in audience_conditions()]
    return Case(*whens, default=Value(""), output_field=CharField())


def with_resend_refusals(
    messages: list[OutboxMessage], now: datetime.datetime | None = None
) -> list[OutboxMessage]:
    """Give each message its `resend_refusal`: why a failed one would not be sent again (the
    same staleness rules as the resend itself), "" when it would or when it did not fail. The
    pages offer "Send again" only where it would work.

    One query, and only when failed messages are among them: the rules are one large CASE that
    costs about 13 ms to build and run, and most pages show no failed email."""
    failed = [message.pk for message in messages if message.status == Status.FAILED]
    refusals: dict[int, str] = {}
    if failed:
        rows = OutboxMessage.objects.filter(pk__in=failed).annotate(
            refusal=stale_reason(now or clock.now())
        )
        refusals = dict(rows.values_list("pk", "refusal"))
    for message in messages:
        message.resend_refusal = refusals.get(message.pk, "")
    return messages


def outbox_messages(
    *, status: str | None = None, patient_id: int | None = None
) -> QuerySet[OutboxMessage]:
    """Newest first (by when each is or was due); see `with_resend_refusals` for the rows
    shown."""
    messages = OutboxMessage.objects.select_related(*ROW_RELATED).order_by("-due_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if patient_id is not None:
        messages = messages.filter(patient_id=patient_id)
    return messages


def switched_off_kinds() -> list[str]:
    """The kinds of patient email the clinic has switched off (in the back office), in
    order: they are not planned, and their waiting emails are not sent. One query."""
    rows = MessageKindSwitch.objects.filter(is_enabled=False).order_by("kind")
    return list(rows.values_list("kind", flat=True))


def outbox_attention_counts(*, patient_id: int | None = None) -> dict[str, int]:
    """How many failed and waiting messages there are: one grouped count, on the status index
    (sent ones are not counted: there are many, and nobody acts on them)."""
    rows = OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.PENDING])
    if patient_id is not None:
        rows = rows.filter(patient_id=patient_id)
    counts = dict(rows.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in (Status.FAILED, Status.PENDING)}


def patient_outbox(
    *, patient_id: int, limit: int = 6, now: datetime.datetime | None = None
) -> list[OutboxMessage]:
    """The patient's latest emails, for the panel on the patient page, each with its
    `resend_refusal`."""
    messages = OutboxMessage.objects.filter(patient_id=patient_id).order_by("-due_at", "-pk")
    return with_resend_refusals(list(messages[:limit]), now)


def outbox_message_for(user: User, pk: int) -> OutboxMessage:
    """A message staff who book appointments may act on: any (they are not clinical)."""
    return get_object_or_404(OutboxMessage.objects.select_related("patient"), pk=pk)
