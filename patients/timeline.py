"""The patient page's timeline, filled by every app without patients importing them.

An app that has something to show on a patient's timeline registers a *source* once, from
its ``AppConfig.ready()``::

    from clinic.roles import Capability
    from patients.timeline import TimelineEntry, register_source

    def appointment_entries(*, patient, limit):
        rows = Appointment.objects.filter(patient=patient).order_by("-start")[:limit]
        return [TimelineEntry(when=row.start, kind="appointment", title=..., url=...)
                for row in rows]

    class SchedulingConfig(AppConfig):
        def ready(self):
            register_source("scheduling.appointments", appointment_entries,
                            capability=Capability.VIEW_PATIENTS)

A source takes ``patient`` and ``limit`` as keywords and returns at most ``limit`` entries,
newest first, with a constant number of queries (one ``select_related`` query is typical):
the patient page calls every source the user's role may see on each view. ``capability``
says who may see the entries: clinical sources (consultations, plans, sessions) keep the
default VIEW_CLINICAL so receptionists never see them; appointments may use VIEW_PATIENTS.
Registering the same key again replaces the source, so reloading an app is harmless.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils import timezone
from django.utils.dates import MONTHS_3

from clinic.roles import Capability, capabilities

if TYPE_CHECKING:
    from clinic.roles import User
    from patients.models import Patient


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline. ``when`` is a date or an aware datetime."""

    when: datetime.date | datetime.datetime
    kind: str
    title: str
    summary: str = ""
    url: str = ""
    # A bootstrap-icons name, e.g. "clipboard2-pulse".
    icon: str = "circle"
    # An optional status badge: its text and a tone ("danger", "warning", "success", "info").
    badge: str = ""
    badge_tone: str = "secondary"

    @property
    def sort_key(self) -> datetime.datetime:
        """Dates sort as the start of their day in the clinic's time zone."""
        if isinstance(self.when, datetime.datetime):
            return self.when
        return timezone.make_aware(datetime.datetime.combine(self.when, datetime.time.min))

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, datetime.datetime)

    # The two ways the timeline prints ``when``, as the ``date`` filter would ("c", and
    # "j M Y, H:i" or "j M Y"), worked out here: the filter costs about 25 µs a call, and the
    # patient page prints up to 50 entries twice.
    @property
    def when_local(self) -> datetime.date | datetime.datetime:
        return timezone.localtime(self.when) if self.has_time else self.when

    @property
    def when_iso(self) -> str:
        return self.when_local.isoformat()

    @property
    def when_shown(self) -> str:
        local = self.when_local
        day = f"{local.day} {str(MONTHS_3[local.month]).title()} {local.year}"
        return f"{day}, {local:%H:%M}" if self.has_time else day


class TimelineSource(Protocol):
    def __call__(self, *, patient: Patient, limit: int) -> Iterable[TimelineEntry]: ...


@dataclass(frozen=True)
class _Registered:
    source: Callable[..., Iterable[TimelineEntry]]
    capability: Capability


_SOURCES: dict[str, _Registered] = {}


def register_source(
    key: str, source: TimelineSource, *, capability: Capability = Capability.VIEW_CLINICAL
) -> None:
    """Add (or replace) the timeline source called ``key``; see the module docstring."""
    _SOURCES[key] = _Registered(source=source, capability=capability)


def registered_sources() -> dict[str, Capability]:
    return {key: entry.capability for key, entry in _SOURCES.items()}


def patient_timeline(*, patient: Patient, user: User, limit: int = 50) -> list[TimelineEntry]:
    """The newest ``limit`` entries from every source the user's role may see, newest first."""
    caps = capabilities(user)
    entries: list[TimelineEntry] = []
    for registered in _SOURCES.values():
        if registered.capability in caps:
            entries.extend(registered.source(patient=patient, limit=limit))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    return entries[:limit]
