"""Cocktail pages (builder, detail, versions) and catalogue pages (ingredients, products, lots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def flash_outcome(request: HttpRequest, action: Callable[[], Any], success: str) -> None:
    """Run a one-click action (archive, retire, recall) and say how it went, refusal included."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
