"""Small helpers for pages that answer htmx with a fragment and browsers with the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import trigger_client_event

# Fired after anything that changes appointments: calendars and the today board reload.
CHANGED = "calendar-changed"


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx swap, not a boosted page load nor a history restore (which need the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_fragment(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    name = f"{template}#{partial}" if wants_fragment(request) else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def announce_change(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, CHANGED)
