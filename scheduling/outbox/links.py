"""Signed links in patient emails: confirm or cancel an appointment, stop reminder emails.

Patients have no login: the link is the key. A token is `django.core.signing` data (signed
with SECRET_KEY, salted per action so a "confirm" token never works as a "cancel" one, and
timestamped so it expires after REMINDER_LINK_MAX_AGE_DAYS). An appointment link also names
the appointment's start and practitioner: after a move, or once the appointment is given to
another practitioner, an old email's link no longer acts on the new arrangement. (Links made
before they named the practitioner still work while the time holds.)
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse

from scheduling import clock
from scheduling.models import Appointment


class Action(StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    STOP = "stop"


URL_NAMES = {
    Action.CONFIRM: "scheduling:link_confirm",
    Action.CANCEL: "scheduling:link_cancel",
    Action.STOP: "scheduling:link_stop",
}


class LinkInvalid(Exception):
    """The token was altered, belongs to another action, or is not a token at all."""


class LinkExpired(LinkInvalid):
    """The token is genuine but older than REMINDER_LINK_MAX_AGE_DAYS."""


@dataclass(frozen=True)
class LinkTarget:
    patient_id: int
    appointment_id: int | None = None
    start: datetime.datetime | None = None
    practitioner_id: int | None = None

    def names_time_of(self, appointment: Appointment) -> bool:
        """Whether the link was made for the appointment's current start (to the second)."""
        return self.start is not None and int(self.start.timestamp()) == int(
            appointment.start.timestamp()
        )

    def changes(self, appointment: Appointment) -> list[str]:
        """What of the appointment is no longer as the link was made for it: its "time", its
        "practitioner" (when the link names one); none when the link describes it as it is."""
        changed = []
        if not self.names_time_of(appointment):
            changed.append("time")
        if self.practitioner_id not in (None, appointment.practitioner_id):
            changed.append("practitioner")
        return changed

    def describes(self, appointment: Appointment) -> bool:
        return not self.changes(appointment)


def _salt(action: Action) -> str:
    return f"scheduling.outbox.links.{action}"


def make_token(action: Action, target: LinkTarget) -> str:
    data: dict[str, int] = {"p": target.patient_id}
    if target.appointment_id is not None and target.start is not None:
        data |= {"a": target.appointment_id, "s": int(target.start.timestamp())}
        if target.practitioner_id is not None:
            data["d"] = target.practitioner_id
    return signing.dumps(data, salt=_salt(action), compress=True)


def read_token(action: Action, token: str) -> LinkTarget:
    try:
        data = signing.loads(
            token,
            salt=_salt(action),
            max_age=datetime.timedelta(days=settings.REMINDER_LINK_MAX_AGE_DAYS),
        )
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid from error
    try:
        if action is Action.STOP:
            return LinkTarget(patient_id=int(data["p"]))
        return LinkTarget(
            patient_id=int(data["p"]),
            appointment_id=int(data["a"]),
            start=datetime.datetime.fromtimestamp(int(data["s"]), tz=clock.UTC),
            practitioner_id=int(data["d"]) if "d" in data else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkInvalid from error


def absolute(path: str) -> str:
    return f"{settings.CLINIC_SITE_URL}{path}"


def link(action: Action, target: LinkTarget) -> str:
    """The full address for an email (CLINIC_SITE_URL + path)."""
    return absolute(reverse(URL_NAMES[action], kwargs={"token": make_token(action, target)}))


def appointment_link(action: Action, appointment: Appointment) -> str:
    return link(
        action,
        LinkTarget(
            patient_id=appointment.patient_id,
            appointment_id=appointment.pk,
            start=appointment.start,
            practitioner_id=appointment.practitioner_id,
        ),
    )


def stop_link(*, patient_id: int) -> str:
    return link(Action.STOP, LinkTarget(patient_id=patient_id))
