"""Display helpers for the cocktail and catalogue pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format

from cocktails.models import EXPIRY_WARNING_DAYS, Lot, plain_number

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


@register.filter
def money(value: Decimal | None) -> str:
    """A price in the clinic's currency: €18.00."""
    if value is None:
        return "—"
    amount = number_format(Decimal(value).quantize(Decimal("0.01")), 2, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(settings.CLINIC_CURRENCY)
    return f"{symbol}{amount}" if symbol else f"{amount} {settings.CLINIC_CURRENCY}"


@register.filter
def qty(value: Decimal | None) -> str:
    """A quantity without trailing zeros: 2.500 → 2.5."""
    return "" if value is None else plain_number(Decimal(value))


@register.inclusion_tag("cocktails/_lot_status.html")
def lot_status(lot: Lot, today: datetime.date) -> dict[str, str]:
    """The lot's state as a badge: what a nurse needs to know before opening a vial."""
    if lot.is_recalled:
        label, tone = "Recalled", "danger"
    elif lot.is_expired_on(today):
        label, tone = "Expired", "danger"
    elif lot.is_exhausted:
        label, tone = "Used up", "secondary"
    elif lot.expiry_date <= today + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        days = (lot.expiry_date - today).days
        when = "today" if days == 0 else f"in {days} day{'s' if days > 1 else ''}"
        label, tone = f"Expires {when}", "warning"
    else:
        label, tone = "In stock", "success"
    return {"label": label, "tone": tone}


@register.filter
def stock_percent(lot: Lot) -> int:
    return round(100 * lot.quantity_left / lot.quantity_received) if lot.quantity_received else 0
