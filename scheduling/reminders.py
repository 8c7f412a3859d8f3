"""The kinds of patient email, in one table (`KINDS`); here, the appointment ones.

Booking confirmation (key `appointment:<pk>@<start>/with:<practitioner pk>`): planned for an
upcoming appointment booked or moved (to another time or another practitioner) in the last
day, due REMINDER_CONFIRMATION_DELAY_MINUTES after that, so a booking undone at once sends
nothing. Due confirmations of one patient go as one email. What decides is what the patient
was last told: the last confirmation or reminder sent about the appointment. A move back
before the new arrangement's confirmation went sends nothing (she still holds the right
time); a move back after it is confirmed again, under the key `…/after:<pk of that message>`
when the arrangement was confirmed once already.

Appointment reminder (key `appointment:<pk>@<start>/with:<practitioner pk>/<lead in
minutes>m`): for each lead in
REMINDER_LEAD_HOURS (48 and 2 by default), planned for an upcoming appointment at most the
largest lead away, due `lead` before it; not when the appointment was booked or moved after
that moment (its confirmation said it all).

Neither is sent any more once the appointment is cancelled, moved or given to another
practitioner (the key names the start and the practitioner, so the new arrangement gets its
own messages, which name the new practitioner) or has begun, nor for an appointment whose
session was already given on an earlier day (the desk is asked to cancel it).

Every kind also stops for a patient who withdrew consent, has no address or is archived, and
when the clinic switches the kind off (`MessageKindSwitch`); switched back on, a kind sends
only what is due from then on, not the reminders and confirmations whose time came while it
was off (see `message_kind_switch` in scheduling/outbox/services.py). Emails say nothing
clinical: the time, the place, the practitioner, the kind of visit and preparation advice that
is the same for every patient having that kind of visit.

The treatment-based kinds (maintenance due, aftercare check-in, results review) are in
scheduling/treatment_reminders.py and join the table below.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import icalendar
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.lib.email import Attachment
from scheduling import clock
from scheduling.models import Appointment, AppointmentType, OutboxMessage
from scheduling.outbox.kinds import Conditions, MessageKind, amount, reachable
from scheduling.outbox.links import Action, appointment_link
from scheduling.selectors import practitioner_name
from scheduling.treatment_reminders import AFTERCARE_CHECK_IN, MAINTENANCE_DUE, RESULTS_REVIEW

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
UPCOMING = Appointment.UPCOMING
# Confirmations are planned for appointments booked or moved this recently: older ones were
# confirmed long ago, or booked before the patient agreed to emails.
CONFIRMATION_LOOKBACK = datetime.timedelta(days=1)
CHUNK = 500
APPOINTMENT_RELATED = ("appointment__practitioner", "appointment__appointment_type")

# What the patient is coming for, in words that say nothing about their treatment.
VISITS = {
    AppointmentType.Kind.CONSULTATION: _("Consultation"),
    AppointmentType.Kind.TREATMENT: _("Treatment session"),
    AppointmentType.Kind.MAINTENANCE: _("Maintenance session"),
    AppointmentType.Kind.REVIEW: _("Follow-up visit"),
}
# Preparation advice: the same for every patient having this kind of visit.
ADVICE = {
    AppointmentType.Kind.CONSULTATION: _(
        "Please bring the list of any medicines you take and, if you have them, the records "
        "of previous aesthetic treatments."
    ),
    AppointmentType.Kind.TREATMENT: _(
        "Please come with clean skin, without make-up on the area to be treated. If you are "
        "unwell on the day, call us before coming."
    ),
    AppointmentType.Kind.MAINTENANCE: _(
        "Please come with clean skin, without make-up on the area to be treated. If you are "
        "unwell on the day, call us before coming."
    ),
    AppointmentType.Kind.REVIEW: _("Nothing to prepare."),
}


def reminder_leads() -> list[datetime.timedelta]:
    """REMINDER_LEAD_HOURS as durations, longest first."""
    hours = {float(value) for value in settings.REMINDER_LEAD_HOURS if float(value) > 0}
    return [datetime.timedelta(hours=value) for value in sorted(hours, reverse=True)]


def appointment_key(
    appointment_id: int,
    start: datetime.datetime,
    practitioner_id: int,
    lead: datetime.timedelta | None = None,
    *,
    after: int | None = None,
) -> str:
    """The key of a message about an appointment at `start` with the practitioner. `after`
    names the message a confirmation follows, when this arrangement was confirmed before it
    (the appointment moved away and back): the first confirmation's key is taken."""
    key = (
        f"appointment:{appointment_id}@{start.astimezone(clock.UTC):%Y%m%dT%H%M%SZ}"
        f"/with:{practitioner_id}"
    )
    if lead is not None:
        key += f"/{int(lead.total_seconds()) // 60}m"
    if after is not None:
        key += f"/after:{after}"
    return key


