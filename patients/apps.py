from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"

    def ready(self) -> None:
        from patients.timeline import register_source
        from patients.timeline_sources import consent_entries, consultation_entries

        register_source("patients.consultations", consultation_entries)
        register_source("patients.consents", consent_entries)
