"""Buttons on a patient's page that belong to other apps: propose a treatment plan, book an
appointment, export the treatment summary. Registered from each app's ``AppConfig.ready()``
(as the timeline's sources are), so patients imports none of them::

    register_action(
        "scheduling.book",
        lambda patient: PatientAction("Book", f"{reverse('scheduling:book')}?patient={patient.pk}"),
        capabilities=(Capability.BOOK_APPOINTMENTS,),
    )

A source takes the patient and returns its action. It must not query the database: the
header is on every patient page. The user sees an action only with every capability it was
registered with, and, unless it was registered with ``on_archived=True`` (reading what the
record holds), only while the record is not archived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic.roles import Capability, capabilities

if TYPE_CHECKING:
    from clinic.roles import User
    from patients.models import Patient


@dataclass(frozen=True)
class PatientAction:
    label: str
    url: str
    # A bootstrap-icons name, e.g. "journal-plus".
    icon: str = "arrow-right"
    # Opens a file (a PDF) rather than a page.
    download: bool = False


ActionSource = Callable[["Patient"], PatientAction]


@dataclass(frozen=True)
class _Registered:
    order: int
    needed: frozenset[Capability]
    on_archived: bool
    source: ActionSource


_SOURCES: dict[str, _Registered] = {}


def register_action(
    key: str,
    source: ActionSource,
    *,
    capabilities: Iterable[Capability],
    order: int = 100,
    on_archived: bool = False,
) -> None:
    """Add (or replace) the action `key`; actions show in `order`, then by key."""
    _SOURCES[key] = _Registered(order, frozenset(capabilities), on_archived, source)


def patient_actions(*, patient: Patient, user: User) -> list[PatientAction]:
    held = capabilities(user)
    return [
        entry.source(patient)
        for _key, entry in sorted(_SOURCES.items(), key=lambda item: (item[1].order, item[0]))
        if entry.needed <= held and (entry.on_archived or not patient.is_archived)
    ]
