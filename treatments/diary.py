"""The appointment diary as treatments sees it, without importing scheduling.

Scheduling builds on treatments (an appointment links to a plan's session), so treatments may
not import it. Instead scheduling registers a provider from its ``AppConfig.ready()``::

    from treatments.diary import register_provider
    register_provider(SchedulingDiary())

and the practitioner's day list and the plan page ask it through the functions below; a
session's log tells it when it opens and when it is signed. With no provider registered (an
installation without scheduling) they answer with nothing and do nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clinic.roles import User
    from patients.models import Patient
    from treatments.models import TreatmentPlan


@dataclass(frozen=True)
class Booking:
    """One appointment, as much of it as a clinical page needs (no booking internals)."""

    appointment_id: int
    patient: Patient
    start: datetime.datetime
    end: datetime.datetime
    type_label: str
    # "consultation", "treatment", "maintenance" or "review".
    kind: str
    status: str
    status_label: str
    room_label: str
    plan_session_id: int | None
    url: str

    @property
    def is_treatment(self) -> bool:
        return self.kind in ("treatment", "maintenance")

    @property
    def is_released(self) -> bool:
        return self.status in ("cancelled", "no_show")


class DiaryProvider(Protocol):
    def practitioner_day(self, *, practitioner: User, day: datetime.date) -> list[Booking]:
        """The practitioner's appointments on `day` (clinic time), cancelled ones excluded,
        in order, in a constant number of queries."""
        ...

    def session_bookings(self, *, session_ids: Collection[int]) -> dict[int, Booking]:
        """For each of these plan sessions, the appointment holding it (not cancelled, not a
        no-show), if any: one query."""
        ...

    def plan_booking_url(self, *, plan: TreatmentPlan, maintenance: bool) -> str:
        """Where to book the plan's remaining course sessions (or its maintenance)."""
        ...

    def session_logged(self, *, session_id: int, signed: bool, by: User) -> None:
        """The log of this plan session was opened (`signed` False) or signed: the
        appointment holding it follows (in treatment, then completed)."""
        ...


_provider: DiaryProvider | None = None


def register_provider(provider: DiaryProvider | None) -> None:
    global _provider
    _provider = provider


def practitioner_day(*, practitioner: User, day: datetime.date) -> list[Booking]:
    return _provider.practitioner_day(practitioner=practitioner, day=day) if _provider else []


def session_bookings(*, session_ids: Collection[int]) -> dict[int, Booking]:
    if not _provider or not session_ids:
        return {}
    return _provider.session_bookings(session_ids=session_ids)


def plan_booking_url(*, plan: TreatmentPlan, maintenance: bool = False) -> str:
    return _provider.plan_booking_url(plan=plan, maintenance=maintenance) if _provider else ""


def session_logged(*, session_id: int, signed: bool, by: User) -> None:
    if _provider:
        _provider.session_logged(session_id=session_id, signed=signed, by=by)
