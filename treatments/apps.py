from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"

    def ready(self) -> None:
        from patients.timeline import register_source
        from treatments.timeline import plan_entries, session_entries

        register_source("treatments.plans", plan_entries)
        register_source("treatments.sessions", session_entries)
