"""What the outbox needs to know about one kind of patient email.

A kind is a row in the table `scheduling.reminders.KINDS`. The outbox does the rest: it
plans the kind's messages on every sweep, keeps them once per (patient, kind, key), cancels
those whose reason has gone, sends them in the patient's language, retries, and shows staff
what happened. Adding a kind is one `MessageKind(...)`, its templates, a `OutboxMessage.Kind`
choice (with its migration) and a `MessageKindSwitch` row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.template.defaultfilters import pluralize

from clinic.lib.email import Attachment
from scheduling.models import OutboxMessage

# Conditions on OutboxMessage rows, each with the reason staff read when one holds.
Conditions = Sequence[tuple[Q, str]]


def no_attachments(messages: Sequence[OutboxMessage]) -> Sequence[Attachment]:
    return ()


@dataclass(frozen=True)
class MessageKind:
    """One kind of patient email.

    `plan(now)` is the kind's sweep: unsaved `OutboxMessage` rows (patient, kind, key,
    event, due time) for every message that should exist now and does not yet, from one
    indexed query, yielded lazily so the outbox can insert them in batches. It plans only for
    patients in `reachable("patient__")`. Planning again what exists already is harmless:
    the unique key (patient, kind, key) makes it a no-op.

    `stale(now)` lists the conditions, on `OutboxMessage` rows of this kind, under which a
    pending message must not be sent any more, each with the reason staff will read ("The
    appointment was moved."). They are checked by the sweep and again, under the row lock,
    just before sending. The rows `plan` returns must never meet one of them.

    `context(messages)` is the template context of one email about `messages` (one patient,
    this kind; several only when `coalesce` is on); `attachments(messages)` its files.

    `when()` says in one plain sentence when the kind's emails go, with the figures the
    settings give today: what the clinic manager reads before switching the kind on or off.
    """

    kind: OutboxMessage.Kind
    # Templates emails/<email>-subject.txt, -body.txt and -body.html.
    email: str
    plan: Callable[[datetime.datetime], Iterable[OutboxMessage]]
    stale: Callable[[datetime.datetime], Conditions]
    context: Callable[[Sequence[OutboxMessage]], Mapping[str, Any]]
    when: Callable[[], str]
    attachments: Callable[[Sequence[OutboxMessage]], Sequence[Attachment]] = no_attachments
    # Pending messages of this kind for one patient that are due together go as one email
    # (six sessions booked at once: one confirmation listing them, not six).
    coalesce: bool = False
    # What building its emails reads through each message (select_related paths).
    related: tuple[str, ...] = ()


def reachable(prefix: str = "") -> Q:
    """Patients the clinic may email: `Patient.accepts_reminders` (consent given, not withdrawn
    since, an address) as a query, and a record that is not archived."""
    return (
        Q(**{f"{prefix}reminder_consent_at__isnull": False})
        & ~Q(**{f"{prefix}email": ""})
        & (
            Q(**{f"{prefix}reminder_consent_withdrawn_at__isnull": True})
            | Q(**{f"{prefix}reminder_consent_withdrawn_at__lt": F(f"{prefix}reminder_consent_at")})
        )
        & Q(**{f"{prefix}archived_at__isnull": True})
    )


def audience_conditions() -> Conditions:
    """Why no message of any kind may go to its patient any more."""
    return [
        (Q(patient__archived_at__isnull=False), "The patient's record is archived."),
        (~reachable("patient__"), "The patient has not agreed to emails, or withdrew."),
    ]


def amount(value: float, unit: str) -> str:
    """ "2 hours", "1 day", "0.5 hours": a figure from the settings, for staff to read."""
    return f"{value:g} {unit}{pluralize(value)}"
