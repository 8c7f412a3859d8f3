"""Cards on a patient's overview that belong to other apps (the patient's treatment plans),
registered from each app's ``AppConfig.ready()`` as the timeline's sources and the header's
actions are, so patients imports none of them::

    register_panel("treatments.plans", plans_panel, order=10)

A source takes the patient and returns a ``clinic.dashboard.Panel`` (a template and its
context), or None to show nothing. It runs a constant number of queries: the overview calls
every source the user's role may see on each view. ``capability`` says who sees the card;
clinical cards keep the default VIEW_CLINICAL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic.dashboard import Panel
from clinic.roles import Capability, capabilities

if TYPE_CHECKING:
    from clinic.roles import User
    from patients.models import Patient

PanelSource = Callable[["Patient"], Panel | None]


@dataclass(frozen=True)
class _Registered:
    order: int
    capability: Capability
    source: PanelSource


_SOURCES: dict[str, _Registered] = {}


def register_panel(
    key: str,
    source: PanelSource,
    *,
    capability: Capability = Capability.VIEW_CLINICAL,
    order: int = 100,
) -> None:
    """Add (or replace) the card `key`; cards show in `order`, then by key."""
    _SOURCES[key] = _Registered(order, capability, source)


def patient_panels(*, patient: Patient, user: User) -> list[Panel]:
    held = capabilities(user)
    found = []
    for _key, entry in sorted(_SOURCES.items(), key=lambda item: (item[1].order, item[0])):
        if entry.capability in held and (panel := entry.source(patient)) is not None:
            found.append(panel)
    return found
