"""Fill the database with demo data. Safe to run again: nothing is created twice."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from clinic import demo


class Command(BaseCommand):
    help = "Create demo staff (one per role) and each app's demo data, then print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        def out(line: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {line}")

        with transaction.atomic():
            demo.seed(out)
            # Apps seed in INSTALLED_APPS order, which follows their dependencies.
            for config in apps.get_app_configs():
                if config.name == "clinic":
                    continue
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                module.seed(out)

        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:")
        )
        for person in demo.DEMO_STAFF:
            role = person["role"]
            self.stdout.write(f"  {role.label:<16} {person['username']:<12} / {demo.DEMO_PASSWORD}")
