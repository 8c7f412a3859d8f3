"""The treatment-based kinds of patient email; `scheduling/reminders.py` lists them in `KINDS`.

Maintenance due (key `plan:<pk>@<maintenance date>`): for a plan in maintenance whose next
maintenance date is at most REMINDER_MAINTENANCE_DAYS_BEFORE days away and whose patient has
no upcoming maintenance appointment, due that many days before the date (at once if the sweep
finds it later). Not sent once a maintenance appointment is booked, the plan is closed, or the
maintenance date changes (the new date gets its own message).

Aftercare check-in (key `session:<pk>`): REMINDER_AFTERCARE_HOURS_AFTER hours after a signed
session, with the aftercare advice the clinic gives everyone treated for that indication.
Sessions are not voided once signed (they are corrected by amendments), so only a stopped
plan stops it.

Results review (key `plan:<pk>/results@<last session date>`): REMINDER_RESULTS_WEEKS_AFTER
weeks after the last session of a finished course, inviting the patient to book a review.

Sessions and courses are only looked at for a short while after they happen (`LOOKBACK`), so
switching a kind on does not email every patient treated in the past; nor does it email those
treated in that while: a kind switched back on sends only what is due from that moment on
(see `message_kind_switch` in scheduling/outbox/services.py). The emails name no
treatment, product or finding: only dates, the practitioner, and advice that is the same for
every patient treated for that indication.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from cocktails.choices import Indication
from scheduling import clock
from scheduling.models import Appointment, AppointmentType, OutboxMessage
from scheduling.outbox.kinds import Conditions, MessageKind, amount, reachable
from scheduling.selectors import practitioner_name
from treatments.models import TreatmentPlan, TreatmentSession

Kind = OutboxMessage.Kind
PlanStatus = TreatmentPlan.Status
CHUNK = 500
# How long after it could first be planned a message is still worth sending.
LOOKBACK = datetime.timedelta(days=7)
# Treatment emails go at a civil hour of the clinic's day, not at midnight.
SEND_AT = datetime.time(9, 0)
PLAN_RELATED = ("plan__practitioner",)
SESSION_RELATED = ("session__plan", "session__practitioner")

# Aftercare advice: what the clinic tells everyone treated for the indication, never anything
# about this patient's session.
AFTERCARE = {
    Indication.FACIAL_REJUVENATION: _(
        "For a day or two, avoid make-up, saunas, swimming pools and strong sun on the treated "
        "area, and drink plenty of water. Slight redness or small bumps usually fade within "
        "a day."
    ),
    Indication.HAIR_RESTORATION: _(
        "Wait until the day after your session before washing your hair, and avoid hair dye, "
        "saunas and strong sun on the scalp for a couple of days."
    ),
    Indication.CELLULITE: _(
        "For a day or two, avoid saunas, hot baths and intense exercise, drink plenty of water "
        "and keep walking: it helps the treatment work."
    ),
    Indication.SCARS: _(
        "Keep the treated area clean and protected from the sun for a few days, and do not "
        "scratch or rub it."
    ),
    Indication.BODY_CONTOURING: _(
        "For a day or two, avoid saunas, hot baths and intense exercise, drink plenty of water "
        "and keep walking: it helps the treatment work."
    ),
}
GENERAL_AFTERCARE = _(
    "For a day or two, avoid saunas, swimming pools and strong sun on the treated area, and "
    "drink plenty of water."
)


def _civil(day: datetime.date) -> datetime.datetime:
    """`day` at SEND_AT in the clinic's zone."""
    return clock.at(day, SEND_AT)


def _live(kind: str, **about: Any) -> Exists:
    """A message of `kind` about the outer row that was not cancelled."""
    return Exists(
        OutboxMessage.objects.filter(kind=kind, **about).exclude(
            status=OutboxMessage.Status.CANCELLED
        )
    )


def _maintenance_key(plan_field: str) -> Concat:
    """`plan:<pk>@<next maintenance date>` in SQL, from the plan at `plan_field`."""
    prefix = f"{plan_field}__" if plan_field else ""
    return Concat(
        Value("plan:"),
        Cast(f"{prefix}pk", CharField()),
        Value("@"),
        Cast(f"{prefix}next_maintenance_on", CharField()),
        output_field=CharField(),
    )


