from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from clinic.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Searchable by patient, user and date; nothing can be added, changed or deleted."""

    list_display = ("at", "username", "action", "patient", "what", "ip_address")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "patient__last_name", "patient__first_name", "what", "path")
    date_hierarchy = "at"
    list_select_related = ("patient", "user")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
