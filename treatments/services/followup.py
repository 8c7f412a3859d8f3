"""Writes for what follows a session: adverse events (possibly weeks later) and outcomes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cocktails.models import Lot
from treatments.measures import measure_for
from treatments.models import AdverseEvent, Outcome, TreatmentPlan, TreatmentSession

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    User = AbstractBaseUser

EventOutcome = AdverseEvent.Outcome


def _day(value: datetime.date) -> str:
    return value.strftime("%-d %b %Y")


def _event_errors(
    *,
    session: TreatmentSession,
    kind: str,
    description: str,
    onset_on: datetime.date,
    outcome: str,
    resolved_on: datetime.date | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if kind == AdverseEvent.Kind.OTHER and not description.strip():
        errors["description"] = "Describe what happened."
    if session.performed_on and onset_on < session.performed_on:
        errors["onset_on"] = (
            f"The onset cannot be before the session ({_day(session.performed_on)})."
        )
    elif onset_on > today:
        errors["onset_on"] = "The onset cannot be in the future."
    if outcome == EventOutcome.ONGOING:
        if resolved_on is not None:
            errors["resolved_on"] = "An ongoing event has no resolution date yet."
    elif resolved_on is None:
        errors["resolved_on"] = "Enter the date it resolved."
    elif resolved_on < onset_on:
        errors["resolved_on"] = "The resolution cannot be before the onset."
    elif resolved_on > today:
        errors["resolved_on"] = "The resolution date cannot be in the future."
    return errors


def _session_lot_ids(session: TreatmentSession) -> set[int]:
    return set(
        session.lots.filter(usage__cancelled_at__isnull=True).values_list("lot_id", flat=True)
    )


@transaction.atomic
def adverse_event_record(
    *,
    session: TreatmentSession,
    by: User,
    kind: str,
    onset_on: datetime.date,
    severity: str,
    description: str = "",
    treatment: str = "",
    outcome: str = EventOutcome.ONGOING,
    resolved_on: datetime.date | None = None,
    lots: Iterable[Lot] | None = None,
) -> AdverseEvent:
    """Record an adverse event after `session`, signed or not, however long after. It is
    linked to `lots` (by default every lot the session used); they must be the session's."""
    if not session.is_started:
        raise ValidationError("This session has not taken place yet.")
    errors = _event_errors(
        session=session,
        kind=kind,
        description=description,
        onset_on=onset_on,
        outcome=outcome,
        resolved_on=resolved_on,
    )
    used = _session_lot_ids(session)
    chosen = used if lots is None else {lot.pk for lot in lots}
    if chosen - used:
        errors["lots"] = "Only the lots this session used can be linked."
    if errors:
        raise ValidationError(errors)
    event = AdverseEvent(
        session=session,
        kind=kind,
        description=description.strip(),
        onset_on=onset_on,
        severity=severity,
        treatment=treatment.strip(),
        outcome=outcome,
        resolved_on=resolved_on,
        recorded_by=by,
    )
    event._history_user = by
    event.save()
    event.lots.set(chosen)
    return event


@transaction.atomic
def adverse_event_update(
    *,
    event: AdverseEvent,
    by: User,
    severity: str,
    description: str,
    treatment: str,
    outcome: str,
    resolved_on: datetime.date | None,
) -> AdverseEvent:
    """Follow an adverse event up: its severity, the treatment given, how it ended."""
    event = AdverseEvent.objects.select_for_update().select_related("session").get(pk=event.pk)
    errors = _event_errors(
        session=event.session,
        kind=event.kind,
        description=description,
        onset_on=event.onset_on,
        outcome=outcome,
        resolved_on=resolved_on,
    )
    if errors:
        raise ValidationError(errors)
    event.severity = severity
    event.description = description.strip()
    event.treatment = treatment.strip()
    event.outcome = outcome
    event.resolved_on = resolved_on
    event._history_user = by
    event.save()
    return event


@transaction.atomic
def outcome_record(
    *,
    plan: TreatmentPlan,
    by: User,
    assessed_on: datetime.date,
    session: TreatmentSession | None = None,
    gais_practitioner: int | None = None,
    gais_patient: int | None = None,
    satisfaction: int | None = None,
    measure: Decimal | None = None,
    notes: str = "",
) -> Outcome:
    """Record a review of the result. Without a session it is a baseline or an independent
    review; with one, it cannot be dated before that session."""
    errors: dict[str, str] = {}
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "A review cannot be dated in the future."
    if session is not None:
        if session.plan_id != plan.pk or not session.is_started:
            errors["session"] = "Choose a session of this plan that has taken place."
        elif assessed_on < session.performed_on:
            errors["assessed_on"] = (
                f"The review cannot be before the session it follows "
                f"({_day(session.performed_on)})."
            )
    scale = measure_for(plan.indication)
    if measure is not None:
        if scale is None:
            errors["measure"] = "This indication has no measure: use GAIS."
        elif not scale.minimum <= measure <= scale.maximum:
            errors["measure"] = scale.range_message()
    if all(value is None for value in (gais_practitioner, gais_patient, satisfaction, measure)):
        errors["__all__"] = "Record at least one rating or measure."
    if errors:
        raise ValidationError(errors)
    outcome = Outcome(
        plan=plan,
        session=session,
        assessed_on=assessed_on,
        gais_practitioner=gais_practitioner,
        gais_patient=gais_patient,
        satisfaction=satisfaction,
        measure=measure,
        notes=notes.strip(),
        recorded_by=by,
    )
    outcome._history_user = by
    outcome.save()
    return outcome
