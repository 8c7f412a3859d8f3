"""Writes for treatment plans: create, change, accept, stop, finish, and hold sessions for
appointments booked from the plan (scheduling calls `plan_sessions_reserve`)."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.roles import Role, user_roles
from cocktails.choices import AREA_REGION, INDICATION_DEFAULTS, BodyArea, Indication
from cocktails.models import Cocktail
from treatments.models import MAX_SESSIONS, TreatmentPlan, TreatmentSession
from treatments.progress import compute_progress, plan_progress
from treatments.selectors import (
    blocking_findings,
    plan_booking_refusal,
    plan_estimate,
    plan_sessions_to_book,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from patients.models import Patient

    User = AbstractBaseUser

Status = TreatmentPlan.Status

# What plan_update may change. The patient and the indication make the plan what it is: a
# different indication is a different plan.
EDITABLE_FIELDS = (
    "practitioner",
    "body_areas",
    "cocktail",
    "initial_sessions",
    "interval_days",
    "maintenance_every_days",
    "start_date",
    "notes",
)


def _check_practitioner(practitioner: User) -> None:
    if not practitioner.is_active or Role.PRACTITIONER not in user_roles(practitioner):
        raise ValidationError({"practitioner": "Choose an active practitioner."})


def _check_course(
    *,
    patient: Patient,
    indication: str,
    body_areas: Sequence[str],
    cocktail: Cocktail,
    initial_sessions: int,
    interval_days: int,
    maintenance_every_days: int | None,
) -> dict[str, str]:
    """Problems with a course as it would be saved, keyed by form field (empty when fine)."""
    errors: dict[str, str] = {}
    label = Indication(indication).label
    if not body_areas:
        errors["body_areas"] = "Choose at least one area to treat."
    elif unknown := [area for area in body_areas if area not in BodyArea.values]:
        errors["body_areas"] = f"Unknown area: {', '.join(unknown)}."
    else:
        regions = INDICATION_DEFAULTS[indication].regions
        wrong = [BodyArea(a).label for a in body_areas if AREA_REGION[a] not in regions]
        if wrong:
            errors["body_areas"] = f"{label} is not given on: {', '.join(wrong)}."
    if cocktail.indication != indication:
        errors["cocktail"] = (
            f"{cocktail.name} is made for {cocktail.get_indication_display().lower()}, "
            f"not {label.lower()}."
        )
    elif cocktail.is_archived:
        errors["cocktail"] = f"{cocktail.name} is archived: choose a current cocktail."
    elif cocktail.patient_id is not None and cocktail.patient_id != patient.pk:
        errors["cocktail"] = f"{cocktail.name} was made for another patient."
    elif refusals := blocking_findings(formulation_id=cocktail.current_id, patient=patient):
        # The same review that refuses the session's start (an allergy to an ingredient, a
        # lipolytic on the face): a plan that could never be given is not proposed.
        errors["cocktail"] = " ".join([*refusals, "Choose another cocktail."])
    if not 1 <= initial_sessions <= MAX_SESSIONS:
        errors["initial_sessions"] = f"A course has between 1 and {MAX_SESSIONS} sessions."
    if not 1 <= interval_days <= 120:
        errors["interval_days"] = "Sessions are between 1 and 120 days apart."
    if maintenance_every_days is not None and not 7 <= maintenance_every_days <= 730:
        errors["maintenance_every_days"] = (
            "Maintenance is every 7 to 730 days; leave it empty when it is as needed."
        )
    return errors


@transaction.atomic
def plan_create(
    *,
    patient: Patient,
    practitioner: User,
    indication: str,
    body_areas: Sequence[str],
    cocktail: Cocktail,
    initial_sessions: int,
    interval_days: int,
    maintenance_every_days: int | None,
    start_date: datetime.date,
    by: User,
    notes: str = "",
) -> TreatmentPlan:
    """Propose a course to the patient. Its cost estimate is shown until they accept it."""
    if patient.is_archived:
        raise ValidationError("The patient's record is archived: restore it first.")
    if indication not in Indication.values:
        raise ValidationError({"indication": "Choose an indication."})
    _check_practitioner(practitioner)
    errors = _check_course(
        patient=patient,
        indication=indication,
        body_areas=body_areas,
        cocktail=cocktail,
        initial_sessions=initial_sessions,
        interval_days=interval_days,
        maintenance_every_days=maintenance_every_days,
    )
    if errors:
        raise ValidationError(errors)
    return TreatmentPlan.objects.create(
        patient=patient,
        practitioner=practitioner,
        indication=indication,
        body_areas=list(dict.fromkeys(body_areas)),
        cocktail=cocktail,
        initial_sessions=initial_sessions,
        interval_days=interval_days,
        maintenance_every_days=maintenance_every_days,
        start_date=start_date,
        notes=notes.strip(),
        created_by=by,
    )


def _locked(plan: TreatmentPlan) -> TreatmentPlan:
    return TreatmentPlan.objects.select_for_update().select_related("patient").get(pk=plan.pk)


@transaction.atomic
def plan_update(*, plan: TreatmentPlan, by: User, **changes: Any) -> TreatmentPlan:
    """Change the course while the plan is open. A course cannot be made shorter than the
    sessions already given; the plan's state follows (back to in progress when sessions are
    added to a finished course, into maintenance when it is now complete)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"plan_update cannot change {sorted(unknown)}")
    locked = _locked(plan)
    if not locked.is_open:
        raise ValidationError(f"A {locked.get_status_display().lower()} plan cannot be changed.")
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_practitioner(locked.practitioner)
    errors = _check_course(
        patient=locked.patient,
        indication=locked.indication,
        body_areas=locked.body_areas,
        cocktail=locked.cocktail,
        initial_sessions=locked.initial_sessions,
        interval_days=locked.interval_days,
        maintenance_every_days=locked.maintenance_every_days,
    )
    started = locked.sessions.filter(
        kind=TreatmentSession.Kind.INITIAL, status__in=TreatmentSession.STARTED
    ).count()
    if "initial_sessions" not in errors and locked.initial_sessions < started:
        errors["initial_sessions"] = (
            f"{started} session{'s have' if started > 1 else ' has'} already been given: "
            "the course cannot be shorter."
        )
    if errors:
        raise ValidationError(errors)
    locked.body_areas = list(dict.fromkeys(locked.body_areas))
    locked.notes = locked.notes.strip()
    locked._history_user = by
    locked.save()
    return plan_refresh(plan=locked)