# Planning (the sweep of each kind).


def _upcoming(now: datetime.datetime) -> QuerySet[Appointment]:
    return Appointment.objects.filter(
        status__in=UPCOMING, start__gt=now, session_given_at__isnull=True
    ).filter(reachable("patient__"))


def _planned(kind: str, lead: datetime.timedelta | None = None) -> Exists:
    """A live (not cancelled) message of `kind` about the outer appointment at its start,
    with its practitioner."""
    return Exists(
        OutboxMessage.objects.filter(
            kind=kind,
            appointment=OuterRef("pk"),
            event_at=OuterRef("start"),
            practitioner=OuterRef("practitioner"),
            lead=lead,
        ).exclude(status=Status.CANCELLED)
    )


def _last_told() -> Coalesce:
    """The pk of the last email sent about the outer appointment that named its time and
    practitioner (a confirmation or a reminder), 0 when none was sent."""
    sent = OutboxMessage.objects.filter(
        appointment=OuterRef("pk"),
        kind__in=(Kind.CONFIRMATION, Kind.APPOINTMENT_REMINDER),
        status=Status.SENT,
    ).order_by("-sent_at", "-pk")
    return Coalesce(Subquery(sent.values("pk")[:1]), 0)


def _told_as_it_is() -> Exists:
    """The patient was told, or is about to be told, the outer appointment as it is now: a
    confirmation of its start and practitioner is waiting (or failed, for staff to resend),
    or such a confirmation or reminder was sent, and no other arrangement was sent after it
    (`told`: the last one sent). Planned messages get higher pks than those sent before."""
    return Exists(
        OutboxMessage.objects.filter(
            Q(kind=Kind.CONFIRMATION) | Q(kind=Kind.APPOINTMENT_REMINDER, status=Status.SENT),
            appointment=OuterRef("pk"),
            event_at=OuterRef("start"),
            practitioner=OuterRef("practitioner"),
            pk__gte=OuterRef("told"),
        ).exclude(status=Status.CANCELLED)
    )


def plan_confirmations(now: datetime.datetime) -> Iterator[OutboxMessage]:
    """A confirmation for each appointment booked or changed in the last day that differs
    from what its patient was last told (see the module's docstring)."""
    delay = datetime.timedelta(minutes=settings.REMINDER_CONFIRMATION_DELAY_MINUTES)
    rows = (
        _upcoming(now)
        .filter(updated_at__gt=now - CONFIRMATION_LOOKBACK)
        .annotate(told=_last_told())
        .exclude(_told_as_it_is())
        # Confirmed once already (then moved away, and back): that key is taken.
        .annotate(again=_planned(Kind.CONFIRMATION))
        .values_list("pk", "patient_id", "start", "practitioner_id", "updated_at", "told", "again")
    )
    for pk, patient_id, start, practitioner_id, changed_at, told, again in rows.iterator(
        chunk_size=CHUNK
    ):
        yield OutboxMessage(
            patient_id=patient_id,
            kind=Kind.CONFIRMATION,
            key=appointment_key(pk, start, practitioner_id, after=told if again else None),
            appointment_id=pk,
            event_at=start,
            practitioner_id=practitioner_id,
            due_at=changed_at + delay,
        )


def plan_reminders(now: datetime.datetime) -> Iterator[OutboxMessage]:
    """One query per lead. A lead is only planned while no shorter one is due yet, so after
    an outage a patient gets the latest reminder, not all of them at once."""
    leads = reminder_leads()
    for lead, shorter in zip(leads, [*leads[1:], datetime.timedelta(0)], strict=True):
        rows = (
            _upcoming(now)
            .filter(
                start__gt=now + shorter,
                start__lte=now + leads[0],
                updated_at__lte=F("start") - lead,
            )
            .exclude(_planned(Kind.APPOINTMENT_REMINDER, lead))
            .values_list("pk", "patient_id", "start", "practitioner_id")
        )
        for pk, patient_id, start, practitioner_id in rows.iterator(chunk_size=CHUNK):
            yield OutboxMessage(
                patient_id=patient_id,
                kind=Kind.APPOINTMENT_REMINDER,
                key=appointment_key(pk, start, practitioner_id, lead),
                appointment_id=pk,
                event_at=start,
                practitioner_id=practitioner_id,
                lead=lead,
                due_at=start - lead,
            )


