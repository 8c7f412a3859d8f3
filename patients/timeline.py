"""The patient page's timeline, filled by every app without patients importing them.

An app that has something to show on a patient's timeline registers a *source* once, from
its ``AppConfig.ready()``::

    from clinic.roles import Capability
    from patients.timeline import TimelineEntry, register_source

    def appointment_entries(*, patient, limit, before=None):
        rows = Appointment.objects.filter(patient=patient).filter(older_than("start", before))
        rows = rows.order_by("-start")[:limit]
        return [TimelineEntry(when=row.start, kind="appointment", title=..., url=...)
                for row in rows]

    class SchedulingConfig(AppConfig):
        def ready(self):
            register_source("scheduling.appointments", appointment_entries,
                            capability=Capability.VIEW_PATIENTS)

A source takes ``patient``, ``limit`` and ``before`` as keywords and returns at most ``limit``
entries, newest first, all strictly older than ``before`` when it is given (``older_than`` and
``older_than_day`` build that condition for a datetime or a date field), with a constant
number of queries (one ``select_related`` query is typical): the patient page and the full
timeline call every source the user's role may see on each view. ``capability``
says who may see the entries: clinical sources (consultations, plans, sessions) keep the
default VIEW_CLINICAL so receptionists never see them; appointments may use VIEW_PATIENTS.
Registering the same key again replaces the source, so reloading an app is harmless.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS_3

from clinic.lib.paging import newest_page
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
    def __call__(
        self, *, patient: Patient, limit: int, before: datetime.datetime | None = None
    ) -> Iterable[TimelineEntry]: ...


def older_than(field: str, before: datetime.datetime | None) -> Q:
    """A source's condition for its rows with a datetime `field` strictly older than `before`
    (no condition when it is None)."""
    return Q(**{f"{field}__lt": before}) if before is not None else Q()


def older_than_day(field: str, before: datetime.datetime | None) -> Q:
    """``older_than`` for a date `field`. A date sorts as its day's midnight in the clinic's
    time zone, so the day `before` falls on is older unless `before` is that midnight."""
    if before is None:
        return Q()
    local = timezone.localtime(before)
    after_midnight = local.time() != datetime.time.min
    return Q(**{f"{field}__{'lte' if after_midnight else 'lt'}": local.date()})


@dataclass(frozen=True)
class _Registered:
    source: Callable[..., Iterable[TimelineEntry]]
    capability: Capability
    unless: Capability | None = None

    def shown_to(self, caps: frozenset[Capability]) -> bool:
        return self.capability in caps and (self.unless is None or self.unless not in caps)


_SOURCES: dict[str, _Registered] = {}


def register_source(
    key: str,
    source: TimelineSource,
    *,
    capability: Capability = Capability.VIEW_CLINICAL,
    unless: Capability | None = None,
) -> None:
    """Add (or replace) the timeline source called ``key``; see the module docstring. With
    ``unless``, users who hold that capability too do not get it: they get a source that
    tells more (a clinician's visits, folded into the sessions given at them)."""
    _SOURCES[key] = _Registered(source=source, capability=capability, unless=unless)


def registered_sources() -> dict[str, Capability]:
    return {key: entry.capability for key, entry in _SOURCES.items()}


@dataclass(frozen=True)
class TimelinePage:
    """Entries newest first, and the ``before`` that asks for the page after them: None when
    nothing is older."""

    entries: list[TimelineEntry]
    older: datetime.datetime | None = None


def timeline_page(
    *,
    patient: Patient,
    user: User,
    limit: int = 50,
    before: datetime.datetime | None = None,
) -> TimelinePage:
    """The newest ``limit`` entries older than ``before`` (all when None) from every source
    the user's role may see, newest first (see ``clinic.lib.paging.newest_page``)."""
    caps = capabilities(user)
    entries: list[TimelineEntry] = []
    for registered in _SOURCES.values():
        if registered.shown_to(caps):
            entries.extend(registered.source(patient=patient, limit=limit + 1, before=before))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    shown, older = newest_page(entries, limit=limit, when=lambda entry: entry.sort_key)
    return TimelinePage(shown, older=older)
