"""Reads for the outbox pages: the staff list, its counts, a patient's recent emails, and the
clinic's switches (what the sweep and the switches page read)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
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
    """The kinds of patient email the clinic has switched off, in order: they are not
    planned, and their waiting emails are not sent. One query."""
    rows = MessageKindSwitch.objects.filter(is_enabled=False).order_by("kind")
    return list(rows.values_list("kind", flat=True))


# The switches' history, read through its plain manager (as patients/history.py does).
_SWITCH_HISTORY = MessageKindSwitch.history.model._default_manager


def _switches() -> QuerySet[MessageKindSwitch]:
    """The switch rows, each with what its history says of its current state:

    - `opposite_id`: the last version in the other state (None: as far as the history goes
      back, the kind was never in the other state);
    - `switch_id`, `switched_at`: the first version since then, the one that put the kind in
      its state (None when the history has no version in that state: the row was changed
      without saving it, by an UPDATE).

    Versions are ordered by `history_id`, the order they were written in."""
    opposite = (
        _SWITCH_HISTORY.filter(kind=OuterRef("kind"))
        .exclude(is_enabled=OuterRef("is_enabled"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    since = _SWITCH_HISTORY.filter(
        kind=OuterRef("kind"),
        is_enabled=OuterRef("is_enabled"),
        history_id__gt=Coalesce(OuterRef("opposite_id"), 0),
    ).order_by("history_id")
    return MessageKindSwitch.objects.annotate(opposite_id=Subquery(opposite)).annotate(
        switch_id=Subquery(since.values("history_id")[:1]),
        switched_at=Subquery(since.values("history_date")[:1]),
    )


@dataclass(frozen=True)
class KindSwitchStates:
    """What the sweep needs to know of the switches."""

    # Kinds switched off: not planned, their waiting emails not sent.
    off: frozenset[str]
    # Kinds switched back on, with the moment: emails of the kind due before it came due
    # while the kind was off, and are never planned.
    on_since: dict[str, datetime.datetime]


def kind_switch_states() -> KindSwitchStates:
    """The switches as the sweep reads them. One query."""
    rows = list(_switches().values_list("kind", "is_enabled", "opposite_id", "switched_at"))
    return KindSwitchStates(
        off=frozenset(kind for kind, is_enabled, _, _ in rows if not is_enabled),
        on_since={
            kind: switched_at
            for kind, is_enabled, opposite_id, switched_at in rows
            if is_enabled and opposite_id is not None and switched_at is not None
        },
    )


@dataclass(frozen=True)
class KindRow:
    """One kind of patient email on the switches page."""

    kind: OutboxMessage.Kind
    # When its emails go, in words (`MessageKind.when`).
    when: str
    is_enabled: bool
    # When the kind was put in the state it is in, and by whom (None: not recorded). No
    # moment for a kind that is on and was never off as far as its history goes back.
    changed_at: datetime.datetime | None
    changed_by: Any
    # Emails of the kind waiting to be sent.
    waiting: int


def message_kind_rows() -> list[KindRow]:
    """Every kind of patient email, in the order of the kinds table, with its switch, its last
    change and how many of its emails are waiting. At most three queries, whatever the number
    of emails: the switches, the versions that last switched them, the waiting emails by
    kind."""
    switches = {switch.kind: switch for switch in _switches().select_related("changed_by")}
    # A kind that is on and never was off has no change to show.
    switched = {
        kind: switch
        for kind, switch in switches.items()
        if not (switch.is_enabled and switch.opposite_id is None)
    }
    version_ids = [switch.switch_id for switch in switched.values() if switch.switch_id]
    versions = {
        version.history_id: version
        for version in _SWITCH_HISTORY.filter(history_id__in=version_ids).select_related(
            "history_user", "changed_by"
        )
    }
    waiting = dict(
        OutboxMessage.objects.filter(status=Status.PENDING)
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    rows = []
    for kind in KINDS.values():
        switch = switches.get(kind.kind)
        changed_at, changed_by = None, None
        if kind.kind in switched:
            version = versions.get(switch.switch_id)
            if version is not None:
                # The back office saves no `changed_by`; the history knows who was signed in.
                changed_at = version.history_date
                changed_by = version.history_user or version.changed_by
            else:
                changed_at, changed_by = switch.changed_at, switch.changed_by
        rows.append(
            KindRow(
                kind=OutboxMessage.Kind(kind.kind),
                when=kind.when(),
                is_enabled=switch is None or switch.is_enabled,
                changed_at=changed_at,
                changed_by=changed_by,
                waiting=waiting.get(kind.kind, 0),
            )
        )
    return rows


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
