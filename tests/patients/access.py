"""What every patients URL answers to each role; merged into tests/access.py."""

from __future__ import annotations

from typing import Any

from tests.access_rule import Rule

RULES: dict[str, Rule] = {}


def populate_world(world: Any) -> None:
    """Add to `world` the records this app's URLs with parameters need."""
