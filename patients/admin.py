"""Back office for patient records: read-only (records change through the app's pages, which
call the services, keep their history and check the rules), never deleted, and every record or
list opened here is in the audit log. Consent texts are published through the service so
versions are numbered and superseded."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin import AuditedAdmin
from patients.models import (
    Allergy,
    Consent,
    ConsentText,
    Consultation,
    ConsultationConcern,
    Contraindication,
    Patient,
    Photo,
)
from patients.services import consent_text_publish


class NoDeleteMixin:
    """Nothing clinical is ever deleted: archive patients, resolve or remove records."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    patient_path = "pk"
    list_display = ("last_name", "first_name", "date_of_birth", "email", "phone", "archived_at")
    list_filter = ("archived_at", "sex")
    search_fields = ("last_name", "first_name", "email", "phone", "search_key")
    date_hierarchy = "created_at"


@admin.register(Allergy)
class AllergyAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ("patient", "__str__", "reaction", "recorded_at", "removed_at")
    list_select_related = ("patient", "ingredient")
    search_fields = ("patient__last_name", "substance", "ingredient__name")


class ConcernInline(admin.TabularInline):
    model = ConsultationConcern
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ("patient", "consulted_on", "practitioner", "expectations_realistic")
    list_select_related = ("patient", "practitioner")
    search_fields = ("patient__last_name", "patient__first_name")
    date_hierarchy = "consulted_on"
    inlines = [ConcernInline]


@admin.register(Contraindication)
class ContraindicationAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ("patient", "kind", "severity", "recorded_at", "resolved_at")
    list_filter = ("kind", "severity", "resolved_at")
    list_select_related = ("patient",)
    search_fields = ("patient__last_name", "patient__first_name")


@admin.register(ConsentText)
class ConsentTextAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Add a text to publish a new version. Published versions cannot be edited: patients
    signed exactly those words."""

    list_display = ("title", "kind", "indication", "version", "published_at", "superseded_at")
    list_filter = ("kind", "indication")
    search_fields = ("title", "body")
    fields = ("kind", "indication", "title", "body")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return self.fields if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: ConsentText, form: Any, change: bool) -> None:
        if change:
            return
        published = consent_text_publish(
            kind=obj.kind,
            indication=obj.indication,
            title=obj.title,
            body=obj.body,
            by=request.user,
        )
        # The admin redirects to this object: point it at the row the service created.
        obj.pk = published.pk


@admin.register(Consent)
class ConsentAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ("patient", "text", "signed_at", "witnessed_by", "withdrawn_at")
    list_select_related = ("patient", "text", "witnessed_by")
    search_fields = ("patient__last_name", "signed_name")
    exclude = ("signature_png",)


@admin.register(Photo)
class PhotoAdmin(ReadOnlyMixin, AuditedAdmin, SimpleHistoryAdmin):
    list_display = ("patient", "kind", "area", "angle", "taken_on", "removed_at")
    list_select_related = ("patient",)
    list_filter = ("kind", "area")
    search_fields = ("patient__last_name",)
    # The image fields would link to MEDIA_URL, which does not exist: files go through views.
    exclude = ("image", "thumbnail")
