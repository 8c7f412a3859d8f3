"""The home-page panel of this app: lots to use or discard soon, products to reorder."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from clinic.dashboard import Panel
from clinic.roles import Capability, can
from cocktails.models import EXPIRY_WARNING_DAYS
from cocktails.selectors import stock_alerts


def panels(request: HttpRequest) -> list[Panel]:
    if not can(request.user, Capability.VIEW_CATALOGUE):
        return []
    today = timezone.localdate()
    return [
        Panel(
            "cocktails/_panel_stock_alerts.html",
            {"alerts": stock_alerts(today=today), "today": today, "days": EXPIRY_WARNING_DAYS},
        )
    ]
