"""Back office: treatment records read-only, with their change history. Plans and sessions
change through the app's pages, which call the services and their checks (pre-checks, stock,
signing); a signed session is never edited, here or anywhere. Every record or list opened here
is in the audit log."""

from __future__ import annotations

from django.contrib import admin

from clinic.admin import AuditedAdmin
from cocktails.admin import ReadOnlyAdmin
from treatments.models import (
    AdverseEvent,
    InjectionPoint,
    Outcome,
    SessionAmendment,
    SessionLot,
    TreatmentPlan,
    TreatmentSession,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = ("patient", "indication", "status", "practitioner", "start_date")
    list_filter = ("status", "indication")
    list_select_related = ("patient", "practitioner")
    search_fields = ("patient__last_name", "patient__first_name")
    date_hierarchy = "start_date"


class InjectionPointInline(ReadOnlyInline):
    model = InjectionPoint
    fields = ("position", "diagram", "zone", "depth_mm", "volume_ml", "x", "y")
    readonly_fields = fields


class SessionLotInline(ReadOnlyInline):
    model = SessionLot
    fields = ("lot", "vials", "volume_ml", "usage")
    readonly_fields = fields


class AmendmentInline(ReadOnlyInline):
    model = SessionAmendment
    fields = ("at", "by", "field", "old_value", "new_value", "reason")
    readonly_fields = fields


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(AuditedAdmin, ReadOnlyAdmin):
    patient_path = "plan.patient_id"
    list_display = ("plan", "kind", "status", "performed_at", "practitioner", "signed_at")
    list_filter = ("status", "kind")
    list_select_related = ("plan__patient", "practitioner")
    search_fields = ("plan__patient__last_name", "plan__patient__first_name")
    inlines = (InjectionPointInline, SessionLotInline, AmendmentInline)


@admin.register(AdverseEvent)
class AdverseEventAdmin(AuditedAdmin, ReadOnlyAdmin):
    patient_path = "session.plan.patient_id"
    list_display = ("kind", "severity", "onset_on", "outcome", "resolved_on", "session")
    list_filter = ("kind", "severity", "outcome")
    list_select_related = ("session__plan__patient",)
    search_fields = ("session__plan__patient__last_name",)


@admin.register(Outcome)
class OutcomeAdmin(AuditedAdmin, ReadOnlyAdmin):
    patient_path = "plan.patient_id"
    list_display = ("plan", "assessed_on", "gais_practitioner", "gais_patient", "measure")
    list_select_related = ("plan__patient",)
