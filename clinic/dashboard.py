"""Panels on the home page. Each app may offer some in `<app>/dashboard.py`:

    def panels(request) -> list[Panel]

returning only what the user's role may see. The home page shows them in app order.
Each `panels` function must run a constant number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Bootstrap column classes: a wide panel spans the page on laptops.
    width: str = "col-12 col-xl-6"


def panels_for(request: HttpRequest) -> list[Panel]:
    found: list[Panel] = []
    for config in apps.get_app_configs():
        if config.name == "clinic":
            continue
        try:
            module = import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.dashboard":
                raise
            continue
        found += module.panels(request)
    return found