def maintenance_visits() -> QuerySet[Appointment]:
    """Maintenance appointments: of the maintenance type, or holding a maintenance session of
    one of the patient's plans. The reports count a plan's maintenance as kept by the same
    visits."""
    return Appointment.objects.filter(
        Q(appointment_type__kind=AppointmentType.Kind.MAINTENANCE)
        | Q(plan_session__kind=TreatmentSession.Kind.MAINTENANCE)
    )


def maintenance_booked(now: datetime.datetime, patient: str) -> Exists:
    """An upcoming maintenance appointment for the patient at `patient` (an OuterRef path)."""
    return Exists(
        maintenance_visits().filter(
            patient=OuterRef(patient), status__in=Appointment.UPCOMING, start__gt=now
        )
    )


# Planning.


def plan_maintenance_due(now: datetime.datetime) -> Iterator[OutboxMessage]:
    before = datetime.timedelta(days=settings.REMINDER_MAINTENANCE_DAYS_BEFORE)
    today = clock.local(now).date()
    rows = (
        TreatmentPlan.objects.filter(
            status=PlanStatus.MAINTENANCE,
            next_maintenance_on__lte=today + before,
            next_maintenance_on__gte=today - LOOKBACK,
        )
        .filter(reachable("patient__"))
        .exclude(maintenance_booked(now, "patient"))
        .annotate(message_key=_maintenance_key(""))
        .exclude(
            _live(
                Kind.MAINTENANCE_DUE,
                patient=OuterRef("patient"),
                key=OuterRef("message_key"),
            )
        )
        .values_list("pk", "patient_id", "next_maintenance_on", "message_key")
    )
    for pk, patient_id, day, key in rows.iterator(chunk_size=CHUNK):
        yield OutboxMessage(
            patient_id=patient_id,
            kind=Kind.MAINTENANCE_DUE,
            key=key,
            plan_id=pk,
            event_at=_civil(day),
            due_at=_civil(day - before),
        )


def plan_aftercare(now: datetime.datetime) -> Iterator[OutboxMessage]:
    after = datetime.timedelta(hours=settings.REMINDER_AFTERCARE_HOURS_AFTER)
    rows = (
        TreatmentSession.objects.filter(
            status=TreatmentSession.Status.SIGNED,
            performed_at__gt=now - after - LOOKBACK,
            performed_at__lte=now,
        )
        .exclude(plan__status=PlanStatus.STOPPED)
        .filter(reachable("plan__patient__"))
        .exclude(_live(Kind.AFTERCARE_CHECK_IN, session=OuterRef("pk")))
        .values_list("pk", "plan_id", "plan__patient_id", "performed_at")
    )
    for pk, plan_id, patient_id, performed_at in rows.iterator(chunk_size=CHUNK):
        yield OutboxMessage(
            patient_id=patient_id,
            kind=Kind.AFTERCARE_CHECK_IN,
            key=f"session:{pk}",
            plan_id=plan_id,
            session_id=pk,
            event_at=performed_at,
            due_at=performed_at + after,
        )


def plan_results_review(now: datetime.datetime) -> Iterator[OutboxMessage]:
    """From the last signed course session of each finished course (the plan moved on to
    maintenance or was completed), read on the signed-sessions index, so the scan does not
    grow with years of past courses."""
    after = datetime.timedelta(weeks=settings.REMINDER_RESULTS_WEEKS_AFTER)
    signed_course = {
        "status": TreatmentSession.Status.SIGNED,
        "kind": TreatmentSession.Kind.INITIAL,
    }
    later = TreatmentSession.objects.filter(plan=OuterRef("plan"), **signed_course).filter(
        Q(performed_at__gt=OuterRef("performed_at"))
        | Q(performed_at=OuterRef("performed_at"), pk__gt=OuterRef("pk"))
    )
    rows = (
        TreatmentSession.objects.filter(
            performed_at__gt=now - after - LOOKBACK,
            performed_at__lte=now,
            plan__status__in=(PlanStatus.MAINTENANCE, PlanStatus.COMPLETED),
            **signed_course,
        )
        .filter(reachable("plan__patient__"))
        .exclude(Exists(later))
        .exclude(_live(Kind.RESULTS_REVIEW, plan=OuterRef("plan")))
        .values_list("plan_id", "plan__patient_id", "performed_at")
    )
    for plan_id, patient_id, last_session_at in rows.iterator(chunk_size=CHUNK):
        day = clock.local(last_session_at).date()
        yield OutboxMessage(
            patient_id=patient_id,
            kind=Kind.RESULTS_REVIEW,
            key=f"plan:{plan_id}/results@{day.isoformat()}",
            plan_id=plan_id,
            event_at=last_session_at,
            due_at=_civil(day + after),
        )