@transaction.atomic
def plan_accept(*, plan: TreatmentPlan, by: User) -> TreatmentPlan:
    """The patient accepted the plan and its cost estimate, which is kept as it stood."""
    locked = _locked(plan)
    if locked.status != Status.PROPOSED:
        raise ValidationError(f"This plan is already {locked.get_status_display().lower()}.")
    if locked.patient.is_archived:
        raise ValidationError("The patient's record is archived: restore it first.")
    # An allergy may have been recorded since the plan was proposed.
    refusals = blocking_findings(formulation_id=locked.cocktail.current_id, patient=locked.patient)
    if refusals:
        raise ValidationError(
            [*refusals, "Change the plan's cocktail before the patient accepts it."]
        )
    locked.status = Status.ACCEPTED
    locked.accepted_at = timezone.now()
    locked.accepted_estimate = plan_estimate(plan=locked).total
    locked._history_user = by
    locked.save(update_fields=["status", "accepted_at", "accepted_estimate", "updated_at"])
    return locked


@transaction.atomic
def plan_stop(*, plan: TreatmentPlan, reason: str, by: User) -> TreatmentPlan:
    """End a plan early (or record that the patient declined it), with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the plan is stopped."})
    locked = _locked(plan)
    if not locked.is_open:
        raise ValidationError(f"This plan is already {locked.get_status_display().lower()}.")
    if locked.sessions.filter(status=TreatmentSession.Status.IN_PROGRESS).exists():
        raise ValidationError("A session of this plan is being logged: sign it first.")
    locked.status = Status.STOPPED
    locked.stopped_at = timezone.now()
    locked.stop_reason = reason
    locked.next_maintenance_on = None
    locked._history_user = by
    locked.save()
    return locked


@transaction.atomic
def plan_complete(*, plan: TreatmentPlan, by: User) -> TreatmentPlan:
    """End the maintenance of a plan: the result is kept, no more sessions are due."""
    locked = _locked(plan)
    if locked.status != Status.MAINTENANCE:
        raise ValidationError("Only a plan in maintenance can be marked completed.")
    if locked.sessions.filter(status=TreatmentSession.Status.IN_PROGRESS).exists():
        raise ValidationError("A session of this plan is being logged: sign it first.")
    locked.status = Status.COMPLETED
    locked.completed_at = timezone.now()
    locked.next_maintenance_on = None
    locked._history_user = by
    locked.save()
    return locked


def plan_refresh(*, plan: TreatmentPlan) -> TreatmentPlan:
    """Bring the plan's state and next maintenance date in line with its sessions: called by
    the services after a session starts or is signed, or after the course changed."""
    sessions = list(plan.sessions.only("kind", "status", "performed_at"))
    today = timezone.localdate()
    progress = plan_progress(plan, sessions, today=today)
    status = plan.status
    if status == Status.ACCEPTED and any(s.is_started for s in sessions):
        status = Status.IN_PROGRESS
    if status == Status.IN_PROGRESS and progress.remaining == 0:
        status = Status.MAINTENANCE if plan.maintenance_every_days else Status.COMPLETED
    elif status == Status.MAINTENANCE and progress.remaining > 0:
        status = Status.IN_PROGRESS
    fields: dict[str, Any] = {"status": status, "next_maintenance_on": None}
    if status == Status.COMPLETED and plan.completed_at is None:
        fields["completed_at"] = timezone.now()
    if status == Status.MAINTENANCE:
        # Computed for the new state: a projection made during the course is not stored.
        fields["next_maintenance_on"] = compute_progress(
            status=status,
            initial_sessions=plan.initial_sessions,
            interval_days=plan.interval_days,
            maintenance_every_days=plan.maintenance_every_days,
            start_date=plan.start_date,
            sessions=[(s.kind, s.status, s.performed_on) for s in sessions],
            today=today,
        ).next_maintenance
    changed = [name for name, value in fields.items() if getattr(plan, name) != value]
    for name in changed:
        setattr(plan, name, fields[name])
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    return plan


@transaction.atomic
def plan_sessions_reserve(
    *,
    plan: TreatmentPlan,
    kind: str,
    count: int,
    booked_session_ids: Collection[int],
) -> list[TreatmentSession]:
    """Sessions of `plan` for `count` appointments being booked, in order: first its planned
    sessions of `kind` that no appointment holds (`booked_session_ids` are those that one
    does, as scheduling knows), then new planned sessions. For the course (kind "initial"),
    never more than the sessions left to give and book.

    Scheduling calls this inside its booking transaction, so a refused booking creates none.
    The plan row is locked: two receptionists booking the same plan at once are serialised.
    """
    locked = _locked(plan)
    refusal = plan_booking_refusal(locked)
    if refusal:
        raise ValidationError({"plan": refusal})
    free = list(
        locked.sessions.filter(kind=kind, status=TreatmentSession.Status.PLANNED)
        .exclude(pk__in=list(booked_session_ids))
        .order_by("pk")
    )
    if kind == TreatmentSession.Kind.INITIAL:
        left = plan_sessions_to_book(plan=locked, booked_session_ids=booked_session_ids)
        if count > left:
            raise ValidationError(
                {
                    "count": f"This course has {left} session{'s' if left != 1 else ''} "
                    "left to book."
                    if left
                    else "Every session of this course is given or booked: book maintenance."
                }
            )
    reserved = free[:count]
    reserved += [
        TreatmentSession.objects.create(plan=locked, kind=kind)
        for _ in range(count - len(reserved))
    ]
    return reserved
