"""Buttons on a patient's page that belong to other apps: propose a treatment plan, book an
appointment, export the treatment summary. Registered from each app's ``AppConfig.ready()``
(as the timeline's sources are), so patients imports none of them::

    register_action(
        "scheduling.book",
        lambda patient: PatientAction("Book", f"{reverse('scheduling:book')}?patient={patient.pk}"),
        capabilities=(Capability.BOOK_APPOINTMENTS,),
    )

A source takes the patient and returns its action, or None when it does not apply (an
archived record, say). It must not query the database: the header is on every patient page.
The user sees an action only with every capability it was registered with.
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


ActionSource = Callable[["Patient"], PatientAction | None]
_SOURCES: dict[str, tuple[int, frozenset[Capability], ActionSource]] = {}


def register_action(
    key: str, source: ActionSource, *, capabilities: Iterable[Capability], order: int = 100
) -> None:
    """Add (or replace) the action `key`; actions show in `order`, then by key."""
    _SOURCES[key] = (order, frozenset(capabilities), source)


def patient_actions(*, patient: Patient, user: User) -> list[PatientAction]:
    held = capabilities(user)
    actions = []
    for _key, (_order, needed, source) in sorted(_SOURCES.items(), key=lambda i: (i[1][0], i[0])):
        if needed <= held and (action := source(patient)) is not None:
            actions.append(action)
    return actions
