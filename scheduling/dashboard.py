"""The home page's "today" panel: a practitioner's own list, or the whole clinic's for the desk."""

from __future__ import annotations

from django.http import HttpRequest

from clinic.dashboard import Panel
from clinic.roles import Capability, can
from scheduling import clock, selectors

SHOWN = 8


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not can(user, Capability.BOOK_APPOINTMENTS):
        return []
    now = clock.now()
    start, end = clock.day_bounds(clock.local(now).date())
    own = selectors.is_practitioner(user)
    appointments = selectors.appointments_between(
        start, end, practitioner=user if own else None, names_only=True
    )
    upcoming = [a for a in appointments if a.is_upcoming and a.end > now]
    shown = appointments[:SHOWN] if own else upcoming[:SHOWN]
    return [
        Panel(
            template="scheduling/_panel_today.html",
            context={
                "own": own,
                "appointments": shown,
                # A treatment visit that cannot go ahead, as on the front desk's board.
                "on_hold": selectors.appointments_on_hold(shown),
                "total": len(appointments),
                "more": max(0, (len(appointments) if own else len(upcoming)) - SHOWN),
                "waiting": sum(1 for a in appointments if a.status == "arrived"),
            },
        )
    ]
