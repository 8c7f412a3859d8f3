"""What a clinic manager should know when a colleague's account is deactivated, told by the
apps above clinic without clinic importing them.

An app registers a *source* once, from its ``AppConfig.ready()``::

    from clinic.staff_notes import StaffNote, register_source

    def upcoming_appointments(*, user):
        count = Appointment.objects.filter(practitioner=user, ...).count()
        return StaffNote(text=f"{count} appointments still booked", url=...) if count else None

    class SchedulingConfig(AppConfig):
        def ready(self):
            register_source("scheduling.upcoming", upcoming_appointments)

A source takes ``user`` as a keyword, runs a constant number of queries (one count is
typical) and returns a note or None. Registering the same key again replaces the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class StaffNote:
    text: str
    url: str = ""
    link_text: str = ""


Source = Callable[..., StaffNote | None]

_SOURCES: dict[str, Source] = {}


def register_source(key: str, source: Source) -> None:
    _SOURCES[key] = source


def deactivation_notes(user: AbstractBaseUser) -> list[StaffNote]:
    """The notes every registered app has about `user`, who has just been deactivated."""
    notes = (source(user=user) for source in _SOURCES.values())
    return [note for note in notes if note is not None]
