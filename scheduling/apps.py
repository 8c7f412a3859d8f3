from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        from scheduling.diary import SchedulingDiary
        from treatments.diary import register_provider

        register_provider(SchedulingDiary())
