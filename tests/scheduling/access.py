"""What every scheduling URL answers to each role; merged into tests/access.py."""

from __future__ import annotations

import datetime
from typing import Any

from clinic.roles import Role
from scheduling import clock
from scheduling.models import CalendarFeed, OutboxMessage, TimeOff
from scheduling.outbox.links import Action, LinkTarget, make_token
from tests.access_rule import ADMIN_ONLY, Rule

# Everyone who books sees the diary; POST-only actions answer a GET with 405 before any check.
POST_ONLY = {"ok_status": 405, "no_role": 405}


def _appointment(world: Any) -> dict[str, Any]:
    return {"pk": world.appointment.pk}


RULES: dict[str, Rule] = {
    "scheduling:week": Rule(),
    "scheduling:day": Rule(),
    "scheduling:today": Rule(),
    "scheduling:book": Rule(),
    "scheduling:free_slots": Rule(),
    "scheduling:series": Rule(),
    "scheduling:appointment": Rule(kwargs=_appointment),
    "scheduling:appointment_move": Rule(kwargs=_appointment),
    "scheduling:appointment_cancel": Rule(kwargs=_appointment),
    "scheduling:appointment_status": Rule(kwargs=_appointment, **POST_ONLY),
    "scheduling:waitlist": Rule(),
    "scheduling:waitlist_withdraw": Rule(kwargs=lambda w: {"pk": w.waitlist_entry.pk}, **POST_ONLY),
    # Everyone who books records days off (closing the clinic is the manager's: a field error).
    "scheduling:time_off_list": Rule(),
    "scheduling:time_off": Rule(kwargs=lambda w: {"pk": w.time_off.pk}),
    "scheduling:time_off_remove": Rule(kwargs=lambda w: {"pk": w.time_off.pk}, **POST_ONLY),
    "scheduling:time_off_end_early": Rule(kwargs=lambda w: {"pk": w.time_off.pk}, **POST_ONLY),
    # Everyone who books sees the practitioners' weeks; setting one is the clinic manager's
    # (a POST by anyone else is refused: tests/scheduling/test_working_hours.py).
    "scheduling:working_hours_list": Rule(),
    "scheduling:working_hours": Rule(kwargs=lambda w: {"practitioner_id": w.practitioner.pk}),
    # A receptionist has no calendar feed of their own and manages nobody's.
    "scheduling:feed_settings": Rule(ok=frozenset({Role.ADMIN, Role.PRACTITIONER})),
    "scheduling:feed_rotate": Rule(
        kwargs=lambda w: {"practitioner_id": w.practitioner.pk}, **POST_ONLY
    ),
    "scheduling:feed_revoke": Rule(
        kwargs=lambda w: {"practitioner_id": w.practitioner.pk}, **POST_ONLY
    ),
    # The secret address is the key: calendar apps have no login.
    "scheduling:feed": Rule(
        kwargs=lambda w: {"token": w.calendar_feed.token}, anonymous=200, no_role=200
    ),
    # Patient emails: the front desk's list, and the pages patients open from their emails
    # (no login: the signed link is the key, so everyone who holds it gets the page).
    "scheduling:outbox": Rule(),
    "scheduling:outbox_resend": Rule(kwargs=lambda w: {"pk": w.outbox_message.pk}, **POST_ONLY),
    # Which kinds of email the clinic sends: the clinic manager's.
    "scheduling:email_switches:list": Rule(ok=ADMIN_ONLY),
    "scheduling:email_switches:switch": Rule(
        kwargs=lambda w: {"kind": OutboxMessage.Kind.APPOINTMENT_REMINDER}, **POST_ONLY
    ),
    "scheduling:link_confirm": Rule(
        kwargs=lambda w: {"token": w.link_tokens[Action.CONFIRM]}, anonymous=200, no_role=200
    ),
    "scheduling:link_cancel": Rule(
        kwargs=lambda w: {"token": w.link_tokens[Action.CANCEL]}, anonymous=200, no_role=200
    ),
    "scheduling:link_stop": Rule(
        kwargs=lambda w: {"token": w.link_tokens[Action.STOP]}, anonymous=200, no_role=200
    ),
}


def populate_world(world: Any) -> None:
    """Add to `world` the records this app's URLs with parameters need."""
    from tests.scheduling.factories import (
        AppointmentFactory,
        PatientFactory,
        WaitlistEntryFactory,
    )

    patient = PatientFactory()
    tomorrow = clock.local_today() + datetime.timedelta(days=1)
    world.appointment = AppointmentFactory(
        patient=patient,
        practitioner=world.practitioner,
        start=clock.at(tomorrow, datetime.time(10)),
    )
    world.waitlist_entry = WaitlistEntryFactory(
        patient=patient,
        earliest_day=tomorrow,
        latest_day=tomorrow + datetime.timedelta(days=14),
    )
    world.time_off = TimeOff.objects.create(
        practitioner=world.practitioner,
        first_day=tomorrow + datetime.timedelta(days=7),
        last_day=tomorrow + datetime.timedelta(days=8),
        reason="Congress",
    )
    world.calendar_feed = CalendarFeed.objects.create(
        practitioner=world.practitioner, token="access-test-token"
    )
    world.outbox_message = OutboxMessage.objects.create(
        patient=patient,
        kind=OutboxMessage.Kind.APPOINTMENT_REMINDER,
        key=f"access-test-{world.appointment.pk}",
        appointment=world.appointment,
        event_at=world.appointment.start,
        practitioner=world.practitioner,
        due_at=world.appointment.start - datetime.timedelta(hours=2),
        status=OutboxMessage.Status.FAILED,
        reason="The mail server could not be reached (Connection refused).",
    )
    about = LinkTarget(
        patient_id=patient.pk,
        appointment_id=world.appointment.pk,
        start=world.appointment.start,
    )
    world.link_tokens = {
        Action.CONFIRM: make_token(Action.CONFIRM, about),
        Action.CANCEL: make_token(Action.CANCEL, about),
        Action.STOP: make_token(Action.STOP, LinkTarget(patient_id=patient.pk)),
    }
