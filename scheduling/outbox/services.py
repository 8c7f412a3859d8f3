"""Writes for the patient-email outbox: the sweep, the send, failures and retries, resending,
and switching a kind of email on or off.

Exactly once is the database's job (shared/CONVENTIONS.md, "Celery"):

- Planning inserts rows with ON CONFLICT DO NOTHING on (patient, kind, key): two sweeps at
  once, or a sweep run twice, plan each message once.
- Sending locks the pending row (SELECT … FOR UPDATE SKIP LOCKED), sends, and marks it sent in
  the same transaction. A second task for the same row skips it while it is locked and finds
  it sent afterwards. A worker killed mid-send drops its connection: PostgreSQL rolls back,
  the row is pending again, and the next sweep queues it again after its lease
  (OUTBOX_REQUEUE_AFTER_SECONDS), so nothing is lost.
- One window no system closes: the mail server accepted the message and the worker died
  before the commit (milliseconds). The message then goes again, with the same Message-ID,
  which mail clients show once.
"""

from __future__ import annotations

import datetime
import itertools
import smtplib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, QuerySet

from clinic.lib.email import email_build
from scheduling import clock
from scheduling.models import MessageKindSwitch, OutboxMessage
from scheduling.outbox.kinds import MessageKind
from scheduling.outbox.links import stop_link
from scheduling.outbox.selectors import SWITCHED_OFF, kind_switch_states, stale_reason
from scheduling.reminders import KINDS

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

    User = AbstractBaseUser

BATCH = 500
Status = OutboxMessage.Status
# What building any kind's email reads through its messages, fetched with the lock.
RELATED = tuple(dict.fromkeys(("patient", *(p for k in KINDS.values() for p in k.related))))


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)


# The sweep.


@dataclass(frozen=True)
class SweepReport:
    cancelled: int
    planned: int
    queued: int


def outbox_sweep(*, now: datetime.datetime | None = None) -> SweepReport:
    """Bring the outbox up to date and queue a send task for every message that is due.

    Run by beat every minute; safe to run twice at once. Each step works in batches, each
    batch in its own short transaction.
    """
    now = now or clock.now()
    cancelled = _cancel_stale(now)
    switches = kind_switch_states()
    planned = sum(
        _plan(kind, now, since=switches.on_since.get(kind.kind))
        for kind in KINDS.values()
        if kind.kind not in switches.off
    )
    return SweepReport(cancelled=cancelled, planned=planned, queued=_queue_due(now))


def _cancel(rows: Iterable[tuple[int, str]], now: datetime.datetime) -> int:
    """Mark these pending (pk, reason) rows cancelled: one UPDATE per reason."""
    count = 0
    for reason, group in itertools.groupby(sorted(rows, key=lambda row: row[1]), lambda r: r[1]):
        count += OutboxMessage.objects.filter(
            pk__in=[pk for pk, _ in group], status=Status.PENDING
        ).update(status=Status.CANCELLED, reason=reason, requeue_after=None, updated_at=now)
    return count


@transaction.atomic
def _cancel_stale(now: datetime.datetime) -> int:
    stale = (
        OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Status.PENDING)
        .annotate(stale=stale_reason(now))
        .exclude(stale="")
        .values_list("pk", "stale")
    )
    return _cancel(list(stale), now)


def _batches(rows: Iterable[OutboxMessage], size: int) -> Iterator[list[OutboxMessage]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _plan(kind: MessageKind, now: datetime.datetime, since: datetime.datetime | None) -> int:
    """Plan the kind's messages. For a kind switched back on `since` that moment, what came due
    before it is left out: each kind plans what it finds due in a window behind it (a day of
    bookings, the reminders of the next two days, a week of sessions), and without this a
    kind switched back on would send at once what was due while it was off. What it leaves
    out is found again by the next sweeps until it leaves the kind's window, which is short."""
    rows = kind.plan(now)
    if since is not None:
        rows = (row for row in rows if row.due_at >= since)
    planned = 0
    for batch in _batches(rows, BATCH):
        _insert(batch)
        planned += len(batch)
    return planned


@transaction.atomic
def _insert(rows: list[OutboxMessage]) -> None:
    """Insert planned rows; a key that exists already is left alone, unless its message was
    cancelled and is planned again because its reason has gone (the appointment moved back,
    consent was given again): a cancelled message was never sent, so it may be revived."""
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = {(row.patient_id, row.key): row for row in rows}
    same_key = Q()
    for patient_id, key in wanted:
        same_key |= Q(patient_id=patient_id, key=key)
    revived = list(
        OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            same_key, kind=rows[0].kind, status=Status.CANCELLED
        )
    )
    for message in revived:
        planned = wanted[(message.patient_id, message.key)]
        message.status, message.reason, message.requeue_after = Status.PENDING, "", None
        message.due_at, message.attempts = planned.due_at, 0
    OutboxMessage.objects.bulk_update(
        revived, ["status", "reason", "requeue_after", "due_at", "attempts"]
    )


