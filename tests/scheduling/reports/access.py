"""What every reports URL answers to each role; merged into tests/access.py. The reports are
the clinic manager's: practitioners and receptionists get 403."""

from __future__ import annotations

from typing import Any

from tests.access_rule import ADMIN_ONLY, Rule

RULES: dict[str, Rule] = {
    "reports:report": Rule(ok=ADMIN_ONLY),
    "reports:csv": Rule(ok=ADMIN_ONLY, kwargs=lambda w: {"table": "appointments"}),
}


def populate_world(world: Any) -> None:
    """The reports need no record of their own: the other apps' world is counted."""
