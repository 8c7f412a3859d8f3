from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "treatments"

    def ready(self) -> None:
        from clinic.roles import Capability
        from patients.actions import register_action
        from patients.panels import register_panel
        from patients.timeline import register_source
        from treatments import patient_actions
        from treatments.patient_panels import plans_panel
        from treatments.timeline import plan_entries, session_entries

        register_source("treatments.plans", plan_entries)
        register_source("treatments.sessions", session_entries)
        register_panel("treatments.plans", plans_panel, order=10)
        register_action(
            "treatments.plan",
            patient_actions.propose_plan,
            capabilities=(Capability.EDIT_CLINICAL,),
            order=20,
        )
        register_action(
            "treatments.summary_pdf",
            patient_actions.summary_pdf,
            capabilities=(Capability.VIEW_CLINICAL, Capability.EXPORT_RECORDS),
            order=90,
            on_archived=True,
        )
