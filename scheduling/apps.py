from __future__ import annotations

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"

    def ready(self) -> None:
        from clinic.roles import Capability
        from clinic.staff_notes import register_source as register_staff_note
        from patients.actions import register_action
        from patients.timeline import register_source
        from scheduling import patient_actions
        from scheduling.diary import SchedulingDiary
        from scheduling.staff_notes import upcoming_appointments
        from scheduling.timeline_sources import appointment_entries, visit_entries
        from treatments.diary import register_provider

        register_provider(SchedulingDiary())
        # Receptionists book appointments, so they see them on the patient page too; those who
        # see the clinical records get a completed visit as the session or consultation
        # recorded at it (scheduling/timeline_sources.py).
        register_source(
            "scheduling.appointments",
            appointment_entries,
            capability=Capability.VIEW_PATIENTS,
            unless=Capability.VIEW_CLINICAL,
        )
        register_source("scheduling.visits", visit_entries)
        register_action(
            "scheduling.book",
            patient_actions.book,
            capabilities=(Capability.BOOK_APPOINTMENTS,),
            order=30,
        )
        # The clinic manager deactivating a practitioner is told what is still booked.
        register_staff_note("scheduling.upcoming", upcoming_appointments)