# When not to send any more.

CLOSED = "The plan was closed."


def maintenance_stale(now: datetime.datetime) -> Conditions:
    return [
        (~Q(plan__status=PlanStatus.MAINTENANCE), CLOSED),
        (maintenance_booked(now, "patient"), "A maintenance appointment is booked."),
        (~Q(key=_maintenance_key("plan")), "The maintenance date changed."),
    ]


def aftercare_stale(now: datetime.datetime) -> Conditions:
    return [(Q(session__plan__status=PlanStatus.STOPPED), CLOSED)]


def results_stale(now: datetime.datetime) -> Conditions:
    return [(Q(plan__status=PlanStatus.STOPPED), CLOSED)]


# What the clinic manager reads about each kind (the switches page).


def maintenance_when() -> str:
    before = amount(settings.REMINDER_MAINTENANCE_DAYS_BEFORE, "day")
    return (
        f"{before} before a plan's next maintenance date, at {SEND_AT:%H:%M}, if no maintenance "
        "visit is booked."
    )


def aftercare_when() -> str:
    after = amount(settings.REMINDER_AFTERCARE_HOURS_AFTER, "hour")
    return f"{after} after a signed treatment session, with the aftercare advice."


def results_when() -> str:
    after = amount(settings.REMINDER_RESULTS_WEEKS_AFTER, "week")
    return (
        f"{after} after the last session of a finished course, at {SEND_AT:%H:%M}, inviting the "
        "patient to book a review."
    )


# The emails.


def maintenance_context(messages: Sequence[OutboxMessage]) -> Mapping[str, Any]:
    message = messages[0]
    return {
        "first_name": message.patient.first_name,
        "due_on": clock.local(message.event_at).date(),
        "practitioner": practitioner_name(message.plan.practitioner),
    }


def aftercare_context(messages: Sequence[OutboxMessage]) -> Mapping[str, Any]:
    session = messages[0].session
    return {
        "first_name": messages[0].patient.first_name,
        "session_on": clock.local(session.performed_at).date(),
        "practitioner": practitioner_name(session.practitioner),
        "advice": AFTERCARE.get(session.plan.indication, GENERAL_AFTERCARE),
    }


def results_context(messages: Sequence[OutboxMessage]) -> Mapping[str, Any]:
    message = messages[0]
    return {
        "first_name": message.patient.first_name,
        "last_session_on": clock.local(message.event_at).date(),
        "practitioner": practitioner_name(message.plan.practitioner),
    }


MAINTENANCE_DUE = MessageKind(
    kind=Kind.MAINTENANCE_DUE,
    email="maintenance-due",
    plan=plan_maintenance_due,
    stale=maintenance_stale,
    context=maintenance_context,
    when=maintenance_when,
    related=PLAN_RELATED,
)
AFTERCARE_CHECK_IN = MessageKind(
    kind=Kind.AFTERCARE_CHECK_IN,
    email="aftercare-check-in",
    plan=plan_aftercare,
    stale=aftercare_stale,
    context=aftercare_context,
    when=aftercare_when,
    related=SESSION_RELATED,
)
RESULTS_REVIEW = MessageKind(
    kind=Kind.RESULTS_REVIEW,
    email="results-review",
    plan=plan_results_review,
    stale=results_stale,
    context=results_context,
    when=results_when,
    related=PLAN_RELATED,
)