def _queue_due(now: datetime.datetime) -> int:
    """Queue a send task, after commit, for each due message that has none queued."""
    queued = 0
    while True:
        with transaction.atomic():
            due = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(status=Status.PENDING, due_at__lte=now)
                .filter(Q(requeue_after__isnull=True) | Q(requeue_after__lte=now))
                .order_by("due_at", "pk")
                .values_list("pk", flat=True)[:BATCH]
            )
            OutboxMessage.objects.filter(pk__in=due).update(requeue_after=now + _lease())
            for pk in due:
                _enqueue(pk)
        queued += len(due)
        if len(due) < BATCH:
            return queued


def _enqueue(message_id: int) -> None:
    # Imported here: the task module calls these services.
    from scheduling.tasks import send_outbox_message

    send_outbox_message.delay_on_commit(message_id)


# Sending.


def _pending_locked(now: datetime.datetime) -> QuerySet[OutboxMessage]:
    """Due pending messages, locked for this transaction; rows another worker holds are
    skipped, not waited for."""
    return (
        OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related(*RELATED)
        .filter(status=Status.PENDING, due_at__lte=now)
        .annotate(stale=stale_reason(now))
        .order_by("due_at", "pk")
    )


def outbox_send(*, message_id: int, now: datetime.datetime | None = None) -> str:
    """Send one pending, due message, with its due siblings when its kind coalesces.

    Returns "sent", "cancelled" (no longer wanted: marked so, with the reason) or "skipped"
    (not pending or not due, or another worker is sending it). Errors from the mail server
    propagate, with the row still pending: see `outbox_record_failure`.
    """
    now = now or clock.now()
    with transaction.atomic():
        primary = _pending_locked(now).filter(pk=message_id).first()
        if primary is None:
            return "skipped"
        kind = KINDS[primary.kind]
        group = [primary]
        if kind.coalesce:
            group += (
                _pending_locked(now)
                .filter(patient_id=primary.patient_id, kind=kind.kind)
                .exclude(pk=primary.pk)
            )
        _cancel(((message.pk, message.stale) for message in group if message.stale), now)
        live = [message for message in group if not message.stale]
        if not live:
            return "cancelled"
        build_email(kind, live).send()
        OutboxMessage.objects.filter(pk__in=[message.pk for message in live]).update(
            status=Status.SENT,
            sent_at=now,
            sent_to=primary.patient.email,
            attempts=F("attempts") + 1,
            reason="",
            requeue_after=None,
            updated_at=now,
        )
    return "sent"


