from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from clinic.navigation import NAVIGATION
from clinic.roles import capabilities, primary_role


def clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic's name and the navigation the current user's role may use."""
    user = getattr(request, "user", None)
    caps = capabilities(user) if user is not None else frozenset()
    return {
        "clinic_name": settings.CLINIC_NAME,
        "nav_items": [item for item in NAVIGATION if item.capability in caps],
        "user_caps": caps,
        "user_role": primary_role(user) if user is not None else None,
    }
