from __future__ import annotations

from typing import Any

from django import template

from clinic.roles import Capability, can
from scheduling import selectors

register = template.Library()


@register.filter
def has_calendar_feed(user: Any) -> bool:
    """Practitioners have a feed of their own; clinic managers look after everyone's."""
    return selectors.is_practitioner(user) or can(user, Capability.MANAGE_STAFF)


@register.filter
def person(user: Any) -> str:
    return selectors.practitioner_name(user)


@register.filter
def time_off_who(off: Any) -> str:
    """A day off's practitioner, or the whole clinic (a removed one's history row too)."""
    return selectors.time_off_who(off)


@register.filter
def time_off_days(off: Any) -> str:
    return selectors.time_off_days(off)