def build_email(kind: MessageKind, messages: Sequence[OutboxMessage]) -> EmailMultiAlternatives:
    """The email about `messages` (one patient, one kind), in the patient's language."""
    patient = messages[0].patient
    unsubscribe = stop_link(patient_id=patient.pk)
    domain = urlsplit(settings.CLINIC_SITE_URL).hostname or "localhost"
    return email_build(
        name=kind.email,
        to=[patient.email],
        context={**kind.context(messages), "stop_url": unsubscribe},
        language=patient.preferred_language,
        attachments=kind.attachments(messages),
        headers={
            # The same for every attempt, so a copy delivered twice shows once.
            "Message-ID": f"<outbox-{messages[0].pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


# Failures.


def describe_error(error: BaseException) -> tuple[bool, str]:
    """Whether retrying cannot help (the server refused for good), and what staff read."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in error.recipients.values()
        )
        return True, f"The mail server refused the address ({answers})."
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return 500 <= error.smtp_code < 600, f"The mail server answered {error.smtp_code}: {text}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return False, "The mail server closed the connection."
    if isinstance(error, OSError):
        return False, f"The mail server could not be reached ({error.strerror or error})."
    return False, f"Sending failed: {error}"


@dataclass(frozen=True)
class Failure:
    # No retry: the message is failed (or was not pending any more).
    final: bool
    retry_in: int = 0


def _backoff(attempts: int) -> int:
    """Seconds before the next attempt: the backoff doubles with each failure, capped."""
    return get_exponential_backoff_interval(
        factor=settings.OUTBOX_RETRY_BACKOFF_SECONDS,
        retries=attempts - 1,
        maximum=settings.OUTBOX_RETRY_BACKOFF_MAX_SECONDS,
        full_jitter=False,
    )


@transaction.atomic
def outbox_record_failure(
    *,
    message_id: int,
    error: BaseException,
    give_up: bool = False,
    now: datetime.datetime | None = None,
) -> Failure:
    """Count a failed attempt. After OUTBOX_MAX_ATTEMPTS, at once when the server refused for
    good, or when told to `give_up`, the message is failed, with the reason, for staff to see
    and resend."""
    now = now or clock.now()
    message = (
        OutboxMessage.objects.select_for_update().filter(pk=message_id, status=Status.PENDING)
    ).first()
    if message is None:
        return Failure(final=True)
    permanent, message.reason = describe_error(error)
    message.reason = message.reason[:500]
    message.attempts += 1
    if give_up or permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status, message.requeue_after = Status.FAILED, None
        message.save(update_fields=["status", "reason", "attempts", "requeue_after", "updated_at"])
        return Failure(final=True)
    retry_in = _backoff(message.attempts)
    # The retry is on its way; the sweep only queues another if it never comes.
    message.requeue_after = now + datetime.timedelta(seconds=retry_in) + _lease()
    message.save(update_fields=["reason", "attempts", "requeue_after", "updated_at"])
    return Failure(final=False, retry_in=retry_in)


@transaction.atomic
def outbox_mark_failed(*, message_id: int, reason: str) -> None:
    """A send ended in an error no retry covers (a bug, a time limit): failed, with why."""
    OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING).update(
        status=Status.FAILED,
        reason=reason[:500],
        attempts=F("attempts") + 1,
        requeue_after=None,
        updated_at=clock.now(),
    )


# Staff and patient actions.


@transaction.atomic
def outbox_resend(
    *, message: OutboxMessage, by: User, now: datetime.datetime | None = None
) -> OutboxMessage:
    """Send a failed message again, now. Refused when it would not be sent any more (the
    appointment has passed, consent was withdrawn…), with that reason."""
    now = now or clock.now()
    message = (
        OutboxMessage.objects.select_for_update(of=("self",))
        .annotate(stale=stale_reason(now))
        .get(pk=message.pk)
    )
    if message.status != Status.FAILED:
        raise ValidationError("Only an email that failed can be sent again.")
    if message.stale:
        raise ValidationError(f"Not sent again: {message.stale}")
    message.status, message.attempts, message.reason = Status.PENDING, 0, ""
    message.resent_by, message.resent_at = by, now
    message.due_at = min(message.due_at, now)
    message.requeue_after = now + _lease()
    message.save()
    _enqueue(message.pk)
    return message


@dataclass(frozen=True)
class KindSwitched:
    kind: OutboxMessage.Kind
    enabled: bool
    # False when the kind was in that state already: nothing was done or recorded.
    changed: bool
    # Switched off: the waiting emails of the kind that will now not be sent.
    cancelled: int = 0


NO_SUCH_KIND = "There is no kind of patient email called “{kind}”."
DUE_WHILE_OFF = "It was due while this kind of email was switched off."


@transaction.atomic
def message_kind_switch(
    *, kind: str, enabled: bool, by: User, now: datetime.datetime | None = None
) -> KindSwitched:
    """Switch one kind of patient email on or off, as `by`; the switch's history keeps the
    change, with who made it.

    Off: its waiting emails are cancelled at once (one being sent this very moment finishes
    first: the update waits for its lock), and the sweep plans no more of them.

    On: only what is due from now on goes, never what came due while the kind was off. The
    sweep reads the moment of this switch from the history and does not plan what was due
    before it (`_plan`); waiting emails of the kind due before now (planned by a sweep that
    ran as the kind was switched off) are cancelled here. Waiting emails cancelled when the
    kind was switched off and due later than now are planned again by the sweep, as if it had
    never been off.

    Switching a kind to the state it is in changes nothing and records nothing."""
    if kind not in KINDS:
        raise ValidationError(NO_SUCH_KIND.format(kind=kind[:60]))
    now = now or clock.now()
    # A kind without a row is on; the row is made so that two people switching the same kind
    # at once wait for each other on its lock.
    switch, _ = MessageKindSwitch.objects.select_for_update().get_or_create(kind=kind)
    label = OutboxMessage.Kind(kind)
    if switch.is_enabled == enabled:
        return KindSwitched(kind=label, enabled=enabled, changed=False)
    switch.is_enabled, switch.changed_by = enabled, by
    switch._history_user, switch._history_date = by, now
    switch.save()
    waiting = OutboxMessage.objects.filter(kind=kind, status=Status.PENDING)
    if enabled:
        waiting.filter(due_at__lt=now).update(
            status=Status.CANCELLED, reason=DUE_WHILE_OFF, requeue_after=None, updated_at=now
        )
        return KindSwitched(kind=label, enabled=True, changed=True)
    cancelled = waiting.update(
        status=Status.CANCELLED, reason=SWITCHED_OFF, requeue_after=None, updated_at=now
    )
    return KindSwitched(kind=label, enabled=False, changed=True, cancelled=cancelled)


@transaction.atomic
def outbox_cancel_for_patient(*, patient: Patient, reason: str) -> int:
    """Stop every pending message to the patient at once (consent withdrawn by the link).
    A message being sent this very moment finishes first: the lock makes this wait for it."""
    return OutboxMessage.objects.filter(patient=patient, status=Status.PENDING).update(
        status=Status.CANCELLED, reason=reason, requeue_after=None, updated_at=clock.now()
    )