def appointment_stale(now: datetime.datetime) -> Conditions:
    return [
        (Q(appointment__status=Appointment.Status.CANCELLED), "The appointment was cancelled."),
        (~Q(appointment__status__in=UPCOMING), "The appointment is no longer upcoming."),
        (~Q(appointment__start=F("event_at")), "The appointment was moved."),
        (
            ~Q(appointment__practitioner=F("practitioner")),
            "The appointment was given to another practitioner.",
        ),
        (Q(appointment__start__lte=now), "The appointment has already begun."),
        (
            Q(appointment__session_given_at__isnull=False),
            "The session was already given on an earlier day.",
        ),
    ]


# What the clinic manager reads about each kind (the switches page).


def confirmation_when() -> str:
    delay = amount(settings.REMINDER_CONFIRMATION_DELAY_MINUTES, "minute")
    return f"{delay} after an appointment is booked or moved."


def reminder_when() -> str:
    hours = [lead.total_seconds() / 3600 for lead in reminder_leads()]
    if not hours:
        return "Never: no reminder hours are set."
    leads = get_text_list(
        [f"{value:g}" for value in hours[:-1]] + [amount(hours[-1], "hour")], "and"
    )
    return f"{leads} before each appointment, unless it was booked after that."


# The emails.


def _visit(appointment: Appointment, *, offer_confirm: bool) -> dict[str, Any]:
    kind = appointment.appointment_type.kind
    return {
        "start": clock.local(appointment.start),
        "end": clock.local(appointment.end),
        "what": VISITS.get(kind, VISITS[AppointmentType.Kind.CONSULTATION]),
        "advice": ADVICE.get(kind, ""),
        "practitioner": practitioner_name(appointment.practitioner),
        "is_confirmed": appointment.status == Appointment.Status.CONFIRMED,
        "confirm_url": (
            appointment_link(Action.CONFIRM, appointment)
            if offer_confirm and appointment.status == Appointment.Status.BOOKED
            else ""
        ),
        "cancel_url": appointment_link(Action.CANCEL, appointment),
    }


def _appointments(messages: Sequence[OutboxMessage]) -> list[Appointment]:
    return sorted((message.appointment for message in messages), key=lambda a: a.start)


def confirmation_context(messages: Sequence[OutboxMessage]) -> Mapping[str, Any]:
    return {
        "first_name": messages[0].patient.first_name,
        "visits": [_visit(a, offer_confirm=False) for a in _appointments(messages)],
    }


def reminder_context(messages: Sequence[OutboxMessage]) -> Mapping[str, Any]:
    return {
        "first_name": messages[0].patient.first_name,
        "visit": _visit(messages[0].appointment, offer_confirm=True),
    }


def appointments_ics(messages: Sequence[OutboxMessage]) -> Sequence[Attachment]:
    """An .ics with the appointments, for the patient's calendar. The UID is stable per
    appointment, so a moved appointment replaces its old entry instead of adding one."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Mesoclinic//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    with translation.override(messages[0].patient.preferred_language):
        for appointment in _appointments(messages):
            event = icalendar.Event()
            event.add("uid", f"appointment-{appointment.pk}@mesoclinic")
            event.add("dtstamp", clock.now())
            event.add("dtstart", appointment.start.astimezone(clock.UTC))
            event.add("dtend", appointment.end.astimezone(clock.UTC))
            # Later changes carry a higher sequence, so calendars take the newest.
            event.add("sequence", int(appointment.updated_at.timestamp()) // 60)
            what = VISITS.get(appointment.appointment_type.kind, "")
            event.add("summary", f"{what} · {settings.CLINIC_NAME}")
            event.add("location", f"{settings.CLINIC_NAME}, {settings.CLINIC_ADDRESS}")
            event.add(
                "description",
                gettext("With %(practitioner)s. To change it, call %(phone)s.")
                % {
                    "practitioner": practitioner_name(appointment.practitioner),
                    "phone": settings.CLINIC_PHONE,
                },
            )
            calendar.add_component(event)
    return [Attachment("appointment.ics", calendar.to_ical(), "text/calendar")]


CONFIRMATION = MessageKind(
    kind=Kind.CONFIRMATION,
    email="appointment-confirmation",
    plan=plan_confirmations,
    stale=appointment_stale,
    context=confirmation_context,
    when=confirmation_when,
    attachments=appointments_ics,
    coalesce=True,
    related=APPOINTMENT_RELATED,
)
APPOINTMENT_REMINDER = MessageKind(
    kind=Kind.APPOINTMENT_REMINDER,
    email="appointment-reminder",
    plan=plan_reminders,
    stale=appointment_stale,
    context=reminder_context,
    when=reminder_when,
    attachments=appointments_ics,
    related=APPOINTMENT_RELATED,
)

KINDS: dict[str, MessageKind] = {
    kind.kind: kind
    for kind in (
        CONFIRMATION,
        APPOINTMENT_REMINDER,
        MAINTENANCE_DUE,
        AFTERCARE_CHECK_IN,
        RESULTS_REVIEW,
    )
}
